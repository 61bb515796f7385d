//! Parser behaviour users notice: directives, continuations, warnings, heredocs, errors.

use super::*;

fn ok(src: &str) -> Dockerfile {
    parse(src.as_bytes()).unwrap_or_else(|e| panic!("{src:?}: {e}"))
}

fn err(src: &str) -> SyntaxError {
    parse(src.as_bytes()).expect_err(src)
}

#[test]
fn directives_only_at_the_top() {
    let df =
        ok("# Syntax = docker/dockerfile:1\n#ESCAPE=`\n# check=skip=all\nFROM a\nRUN a `\n b\n");
    assert_eq!(df.escape, '`');
    assert_eq!(
        df.directives,
        [
            ("syntax".to_string(), "docker/dockerfile:1".to_string()),
            ("escape".to_string(), "`".to_string()),
            ("check".to_string(), "skip=all".to_string()),
        ]
    );
    assert_eq!(df.instructions[1].args, ["a  b"]);
    // After an instruction, a comment or a blank line, `# escape=` is only a comment.
    for src in [
        "FROM a\n# escape=`\nRUN a`\n",
        "# hello\n# escape=`\nFROM a\n",
        "\n# escape=`\nFROM a\n",
    ] {
        let df = ok(src);
        assert_eq!((df.escape, df.directives.len()), ('\\', 0), "{src:?}");
    }
    // Leading blanks and a BOM do not stop directives.
    assert_eq!(ok("\u{feff}  # escape=`\nFROM a\n").escape, '`');
}

#[test]
fn continuation_rules() {
    let df = ok("FROM a\nRUN a \\\n# comment inside\n\n  b \\  \n c\\\\\nRUN x\n");
    assert_eq!(df.instructions[1].args, ["a   b  c\\\\"]);
    assert_eq!(
        df.instructions[1].range,
        SourceRange {
            start_line: 2,
            end_line: 6,
            ..Default::default()
        }
    );
    assert_eq!(df.warnings.len(), 1);
    assert_eq!(
        df.warnings[0].message,
        "Empty continuation line found in: RUN a   b  c\\\\"
    );
    assert_eq!(df.warnings[0].range.start_line, 6);
    // A trailing continuation at the end of the file still yields the instruction.
    assert_eq!(ok("FROM a\nRUN b \\").instructions[1].args, ["b"]);
    // CRLF line endings.
    let df = ok("FROM a\r\nRUN b \\\r\n c\r\n");
    assert_eq!(df.instructions[1].args, ["b  c"]);
}

#[test]
fn keywords_and_forms() {
    let df = ok("from a\nRuN [\"echo\", \"hi\"]\ncmd [\"a\" 'b']\nENTRYPOINT []\nFOO bar baz\n");
    assert_eq!(
        (
            df.instructions[0].keyword.as_ref(),
            df.instructions[0].keyword_original.as_ref()
        ),
        ("from", "from")
    );
    assert_eq!(
        (
            df.instructions[1].args.clone(),
            df.instructions[1].json_form
        ),
        (vec!["echo".to_string(), "hi".to_string()], true)
    );
    assert_eq!(
        (
            df.instructions[2].args.clone(),
            df.instructions[2].json_form
        ),
        (vec!["[\"a\" 'b']".to_string()], false)
    );
    assert_eq!(
        (df.instructions[3].args.len(), df.instructions[3].json_form),
        (0, true)
    );
    // Unknown instructions are the instruction layer's to reject.
    assert_eq!(
        (
            df.instructions[4].keyword.as_ref(),
            df.instructions[4].args.clone()
        ),
        ("foo", vec![String::new()])
    );
    let df = ok("FROM a\nONBUILD RUN <<EOF\nhi\nEOF\nHEALTHCHECK --interval=5s CMD curl x\n");
    let on = &df.instructions[1];
    assert_eq!(on.sub.as_ref().unwrap().args, ["<<EOF"]);
    assert_eq!((on.heredocs.len(), on.range.end_line), (1, 4));
    assert_eq!(df.instructions[2].flags, ["--interval=5s"]);
    assert_eq!(df.instructions[2].args, ["CMD", "curl x"]);
}

