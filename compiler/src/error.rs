//! Compile errors, each with the Dockerfile lines it is about (the gateway returns them as
//! BuildKit source info; the CLI prints the line).

use thiserror::Error;

use mstage_syntax::parser::SourceRange;

/// A build that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct CompileError {
    /// The instruction's lines; `None` for errors about the request itself (an unknown
    /// `--target`, an empty Dockerfile).
    pub range: Option<SourceRange>,
    pub kind: ErrorKind,
    /// Full message, as the stock frontend words it.
    pub message: String,
}

/// Longest line a rendered snippet shows in full: a 5 MB line would otherwise fill the
/// terminal (BuildKit refuses lines over 64 KiB, and the error names that line).
const SNIPPET_LINE_CHARS: usize = 200;

/// `line`, cut after [`SNIPPET_LINE_CHARS`] characters with a note of what was left out.
fn clip(line: &str) -> std::borrow::Cow<'_, str> {
    match line.char_indices().nth(SNIPPET_LINE_CHARS) {
        None => line.into(),
        Some((i, _)) => format!("{}... ({} more bytes)", &line[..i], line.len() - i).into(),
    }
}

/// What kind of problem it is (for callers that map errors to gRPC codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The Dockerfile does not parse or an instruction is malformed.
    Syntax,
    /// Valid syntax, but the build cannot be lowered (missing stage, bad platform, ...).
    Invalid,
    /// A base image could not be resolved.
    Resolve,
    /// A feature this BuildKit (by its caps) or mstage does not support.
    Unsupported,
}

impl CompileError {
    pub fn new(kind: ErrorKind, range: Option<SourceRange>, message: impl Into<String>) -> Self {
        CompileError {
            range,
            kind,
            message: message.into(),
        }
    }

    pub fn at(range: SourceRange, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, Some(range), message)
    }

    pub fn request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, None, message)
    }

    /// Sets the range if the error has none yet (BuildKit's `parser.WithLocation`).
    pub fn with_range(mut self, range: SourceRange) -> Self {
        if self.range.is_none() {
            self.range = Some(range);
        }
        self
    }

    /// `Dockerfile:12: message` style rendering with the offending lines, for terminals.
    pub fn render(&self, dockerfile_name: &str, dockerfile: &[u8]) -> String {
        let Some(r) = self.range else {
            return self.message.clone();
        };
        let text = String::from_utf8_lossy(dockerfile);
        let mut out = format!("{dockerfile_name}:{}\n", r.start_line);
        out.push_str("--------------------\n");
        let first = r.start_line.saturating_sub(2).max(1);
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            if n < first || n > r.end_line + 1 {
                continue;
            }
            let mark = if n >= r.start_line && n <= r.end_line {
                ">>>"
            } else {
                "   "
            };
            out.push_str(&format!(" {n:>3} | {mark} {}\n", clip(line)));
        }
        out.push_str("--------------------\n");
        out.push_str(&format!("ERROR: {}", self.message));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_cut_long_lines() {
        let mut df = b"FROM busybox\nRUN echo ".to_vec();
        df.extend(std::iter::repeat_n(b'a', 5 << 20));
        let e = CompileError::at(
            SourceRange {
                start_line: 2,
                end_line: 2,
                ..Default::default()
            },
            "too long",
        );
        let out = e.render("Dockerfile", &df);
        assert!(out.len() < 1000, "{}", out.len());
        assert!(
            out.contains(&format!("... ({} more bytes)", 9 + (5 << 20) - 200)),
            "{out}"
        );
    }
}
