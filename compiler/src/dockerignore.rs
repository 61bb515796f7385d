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
        let mut pattern = llb_gen::gopath::clean(pattern);
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

/// The patterns as BuildKit's `patternmatcher` reads them, to tell whether a context path is
/// excluded (used by the `CopyIgnoredFile` check; the exclusion itself is BuildKit's).
#[derive(Debug, Clone)]
pub struct IgnoreMatcher {
    patterns: Vec<IgnorePattern>,
}

#[derive(Debug, Clone)]
struct IgnorePattern {
    exclusion: bool,
    /// The pattern as written (cleaned).
    text: String,
    kind: MatchKind,
}

#[derive(Debug, Clone)]
enum MatchKind {
    Exact,
    /// `abc**`: the path starts with `abc`.
    Prefix,
    /// `**abc`: the path ends with `abc` (or `**/abc` is `abc`).
    Suffix,
    Regex(regex::Regex),
    /// Did not compile: never matches (BuildKit reports a bad pattern).
    Bad,
}

impl IgnoreMatcher {
    /// `patterns` as [`parse`] returns them (`!` marks a re-include).
    pub fn new(patterns: &[String]) -> Self {
        let patterns = patterns
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (exclusion, text) = match p.strip_prefix('!') {
                    Some(rest) => (true, rest),
                    None => (false, p),
                };
                let text = llb_gen::gopath::clean(text);
                let kind = compile(&text);
                IgnorePattern {
                    exclusion,
                    text,
                    kind,
                }
            })
            .collect();
        IgnoreMatcher { patterns }
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Some pattern re-includes (`!`) what another excluded.
    pub fn has_exclusions(&self) -> bool {
        self.patterns.iter().any(|p| p.exclusion)
    }

    /// Some pattern excludes every entry of the context root (`*`, `**`, `**/*`).
    pub fn excludes_root(&self) -> bool {
        self.patterns
            .iter()
            .any(|p| !p.exclusion && matches!(p.text.as_str(), "*" | "**" | "**/*"))
    }

    /// `MatchesOrParentMatches`: the last pattern that matches `path` or one of its parent
    /// directories decides.
    pub fn matches_or_parent_matches(&self, path: &str) -> bool {
        let parent = match path.rfind('/') {
            Some(i) => &path[..i],
            None => ".",
        };
        let parent = if parent.is_empty() { "/" } else { parent };
        let dirs: Vec<&str> = parent.split('/').collect();
        let mut matched = false;
        for p in &self.patterns {
            if p.exclusion != matched {
                continue;
            }
            let mut hit = p.matches(path);
            if !hit && parent != "." {
                hit = (1..=dirs.len()).any(|i| p.matches(&dirs[..i].join("/")));
            }
            if hit {
                matched = !p.exclusion;
            }
        }
        matched
    }
}

impl IgnorePattern {
    fn matches(&self, path: &str) -> bool {
        match &self.kind {
            MatchKind::Exact => path == self.text,
            MatchKind::Prefix => path.starts_with(&self.text[..self.text.len() - 2]),
            MatchKind::Suffix => {
                let suffix = &self.text[2..];
                path.ends_with(suffix) || suffix.strip_prefix('/').is_some_and(|rest| path == rest)
            }
            MatchKind::Regex(re) => re.is_match(path),
            MatchKind::Bad => false,
        }
    }
}

/// BuildKit's pattern compiler: `*` is any run without `/`, `?` one character but `/`,
/// `**` any number of directories, `\` escapes; plain patterns compare exactly, and a
/// leading or trailing `**` alone becomes a suffix or prefix test.
fn compile(pattern: &str) -> MatchKind {
    #[derive(PartialEq)]
    enum Kind {
        Exact,
        Prefix,
        Suffix,
        Regex,
    }
    let mut kind = Kind::Exact;
    let mut re = String::from("^");
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut index = 0;
    while i < chars.len() {
        let ch = chars[i];
        i += 1;
        match ch {
            '*' if chars.get(i) == Some(&'*') => {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                if i == chars.len() {
                    if kind == Kind::Exact {
                        kind = Kind::Prefix;
                    } else {
                        re.push_str(".*");
                        kind = Kind::Regex;
                    }
                } else {
                    re.push_str("(.*/)?");
                    kind = Kind::Regex;
                }
                if index == 0 {
                    kind = Kind::Suffix;
                }
            }
            '*' => {
                re.push_str("[^/]*");
                kind = Kind::Regex;
            }
            '?' => {
                re.push_str("[^/]");
                kind = Kind::Regex;
            }
            '.' | '+' | '(' | ')' | '|' | '{' | '}' | '$' => {
                re.push('\\');
                re.push(ch);
            }
            '\\' => match chars.get(i) {
                Some(&next) => {
                    i += 1;
                    re.push('\\');
                    re.push(next);
                    kind = Kind::Regex;
                }
                None => re.push_str("\\\\"),
            },
            '[' | ']' => {
                re.push(ch);
                kind = Kind::Regex;
            }
            _ => re.push(ch),
        }
        index += 1;
    }
    match kind {
        Kind::Exact => MatchKind::Exact,
        Kind::Prefix => MatchKind::Prefix,
        Kind::Suffix => MatchKind::Suffix,
        Kind::Regex => {
            re.push('$');
            regex::Regex::new(&re).map_or(MatchKind::Bad, MatchKind::Regex)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matcher_follows_buildkit() {
        let m =
            IgnoreMatcher::new(&parse("*.md\nbuild/\n**/secret\ntmp**\ndocs/*/draft?\n").unwrap());
        assert!(m.matches_or_parent_matches("README.md"));
        assert!(!m.matches_or_parent_matches("a/README.md"), "* stops at /");
        assert!(
            m.matches_or_parent_matches("build/out/x"),
            "a parent matches"
        );
        assert!(m.matches_or_parent_matches("a/b/secret"));
        assert!(m.matches_or_parent_matches("secret"));
        assert!(m.matches_or_parent_matches("tmpfile"));
        assert!(m.matches_or_parent_matches("docs/v1/draft2"));
        assert!(!m.matches_or_parent_matches("docs/v1/draft22"));
        assert!(!m.matches_or_parent_matches("src/main.rs"));
        assert!(!m.has_exclusions() && !m.excludes_root());
        let m = IgnoreMatcher::new(&parse("*\n!keep\n").unwrap());
        assert!(m.has_exclusions() && m.excludes_root());
        assert!(!m.matches_or_parent_matches("keep"));
        assert!(m.matches_or_parent_matches("other"));
    }

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
