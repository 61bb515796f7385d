//! mstage: a BuildKit frontend that compiles Dockerfiles into LLB.
//!
//! The modules follow the data flow (see `ARCHITECTURE.md`):
//! bytes -> [`syntax`] (parse tree) -> [`instructions`] (typed, with [`shell`] expansion)
//! -> [`plan`] (stages, args, target) -> [`lower`] (LLB via `llb-gen`) + [`image`] (OCI config).
//! [`lint`] (build checks) rides along: its rules run where `lower` meets what they need.
//! [`gateway`] serves BuildKit over stdio; [`cli`] is the command line.

pub mod alloc;
pub mod cli;
pub mod dockerignore;
pub mod gateway;
pub mod image;
pub mod instructions;
pub mod lint;
pub mod lower;
pub mod plan;
pub mod shell;
pub mod syntax;
