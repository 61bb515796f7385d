//! Lowering: a Dockerfile and build options in, one LLB `Definition` plus OCI image config
//! per target platform out, with the semantics (and, where possible, the op bytes) of
//! BuildKit's own Dockerfile frontend.
//!
//! Entry point: [`compile`]. Inputs: [`BuildRequest`] and an [`ImageResolver`] for base
//! images ([`NoneResolver`] offline). The gateway fills the request from frontend opts; the
//! CLI from flags.

mod build;
mod caps;
mod compile;
mod contexts;
mod dispatch;
mod dump;
mod frontend;
mod limits;
mod request;
pub(crate) mod resolve;
mod sources;
mod utf8;
mod words;

pub use build::{Compiled, PlatformBuild, TriggerParser};
pub use compile::{
    check_blocking, compile, compile_blocking, compile_checked, compile_detailed,
    parse_instructions, parse_tree, plan, plan_with_escape, plan_with_instructions, Checked,
};
pub use dispatch::clean_path;
pub use dump::definition_json;
pub use limits::{too_large, MAX_MESSAGE_BYTES};
pub use words::Words;

pub use crate::error::{CompileError, ErrorKind};
pub use caps::{Capabilities, Gate, DEFAULT_LLB_CAPS, REGISTERED_LLB_CAPS, UNREGISTERED_LLB_CAPS};
pub use request::{
    BuildRequest, ExtraHost, LocalSession, NamedContext, NetworkMode, NoCache, Ulimit,
};
pub use resolve::{
    BoxFuture, ImageResolver, NoneResolver, ResolveError, ResolveMode, ResolveRequest,
    ResolvedImage,
};
