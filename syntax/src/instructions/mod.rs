//! Typed instructions: parse-tree nodes -> one struct per Dockerfile instruction, with
//! every flag the stock frontend (Dockerfile syntax 1.26) accepts, validated with
//! BuildKit's messages. Mirrors BuildKit's `frontend/dockerfile/instructions`.
//!
//! Nothing is expanded here: expansion needs the build's environment, which the lowering
//! knows. Instructions that BuildKit expands offer `expand*` methods taking any
//! `FnMut(&str) -> Result<String, E>` (a closure or a `&mut` [`WordExpander`]), or a
//! splitting `FnMut(&str) -> Result<Vec<String>, E>` ([`WordsExpander`]) for EXPOSE.
//! Expander failures come back as [`ExpandError::Expander`] with the instruction's lines;
//! invalid expanded values as [`ExpandError::Invalid`]:
//!
//! | instruction | method |
//! |---|---|
//! | FROM | [`FromCommand::expand_base_name`], [`FromCommand::expand_platform`] (global ARGs) |
//! | RUN | [`RunCommand::expand_mounts`] (`from` excluded) |
//! | COPY / ADD | [`CopyCommand::expand`], [`AddCommand::expand`] (sources, dest, `--chown`, `--chmod`, ADD `--checksum`), [`SourcesAndDest::expand_contents`] (heredoc bodies, quote-keeping expander) |
//! | ENV / LABEL | [`EnvCommand::expand`], [`LabelCommand::expand`] |
//! | EXPOSE | [`ExposeCommand::expand_ports`] |
//! | USER / WORKDIR / STOPSIGNAL / VOLUME | `expand` |
//!
//! ARG defaults are expanded by the caller (the value only, against the current env).
//! Entry points: [`parse_dockerfile`] for a whole file, [`parse_instruction`] for one node.
//!
//! ```
//! use mstage_syntax::instructions::{parse_dockerfile, Chmod, Instruction};
//! use mstage_syntax::shell::Lexer;
//!
//! let src = b"ARG V=3.20\nFROM alpine:$V AS Base\nCOPY --chmod=755 a /b\n";
//! let parsed = parse_dockerfile(&mstage_syntax::parser::parse(src).unwrap()).unwrap();
//! assert_eq!(parsed.meta_args[0].args[0].value.as_deref(), Some("3.20"));
//! let stage = &parsed.stages[0];
//! assert_eq!(stage.name.as_deref(), Some("base"));
//!
//! let env = [("V", "3.20")];
//! let lex = Lexer::new('\\');
//! let mut expand = |w: &str| lex.process_word(w, &env);
//! assert_eq!(stage.from.expand_base_name(&mut expand).unwrap(), "alpine:3.20");
//! let Instruction::Copy(copy) = &*stage.commands[0] else { unreachable!() };
//! let copy = copy.expand(&mut expand).unwrap();
//! assert_eq!(copy.chmod_mode().unwrap(), Some(Chmod::Octal(0o755)));
//! ```

mod commands;
mod errors;
mod expose;
mod flags;
mod mount;
mod parse;
mod stage;
mod suggest;
pub use suggest::suggest;
mod values;

pub use commands::*;
pub use errors::{ErrorKind, ExpandError, InstructionError};
pub use expose::ExposedPort;
pub use mount::{CacheSharing, Mount, MountSpec, MountType};
pub use parse::parse_instruction;
pub use stage::{parse_dockerfile, Parsed, Stage};
pub use values::{parse_chmod, Chmod};

#[cfg(test)]
mod tests;
