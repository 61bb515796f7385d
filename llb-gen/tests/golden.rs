//! Golden tests: the five graphs in ../shared/conformance/llb-small, built
//! with llb-gen, must give the same op bytes, digests, metadata and source
//! map as BuildKit's Go client produced for them.

use llb_gen::{
    image, local, merge, scratch, CacheSharing, Copy, FileActions, MarshalOptions, Mkdir, Mkfile,
    Mount, OpOptions, Platform, State,
};
use mstage_proto::prost::Message;
use mstage_proto::{pb, wire};
use std::path::Path;

#[path = "../../tests/src/conformance.rs"]
mod conformance;

fn golden(conformance: &Path, case: &str) -> Vec<u8> {
    let p = conformance.join("llb-small").join(case).join("llb.pb");
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn opts() -> MarshalOptions {
    MarshalOptions::new(Platform::linux_amd64()).local_unique_id("mstage-golden")
}

fn alpine() -> State {
    image("docker.io/library/alpine:3.20")
        .platform(Platform::linux_amd64())
        .build()
}

fn digest(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(bytes);
    format!(
        "sha256:{}",
        h.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// Where ../shared/conformance is missing, says so and checks nothing.
fn check(case: &str, state: &State) {
    let Some(conformance) = conformance::dir("llb-gen::golden") else {
        return;
    };
    let want_bytes = golden(&conformance, case);
    let want = pb::Definition::decode(want_bytes.as_slice()).unwrap();
    let got = state.marshal(&opts()).unwrap();

    let want_digests: Vec<String> = want.def.iter().map(|b| digest(b)).collect();
    let got_digests: Vec<String> = got.def.iter().map(|b| digest(b)).collect();
    for (i, (w, g)) in want.def.iter().zip(&got.def).enumerate() {
        if w != g {
            let wo = pb::Op::decode(w.as_slice()).unwrap();
            let go = pb::Op::decode(g.as_slice()).unwrap();
            panic!("{case}: op {i} differs\nwant {wo:#?}\n got {go:#?}");
        }
    }
    assert_eq!(got_digests, want_digests, "{case}: op digests");
    assert_eq!(got.metadata, want.metadata, "{case}: metadata");
    assert_eq!(got.source, want.source, "{case}: source map");
    // Go writes the Definition's own maps (metadata, caps, locations) in
    // random order, so the file as a whole is compared after decoding; our
    // encoding of it must decode to the same thing.
    let ours = pb::Definition::decode(wire::encode_definition(&got).as_slice()).unwrap();
    assert_eq!(ours, want, "{case}: definition");
}

#[test]
fn g01_image() {
    check("01-image", &alpine());
}

#[test]
fn g02_exec_cache_mount() {
    let st = alpine()
        .with_env("FOO", "bar")
        .with_dir("/work")
        .with_user("1000:1000")
        .run(["sh", "-c", "echo hi > /hi"])
        .mount(Mount::cache(
            "/root/.cache",
            "mstage-cache",
            CacheSharing::Locked,
        ))
        .build()
        .root();
    check("02-exec-cache-mount", &st);
}

#[test]
fn g03_copy_image_to_scratch() {
    let st = scratch()
        .file(
            FileActions::new().copy(
                Copy::new(&alpine(), "/etc/alpine-release", "/release")
                    .create_dest_path(true)
                    .allow_wildcard(true)
                    .allow_empty_wildcard(true),
            ),
        )
        .build();
    check("03-copy-image-to-scratch", &st);
}

#[test]
fn g04_local_include_exclude() {
    let ctx = local("context")
        .include_patterns(vec!["src/**".into(), "Cargo.toml".into()])
        .exclude_patterns(vec!["**/*.log".into(), "target".into()])
        .shared_key_hint("context")
        .build();
    let st = scratch()
        .file(FileActions::new().copy(Copy::new(&ctx, "/", "/app").dir_contents_only(true)))
        .build();
    check("04-local-include-exclude", &st);
}

#[test]
fn g05_merge() {
    let a = scratch()
        .file(FileActions::new().mkfile(Mkfile::new("/a", 0o644, b"a".to_vec())))
        .build();
    let b = scratch()
        .file(FileActions::new().mkdir(Mkdir::new("/b", 0o755).make_parents(true)))
        .build();
    let st = merge([alpine(), a, b]).build();
    check("05-merge", &st);
}
