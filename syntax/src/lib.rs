//! Dockerfile syntax, as BuildKit's `frontend/dockerfile/parser`, `shell` and
//! `instructions` packages read it: bytes -> [`parser`] (directives, parse tree, heredocs)
//! -> [`instructions`] (one typed struct per instruction), with [`shell`] word expansion for
//! the layers above. [`golang`] holds the Go behaviours the parse must reproduce (Unicode
//! classes, `%q`).
//!
//! Text in, typed values out: no LLB, no protobuf, no I/O (see `ARCHITECTURE.md`).

pub mod golang;
pub mod instructions;
pub mod parser;
pub mod shell;
