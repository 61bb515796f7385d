//! Glob patterns of `${VAR#pat}`, `${VAR%pat}` and `${VAR/pat/repl}`.
//!
//! BuildKit turns the pattern into a Go regular expression (`*` -> `.*` or `.*?`, `?` -> `.`,
//! `\` escapes `*`, `?` and `\`, no bracket expressions). The `regex` crate has the same
//! leftmost-first semantics, lazy quantifiers and a `.` that does not match `\n`, so the same
//! translation gives the same matches.

use std::cell::RefCell;

use regex::Regex;

/// Translates a shell pattern into a regular expression. `greedy` picks `.*` over `.*?`;
/// `anchored` matches only at the start.
/// Pattern, greedy, anchored.
type CacheKey = (String, bool, bool);

pub(crate) fn to_regex(pattern: &str, greedy: bool, anchored: bool) -> Result<Regex, String> {
    thread_local! {
        /// Recently compiled patterns: the same `${VAR%pat}` tends to recur across stages
        /// and instructions, and compiling dominates the cost of an expansion.
        static CACHE: RefCell<Vec<(CacheKey, Regex)>> = const { RefCell::new(Vec::new()) };
    }
    const CACHE_SIZE: usize = 32;
    let key = (pattern.to_string(), greedy, anchored);
    if let Some(re) =
        CACHE.with_borrow(|c| c.iter().find(|(k, _)| *k == key).map(|(_, re)| re.clone()))
    {
        return Ok(re);
    }
    let re = compile(pattern, greedy, anchored)?;
    CACHE.with_borrow_mut(|c| {
        if c.len() >= CACHE_SIZE {
            c.remove(0);
        }
        c.push((key, re.clone()));
    });
    Ok(re)
}

fn compile(pattern: &str, greedy: bool, anchored: bool) -> Result<Regex, String> {
    let mut out = String::with_capacity(pattern.len() + 4);
    if anchored {
        out.push('^');
    }
    let star = if greedy { ".*" } else { ".*?" };
    // Go's text/scanner drops a byte-order mark at the very start.
    let pattern = pattern.strip_prefix('\u{feff}').unwrap_or(pattern);
    let mut chars = pattern.chars().peekable();
    while let Some(mut tok) = chars.next() {
        match tok {
            '*' => {
                out.push_str(star);
                continue;
            }
            '?' => {
                out.push('.');
                continue;
            }
            '\\' => {
                // `\}` and `\/` only protect the ${} syntax; the escape is not part of the pattern.
                if matches!(chars.peek(), Some('}') | Some('/')) {
                    continue;
                }
                out.push('\\');
                match chars.next() {
                    Some(c @ ('*' | '?' | '\\')) => tok = c,
                    Some(c) => return Err(format!("invalid escape '\\{c}'")),
                    None => return Err("invalid escape '\\\u{fffd}'".to_string()),
                }
            }
            '[' | ']' | '{' | '}' | '.' | '+' | '(' | ')' | '|' | '^' | '$' => out.push('\\'),
            _ => {}
        }
        out.push(tok);
    }
    Regex::new(&out).map_err(|e| e.to_string())
}

fn invalid(pattern: &str, err: String) -> String {
    format!("invalid pattern ({pattern}) in substitution: {err}")
}

/// `${VAR#pat}` / `${VAR##pat}`: removes the shortest (longest when `greedy`) matching prefix.
pub(crate) fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let re = to_regex(pattern, greedy, true).map_err(|e| invalid(pattern, e))?;
    Ok(match re.find(value) {
        Some(m) => value[m.end()..].to_string(),
        None => value.to_string(),
    })
}

/// `${VAR%pat}` / `${VAR%%pat}`: removes the shortest (longest) matching suffix, by
/// reversing both the value and the pattern (escapes stay in front of what they escape).
pub(crate) fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let reversed = reverse_pattern(pattern);
    let value: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reversed, &value, greedy)?;
    Ok(trimmed.chars().rev().collect())
}

pub(crate) fn reverse_pattern(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = vec!['\0'; chars.len()];
    let last = chars.len().saturating_sub(1);
    let mut i = 0;
    while i < chars.len() {
        let at = last - i;
        if chars[i] == '\\' && i != last {
            out[at - 1] = '\\';
            out[at] = chars[i + 1];
            i += 2;
        } else {
            out[at] = chars[i];
            i += 1;
        }
    }
    out.into_iter().collect()
}

