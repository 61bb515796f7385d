//! The LLB definitions produced by BuildKit's Go client decode with our
//! schema and re-encode to the same bytes (field numbers and types agree).

use mstage_proto::pb;
use mstage_proto::prost::Message;
use std::path::PathBuf;

#[path = "../../tests/src/conformance.rs"]
mod conformance;

/// `../shared/conformance/llb-small`, where it is (else the test returns).
fn llb_small() -> Option<PathBuf> {
    conformance::dir("mstage-proto::golden_decode").map(|c| c.join("llb-small"))
}

#[test]
fn go_definitions_round_trip_byte_for_byte() {
    let Some(llb_small) = llb_small() else {
        return;
    };
    for case in [
        "01-image",
        "02-exec-cache-mount",
        "03-copy-image-to-scratch",
        "04-local-include-exclude",
        "05-merge",
    ] {
        let bytes = std::fs::read(llb_small.join(format!("{case}/llb.pb"))).unwrap();
        let def = pb::Definition::decode(bytes.as_slice()).unwrap();
        assert!(!def.def.is_empty(), "{case}: no ops");
        for op_bytes in &def.def {
            let op = pb::Op::decode(op_bytes.as_slice()).unwrap();
            assert_eq!(
                mstage_proto::wire::encode_op(&op),
                *op_bytes,
                "{case}: op re-encodes differently"
            );
        }
        // prost leaves empty map values out, Go writes them: compare decoded.
        let again = pb::Definition::decode(def.encode_to_vec().as_slice()).unwrap();
        assert_eq!(
            again, def,
            "{case}: definition does not survive a round trip"
        );
    }
}

#[test]
fn exec_op_fields_decode_with_buildkit_numbers() {
    let Some(llb_small) = llb_small() else {
        return;
    };
    let bytes = std::fs::read(llb_small.join("02-exec-cache-mount/llb.pb")).unwrap();
    let def = pb::Definition::decode(bytes.as_slice()).unwrap();
    let op = pb::Op::decode(def.def[1].as_slice()).unwrap();
    let Some(pb::op::Op::Exec(exec)) = op.op else {
        panic!("second op is not an exec: {op:?}");
    };
    let meta = exec.meta.unwrap();
    assert_eq!(meta.args, ["sh", "-c", "echo hi > /hi"]);
    assert_eq!(meta.env, ["FOO=bar"]);
    assert_eq!(meta.cwd, "/work");
    assert_eq!(meta.user, "1000:1000");
    assert_eq!(exec.mounts.len(), 2);
    let cache = &exec.mounts[1];
    assert_eq!(cache.dest, "/root/.cache");
    assert_eq!(cache.mount_type(), pb::MountType::Cache);
    let opt = cache.cache_opt.as_ref().unwrap();
    assert_eq!(opt.id, "mstage-cache");
    assert_eq!(opt.sharing(), pb::CacheSharingOpt::Locked);
    assert_eq!(op.platform.unwrap().architecture, "amd64");
}
