//! Pins the messages users see for bad Dockerfiles: parse errors, typing errors and the
//! errors found when instruction values are expanded. Each case shows the input, the
//! message and the Dockerfile line(s) it points at.

use mstage_syntax::instructions::{self, ExpandError, Instruction, InstructionError, Parsed};
use mstage_syntax::parser::{self, SourceRange};
use mstage_syntax::shell::{Lexer, NoEnv, ShellError};

/// (name, Dockerfile) pairs; every one must fail or warn.
const CASES: &[(&str, &str)] = &[
    // ---- parser ----
    ("empty file", ""),
    ("only comments", "# nothing here\n"),
    ("unterminated heredoc", "FROM alpine\nRUN <<EOF\necho hi\n"),
    ("json form with non-strings", "FROM alpine\nCMD [\"echo\", 1]\n"),
    ("nested json form", "FROM alpine\nCMD [\"echo\", [\"a\"]]\n"),
    ("env without value", "FROM alpine\nENV PATH\n"),
    ("invalid escape directive", "# escape=x\nFROM alpine\n"),
    ("duplicate directive", "# escape=`\n# escape=\\\nFROM alpine\n"),
    ("directive after an instruction (ignored, a comment)", "FROM alpine\n# escape=`\nRUN echo \\\n  hi\nRUNN x\n"),
    ("empty continuation line (warning)", "FROM alpine\nRUN echo a \\\n\n  b\nRUNN x\n"),
    // ---- instructions ----
    ("unknown instruction", "FROM alpine\nRUNN echo hi\n"),
    ("unknown instruction, no close match", "FROM alpine\nXYZZY echo hi\n"),
    ("unknown flag", "FROM alpine\nCOPY --foo=bar a /b\n"),
    ("unknown flag with suggestion", "FROM alpine\nCOPY --form=build a /b\n"),
    ("flag of another instruction", "FROM alpine\nADD --from=build a /b\n"),
    ("duplicate flag", "FROM alpine\nCOPY --from=a --from=b x /y\n"),
    ("flag without value", "FROM alpine\nCOPY --chown a /b\n"),
    ("bad boolean flag", "FROM alpine\nCOPY --link=yes a /b\n"),
    ("bad boolean flag on ADD", "FROM alpine\nADD --keep-git-dir=maybe https://github.com/a/b.git /b\n"),
    ("flag on ENV", "FROM alpine\nENV --x=1 A=b\n"),
    ("instruction before FROM", "ARG V=1\nRUN echo $V\nFROM alpine\n"),
    ("no FROM at all", "ARG V=1\n"),
    ("FROM with two words", "FROM alpine latest\n"),
    ("invalid stage name", "FROM alpine AS 1st-stage\n"),
    ("stage name with symbols", "FROM alpine AS build/x\n"),
    ("COPY without destination", "FROM alpine\nCOPY onlyone\n"),
    ("heredoc as COPY destination", "FROM alpine\nCOPY a <<EOF\nx\nEOF\n"),
    ("COPY --from with a variable", "ARG S=build\nFROM alpine\nCOPY --from=$S /a /b\n"),
    ("WORKDIR without path", "FROM alpine\nWORKDIR\n"),
    ("USER without name", "FROM alpine\nUSER\n"),
    ("EXPOSE without port", "FROM alpine\nEXPOSE\n"),
    ("VOLUME with an empty path", "FROM alpine\nVOLUME [\"\"]\n"),
    ("ARG with a blank name", "FROM alpine\nARG =value\n"),
    ("SHELL in shell form", "FROM alpine\nSHELL /bin/bash -c\n"),
    ("ONBUILD ONBUILD", "FROM alpine\nONBUILD ONBUILD RUN x\n"),
    ("ONBUILD FROM", "FROM alpine\nONBUILD FROM busybox\n"),
    ("HEALTHCHECK duration without unit", "FROM alpine\nHEALTHCHECK --interval=30 CMD true\n"),
    ("HEALTHCHECK unknown duration unit", "FROM alpine\nHEALTHCHECK --timeout=3d CMD true\n"),
    ("HEALTHCHECK duration not a number", "FROM alpine\nHEALTHCHECK --start-period=soon CMD true\n"),
    ("HEALTHCHECK interval below 1ms", "FROM alpine\nHEALTHCHECK --interval=10us CMD true\n"),
    ("HEALTHCHECK negative retries", "FROM alpine\nHEALTHCHECK --retries=-1 CMD true\n"),
    ("HEALTHCHECK retries not a number", "FROM alpine\nHEALTHCHECK --retries=many CMD true\n"),
    ("HEALTHCHECK NONE with a command", "FROM alpine\nHEALTHCHECK NONE true\n"),
    ("HEALTHCHECK CMD without command", "FROM alpine\nHEALTHCHECK CMD\n"),
    ("HEALTHCHECK unknown type", "FROM alpine\nHEALTHCHECK RUN true\n"),
    ("HEALTHCHECK unknown option", "FROM alpine\nHEALTHCHECK --intervall=5s CMD true\n"),
    ("RUN --network bad value", "FROM alpine\nRUN --network=bridge true\n"),
    ("RUN --security bad value", "FROM alpine\nRUN --security=privileged true\n"),
    ("RUN --device bad field", "FROM alpine\nRUN --device=a,b true\n"),
    // ---- RUN --mount ----
    ("mount from with a variable", "FROM alpine\nRUN --mount=from=$STAGE,target=/x true\n"),
    ("mount with bad csv", "FROM alpine\nRUN --mount=type=bind,target=/x'\"'y true\n"),
    ("mount type unknown", "FROM alpine\nRUN --mount=type=volume,target=/x true\n"),
    ("mount type typo", "FROM alpine\nRUN --mount=type=cahce,target=/x true\n"),
    ("mount option typo", "FROM alpine\nRUN --mount=type=cache,tagret=/x true\n"),
    ("mount option without value", "FROM alpine\nRUN --mount=type=bind,target=/x,writable true\n"),
    ("mount size on a bind mount", "FROM alpine\nRUN --mount=type=bind,target=/x,size=1g true\n"),
    ("mount tmpfs bad size", "FROM alpine\nRUN --mount=type=tmpfs,target=/x,size=huge true\n"),
    ("mount required on a cache", "FROM alpine\nRUN --mount=type=cache,target=/x,required true\n"),
    ("mount sharing value", "FROM alpine\nRUN --mount=type=cache,target=/x,sharing=exclusive true\n"),
    ("mount sharing on bind", "FROM alpine\nRUN --mount=type=bind,target=/x,sharing=locked true\n"),
    ("mount mode not octal", "FROM alpine\nRUN --mount=type=cache,target=/x,mode=0999 true\n"),
    ("mount uid not a number", "FROM alpine\nRUN --mount=type=cache,target=/x,uid=app true\n"),
    ("mount uid on tmpfs", "FROM alpine\nRUN --mount=type=tmpfs,target=/x,uid=1000 true\n"),
    ("mount ro not a bool", "FROM alpine\nRUN --mount=type=bind,target=/x,ro=sure true\n"),
    ("secret mount without id or target", "FROM alpine\nRUN --mount=type=secret true\n"),
    ("secret mount with from", "FROM alpine\nRUN --mount=type=secret,id=a,from=build true\n"),
    ("secret mount with source and id", "FROM alpine\nRUN --mount=type=secret,id=a,source=b true\n"),
    ("ssh mount with source", "FROM alpine\nRUN --mount=type=ssh,source=/key true\n"),
    ("mount on /", "FROM alpine\nRUN --mount=type=bind,target=/ true\n"),
    ("two mounts on one target", "FROM alpine\nRUN --mount=type=cache,target=/root/.cache \\\n    --mount=type=bind,target=/root/.cache \\\n    true\n"),
    // ---- values checked after expansion ----
    ("COPY --chmod not octal", "FROM alpine\nCOPY --chmod=888 a /b\n"),
    ("COPY --chmod too large", "FROM alpine\nCOPY --chmod=17777 a /b\n"),
    ("ADD --chmod bad symbolic mode", "FROM alpine\nADD --chmod=u+q a /b\n"),
    ("EXPOSE bad protocol", "FROM alpine\nEXPOSE 80/http\n"),
    ("EXPOSE port out of range", "FROM alpine\nEXPOSE 70000\n"),
    ("EXPOSE reversed range", "FROM alpine\nEXPOSE 9000-8000\n"),
];

