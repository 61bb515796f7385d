//! Dockerfile syntax: bytes -> parser directives + a parse tree of instruction nodes.
//!
//! Mirrors BuildKit's `frontend/dockerfile/parser`: no expansion and no typing happen here.
//! Unknown instruction keywords are accepted (with one empty argument, as upstream); the
//! instruction layer rejects them.
//!
//! ```
//! let df = mstage_syntax::parser::parse(b"FROM alpine AS build\nRUN echo \\\n  hi\n").unwrap();
//! assert_eq!(df.instructions[1].args, ["echo   hi"]);
//! assert_eq!(df.instructions[1].range.end_line, 3);
//! assert_eq!(mstage_syntax::parser::dump(&df), "(from \"alpine\" \"AS\" \"build\")\n(run \"echo   hi\")\n");
//! ```

pub mod ast;
mod directives;
mod dump;
mod error;
mod heredoc;
pub mod include;
mod json;
mod line_parsers;
mod parse;

pub use ast::{Dockerfile, FileId, Heredoc, IncludeSite, Node, SourceRange, Warning};
pub use directives::{detect_syntax, parse_directive, SyntaxDirective};
pub use dump::{dump, dump_node};
pub use error::{SyntaxError, SyntaxErrorKind, MAX_LINE_LEN, MAX_ONBUILD_NESTING};
pub use heredoc::{chomp_heredoc_content, heredocs_from_line, parse_heredoc};
pub use include::{include_paths, resolve_includes, IncludeError, IncludeErrorKind, IncludeLoader};
pub use parse::parse;

pub use directives::split_directive;
pub use parse::go_lower as parser_lower;
pub use parse::KEYWORDS;

#[cfg(test)]
mod tests;
