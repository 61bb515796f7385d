//! `mstage llb` and `mstage graph` as users run them.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use llb_gen::op_digest;
use mstage_proto::pb;
use mstage_proto::prost::Message;

#[path = "../../tests/src/conformance.rs"]
mod conformance;

fn mstage(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mstage"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .output()
        .unwrap()
}

#[test]
fn llb_pb_is_what_buildctl_reads_and_matches_the_stock_frontend() {
    let Some(root) = conformance::dir("mstage::cli_llb") else {
        return;
    };
    let case = "docker__buildx__Dockerfile";
    let df = root.join("real-world").join(case).join("Dockerfile");
    let out = mstage(&[
        "llb",
        "-f",
        df.to_str().unwrap(),
        "--format",
        "pb",
        "/nonexistent-context",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ours = pb::Definition::decode(out.stdout.as_slice()).unwrap();
    let golden = std::fs::read(root.join("llb-golden").join(case).join("llb.pb")).unwrap();
    let theirs = pb::Definition::decode(golden.as_slice()).unwrap();
    let digests = |d: &pb::Definition| d.def.iter().map(|b| op_digest(b)).collect::<BTreeSet<_>>();
    assert_eq!(digests(&ours), digests(&theirs));
}

/// `mstage llb` on `dockerfile`, in a context of its own.
fn llb_of(dockerfile: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let df = dir.path().join("Dockerfile");
    std::fs::write(&df, dockerfile).unwrap();
    mstage(&[
        "llb",
        "-f",
        df.to_str().unwrap(),
        dir.path().to_str().unwrap(),
    ])
}

#[test]
fn errors_show_the_dockerfile_line() {
    let out = llb_of("FROM alpine\nRUN --mount=type=cache,target=/ ls\n");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Dockerfile:2"), "{err}");
    assert!(
        err.contains(">>> RUN --mount=type=cache,target=/ ls"),
        "{err}"
    );
}

#[test]
fn graph_draws_stages_and_edges() {
    let df =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../compiler/tests/lowering/diamond.Dockerfile");
    let out = mstage(&["graph", "-f", df.to_str().unwrap(), "--format", "dot"]);
    assert!(out.status.success());
    let dot = String::from_utf8_lossy(&out.stdout);
    assert!(dot.starts_with("digraph stages {"));
    assert!(dot.contains("\"common\" -> \"left\";"));
    assert!(dot.contains("\"left\" -> \"stage-3\" [style=dotted];"));
}

#[test]
fn build_check_warnings_go_to_stderr_and_error_true_fails() {
    let out = llb_of("FROM alpine\nMAINTAINER me\n");
    assert!(out.status.success());
    assert!(!out.stdout.is_empty(), "the Definition is still written");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "1 warning found:\n - MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label (line 2)\n"
    );
    let out = llb_of("# check=error=true\nFROM alpine\nMAINTAINER me\n");
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("lint violation found for rules: MaintainerDeprecated"),
        "{err}"
    );
}
