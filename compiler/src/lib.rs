//! The Dockerfile compiler: typed instructions in, one LLB `Definition` and OCI image config
//! per target platform out, with the semantics (and, where possible, the op bytes) of
//! BuildKit's own Dockerfile frontend.
//!
//! The modules follow the data flow (see `ARCHITECTURE.md`):
//! [`plan`] (stages, args, the target and what it needs) -> [`lower`] (LLB through
//! `llb-gen`) + [`image`] (OCI config). [`lint`] (build checks) rides along: its rules run
//! where `lower` meets what they need. [`error`] is the leaf every layer reports through.
//! Base images come in through [`lower::ImageResolver`], `INCLUDE` fragments through
//! [`include::FragmentReader`] before the compile; this crate does no I/O of its own.

pub mod dockerignore;
pub mod error;
pub mod image;
pub mod include;
pub mod lint;
pub mod lower;
pub mod plan;
