//! Build checks against BuildKit's own Dockerfile frontend.
//!
//! The expectations in `tests/lint/` are what BuildKit's `frontend.lint` subrequest returned
//! (moby/buildkit 73ed6825, the same commit as `../shared/conformance`), under the
//! llb-golden conditions: offline, linux/amd64, every base image resolving to a non-empty
//! image whose only env is `PATH`, no build args, no target (so every stage is checked).
//! `tests/lint/README.md` says how they were made.
//! - `real-world.jsonl`: one line per Dockerfile of `../shared/conformance/real-world/`;
//! - `cases/<name>/`: Dockerfiles written for mstage, one or more rules each (with the
//!   context's `.dockerignore` where there is one).
//!
//! Compared: each finding's rule, detail and lines (sorted: BuildKit's order within one
//! instruction follows Go map iteration), and the error that stopped the build, if any.

use std::path::{Path, PathBuf};

use mstage_compiler::lower::{check_blocking, BuildRequest, NoneResolver};
use serde_json::{json, Value};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// mstage's answer in the expectation's shape; `dockerignore` is the context's.
fn lint(dockerfile: &[u8], dockerignore: &str) -> Value {
    let mut req = BuildRequest::golden(dockerfile.to_vec());
    req.all_stages = true;
    req.dockerignore = mstage_compiler::dockerignore::parse(dockerignore).unwrap();
    let checked = check_blocking(&req, &NoneResolver);
    let mut warnings: Vec<Value> = checked
        .findings
        .iter()
        .map(|f| {
            let lines: Vec<usize> = f.lines().collect();
            json!({"rule": f.rule.name(), "detail": f.detail, "lines": lines})
        })
        .collect();
    sort(&mut warnings);
    let error = checked
        .error()
        .map_or(Value::Null, |(message, _)| json!(message));
    json!({"warnings": warnings, "error": error})
}

fn sort(warnings: &mut [Value]) {
    warnings.sort_by_key(|w| {
        (
            w["lines"][0].as_u64(),
            w["rule"].as_str().unwrap_or_default().to_string(),
            w["detail"].as_str().unwrap_or_default().to_string(),
        )
    });
}

/// The expectation, sorted the same way; a check violation's rule list is compared as a
/// set (BuildKit joins the names in map order).
fn normalized(mut v: Value) -> Value {
    if let Some(ws) = v["warnings"].as_array_mut() {
        sort(ws);
    }
    v
}

fn violation_rules(v: &Value) -> Option<Vec<String>> {
    let rest = v["error"]
        .as_str()?
        .strip_prefix("lint violation found for rules: ")?;
    let mut names: Vec<String> = rest.split(", ").map(str::to_string).collect();
    names.sort();
    Some(names)
}

fn same(expected: &Value, got: &Value) -> bool {
    expected["warnings"] == got["warnings"]
        && (expected["error"] == got["error"]
            || (violation_rules(expected).is_some()
                && violation_rules(expected) == violation_rules(got)))
}

#[test]
fn real_world_dockerfiles_get_the_stock_findings() {
    let Some(conformance) = mstage_tests::conformance::dir("mstage-tests::lint_conformance") else {
        return;
    };
    let root = conformance.join("real-world");
    let expected = std::fs::read_to_string(repo().join("lint/real-world.jsonl")).unwrap();
    let mut failures = Vec::new();
    let mut total = 0;
    let mut with_findings = 0;
    for line in expected.lines() {
        let mut want: Value = serde_json::from_str(line).unwrap();
        let case = want["case"].as_str().unwrap().to_string();
        want.as_object_mut().unwrap().remove("case");
        let want = normalized(want);
        let df = std::fs::read(root.join(&case).join("Dockerfile")).unwrap();
        let got = lint(&df, "");
        total += 1;
        with_findings += usize::from(!want["warnings"].as_array().unwrap().is_empty());
        if !same(&want, &got) {
            failures.push(format!("{case}:\n  stock:  {want}\n  mstage: {got}"));
        }
    }
    assert_eq!(total, 278, "one expectation per real-world Dockerfile");
    assert!(with_findings > 100, "the corpus exercises the rules");
    assert!(
        failures.is_empty(),
        "{} of {total} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn written_cases_get_the_stock_findings() {
    let dir = repo().join("lint/cases");
    let mut failures = Vec::new();
    let mut total = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let case = entry.unwrap().path();
        let df = std::fs::read(case.join("Dockerfile")).unwrap();
        let want: Value =
            serde_json::from_str(&std::fs::read_to_string(case.join("expected.json")).unwrap())
                .unwrap();
        let want = normalized(want);
        let ignore = std::fs::read_to_string(case.join(".dockerignore")).unwrap_or_default();
        let got = lint(&df, &ignore);
        total += 1;
        if !same(&want, &got) {
            failures.push(format!(
                "{}:\n  stock:  {want}\n  mstage: {got}",
                case.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(total >= 30);
    assert!(
        failures.is_empty(),
        "{} of {total} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
