//! An idiomatic builder for BuildKit LLB graphs, with output byte-identical
//! to BuildKit's Go `client/llb` for the same graph. Knows nothing about
//! Dockerfiles.
//!
//! # Model
//!
//! A [`State`] is an immutable, cheaply clonable handle on one output of the
//! graph (or scratch), plus process settings (env, working dir, user,
//! hostname, network/security mode, platform) that [`State::run`] inherits,
//! as in Go's `llb.State`. Ops are made with builders that end in `.build()`:
//!
//! | op | start with | result |
//! |---|---|---|
//! | image source | [`image`]`(ref)` | [`State`] |
//! | local dir | [`local`]`(name)` | [`State`] |
//! | local dir sending paths known later | [`local`]`(name).`[`paths_later`](Local::paths_later)`(&`[`LocalPaths`]`)` | [`State`] (set the paths before marshalling) |
//! | git repo | [`git`]`(url, "ref:subdir")` | [`State`] |
//! | HTTP file | [`http`]`(url)` | [`State`] |
//! | empty fs | [`scratch`]`()` | [`State`] |
//! | exec | [`State::run`]`(args)` + [`Mount`], [`Secret`], [`Ssh`] | [`ExecState`] (`root()`, `mount(target)`) |
//! | file actions | [`State::file`]`(`[`FileActions`]`)` with [`Copy`](struct@Copy), [`Mkdir`], [`Mkfile`], [`Rm`], [`Symlink`] | [`State`] |
//! | merge / diff | [`merge`]`(states)`, [`diff`]`(&lower, &upper)` | [`State`] |
//!
//! Every builder implements [`OpOptions`] for per-op settings: custom name,
//! descriptions, progress group, ignore-cache, platform, worker constraints,
//! caps and source locations ([`SourceMap`]). A [`Constraints`] value holds
//! the same settings and can be applied to several ops.
//!
//! [`State::marshal`] (or [`marshal()`]) produces a `pb::Definition`: each op
//! encoded once in Go's byte layout ([`mstage_proto::wire`]), digest =
//! sha256 of the bytes, ops in dependency order, a terminal op last, caps
//! per op in the metadata. Encodings are cached per vertex, so marshalling
//! is linear in the graph size. Graphs built in a different order but equal
//! in content marshal to identical bytes.
//!
//! Not done here (the caller's job): image reference normalisation
//! (`alpine` → `docker.io/library/alpine:latest`), platform normalisation,
//! checking declared caps against the server's `LLBCaps`.
//!
//! # Example
//!
//! ```
//! use llb_gen::{image, local, scratch, CacheSharing, Copy, FileActions, MarshalOptions,
//!               Mount, OpOptions, Platform, SourceMap};
//!
//! let platform = Platform::linux_amd64();
//! let dockerfile = SourceMap::new("Dockerfile", "Dockerfile", b"FROM alpine\n".to_vec());
//!
//! let base = image("docker.io/library/alpine:3.20")
//!     .platform(platform.clone())
//!     .custom_name("[build 1/3] FROM docker.io/library/alpine:3.20")
//!     .location(&dockerfile, vec![SourceMap::lines(1, 1)])
//!     .build();
//! let context = local("context").session_id("sess").shared_key_hint("context").build();
//!
//! let built = base
//!     .with_env("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
//!     .with_dir("/src")
//!     .run(["/bin/sh", "-c", "make"])
//!     .mount(Mount::bind("/src", &context).readonly())
//!     .mount(Mount::cache("/root/.cache", "build-cache", CacheSharing::Locked))
//!     .custom_name("[build 2/3] RUN make")
//!     .build()
//!     .root();
//!
//! let out = scratch()
//!     .file(FileActions::new().copy(
//!         Copy::new(&built, "/src/app", "/app").create_dest_path(true),
//!     ))
//!     .custom_name("[stage-1 1/1] COPY --from=build /src/app /app")
//!     .build();
//!
//! let def = out.marshal(&MarshalOptions::new(platform)).unwrap();
//! assert_eq!(def.def.len(), 5); // image, local, exec, file, terminal
//! ```

#![warn(missing_docs)]

pub mod caps;
mod constraints;
mod error;
mod exec;
mod file;
pub mod gopath;
mod marshal;
mod merge;
mod platform;
mod source;
mod state;
mod util;
mod vertex;

pub use constraints::{
    Constraints, Metadata, OpOptions, SourceLocation, SourceMap, CUSTOM_NAME_KEY,
};
pub use error::Error;
pub use exec::{Exec, ExecState, Mount, Secret, Ssh, DEFAULT_PATH_ENV};
pub use file::{Chmod, Copy, FileActions, FileOp, Mkdir, Mkfile, Owner, Rm, Symlink, UserRef};
pub use marshal::{head, marshal, MarshalOptions};
pub use merge::{diff, merge, Diff, Merge};
pub use platform::Platform;
pub use source::{
    git, http, image, local, Differ, Git, Http, Image, Local, LocalPaths, PathFilter, ResolveMode,
};
pub use state::State;
pub use util::op_digest;

/// The wire schema, re-exported for callers that need `pb` types.
pub use mstage_proto::pb;
/// Encodes a marshalled Definition in Go's byte layout (what `buildctl` and the
/// gateway `Solve` expect); see [`mstage_proto::wire`].
pub use mstage_proto::wire::encode_definition;

/// Exec network mode. The discriminants are `pb.NetMode`'s (Go's `NetModeSandbox` is
/// `pb.NetMode_UNSET`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(i32)]
pub enum NetMode {
    /// The default: a network namespace of its own.
    #[default]
    Sandbox = pb::NetMode::Unset as i32,
    /// The host's network.
    Host = pb::NetMode::Host as i32,
    /// No network.
    None = pb::NetMode::None as i32,
}
/// Exec security mode (`pb.SecurityMode`: `Sandbox`, `Insecure`).
pub type SecurityMode = pb::SecurityMode;
/// Cache mount sharing (`pb.CacheSharingOpt`: `Shared`, `Private`, `Locked`).
pub type CacheSharing = pb::CacheSharingOpt;

/// The empty filesystem.
pub fn scratch() -> State {
    State::scratch()
}
