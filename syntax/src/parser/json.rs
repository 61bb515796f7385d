//! The exec-form test of BuildKit's parser: Go's `json.Unmarshal` into `[]any`, then
//! "every element is a string". Written by hand so that validity, string unescaping and
//! the nesting limit match Go's decoder (serde_json differs on lone surrogates).

/// Go's `encoding/json` nesting limit; deeper input is a syntax error there.
const MAX_DEPTH: usize = 10000;

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum JsonArray {
    /// A valid JSON array of strings.
    Strings(Vec<String>),
    /// Valid JSON array with a non-string element.
    NotStrings,
    /// Not valid JSON (the caller falls back to shell form).
    Invalid,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Parses `text`, which the caller has checked starts with `[`.
pub(crate) fn parse_string_array(text: &str) -> JsonArray {
    match scan(text.as_bytes()) {
        Some((strings, true)) => JsonArray::Strings(strings),
        Some((_, false)) => JsonArray::NotStrings,
        None => JsonArray::Invalid,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Expect {
    Value,
    FirstInArray,
    FirstInObject,
    Key,
    AfterValue,
}

/// Validates the whole input; returns the top-level string elements and whether all
/// top-level elements were strings.
fn scan(b: &[u8]) -> Option<(Vec<String>, bool)> {
    let mut s = Scanner {
        b,
        i: 0,
        stack: Vec::new(),
        strings: Vec::new(),
        all_strings: true,
    };
    let mut st = Expect::Value;
    loop {
        s.skip_ws();
        st = match st {
            Expect::Value => s.value(false)?,
            Expect::FirstInArray => s.value(true)?,
            Expect::Key => s.key(false)?,
            Expect::FirstInObject => s.key(true)?,
            Expect::AfterValue if s.stack.is_empty() => {
                return (s.i == b.len()).then_some((s.strings, s.all_strings));
            }
            Expect::AfterValue => s.after_value()?,
        };
    }
}

/// The scan position and what has been collected so far; each step returns the next state,
/// or `None` for invalid JSON.
struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    /// The open `[` and `{`, innermost last.
    stack: Vec<u8>,
    strings: Vec<String>,
    all_strings: bool,
}

impl Scanner<'_> {
    fn skip_ws(&mut self) {
        while self.i < self.b.len() && is_ws(self.b[self.i]) {
            self.i += 1;
        }
    }

    /// A value, or the `]` of an empty array when `first_in_array`.
    fn value(&mut self, first_in_array: bool) -> Option<Expect> {
        let (b, i) = (self.b, self.i);
        let c = *b.get(i)?;
        if first_in_array && c == b']' {
            self.stack.pop();
            self.i += 1;
            return Some(Expect::AfterValue);
        }
        let top_level = self.stack.len() == 1;
        match c {
            b'[' | b'{' => {
                self.stack.push(c);
                if self.stack.len() > MAX_DEPTH {
                    return None;
                }
                self.i += 1;
                self.all_strings &= !top_level;
                return Some(if c == b'[' {
                    Expect::FirstInArray
                } else {
                    Expect::FirstInObject
                });
            }
            b'"' => {
                let (s, next) = string(b, i)?;
                if top_level {
                    self.strings.push(s);
                }
                self.i = next;
            }
            b't' | b'f' | b'n' => {
                let lit: &[u8] = match c {
                    b't' => b"true",
                    b'f' => b"false",
                    _ => b"null",
                };
                if !b[i..].starts_with(lit) {
                    return None;
                }
                self.i += lit.len();
                self.all_strings &= !top_level;
            }
            b'-' | b'0'..=b'9' => {
                self.i = number(b, i)?;
                self.all_strings &= !top_level;
            }
            _ => return None,
        }
        if self.stack.is_empty() {
            return None; // a top-level scalar: the caller wants an array
        }
        Some(Expect::AfterValue)
    }

    /// An object key and its colon, or the `}` of an empty object when `first_in_object`.
    fn key(&mut self, first_in_object: bool) -> Option<Expect> {
        let c = *self.b.get(self.i)?;
        if first_in_object && c == b'}' {
            self.stack.pop();
            self.i += 1;
            return Some(Expect::AfterValue);
        }
        if c != b'"' {
            return None;
        }
        self.i = string(self.b, self.i)?.1;
        self.skip_ws();
        if self.b.get(self.i) != Some(&b':') {
            return None;
        }
        self.i += 1;
        Some(Expect::Value)
    }

    /// A `,` or the closing bracket of the innermost open array or object.
    fn after_value(&mut self) -> Option<Expect> {
        let top = *self.stack.last()?;
        let c = *self.b.get(self.i)?;
        self.i += 1;
        Some(match (top, c) {
            (b'[', b',') => Expect::Value,
            (b'{', b',') => Expect::Key,
            (b'[', b']') | (b'{', b'}') => {
                self.stack.pop();
                Expect::AfterValue
            }
            _ => return None,
        })
    }
}

fn number(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |b: &[u8], mut i: usize| {
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        (i > s).then_some(i)
    };
    if b[i] == b'-' {
        i += 1;
    }
    match b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(b, i)?,
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        i = digits(b, i + 1)?;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(b, i)?;
    }
    Some(i)
}

