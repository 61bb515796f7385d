//! Huge and deeply nested input returns in bounded time (no quadratic behaviour, no stack
//! overflow). Timing checks compare sizes against each other with a generous factor rather
//! than asserting wall time.

use std::time::{Duration, Instant};

use mstage_syntax::parser::{parse, SyntaxErrorKind, MAX_LINE_LEN, MAX_ONBUILD_NESTING};
use mstage_syntax::shell::{Lexer, MAX_NESTING};

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let r = f();
    (r, t.elapsed())
}

/// Best of three, to smooth out noise from other work on the machine.
fn best<T>(mut f: impl FnMut() -> T) -> Duration {
    (0..3).map(|_| time(&mut f).1).min().unwrap()
}

/// `n` lines of typical instructions, with continuations, comments and heredocs.
fn dockerfile(n_lines: usize) -> String {
    let mut s = String::from("# syntax=docker/dockerfile:1\nFROM alpine AS base\n");
    let mut lines = 2;
    let mut i = 0;
    while lines < n_lines {
        s.push_str(&format!(
            "ENV A{i}=\"v {i}\" B{i}=${{A{i}:-x}}\nRUN echo {i} \\\n  # comment\n  && true\nCOPY --chown=1:1 [\"a{i}\", \"/b\"]\nRUN <<EOF\nline {i}\nEOF\n"
        ));
        lines += 8;
        i += 1;
    }
    s
}

#[test]
fn hundred_thousand_lines_scale_linearly() {
    let small = dockerfile(10_000);
    let big = dockerfile(100_000);
    let df = parse(big.as_bytes()).expect("100k lines parse");
    assert!(df.instructions.len() > 40_000);
    let last = df.instructions.last().unwrap();
    assert!(
        last.range.end_line >= 99_990,
        "line numbers run to the end: {:?}",
        last.range
    );
    let t_small = best(|| parse(small.as_bytes()).unwrap());
    let t_big = best(|| parse(big.as_bytes()).unwrap());
    println!("parse: 10k lines {t_small:?}, 100k lines {t_big:?}");
    // Linear is ~10x; quadratic would be ~100x.
    assert!(
        t_big < t_small * 40 + Duration::from_millis(200),
        "10x input took {t_big:?} vs {t_small:?}"
    );
}

/// A logical line of `kb` KiB built from 1 KiB continuation lines.
fn long_logical_line(kb: usize) -> String {
    let mut s = String::from("FROM a\nRUN echo");
    for _ in 0..kb {
        s.push_str(&" x".repeat(511));
        s.push_str(" \\\n");
    }
    s.push_str("end\n");
    s
}

#[test]
fn one_megabyte_logical_line_scales_linearly() {
    let small = long_logical_line(100);
    let big = long_logical_line(1024);
    let df = parse(big.as_bytes()).expect("1 MB logical line parses");
    assert!(df.instructions[1].args[0].len() > 1_000_000);
    assert_eq!(df.instructions[1].range.end_line, 1026);
    let t_small = best(|| parse(small.as_bytes()).unwrap());
    let t_big = best(|| parse(big.as_bytes()).unwrap());
    println!("parse: 100 KB line {t_small:?}, 1 MB line {t_big:?}");
    assert!(
        t_big < t_small * 40 + Duration::from_millis(200),
        "10x input took {t_big:?} vs {t_small:?}"
    );
}

#[test]
fn one_megabyte_physical_line_is_refused_like_buildkit() {
    // BuildKit reads lines with Go's bufio.Scanner (64 KiB max) and fails on longer ones.
    let mut s = String::from("FROM a\nRUN echo ");
    s.push_str(&"y".repeat(1 << 20));
    s.push('\n');
    let (r, t) = time(|| parse(s.as_bytes()));
    let e = r.expect_err("1 MB physical line");
    assert_eq!(e.kind, SyntaxErrorKind::LineTooLong);
    assert_eq!(e.range.start_line, 2);
    assert!(e.to_string().contains("line 2"), "{e}");
    assert!(t < Duration::from_secs(5));
    // Just under the limit is fine.
    let mut ok = String::from("FROM a\nRUN ");
    ok.push_str(&"z".repeat(MAX_LINE_LEN - 4));
    ok.push('\n');
    assert!(parse(ok.as_bytes()).is_ok());
}

#[test]
fn big_expansions_scale_linearly() {
    let lex = Lexer::new('\\');
    let env = [("A", "value with spaces"), ("P", "/usr/local/bin/tool")];
    let word = |n: usize| "${A:-x}$P${P##*/}\"q $A\" 'lit' \\$ ".repeat(n);
    let (small, big) = (word(3_200), word(32_000));
    assert!(big.len() > 1_000_000);
    assert!(lex.process_word(&big, &env).is_ok());
    let t_small = best(|| lex.process_words(&small, &env).unwrap());
    let t_big = best(|| lex.process_words(&big, &env).unwrap());
    println!("expand: 100 KB {t_small:?}, 1 MB {t_big:?}");
    assert!(
        t_big < t_small * 40 + Duration::from_millis(200),
        "10x input took {t_big:?} vs {t_small:?}"
    );
}

#[test]
fn deep_nesting_is_refused_not_a_crash() {
    // On a stack as large as the binary gives its compiling threads (mstage's
    // COMPILE_STACK_BYTES): the expander recurses once per level.
    let deep = std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(|| {
            let lex = Lexer::new('\\');
            let env = [("A", "1")];
            let nested = |n: usize| format!("{}{}", "${A:-".repeat(n), "}".repeat(n));
            assert_eq!(
                lex.process_word(&nested(MAX_NESTING - 1), &env).unwrap(),
                "1"
            );
            let e = lex.process_word(&nested(100_000), &env).unwrap_err();
            assert!(e.message.contains("nested"), "{e}");
        })
        .unwrap();
    deep.join().unwrap();

    // ONBUILD chains: the parser stops at a fixed depth with an error naming the line.
    let chain = |n: usize| format!("FROM a\n{}RUN x\n", "ONBUILD ".repeat(n));
    assert!(parse(chain(3).as_bytes()).is_ok());
    let e = parse(chain(MAX_ONBUILD_NESTING + 1).as_bytes()).unwrap_err();
    assert_eq!(
        (e.kind, e.range.start_line),
        (SyntaxErrorKind::OnbuildTooDeep, 2)
    );
    let e = parse(chain(50_000).as_bytes()).unwrap_err();
    assert_eq!(e.kind, SyntaxErrorKind::LineTooLong);

    // 1 MB of JSON nesting via continuation lines: a shell-form fallback, not a crash.
    let mut s = String::from("FROM a\nCMD ");
    for _ in 0..100 {
        s.push_str(&"[".repeat(10_000));
        s.push_str("\\\n");
    }
    s.push_str("x\n");
    let df = parse(s.as_bytes()).expect("deep JSON parses as shell form");
    assert!(!df.instructions[1].json_form);
}
