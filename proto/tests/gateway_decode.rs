//! Gateway messages encoded by another implementation (Python `protobuf`
//! from descriptors compiled by `protoc`; see fixtures/gen_gateway_fixtures.py)
//! decode with our types to the values that were set. One request and one
//! response per LLBBridge RPC the frontend uses.

use mstage_proto::gateway as g;
use mstage_proto::prost::Message;
use mstage_proto::{apicaps, fsutil, pb, rpc};

const DIGEST: &str = "sha256:abababababababababababababababababababababababababababababababab";

fn fixture<M: Message + Default + PartialEq + std::fmt::Debug>(name: &str) -> M {
    let path = format!(
        "{}/tests/fixtures/gateway/{name}.bin",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let m = M::decode(bytes.as_slice()).unwrap_or_else(|e| panic!("{name}: {e}"));
    // Sanity: what we decoded re-encodes to something that decodes the same.
    assert_eq!(
        M::decode(m.encode_to_vec().as_slice()).unwrap(),
        m,
        "{name}"
    );
    m
}

fn arm64() -> pb::Platform {
    pb::Platform {
        architecture: "arm64".into(),
        os: "linux".into(),
        variant: "v8".into(),
        ..Default::default()
    }
}

fn check_definition(def: &pb::Definition) {
    assert_eq!(
        def.def,
        vec![b"\x1a\x04\x0a\x02id".to_vec(), b"\x0a\x02\x0a\x00".to_vec()]
    );
    let md = &def.metadata[DIGEST];
    assert_eq!(md.caps.get("source.local"), Some(&true));
    assert_eq!(md.description["llb.customname"], "load");
}

fn check_stat(s: &fsutil::Stat, path: &str, mode: u32, size: i64) {
    assert_eq!(s.path, path);
    assert_eq!(s.mode, mode);
    assert_eq!((s.uid, s.gid), (1000, 1000));
    assert_eq!(s.size, size);
    assert_eq!(s.mod_time, 1_700_000_000_123_456_789);
    assert_eq!(s.xattrs["user.a"], vec![0u8, 1]);
}

#[test]
fn ping_pong() {
    let _: g::PingRequest = fixture("PingRequest");
    let pong: g::PongResponse = fixture("PongResponse");
    assert_eq!(
        pong.frontend_api_caps[0],
        apicaps::ApiCap {
            id: "solve.base".into(),
            enabled: true,
            ..Default::default()
        }
    );
    let exec = &pong.frontend_api_caps[1];
    assert!(!exec.enabled);
    assert_eq!(exec.disabled_reason_msg, "no exec");
    assert_eq!(exec.disabled_alternative, "y");
    let llb: Vec<(&str, bool, bool)> = pong
        .llb_caps
        .iter()
        .map(|c| (c.id.as_str(), c.enabled, c.deprecated))
        .collect();
    assert_eq!(
        llb,
        [("mergeop", true, false), ("source.image", true, true)]
    );
    let w = &pong.workers[0];
    assert_eq!(w.id, "w0");
    assert_eq!(w.labels["org.mobyproject.buildkit.worker.executor"], "oci");
    assert_eq!(w.platforms[0], arm64());
    assert_eq!(w.platforms[1].architecture, "amd64");
    assert_eq!(w.buildkit_version.as_ref().unwrap().version, "v0.32.0");
}

#[test]
fn resolve_image_config() {
    let req: g::ResolveImageConfigRequest = fixture("ResolveImageConfigRequest");
    assert_eq!(req.r#ref, "docker.io/library/alpine:3.20");
    assert_eq!(req.platform, Some(arm64()));
    assert_eq!(req.resolve_mode, "pull");
    assert!(req.log_name.starts_with("[internal] load metadata"));
    assert_eq!(req.resolver_type, 1);
    assert_eq!(
        (req.session_id.as_str(), req.store_id.as_str()),
        ("sess", "store")
    );
    let resp: g::ResolveImageConfigResponse = fixture("ResolveImageConfigResponse");
    assert_eq!(resp.digest, DIGEST);
    assert_eq!(resp.config, br#"{"architecture":"arm64"}"#);
    assert_eq!(
        resp.r#ref,
        format!("docker.io/library/alpine:3.20@{DIGEST}")
    );
}

#[test]
fn resolve_source_meta() {
    let req: g::ResolveSourceMetaRequest = fixture("ResolveSourceMetaRequest");
    let src = req.source.unwrap();
    assert_eq!(
        src.identifier,
        "docker-image://docker.io/library/alpine:3.20"
    );
    assert_eq!(src.attrs["image.resolvemode"], "default");
    assert_eq!(req.platform, Some(arm64()));
    assert!(req.image.unwrap().attestation_chain);
    let resp: g::ResolveSourceMetaResponse = fixture("ResolveSourceMetaResponse");
    assert!(resp.source.unwrap().identifier.ends_with(DIGEST));
    let img = resp.image.unwrap();
    assert_eq!(
        (img.digest.as_str(), img.config.as_slice()),
        (DIGEST, &b"{}"[..])
    );
    let http = resp.http.unwrap();
    assert_eq!(http.filename, "f.tgz");
    let lm = http.last_modified.unwrap();
    assert_eq!((lm.seconds, lm.nanos), (1_700_000_000, 5));
    assert!(resp.git.is_none());
}

#[test]
fn solve() {
    let req: g::SolveRequest = fixture("SolveRequest");
    check_definition(req.definition.as_ref().unwrap());
    assert_eq!(req.frontend_opt["target"], "build");
    assert_eq!(req.frontend_opt["build-arg:A"], "");
    assert!(req.allow_result_return && req.allow_result_array_ref && req.evaluate);
    assert!(!req.r#final);
    assert_eq!(req.cache_imports[0].r#type, "registry");
    assert_eq!(req.cache_imports[0].attrs["ref"], "r/cache");
    check_definition(&req.frontend_inputs["context"]);
    let resp: g::SolveResponse = fixture("SolveResponse");
    let result = resp.result.unwrap();
    let Some(g::result::Result::Ref(r)) = result.result else {
        panic!("expected a single ref");
    };
    assert_eq!(r.id, "ref-1");
    check_definition(r.def.as_ref().unwrap());
    assert_eq!(result.metadata["result.json"], b"{}");
}

#[test]
fn read_file() {
    let req: g::ReadFileRequest = fixture("ReadFileRequest");
    assert_eq!(
        (req.r#ref.as_str(), req.file_path.as_str()),
        ("ref-1", "Dockerfile")
    );
    let range = req.range.unwrap();
    assert_eq!((range.offset, range.length), (10, 4096));
    let resp: g::ReadFileResponse = fixture("ReadFileResponse");
    assert_eq!(resp.data, b"FROM alpine\nRUN true\n");
}

#[test]
fn read_dir() {
    let req: g::ReadDirRequest = fixture("ReadDirRequest");
    assert_eq!(req.dir_path, "/src");
    assert_eq!(req.include_pattern, "*.rs");
    let resp: g::ReadDirResponse = fixture("ReadDirResponse");
    assert_eq!(resp.entries.len(), 2);
    check_stat(&resp.entries[0], "main.rs", 0o644, 120);
    // Go's os.ModeDir is bit 31.
    check_stat(&resp.entries[1], "lib", 0o755 | (1 << 31), 0);
}

#[test]
fn stat_file() {
    let req: g::StatFileRequest = fixture("StatFileRequest");
    assert_eq!(
        (req.r#ref.as_str(), req.path.as_str()),
        ("ref-1", "Dockerfile")
    );
    let resp: g::StatFileResponse = fixture("StatFileResponse");
    check_stat(resp.stat.as_ref().unwrap(), "Dockerfile", 0o600, 42);
}

#[test]
fn evaluate() {
    let req: g::EvaluateRequest = fixture("EvaluateRequest");
    assert_eq!(req.r#ref, "ref-2");
    let _: g::EvaluateResponse = fixture("EvaluateResponse");
}

#[test]
fn return_result_and_error() {
    let req: g::ReturnRequest = fixture("ReturnRequest");
    let result = req.result.unwrap();
    let Some(g::result::Result::Refs(map)) = result.result else {
        panic!("expected a ref map");
    };
    assert_eq!(map.refs["linux/amd64"].id, "a");
    assert_eq!(map.refs["linux/arm64"].id, "b");
    assert_eq!(
        result.metadata["containerimage.config/linux/amd64"],
        br#"{"os":"linux"}"#
    );
    let err: rpc::Status = req.error.unwrap();
    assert_eq!(
        (err.code, err.message.as_str()),
        (3, "dockerfile parse error")
    );
    assert_eq!(
        err.details[0].type_url,
        "github.com/moby/buildkit/errdefs.Source+json"
    );
    assert_eq!(
        err.details[0].value,
        br#"{"info":{"filename":"Dockerfile"}}"#
    );
    let _: g::ReturnResponse = fixture("ReturnResponse");
}

#[test]
fn inputs() {
    let _: g::InputsRequest = fixture("InputsRequest");
    let resp: g::InputsResponse = fixture("InputsResponse");
    check_definition(&resp.definitions["context"]);
    assert_eq!(resp.definitions["dockerfile"], pb::Definition::default());
}

#[test]
fn warn() {
    let req: g::WarnRequest = fixture("WarnRequest");
    assert_eq!(req.digest, DIGEST);
    assert_eq!(req.level, 1);
    assert_eq!(req.short, b"JSONArgsRecommended");
    assert_eq!(req.detail, vec![b"line one".to_vec(), b"line two".to_vec()]);
    assert!(req.url.starts_with("https://docs.docker.com/"));
    let info = req.info.unwrap();
    assert_eq!(
        (info.filename.as_str(), info.language.as_str()),
        ("Dockerfile", "Dockerfile")
    );
    assert_eq!(info.data, b"FROM a\nCMD x\n");
    let r = &req.ranges[0];
    assert_eq!(r.start.unwrap().line, 2);
    assert_eq!(r.end.unwrap().character, 5);
    let _: g::WarnResponse = fixture("WarnResponse");
}
