//! `.dockerignore` files: the exclude patterns of the build context, read the way the
//! Docker CLI and BuildKit read them (comments and blank lines dropped, paths cleaned and
//! made relative, `!` re-includes).

use thiserror::Error;

/// A line BuildKit would refuse when it compiles the patterns.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(".dockerignore line {line}: illegal exclusion pattern {pattern:?}: a '!' needs a pattern after it")]
pub struct DockerignoreError {
    pub line: usize,
    pub pattern: String,
}

/// Parses a `.dockerignore` into the exclude patterns of the context's local source.
pub fn parse(text: &str) -> Result<Vec<String>, DockerignoreError> {
    let mut out = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, raw) in text.lines().enumerate() {
        // Only a '#' in the first column starts a comment, as in the Docker CLI.
        if raw.starts_with('#') {
            continue;
        }
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let (negated, pattern) = match line.strip_prefix('!') {
            Some(rest) => (true, rest.trim()),
            None => (false, line),
        };
        if pattern.is_empty() {
            return Err(DockerignoreError {
                line: i + 1,
                pattern: line.to_string(),
            });
        }
        let mut pattern = crate::lower::clean_path(pattern);
        if pattern.len() > 1 {
            pattern = pattern.trim_start_matches('/').to_string();
        }
        out.push(if negated {
            format!("!{pattern}")
        } else {
            pattern
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_and_keeps_negations() {
        let got = parse("# comment\n\n  /a/../b/  \n!./c\n*.md\n").unwrap();
        assert_eq!(got, ["b", "!c", "*.md"]);
    }

    #[test]
    fn a_lone_bang_is_an_error_naming_the_line() {
        let e = parse("a\n!\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().contains("line 2"), "{e}");
    }
}