/// Expands every value the way the lowering would (BuildKit's lexer), in an environment
/// where nothing is set.
fn expand_everything(parsed: &Parsed) -> Result<(), ExpandError<ShellError>> {
    let lex = Lexer::new('\\');
    let mut word = |w: &str| lex.process_word(w, &NoEnv);
    let mut words = |w: &str| lex.process_words(w, &NoEnv);
    for stage in &parsed.stages {
        for inst in &stage.commands {
            match &**inst {
                Instruction::Run(c) => drop(c.expand_mounts(&mut word)?),
                Instruction::Copy(c) => drop(c.expand(&mut word)?),
                Instruction::Add(c) => drop(c.expand(&mut word)?),
                Instruction::Expose(c) => drop(c.expand_ports(&mut words)?),
                Instruction::Volume(c) => drop(c.expand(&mut word)?),
                _ => {}
            }
        }
    }
    Ok(())
}

fn show_lines(src: &str, range: SourceRange, out: &mut String) {
    for (i, line) in src.lines().enumerate() {
        let n = i + 1;
        if n >= range.start_line && n <= range.end_line {
            out.push_str(&format!("  {n:>3} | {line}\n"));
        }
    }
}

fn render(name: &str, src: &str) -> String {
    let mut out = format!("### {name}\n");
    for line in src.lines() {
        out.push_str(&format!("    {line}\n"));
    }
    let df = match parser::parse(src.as_bytes()) {
        Ok(df) => df,
        Err(e) => {
            out.push_str(&format!("syntax error: {e}\n"));
            show_lines(src, e.range, &mut out);
            return out;
        }
    };
    for w in &df.warnings {
        out.push_str(&format!("warning: {}\n", w.message));
        show_lines(src, w.range, &mut out);
    }
    let result: Result<(), (String, SourceRange)> = instructions::parse_dockerfile(&df)
        .map_err(|e: InstructionError| (e.to_string(), e.range))
        .and_then(|p| expand_everything(&p).map_err(|e| (e.to_string(), e.range())));
    match result {
        Ok(()) if df.warnings.is_empty() => out.push_str("NO ERROR\n"),
        Ok(()) => {}
        Err((msg, range)) => {
            out.push_str(&format!("error: {msg}\n"));
            show_lines(src, range, &mut out);
        }
    }
    out
}

