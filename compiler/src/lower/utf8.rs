//! Invalid UTF-8. The parser reads it (replacing each bad sequence with U+FFFD, where Go's
//! string conversions keep the bytes), but BuildKit cannot always send it on. Built with
//! the engine's built-in frontend (docker 28.5 and 20.10; `mstage_tests::hostile`), a RUN
//! whose command has invalid UTF-8 fails the whole build with "failed to marshal LLB
//! definition: string field contains invalid UTF-8", while invalid UTF-8 in ENV, WORKDIR,
//! LABEL or a comment builds. This refuses the same builds before lowering, naming the
//! line: a RUN of a stage the target needs, and a SHELL that a later RUN of its stage runs
//! with (its words become that RUN's command too).

use mstage_syntax::instructions::Instruction;
use mstage_syntax::parser::SourceRange;

use crate::error::{CompileError, ErrorKind};
use crate::plan::Plan;

/// The 1-based numbers of the lines that are not valid UTF-8 (none for a valid file).
fn invalid_lines(dockerfile: &[u8]) -> Vec<usize> {
    if std::str::from_utf8(dockerfile).is_ok() {
        return Vec::new();
    }
    dockerfile
        .split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, line)| std::str::from_utf8(line).is_err())
        .map(|(i, _)| i + 1)
        .collect()
}

/// Whether the instruction's text becomes a RUN command, given whether a RUN follows it in
/// its stage.
fn reaches_run_command(instruction: &Instruction, run_follows: bool) -> bool {
    match instruction {
        Instruction::Run(_) => true,
        Instruction::Shell(_) => run_follows,
        _ => false,
    }
}

fn refuse(line: usize, range: SourceRange, keyword: &str) -> CompileError {
    CompileError::new(
        ErrorKind::Syntax,
        Some(range),
        format!(
            "line {line} is not valid UTF-8, and this {keyword} makes it part of a RUN command, \
             a string field of the LLB Definition, which BuildKit cannot send (the stock \
             frontend fails with \"failed to marshal LLB definition: string field contains \
             invalid UTF-8\")"
        ),
    )
}

/// Refuses the first instruction of a needed stage whose invalid UTF-8 would reach a RUN
/// command.
pub(crate) fn check(dockerfile: &[u8], plan: &Plan) -> Result<(), CompileError> {
    let bad = invalid_lines(dockerfile);
    if bad.is_empty() {
        return Ok(());
    }
    let bad_in = |r: SourceRange| {
        bad.iter()
            .copied()
            .find(|l| (r.start_line..=r.end_line).contains(l))
    };
    let reachable = plan.reachable();
    for (stage, needed) in plan.stages.iter().zip(reachable) {
        if !needed || stage.unregistered {
            continue;
        }
        for (i, c) in stage.commands.iter().enumerate() {
            let run_follows = stage.commands[i + 1..]
                .iter()
                .any(|later| matches!(*later.instruction, Instruction::Run(_)));
            if !reaches_run_command(&c.instruction, run_follows) {
                continue;
            }
            if let Some(line) = bad_in(c.instruction.range()) {
                return Err(refuse(line, c.instruction.range(), c.instruction.name()));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::invalid_lines;
    use crate::lower::{compile_blocking, BuildRequest, NoneResolver};

    fn compile(dockerfile: &[u8]) -> Result<(), String> {
        let req = BuildRequest {
            dockerfile: dockerfile.to_vec(),
            ..BuildRequest::default()
        };
        compile_blocking(&req, &NoneResolver)
            .map(drop)
            .map_err(|e| e.render("Dockerfile", dockerfile))
    }

    #[test]
    fn a_run_with_invalid_utf8_is_refused_naming_its_line_as_stock_refuses_it() {
        let e = compile(b"FROM busybox\nRUN echo \xff\xfe > /x\n").unwrap_err();
        assert!(e.starts_with("Dockerfile:2\n"), "{e}");
        assert!(e.contains("string field contains invalid UTF-8"), "{e}");
        let e = compile(b"FROM busybox\nRUN <<EOF\necho \xc3\x28\nEOF\n").unwrap_err();
        assert!(e.contains("line 3 is not valid UTF-8"), "{e}");
    }

    #[test]
    fn invalid_utf8_the_stock_frontend_builds_is_accepted() {
        for df in [
            &b"FROM busybox\n# \xff\nRUN true\n"[..],
            b"FROM busybox\nLABEL a=\xff\n",
            b"FROM busybox\nENV A=\xff\nRUN true\n",
            b"FROM busybox\nWORKDIR /\xff\n",
            // Not needed by the target.
            b"FROM busybox AS a\nRUN \xff\nFROM busybox\nRUN true\n",
        ] {
            assert_eq!(compile(df), Ok(()));
        }
    }

    #[test]
    fn invalid_lines_are_numbered_from_one() {
        assert!(invalid_lines(b"FROM a\nRUN b\n").is_empty());
        assert_eq!(invalid_lines(b"FROM a\nRUN \xff\n# \xc3\x28\n"), [2, 3]);
    }
}
