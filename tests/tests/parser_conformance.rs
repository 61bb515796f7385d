//! Runs the parser against BuildKit's own parser test data and the real-world corpus:
//! - `buildkit/.../parser/testfiles/*`: the `result` dump must match byte for byte, and the
//!   richer `buildkit-derived/parser-testfiles/*/ast.json` (lines, original, heredocs,
//!   warnings) must match too;
//! - `testfiles-negative/*`: must be rejected with BuildKit's message and a line number;
//! - `testfile-line`: instruction line ranges;
//! - `buildkit-derived/embedded/*`: heredoc and warning cases upstream keeps in Go tests;
//! - `real-world/*`: every Dockerfile parses, `result` and `ast.json` match.

use std::fs;
use std::path::{Path, PathBuf};

use mstage_syntax::parser::{dump, parse, Dockerfile, Node};
use serde_json::Value;

fn conformance() -> Option<PathBuf> {
    mstage_tests::conformance::dir("mstage-tests::parser_conformance")
}

fn dirs(path: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Differences between a node and its `ast.json` form. `parent` is the range a nested
/// ONBUILD trigger must carry (BuildKit leaves 0 there; mstage uses the ONBUILD's lines).
fn compare_node(n: &Node, v: &Value, parent: Option<&Node>, out: &mut Vec<String>) {
    let at = format!("line {}", n.range.start_line);
    let mut check = |what: &str, ok: bool, got: String, want: String| {
        if !ok {
            out.push(format!("{at}: {what}: got {got}, want {want}"));
        }
    };
    let cmd = v["cmd"].as_str().unwrap_or_default();
    check(
        "cmd",
        n.keyword_original == cmd,
        n.keyword_original.to_string(),
        cmd.into(),
    );
    check(
        "keyword",
        n.keyword == cmd.to_lowercase(),
        n.keyword.to_string(),
        cmd.to_lowercase(),
    );
    let flags = strs(&v["flags"]);
    check(
        "flags",
        n.flags == flags,
        format!("{:?}", n.flags),
        format!("{flags:?}"),
    );
    let args = strs(&v["args"]);
    check(
        "args",
        n.args == args,
        format!("{:?}", n.args),
        format!("{args:?}"),
    );
    let json = v["json_form"].as_bool().unwrap_or(false);
    check(
        "json_form",
        n.json_form == json,
        n.json_form.to_string(),
        json.to_string(),
    );
    let original = v["original"].as_str().unwrap_or_default();
    check(
        "original",
        n.original == original,
        format!("{:?}", n.original),
        format!("{original:?}"),
    );
    let (start, end) = match parent {
        Some(p) => (p.range.start_line, p.range.end_line),
        None => (
            v["start_line"].as_u64().unwrap_or(0) as usize,
            v["end_line"].as_u64().unwrap_or(0) as usize,
        ),
    };
    check(
        "lines",
        (n.range.start_line, n.range.end_line) == (start, end),
        format!("{}-{}", n.range.start_line, n.range.end_line),
        format!("{start}-{end}"),
    );
    let docs = v["heredocs"].as_array().cloned().unwrap_or_default();
    check(
        "heredoc count",
        n.heredocs.len() == docs.len(),
        n.heredocs.len().to_string(),
        docs.len().to_string(),
    );
    for (h, d) in n.heredocs.iter().zip(&docs) {
        let want = (
            d["name"].as_str().unwrap_or_default(),
            d["fd"].as_u64().unwrap_or(0) as u32,
            d["expand"].as_bool().unwrap_or(false),
            d["chomp"].as_bool().unwrap_or(false),
            d["content"].as_str().unwrap_or_default(),
        );
        let got = (h.name.as_str(), h.fd, h.expand, h.chomp, h.content.as_str());
        check(
            "heredoc",
            got == want,
            format!("{got:?}"),
            format!("{want:?}"),
        );
    }
    match (&n.sub, v.get("sub")) {
        (Some(s), Some(sv)) => compare_node(s, sv, Some(n), out),
        (None, None) => {}
        (s, sv) => out.push(format!(
            "{at}: sub: got {}, want {}",
            s.is_some(),
            sv.is_some()
        )),
    }
}

fn compare_ast(df: &Dockerfile, path: &Path) -> Vec<String> {
    let v: Value =
        serde_json::from_str(&fs::read_to_string(path).expect("ast.json")).expect("json");
    let mut out = Vec::new();
    let esc = v["escape_token"].as_str().unwrap_or_default();
    if df.escape.to_string() != esc {
        out.push(format!("escape: got {:?}, want {esc:?}", df.escape));
    }
    let warnings: Vec<String> = df.warnings.iter().map(|w| w.message.clone()).collect();
    let want_warnings = strs(&v["warnings"]);
    if warnings != want_warnings {
        out.push(format!(
            "warnings: got {warnings:?}, want {want_warnings:?}"
        ));
    }
    let nodes = v["instructions"].as_array().cloned().unwrap_or_default();
    if nodes.len() != df.instructions.len() {
        out.push(format!(
            "instructions: got {}, want {}",
            df.instructions.len(),
            nodes.len()
        ));
    }
    for (n, nv) in df.instructions.iter().zip(&nodes) {
        compare_node(n, nv, None, &mut out);
    }
    out
}

/// A positive case: parses, `result` matches, `ast.json` (if given) matches.
fn check_positive(dockerfile: &Path, result: &Path, ast: Option<&Path>) -> Result<(), String> {
    let bytes = fs::read(dockerfile).map_err(|e| e.to_string())?;
    let df = parse(&bytes).map_err(|e| format!("rejected: {e}"))?;
    let want = fs::read_to_string(result).map_err(|e| e.to_string())?;
    let got = dump(&df);
    if got != want {
        let line = got
            .lines()
            .zip(want.lines())
            .find(|(g, w)| g != w)
            .map(|(g, w)| format!("\n  got:  {g}\n  want: {w}"))
            .unwrap_or_else(|| {
                format!(
                    " ({} vs {} lines)",
                    got.lines().count(),
                    want.lines().count()
                )
            });
        return Err(format!("result differs{line}"));
    }
    if let Some(ast) = ast {
        let diffs = compare_ast(&df, ast);
        if !diffs.is_empty() {
            return Err(format!("ast.json differs:\n  {}", diffs.join("\n  ")));
        }
    }
    Ok(())
}

#[test]
fn parser_conformance() {
    let Some(root) = conformance() else {
        return;
    };
    let parser_dir = root.join("buildkit/frontend/dockerfile/parser");
    let derived = root.join("buildkit-derived");
    let mut total = 0;
    let mut failures: Vec<String> = Vec::new();

    for case in dirs(&parser_dir.join("testfiles")) {
        total += 1;
        let ast = derived
            .join("parser-testfiles")
            .join(name(&case))
            .join("ast.json");
        if let Err(e) = check_positive(&case.join("Dockerfile"), &case.join("result"), Some(&ast)) {
            failures.push(format!("testfiles/{}: {e}", name(&case)));
        }
    }

    let errors =
        fs::read_to_string(derived.join("parser-testfiles-negative-errors.tsv")).expect("tsv");
    let expected_error = |case: &str| {
        errors.lines().skip(1).find_map(|l| {
            l.split_once('\t')
                .filter(|(c, _)| *c == case)
                .map(|(_, m)| m.to_string())
        })
    };
    for case in dirs(&parser_dir.join("testfiles-negative")) {
        total += 1;
        let n = name(&case);
        let bytes = fs::read(case.join("Dockerfile")).expect("Dockerfile");
        match parse(&bytes) {
            Ok(_) => failures.push(format!("testfiles-negative/{n}: accepted")),
            Err(e) => {
                let want = expected_error(&n).unwrap_or_default();
                let text = e.to_string();
                if want.is_empty() || !text.contains(&want) {
                    failures.push(format!(
                        "testfiles-negative/{n}: error {text:?} lacks {want:?}"
                    ));
                } else if e.range.start_line == 0 || !text.contains("line") {
                    failures.push(format!(
                        "testfiles-negative/{n}: error names no line: {text}"
                    ));
                }
            }
        }
    }

    total += 1;
    let line_file = parser_dir.join("testfile-line/Dockerfile");
    match parse(&fs::read(&line_file).expect("testfile-line")) {
        Ok(df) => {
            let got: Vec<(usize, usize)> = df
                .instructions
                .iter()
                .map(|n| (n.range.start_line, n.range.end_line))
                .collect();
            let diffs = compare_ast(
                &df,
                &derived.join("parser-testfiles/testfile-line/ast.json"),
            );
            if got != [(5, 5), (11, 12), (17, 31)] || !diffs.is_empty() {
                failures.push(format!(
                    "testfile-line: ranges {got:?}; {}",
                    diffs.join("; ")
                ));
            }
        }
        Err(e) => failures.push(format!("testfile-line: rejected: {e}")),
    }

    for case in dirs(&derived.join("embedded")) {
        total += 1;
        if let Err(e) = check_positive(
            &case.join("Dockerfile"),
            &case.join("result"),
            Some(&case.join("ast.json")),
        ) {
            failures.push(format!("embedded/{}: {e}", name(&case)));
        }
    }

    let passed = total - failures.len();
    println!("parser conformance: {passed}/{total} passed");
    for f in &failures {
        println!("FAIL {f}");
    }
    assert!(
        failures.is_empty(),
        "{} parser conformance case(s) failed",
        failures.len()
    );
}

#[test]
fn heredoc_marker_vectors() {
    let Some(root) = conformance() else {
        return;
    };
    let text = fs::read_to_string(root.join("buildkit-derived/heredoc-markers.tsv")).expect("tsv");
    let mut total = 0;
    let mut failures = Vec::new();
    let mut skipped = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [kind, input, expect] = cols[..] else {
            continue;
        };
        total += 1;
        let got = match kind {
            "word" => match mstage_syntax::parser::parse_heredoc(input) {
                Ok(Some(h)) => h.name,
                Ok(None) => "none".to_string(),
                Err(_) => "error".to_string(),
            },
            _ => match mstage_syntax::parser::heredocs_from_line(input) {
                Ok(v) if v.is_empty() => "none".to_string(),
                Ok(v) => v
                    .iter()
                    .map(|h| h.name.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                Err(_) => "error".to_string(),
            },
        };
        // Upstream's line assertion only compares the heredocs it found with the expected
        // names by index, so a row expecting more names than the lexer yields passes there
        // vacuously. `RUN <<- EOF` is such a row: `<<` only absorbs the blanks right after
        // it, so `<<-` and `EOF` are separate words and no heredoc is found (BuildKit too).
        let vacuous = kind == "line" && input == "RUN <<- EOF" && got == "none";
        if vacuous {
            skipped += 1;
            println!("heredoc markers: {input:?} finds no heredoc (upstream's assertion is vacuous here; tsv says {expect:?})");
        } else if got != expect {
            failures.push(format!("{kind} {input:?}: got {got:?}, want {expect:?}"));
        }
    }
    println!(
        "heredoc markers: {}/{} passed ({skipped} vacuous upstream row not counted)",
        total - skipped - failures.len(),
        total - skipped
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn real_world_corpus_parses() {
    let Some(root) = conformance() else {
        return;
    };
    let root = root.join("real-world");
    let mut total = 0;
    let mut failures = Vec::new();
    for case in dirs(&root) {
        total += 1;
        if let Err(e) = check_positive(
            &case.join("Dockerfile"),
            &case.join("result"),
            Some(&case.join("ast.json")),
        ) {
            failures.push(format!("{}: {e}", name(&case)));
        }
    }
    let manifest = fs::read_to_string(root.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    assert_eq!(
        total,
        manifest.lines().skip(1).filter(|l| !l.is_empty()).count(),
        "MANIFEST and folders disagree"
    );
    println!(
        "real-world parse: {}/{total} match BuildKit (result + ast.json)",
        total - failures.len()
    );
    for f in &failures {
        println!("FAIL {f}");
    }
    assert!(
        failures.is_empty(),
        "{} real-world Dockerfile(s) differ",
        failures.len()
    );
}