#[test]
fn heredocs() {
    let df = ok("FROM a\nCOPY <<A 3<<-\"B\" /dst\na $X\nA\n\t\tb\n\tB\nRUN [\"<<C\"]\nUSER <<D\n");
    let copy = &df.instructions[1];
    assert_eq!(copy.heredocs.len(), 2);
    let (a, b) = (&copy.heredocs[0], &copy.heredocs[1]);
    assert_eq!(
        (a.name.as_str(), a.fd, a.expand, a.chomp, a.content.as_str()),
        ("A", 0, true, false, "a $X\n")
    );
    assert_eq!(
        (b.name.as_str(), b.fd, b.expand, b.chomp, b.content.as_str()),
        ("B", 3, false, true, "\t\tb\n")
    );
    assert_eq!(chomp_heredoc_content(&b.content), "b\n");
    assert_eq!(
        copy.range,
        SourceRange {
            start_line: 2,
            end_line: 6,
            ..Default::default()
        }
    );
    assert!(
        df.instructions[2].heredocs.is_empty(),
        "JSON form has no heredocs"
    );
    assert!(
        df.instructions[3].heredocs.is_empty(),
        "USER takes no heredocs"
    );
}

#[test]
fn error_messages() {
    let cases = [
        ("", "dockerfile parse error on line 1: file with no instructions"),
        ("# only a comment\n\n", "dockerfile parse error on line 2: file with no instructions"),
        ("FROM a\nENV PATH\n", "dockerfile parse error on line 2: ENV must have two arguments"),
        ("FROM a\nLABEL a=1 \\\n  b\n", "dockerfile parse error on lines 2-3: Syntax error - can't find = in \"b\". Must be of the form: name=value"),
        ("FROM a\nCMD [\"a\", [\"b\"]]\n", "dockerfile parse error on line 2: when using JSON array syntax, arrays must be comprised of strings only"),
        ("# escape=x\nFROM a\n", "dockerfile parse error on line 1: invalid escape token 'x' does not match ` or \\"),
        ("# syntax=a\n# SYNTAX=b\nFROM a\n", "dockerfile parse error on line 2: only one syntax parser directive can be used"),
        ("FROM a\nRUN <<EOF\necho\n", "dockerfile parse error on lines 2-3: unterminated heredoc: no line \"EOF\" ends the heredoc before the end of the file"),
            ];
    for (src, want) in cases {
        assert_eq!(err(src).to_string(), want, "{src:?}");
    }
}

#[test]
fn unlexable_heredoc_line_has_no_heredocs() {
    // Upstream ignores lexer errors when scanning a line for markers.
    let df = ok("FROM a\nRUN <<EOF <<'END\n");
    assert!(df.instructions[1].heredocs.is_empty());
}

#[test]
fn invalid_utf8_is_replaced() {
    let df = parse(b"FROM a\nRUN echo \xff\n").unwrap();
    assert_eq!(df.instructions[1].args, ["echo \u{fffd}"]);
}

#[test]
fn comments_above_an_instruction_are_kept_for_it() {
    let df = ok("# syntax=x\n# about a\n\n  # indented\nFROM a\n# dropped\n#\n# about b\nRUN b \\\n# inside\n  c\nRUN d\n");
    let comments: Vec<&[String]> = df.instructions.iter().map(|n| &n.comments[..]).collect();
    assert_eq!(
        comments,
        [
            // A directive is not a comment; a blank line keeps the list; an indented comment
            // keeps its `#` (BuildKit drops the first byte, then trims).
            &["about a".to_string(), "# indented".to_string()][..],
            // A bare `#` clears the list.
            &["about b".to_string()][..],
            // Comments inside a continued instruction belong to nobody.
            &[][..],
        ]
    );
}
