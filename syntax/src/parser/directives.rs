//! Parser directives (`# syntax=`, `# escape=`, `# check=`) and syntax detection.

use super::error::SyntaxErrorKind;

/// Directive names BuildKit knows; any other `# key=value` line is an ordinary comment.
const KNOWN: [&str; 3] = ["syntax", "escape", "check"];

/// Go regexp `\s`.
fn is_go_regex_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ')
}

/// Reads directives at the top of a file; stops at the first line that is not one.
#[derive(Debug)]
pub(crate) struct DirectiveParser {
    prefix: &'static str,
    seen: Vec<String>,
    done: bool,
}

impl DirectiveParser {
    pub(crate) fn new(prefix: &'static str) -> Self {
        DirectiveParser {
            prefix,
            seen: Vec::new(),
            done: false,
        }
    }

    /// The directive on `line` (key lower-cased, value trimmed), if it is one.
    pub(crate) fn parse_line(
        &mut self,
        line: &str,
    ) -> Result<Option<(String, String)>, SyntaxErrorKind> {
        if self.done {
            return Ok(None);
        }
        let Some(found) = line
            .strip_prefix(self.prefix)
            .and_then(|rest| split_directive(rest.trim_start()))
        else {
            self.done = true;
            return Ok(None);
        };
        let key = found.0.to_ascii_lowercase();
        if !KNOWN.contains(&key.as_str()) {
            self.done = true;
            return Ok(None);
        }
        if self.seen.contains(&key) {
            return Err(SyntaxErrorKind::DuplicateDirective(key));
        }
        self.seen.push(key.clone());
        Ok(Some((key, found.1.to_string())))
    }
}

/// `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` as Go evaluates it.
pub fn split_directive(s: &str) -> Option<(&str, &str)> {
    let key_len = s
        .char_indices()
        .take_while(|&(i, c)| {
            if i == 0 {
                c.is_ascii_alphabetic()
            } else {
                c.is_ascii_alphanumeric()
            }
        })
        .count();
    if key_len == 0 {
        return None;
    }
    let (key, rest) = s.split_at(key_len);
    let rest = rest
        .trim_start_matches(is_go_regex_space)
        .strip_prefix('=')?;
    if rest.is_empty() {
        return None;
    }
    let value = rest
        .trim_start_matches(is_go_regex_space)
        .trim_end_matches(is_go_regex_space);
    if value.is_empty() {
        // All blanks: the greedy `\s*` leaves exactly one character to `(.+?)`.
        let last = rest.char_indices().last().map_or(0, |(i, _)| i);
        return Some((key, &rest[last..]));
    }
    Some((key, value))
}

/// A `syntax` directive found by [`detect_syntax`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxDirective {
    /// The frontend image reference (the value up to the first space).
    pub image: String,
    /// The whole value (image plus any arguments), BuildKit's `cmdline`.
    pub cmdline: String,
    /// 1-based line of the directive (0 for the JSON form without a shebang).
    pub line: usize,
}

/// Finds the `syntax` directive the way BuildKit's `DetectSyntax` does: after a BOM and an
/// optional `#!` line, `# syntax=...` at the top, else `// syntax=...`, else a JSON
/// document `{"syntax": "..."}`.
pub fn detect_syntax(bytes: &[u8]) -> Option<SyntaxDirective> {
    detect_directive("syntax", bytes, true)
}

/// The value of parser directive `key` (`syntax`, `escape`, `check`) at the top of the file,
/// in the `#` form only.
pub fn parse_directive(key: &str, bytes: &[u8]) -> Option<SyntaxDirective> {
    detect_directive(key, bytes, false)
}

fn detect_directive(key: &str, bytes: &[u8], any_format: bool) -> Option<SyntaxDirective> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = String::from_utf8_lossy(bytes);
    let (text, first_line) = match text.split_once('\n') {
        Some((l, rest)) if l.starts_with("#!") => (rest, 1),
        _ if text.starts_with("#!") && !text.contains('\n') => ("", 1),
        _ => (&text[..], 0),
    };
    for prefix in ["#", "//"] {
        if prefix == "//" && !any_format {
            break;
        }
        let mut p = DirectiveParser::new(prefix);
        for (i, line) in text.lines().enumerate() {
            if p.done || line.len() > super::error::MAX_LINE_LEN {
                break;
            }
            match p.parse_line(line) {
                Ok(Some((k, v))) if k == key => {
                    let image = v.split(' ').next().unwrap_or_default().to_string();
                    return Some(SyntaxDirective {
                        image,
                        cmdline: v,
                        line: first_line + i + 1,
                    });
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    }
    if any_format {
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text).ok()?;
        if let Some(serde_json::Value::String(v)) = map.get(key) {
            return Some(SyntaxDirective {
                image: v.clone(),
                cmdline: v.clone(),
                line: first_line,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_lines() {
        let mut p = DirectiveParser::new("#");
        assert_eq!(
            p.parse_line("# SYNTAX = docker/dockerfile:1 ").unwrap(),
            Some(("syntax".into(), "docker/dockerfile:1".into()))
        );
        assert_eq!(
            p.parse_line("#escape=`").unwrap(),
            Some(("escape".into(), "`".into()))
        );
        assert!(p.parse_line("# Escape=\\").is_err());
        let mut p = DirectiveParser::new("#");
        assert_eq!(p.parse_line("# unknown=x").unwrap(), None);
        assert_eq!(
            p.parse_line("# escape=`").unwrap(),
            None,
            "directives ended"
        );
        assert_eq!(split_directive("escape=   "), Some(("escape", " ")));
        assert_eq!(split_directive("escape="), None);
        assert_eq!(split_directive("esc ape=x"), None);
    }

    #[test]
    fn syntax_detection() {
        let d = detect_syntax(b"# syntax=foo/bar:1 --x\nFROM a").unwrap();
        assert_eq!(
            (d.image.as_str(), d.cmdline.as_str(), d.line),
            ("foo/bar:1", "foo/bar:1 --x", 1)
        );
        let d = detect_syntax(b"#!/usr/bin/env buildctl\n// syntax = x/y\n").unwrap();
        assert_eq!((d.image.as_str(), d.line), ("x/y", 2));
        let d = detect_syntax(br#"{"syntax": "j/k", "other": 1}"#).unwrap();
        assert_eq!(d.image, "j/k");
        assert_eq!(detect_syntax(b"FROM a\n# syntax=x\n"), None);
        assert_eq!(detect_syntax(b"\n# syntax=x\n"), None);
        assert_eq!(parse_directive("syntax", b"// syntax=x\n"), None);
        assert_eq!(
            parse_directive("check", b"# check=skip=all\n")
                .unwrap()
                .cmdline,
            "skip=all"
        );
    }
}
