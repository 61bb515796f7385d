//! Compiles the vendored-by-hand .proto files with `protox` (pure Rust, so no
//! `protoc` install is needed) and generates prost messages + tonic stubs.

use std::path::PathBuf;

const PROTOS: &[&str] = &[
    "github.com/moby/buildkit/solver/pb/ops.proto",
    "github.com/moby/buildkit/util/apicaps/pb/caps.proto",
    "github.com/moby/buildkit/api/types/worker.proto",
    "github.com/moby/buildkit/sourcepolicy/pb/policy.proto",
    "github.com/tonistiigi/fsutil/types/stat.proto",
    "google/rpc/status.proto",
    "github.com/moby/buildkit/frontend/gateway/pb/gateway.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("proto");
    for p in PROTOS {
        println!("cargo:rerun-if-changed={}", root.join(p).display());
    }
    let fds = protox::compile(PROTOS, [&root])?;
    tonic_prost_build::configure()
        // BTreeMap: sorted keys make encoding deterministic, like Go's
        // proto.MarshalOptions{Deterministic: true}.
        .btree_map(".")
        .build_client(true)
        .build_server(true)
        // The client is driven over a custom (stdio) transport, so no
        // `connect()` helper that pulls in tonic's channel stack.
        .build_transport(false)
        // Fakes in tests implement only the RPCs they need.
        .generate_default_stubs(true)
        .include_file("mod.rs")
        .compile_fds(fds)?;
    Ok(())
}
