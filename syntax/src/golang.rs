//! Behaviours of Go's standard library that BuildKit's parser and lexer inherit and that
//! show up in their output: `unicode.IsSpace/IsLetter/IsDigit`, `strconv.Quote`.

use std::sync::OnceLock;

use regex_syntax::hir::{Class, HirKind};

/// Sorted, non-overlapping inclusive ranges of a Unicode class.
struct Ranges(Vec<(char, char)>);

impl Ranges {
    /// Ranges of a class written in regex syntax, e.g. `\p{L}`.
    fn of(class: &str) -> Ranges {
        let hir = regex_syntax::Parser::new()
            .parse(class)
            .expect("static class expression");
        match hir.into_kind() {
            HirKind::Class(Class::Unicode(c)) => {
                Ranges(c.ranges().iter().map(|r| (r.start(), r.end())).collect())
            }
            _ => unreachable!("static class expression is a Unicode class"),
        }
    }

    fn contains(&self, ch: char) -> bool {
        self.0
            .binary_search_by(|&(lo, hi)| {
                if hi < ch {
                    std::cmp::Ordering::Less
                } else if lo > ch {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    }
}

fn letters() -> &'static Ranges {
    static R: OnceLock<Ranges> = OnceLock::new();
    R.get_or_init(|| Ranges::of(r"\p{L}"))
}

fn decimal_digits() -> &'static Ranges {
    static R: OnceLock<Ranges> = OnceLock::new();
    R.get_or_init(|| Ranges::of(r"\p{Nd}"))
}

fn graphic() -> &'static Ranges {
    static R: OnceLock<Ranges> = OnceLock::new();
    R.get_or_init(|| Ranges::of(r"[\p{L}\p{M}\p{N}\p{P}\p{S}]"))
}

/// Go `unicode.IsSpace` (same set as Rust's `char::is_whitespace`).
pub fn is_space(ch: char) -> bool {
    ch.is_whitespace()
}

/// Go `unicode.IsSpace` applied to a single byte widened to a rune, as Go code does when
/// it indexes a string byte by byte (`rune(s[i])`): 0x85 and 0xA0 count as space.
pub fn is_space_byte(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0)
}

/// Go `unicode.IsLetter` (general category L).
pub fn is_letter(ch: char) -> bool {
    if ch.is_ascii() {
        return ch.is_ascii_alphabetic();
    }
    letters().contains(ch)
}

/// Go `unicode.IsDigit` (general category Nd).
pub fn is_digit(ch: char) -> bool {
    if ch.is_ascii() {
        return ch.is_ascii_digit();
    }
    decimal_digits().contains(ch)
}

/// Go `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and ASCII space.
pub fn is_print(ch: char) -> bool {
    if ch.is_ascii() {
        return (' '..='~').contains(&ch);
    }
    graphic().contains(ch)
}

/// Go `strconv.Quote`: a double-quoted string literal with Go escapes.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if is_print(c) => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_matches_go() {
        assert_eq!(quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quote("\u{0}\t\u{7f}"), r#""\x00\t\x7f""#);
        assert_eq!(quote("♥ 한"), "\"♥ 한\"");
        assert_eq!(quote("\u{e0000}"), r#""\U000e0000""#);
    }

    /// Go's `unicode.IsPrint` takes categories L, M, N, P, S and the ASCII space only: the
    /// no-break space (Zs) and the byte-order mark (Cf) are escaped, as is the ideographic
    /// space (Zs, graphic but not printable).
    #[test]
    fn quote_escapes_the_no_break_space_and_the_byte_order_mark() {
        assert!(!is_print('\u{a0}') && !is_print('\u{feff}') && !is_print('\u{3000}'));
        assert_eq!(quote("\u{a0}"), r#""\u00a0""#);
        assert_eq!(quote("\u{feff}"), r#""\ufeff""#);
        assert_eq!(
            quote("a\u{a0}b\u{feff}c\u{3000}"),
            r#""a\u00a0b\ufeffc\u3000""#
        );
    }

    #[test]
    fn classes() {
        assert!(is_letter('한') && !is_letter('1') && !is_letter('\u{0903}'));
        assert!(is_digit('٣') && !is_digit('²'));
        assert!(is_space('\u{a0}') && is_space('\u{3000}') && !is_space('\u{200b}'));
    }
}
