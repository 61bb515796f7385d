//! BuildKit wire schema: LLB ops (`pb`) and the gateway `LLBBridge` service.
//!
//! The `.proto` files under `proto/` were written for mstage with BuildKit's
//! package names, message names and field numbers, so the encoded bytes are
//! what buildkitd expects. Maps are `BTreeMap`, so encoding is deterministic
//! (sorted keys), matching Go's deterministic marshalling.
//!
//! Modules:
//! - [`pb`]: LLB (`Op`, `Definition`, `OpMetadata`, source maps, ...);
//! - [`gateway`]: `moby.buildkit.v1.frontend` (the `LLBBridge` service,
//!   [`gateway::llb_bridge_client::LlbBridgeClient`] and
//!   [`gateway::llb_bridge_server`] for fakes in tests);
//! - [`apicaps`], [`types`] (worker records), [`sourcepolicy`], [`fsutil`]
//!   (`Stat`), [`rpc`] (`google.rpc.Status`);
//! - [`wire::encode_op`]: encode a `pb::Op` in the field order Go uses, which
//!   the op digests depend on;
//! - `google.protobuf` types come from [`prost_types`] (re-exported).

#[allow(clippy::all, clippy::pedantic, missing_docs, rustdoc::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/mod.rs"));
}

pub use generated::fsutil::types as fsutil;
pub use generated::google::rpc;
pub use generated::moby::buildkit::v1::apicaps;
pub use generated::moby::buildkit::v1::frontend as gateway;
pub use generated::moby::buildkit::v1::sourcepolicy;
pub use generated::moby::buildkit::v1::types;
pub use generated::pb;

pub mod wire;

pub use prost;
pub use prost_types;
pub use tonic;