/// `${VAR/pat/repl}` (first match, replacement literal) and `${VAR//pat/repl}` (all matches,
/// replacement expanded as a Go regexp template, as `Regexp.ReplaceAllString` does).
pub(crate) fn replace(
    pattern: &str,
    value: &str,
    replacement: &str,
    all: bool,
) -> Result<String, String> {
    let re = to_regex(pattern, true, false).map_err(|e| invalid(pattern, e))?;
    if !all {
        return Ok(match re.find(value) {
            Some(m) => format!("{}{replacement}{}", &value[..m.start()], &value[m.end()..]),
            None => value.to_string(),
        });
    }
    // Go's ReplaceAll loop: no replacement for an empty match right after a match, and the
    // search always advances by at least one character.
    let mut out = String::with_capacity(value.len());
    let mut last_end = 0;
    let mut search = 0;
    while search <= value.len() {
        let Some(m) = re.find_at(value, search) else {
            break;
        };
        out.push_str(&value[last_end..m.start()]);
        if m.end() > last_end || m.start() == 0 {
            expand_template(&mut out, replacement, m.as_str());
        }
        last_end = m.end();
        let width = value[search..].chars().next().map_or(1, char::len_utf8);
        if search + width > m.end() {
            search += width;
        } else {
            search = m.end();
        }
    }
    out.push_str(&value[last_end..]);
    Ok(out)
}

/// Go `Regexp.Expand` for a regexp without capture groups: `$$` is `$`, `$0`/`${0}` is the
/// match, any other well-formed `$name`/`${name}` is empty, a malformed `$` is literal.
fn expand_template(out: &mut String, template: &str, matched: &str) {
    let mut rest = template;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        if let Some(r) = rest.strip_prefix('$') {
            out.push('$');
            rest = r;
            continue;
        }
        let (braced, body) = match rest.strip_prefix('{') {
            Some(b) => (true, b),
            None => (false, rest),
        };
        let name_len: usize = body
            .chars()
            .take_while(|&c| crate::golang::is_letter(c) || crate::golang::is_digit(c) || c == '_')
            .map(char::len_utf8)
            .sum();
        if name_len == 0 || (braced && !body[name_len..].starts_with('}')) {
            out.push('$');
            continue;
        }
        let name = &body[..name_len];
        rest = &body[name_len + usize::from(braced)..];
        if name == "0" {
            out.push_str(matched);
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_translation() {
        assert_eq!(to_regex("a*b?", true, true).unwrap().as_str(), "^a.*b.");
        assert_eq!(to_regex("a*", false, false).unwrap().as_str(), "a.*?");
        assert_eq!(
            to_regex(r"()[]{\}^$.\*\?|\\", true, false)
                .unwrap()
                .as_str(),
            r"\(\)\[\]\{\}\^\$\.\*\?\|\\"
        );
        assert!(to_regex(r"\a", true, false).is_err());
        assert!(to_regex("\\", true, false).is_err());
    }

    #[test]
    fn reverse() {
        assert_eq!(reverse_pattern(r"a\*c"), r"c\*a");
        assert_eq!(reverse_pattern(r"\**\*"), r"\**\*");
        assert_eq!(reverse_pattern(""), "");
    }

    #[test]
    fn prefix_suffix() {
        assert_eq!(trim_prefix("*x*y", "xxyy", false).unwrap(), "y");
        assert_eq!(trim_prefix("*", "xxyy", false).unwrap(), "xxyy");
        assert_eq!(trim_prefix("*x", "xxyy", true).unwrap(), "yy");
        assert_eq!(trim_suffix(r"\**\*", "a***yy*", true).unwrap(), "a");
        assert_eq!(trim_suffix("y*", "xxyy", false).unwrap(), "xxy");
        assert_eq!(trim_suffix("y*", "xxyy", true).unwrap(), "xx");
        // `.` never matches a newline (Go regexp default).
        assert_eq!(trim_prefix("*", "a\nb", true).unwrap(), "\nb");
    }

    #[test]
    fn replacements() {
        assert_eq!(
            replace("/?/", "/a/foo/b/c.txt", "/", false).unwrap(),
            "/foo/b/c.txt"
        );
        assert_eq!(
            replace("/?/", "/a/foo/b/c.txt", "/", true).unwrap(),
            "/foo/c.txt"
        );
        assert_eq!(replace("", "xxyy", "ww", false).unwrap(), "wwxxyy");
        assert_eq!(replace("*", "ab", "X", true).unwrap(), "X");
        assert_eq!(replace("b*", "abc", "X", true).unwrap(), "aX");
        assert_eq!(replace("", "ab", "X", true).unwrap(), "XaXbX");
        assert_eq!(replace("b", "abc", "<$0$$>", true).unwrap(), "a<b$>c");
        assert_eq!(replace("b", "abc", "$1${x}$.", true).unwrap(), "a$.c");
        assert_eq!(replace("b", "abc", "$0", false).unwrap(), "a$0c");
    }
}
