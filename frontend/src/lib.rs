//! mstage, the binary's library: the BuildKit gateway server ([`gateway`]), the command line
//! ([`cli`]) and the registry resolver ([`registry`]). Everything that reads a Dockerfile
//! lives in `mstage-syntax` and `mstage-compiler`; this crate does the I/O around them
//! (see `ARCHITECTURE.md`).

pub mod cli;
pub mod gateway;
#[cfg(feature = "registry")]
pub mod registry;

/// The stack of the threads that compile (the CLI's, the gateway runtime's): the shell
/// expander recurses once per `${` nesting level (up to `mstage_syntax::shell::MAX_NESTING`),
/// as deep as BuildKit accepts. Address space only: a compile commits the pages it touches.
pub const COMPILE_STACK_BYTES: usize = 1 << 30;