fn hex4(b: &[u8]) -> Option<u32> {
    let h = b.get(..4)?;
    let s = std::str::from_utf8(h).ok()?;
    if !s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// A string starting at the quote at `i`: its value and the index after the closing quote.
fn string(b: &[u8], i: usize) -> Option<(String, usize)> {
    let mut out: Vec<u8> = Vec::new();
    let mut i = i + 1;
    loop {
        let c = *b.get(i)?;
        match c {
            b'"' => return Some((String::from_utf8_lossy(&out).into_owned(), i + 1)),
            0..=0x1f => return None,
            b'\\' => {
                let e = *b.get(i + 1)?;
                i += 2;
                let simple = match e {
                    b'"' => Some(b'"'),
                    b'\\' => Some(b'\\'),
                    b'/' => Some(b'/'),
                    b'b' => Some(0x08),
                    b'f' => Some(0x0c),
                    b'n' => Some(b'\n'),
                    b'r' => Some(b'\r'),
                    b't' => Some(b'\t'),
                    b'u' => None,
                    _ => return None,
                };
                if let Some(s) = simple {
                    out.push(s);
                    continue;
                }
                let r = hex4(&b[i..])?;
                i += 4;
                let mut ch = char::from_u32(r);
                if (0xd800..0xe000).contains(&r) {
                    // A surrogate: valid only as a high+low pair, else U+FFFD (as Go).
                    ch = Some('\u{fffd}');
                    if (0xd800..0xdc00).contains(&r) && b[i..].starts_with(b"\\u") {
                        if let Some(lo) = hex4(&b[i + 2..]).filter(|l| (0xdc00..0xe000).contains(l))
                        {
                            ch = char::from_u32(0x10000 + ((r - 0xd800) << 10) + (lo - 0xdc00));
                            i += 6;
                        }
                    }
                }
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.unwrap_or('\u{fffd}').encode_utf8(&mut buf).as_bytes());
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> JsonArray {
        JsonArray::Strings(v.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn go_json_arrays() {
        assert_eq!(
            parse_string_array(r#"["a", "b\/c\u0041"]"#),
            strings(&["a", "b/cA"])
        );
        assert_eq!(parse_string_array("[]"), strings(&[]));
        assert_eq!(parse_string_array("[ \"x\" ] \n"), strings(&["x"]));
        assert_eq!(parse_string_array(r#"["a", ["b"]]"#), JsonArray::NotStrings);
        assert_eq!(
            parse_string_array(r#"["a", 1, {"k": [true, null]}]"#),
            JsonArray::NotStrings
        );
        assert_eq!(parse_string_array(r#"["a",]"#), JsonArray::Invalid);
        assert_eq!(parse_string_array(r#"['a']"#), JsonArray::Invalid);
        assert_eq!(parse_string_array(r#"["a"] x"#), JsonArray::Invalid);
        assert_eq!(parse_string_array(r#"["a" "b"]"#), JsonArray::Invalid);
        assert_eq!(parse_string_array("[\"a\tb\"]"), JsonArray::Invalid);
        assert_eq!(parse_string_array("[01]"), JsonArray::Invalid);
        assert_eq!(parse_string_array("[-1.5e+3]"), JsonArray::NotStrings);
        assert_eq!(
            parse_string_array(r#"["\ud83d\ude00", "\ud800x", "\udc00"]"#),
            strings(&["😀", "\u{fffd}x", "\u{fffd}"])
        );
    }

    #[test]
    fn nesting_limit() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert_eq!(parse_string_array(&deep(MAX_DEPTH)), JsonArray::NotStrings);
        assert_eq!(parse_string_array(&deep(MAX_DEPTH + 1)), JsonArray::Invalid);
        assert_eq!(
            parse_string_array(&"[".repeat(1_000_000)),
            JsonArray::Invalid
        );
    }
}
