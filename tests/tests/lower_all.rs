//! Every real-world Dockerfile of `../shared/conformance/real-world/` and every example of
//! `examples/` lowers under `--resolve none` conditions. Cases the stock frontend refuses
//! (an `llb.error` in llb-golden) must be refused with an error that names a line.

use std::path::{Path, PathBuf};

use mstage_compiler::lower::{compile_blocking, BuildRequest, NoneResolver};

fn dockerfiles_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            dockerfiles_under(&p, out);
        } else if p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("Dockerfile"))
            && !p.to_string_lossy().ends_with(".dockerignore")
        {
            out.push(p);
        }
    }
}

#[test]
fn every_real_world_dockerfile_and_example_lowers() {
    let Some(conformance) = mstage_tests::conformance::dir("mstage-tests::lower_all") else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let real_world = conformance.join("real-world");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&real_world)
        .expect("real-world cases")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Dockerfile").exists())
        .collect();
    cases.sort();
    files.extend(cases.iter().map(|c| c.join("Dockerfile")));
    let mut examples = Vec::new();
    dockerfiles_under(&root.join("../examples"), &mut examples);
    examples.sort();
    files.extend(examples);

    let (mut lowered, mut expected, mut refused) = (0, 0, 0);
    let mut failures = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let case = f.parent().and_then(|p| p.file_name()).unwrap_or_default();
        let stock_refuses = conformance
            .join("llb-golden")
            .join(case)
            .join("llb.error")
            .exists();
        let result = compile_blocking(&BuildRequest::golden(bytes), &NoneResolver);
        match (stock_refuses, result) {
            (true, Err(e)) if e.range.is_some() => refused += 1,
            (true, other) => failures.push(format!(
                "{}: the stock frontend refuses it; mstage gave {:?}",
                f.display(),
                other.map(|_| "a Definition")
            )),
            (false, Ok(_)) => {
                lowered += 1;
                expected += 1;
            }
            (false, Err(e)) => {
                expected += 1;
                failures.push(format!("{}: {e}", f.display()));
            }
        }
    }
    for f in &failures {
        println!("FAILED {f}");
    }
    println!("lowered {lowered}/{expected} (and refused {refused} that the stock frontend refuses, each naming a line)");
    assert!(expected > 250, "too few cases found");
    assert!(failures.is_empty());
}
