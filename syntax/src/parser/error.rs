//! Parse errors. Each names the Dockerfile lines it is about.

use super::ast::SourceRange;
use crate::shell::ShellError;

/// Longest physical line BuildKit's parser reads (Go `bufio.MaxScanTokenSize - 1`).
pub const MAX_LINE_LEN: usize = 65535;

/// Deepest `ONBUILD ONBUILD ...` chain the parser builds (each level is a nested node).
pub const MAX_ONBUILD_NESTING: usize = 64;

/// What went wrong. Messages follow BuildKit's parser where it has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxErrorKind {
    #[error("file with no instructions")]
    NoInstructions,
    #[error("only one {0} parser directive can be used")]
    DuplicateDirective(String),
    #[error("invalid escape token '{0}' does not match ` or \\")]
    InvalidEscapeToken(String),
    /// `ENV NAME` / `LABEL NAME` without a value (legacy form needs two words).
    #[error("{0} must have two arguments")]
    MissingValue(String),
    /// `ENV a=1 b` : every word of the `name=value` form needs an `=`.
    #[error("Syntax error - can't find = in {}. Must be of the form: name=value", crate::golang::quote(.0))]
    MissingEquals(String),
    #[error("when using JSON array syntax, arrays must be comprised of strings only")]
    JsonNotStrings,
    #[error("unterminated heredoc: no line {} ends the heredoc before the end of the file", crate::golang::quote(.0))]
    UnterminatedHeredoc(String),
    #[error("invalid heredoc marker: {0}")]
    HeredocMarker(ShellError),
    #[error("internal lexing of heredoc produced inconsistent results: {0}")]
    HeredocInconsistent(String),
    #[error("dockerfile line greater than max allowed size of {MAX_LINE_LEN}")]
    LineTooLong,
    /// `ONBUILD ONBUILD ...` beyond [`MAX_ONBUILD_NESTING`] (BuildKit's parser has no limit;
    /// its instruction layer rejects any nesting).
    #[error("ONBUILD nested more than {MAX_ONBUILD_NESTING} levels deep")]
    OnbuildTooDeep,
}

/// A Dockerfile that BuildKit's parser would reject, with the lines at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("dockerfile parse error on {}: {kind}", lines(range))]
pub struct SyntaxError {
    pub range: SourceRange,
    pub kind: SyntaxErrorKind,
}

fn lines(r: &SourceRange) -> String {
    if r.end_line > r.start_line {
        format!("lines {}-{}", r.start_line, r.end_line)
    } else {
        format!("line {}", r.start_line)
    }
}

impl SyntaxError {
    pub(crate) fn new(kind: SyntaxErrorKind, start_line: usize, end_line: usize) -> Self {
        SyntaxError {
            range: SourceRange {
                start_line,
                end_line: end_line.max(start_line),
                ..Default::default()
            },
            kind,
        }
    }
}
