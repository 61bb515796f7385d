//! BuildKit's integration tests that expect a build to fail because of the Dockerfile
//! itself (`../shared/conformance/buildkit-integration/*/case.json`, `expect.error_contains`):
//! the parse/typing/expansion layers must refuse them with a message containing the
//! upstream text.

use std::fs;
use std::path::{Path, PathBuf};

use mstage_syntax::instructions::{parse_dockerfile, ExpandError, Instruction, Parsed};
use mstage_syntax::shell::{Lexer, ShellError};
use serde_json::Value;

use mstage_tests::conformance;

fn cases_dir(conformance: &Path) -> PathBuf {
    conformance.join("buildkit-integration")
}

/// Cases whose expected error belongs to syntax/instructions (the rest fail when building).
const OURS: &[&str] = &[
    "testAddInvalidChmod-1",
    "testAddInvalidChmod-2",
    "testCopyInvalidChmod-1",
    "testCopyInvalidChmod-2",
    "testDockerfileCopyFromArgs",
    "testDockerfileInvalidInstruction",
    "testEmptyStages",
    "testMountFromError",
    "testMountInvalid-1",
    "testMountInvalid-2",
    "testMountInvalid-3",
];

/// Expands what the lowering expands, with the case's build args as the environment.
fn expand(parsed: &Parsed, env: &[(String, String)]) -> Result<(), ExpandError<ShellError>> {
    let lex = Lexer::new('\\');
    let mut word = |w: &str| lex.process_word(w, env);
    for stage in &parsed.stages {
        for inst in &stage.commands {
            match &**inst {
                Instruction::Run(c) => drop(c.expand_mounts(&mut word)?),
                Instruction::Copy(c) => drop(c.expand(&mut word)?),
                Instruction::Add(c) => drop(c.expand(&mut word)?),
                _ => {}
            }
        }
    }
    Ok(())
}

#[test]
fn upstream_dockerfile_errors() {
    let Some(root) = conformance::dir("mstage-tests::instructions_buildkit_errors") else {
        return;
    };
    let mut checked = 0;
    for case in OURS {
        let dir = cases_dir(&root).join(case);
        let spec: Value =
            serde_json::from_str(&fs::read_to_string(dir.join("case.json")).expect("case.json"))
                .expect("json");
        let want: Vec<String> = match &spec["expect"]["error_contains"] {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a
                .iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect(),
            other => panic!("{case}: unexpected error_contains {other}"),
        };
        let env: Vec<(String, String)> = spec["build_args"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let src = fs::read(dir.join("Dockerfile")).expect("Dockerfile");
        let got = match mstage_syntax::parser::parse(&src) {
            Err(e) => e.to_string(),
            Ok(df) => match parse_dockerfile(&df) {
                Err(e) => e.to_string(),
                Ok(p) => match expand(&p, &env) {
                    Err(e) => e.to_string(),
                    Ok(()) => {
                        panic!("{case}: accepted, upstream expects an error containing {want:?}")
                    }
                },
            },
        };
        for w in &want {
            assert!(
                got.contains(w.as_str()),
                "{case}: error {got:?} lacks {w:?}"
            );
        }
        checked += 1;
    }
    println!(
        "buildkit integration Dockerfile errors reproduced: {checked}/{}",
        OURS.len()
    );
}

/// Every other integration Dockerfile (including prebuild steps) types without error: they
/// either build upstream or fail only when run.
#[test]
fn other_integration_dockerfiles_type() {
    let Some(root) = conformance::dir("mstage-tests::instructions_buildkit_errors") else {
        return;
    };
    let mut typed = 0;
    let mut failures = Vec::new();
    let mut entries: Vec<_> = fs::read_dir(cases_dir(&root))
        .expect("buildkit-integration")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("case.json").exists())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().to_string();
        if OURS.contains(&name.as_str()) {
            continue;
        }
        let mut files = vec![e.path().join("Dockerfile")];
        for sub in fs::read_dir(e.path())
            .expect("case dir")
            .filter_map(|s| s.ok())
        {
            if sub.file_name().to_string_lossy().starts_with("prebuild-") {
                files.push(sub.path().join("Dockerfile"));
            }
        }
        for f in files {
            let Ok(src) = fs::read(&f) else { continue };
            let result = mstage_syntax::parser::parse(&src)
                .map_err(|e| e.to_string())
                .and_then(|df| parse_dockerfile(&df).map_err(|e| e.to_string()));
            match result {
                Ok(_) => typed += 1,
                Err(err) => failures.push(format!("{}: {err}", f.display())),
            }
        }
    }
    println!(
        "buildkit integration Dockerfiles typed: {typed}/{}",
        typed + failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
