//! BuildKit's shell-lexer vectors (`buildkit/frontend/dockerfile/shell/{envVarTest,wordsTest}`,
//! format in `buildkit/NOTICE.md`), run with Unix semantics. `W` (Windows-only) vectors do
//! not apply and are counted separately.

use std::fs;
use std::path::{Path, PathBuf};

use mstage_syntax::shell::Lexer;

use mstage_tests::conformance;

fn shell_dir(conformance: &Path) -> PathBuf {
    conformance.join("buildkit/frontend/dockerfile/shell")
}

/// envVarTest: `PLATFORM | INPUT | EXPECTED`, each `ProcessWord` with escape `\`.
fn env_var_vectors(shell: &Path, failures: &mut Vec<String>) -> (usize, usize) {
    let text = fs::read_to_string(shell.join("envVarTest")).expect("envVarTest");
    let env: Vec<(String, String)> = [
        ("PWD", "/home"),
        ("SHELL", "bash"),
        ("KOREAN", "한국어"),
        ("NULL", ""),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let lex = Lexer::new('\\');
    let (mut run, mut windows_only) = (0, 0);
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.trim().split('|').map(str::trim).collect();
        let [platform, input, expected] = fields[..] else {
            panic!("envVarTest line {}: not three fields", i + 1);
        };
        if platform == "W" {
            windows_only += 1;
            continue;
        }
        run += 1;
        match (lex.process_word(input, &env), expected) {
            (Err(_), "error") => {}
            (Ok(got), want) if got == want => {}
            (got, want) => failures.push(format!(
                "envVarTest:{} {input:?}: got {got:?}, want {want:?}",
                i + 1
            )),
        }
    }
    (run, windows_only)
}

/// wordsTest: `ENV NAME=value` lines accumulate; `INPUT | w1,w2,...` via `ProcessWords`.
fn words_vectors(shell: &Path, failures: &mut Vec<String>) -> usize {
    let text = fs::read_to_string(shell.join("wordsTest")).expect("wordsTest");
    let lex = Lexer::new('\\');
    let mut env: Vec<(String, String)> = Vec::new();
    let mut run = 0;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') {
            continue;
        }
        if let Some(def) = line.strip_prefix("ENV ") {
            let (k, v) = def
                .trim_start_matches(' ')
                .split_once('=')
                .unwrap_or((def, ""));
            env.push((k.to_string(), v.to_string()));
            continue;
        }
        let (input, expected) = line.split_once('|').expect("one | per vector");
        let expected: Vec<String> = expected
            .trim_start_matches(' ')
            .split(',')
            .map(String::from)
            .collect();
        run += 1;
        let got = lex
            .process_words(input.trim(), &env)
            .unwrap_or_else(|_| vec!["error".to_string()]);
        if got != expected {
            failures.push(format!(
                "wordsTest:{} {input:?}: got {got:?}, want {expected:?}",
                i + 1
            ));
        }
    }
    run
}

#[test]
fn shell_vectors() {
    let Some(root) = conformance::dir("mstage-tests::shell_vectors") else {
        return;
    };
    let shell = shell_dir(&root);
    let mut failures = Vec::new();
    let (env_run, windows_only) = env_var_vectors(&shell, &mut failures);
    let words_run = words_vectors(&shell, &mut failures);
    let total = env_run + words_run;
    println!("shell vectors: {}/{total} passed (envVarTest {env_run}, wordsTest {words_run}; {windows_only} Windows-only envVarTest vectors not applicable)", total - failures.len());
    for f in &failures {
        println!("FAIL {f}");
    }
    assert!(env_run >= 228 && words_run >= 23, "vector files shrank?");
    assert!(
        failures.is_empty(),
        "{} shell vector(s) failed",
        failures.len()
    );
}
