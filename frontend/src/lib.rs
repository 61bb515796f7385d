//! mstage, the binary's library: the BuildKit gateway server ([`gateway`]), the command line
//! ([`cli`]) and the registry resolver ([`registry`]). Everything that reads a Dockerfile
//! lives in `mstage-syntax` and `mstage-compiler`; this crate does the I/O around them
//! (see `ARCHITECTURE.md`).

pub mod cli;
pub mod gateway;
#[cfg(feature = "registry")]
pub mod registry;