#[test]
fn error_messages() {
    let mut all = String::new();
    let mut kinds = 0;
    for (name, src) in CASES {
        let r = render(name, src);
        assert!(!r.contains("NO ERROR"), "case {name:?} was accepted:\n{r}");
        kinds += 1;
        all.push_str(&r);
        all.push('\n');
    }
    assert!(kinds >= 30);
    insta::assert_snapshot!("instruction_errors", all);
}

/// The same Dockerfiles without the mistake are accepted, so each case fails for the
/// reason it shows and not for something incidental.
#[test]
fn corrected_inputs_are_accepted() {
    let fixed = [
        "FROM alpine\nRUN echo hi\n",
        "FROM alpine\nCOPY --from=build --chown=1:1 --chmod=0755 --link --parents --exclude=*.md a /b\n",
        "FROM alpine\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d --keep-git-dir --unpack=false --link https://example.com/a.tgz /b\n",
        "FROM alpine\nHEALTHCHECK --interval=30s --timeout=3s --start-period=5s --start-interval=1s --retries=3 CMD true\n",
        "FROM alpine\nHEALTHCHECK NONE\n",
        "FROM alpine\nRUN --mount=type=cache,target=/root/.cache,sharing=locked,mode=0755,uid=1000 \\\n    --mount=type=bind,from=build,source=/out,target=/in,rw \\\n    --mount=type=tmpfs,target=/tmp,size=64m \\\n    --mount=type=secret,id=npm,env=NPM_TOKEN,required \\\n    --mount=type=ssh,id=default,required=false \\\n    --network=none --security=sandbox true\n",
        "FROM alpine AS Build\nEXPOSE 80 53/udp 9000-9002/tcp\nSHELL [\"/bin/bash\", \"-c\"]\nONBUILD RUN true\n",
        "FROM alpine\nCOPY --chmod=u+x,go-w a /b\n",
    ];
    for src in fixed {
        let r = render("fixed", src);
        assert!(r.contains("NO ERROR"), "{r}");
    }
}
