//! Small helpers that reproduce Go standard-library behaviour the Go LLB
//! client relies on (`json.Marshal([]string)`, digests).

pub(crate) fn is_abs(p: &str) -> bool {
    p.starts_with('/')
}

/// `json.Marshal` of a string slice, byte-for-byte as Go writes it
/// (HTML-sensitive characters escaped, `\b`/`\f` short escapes as in Go ≥1.22).
pub(crate) fn go_json_strings(items: &[String]) -> String {
    let mut out = String::from("[");
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                }
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push(']');
    out
}

/// Appends `bytes` as lowercase hex.
pub(crate) fn push_hex(s: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
}

/// `sha256:<hex>` of `bytes`, the LLB vertex identity.
pub fn op_digest(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let sum = Sha256::digest(bytes);
    let mut out = String::with_capacity(7 + 2 * sum.len());
    out.push_str("sha256:");
    push_hex(&mut out, &sum);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_like_go() {
        let v = vec!["src/**".to_string(), "a<b>&\"c\"\n".to_string()];
        assert_eq!(
            go_json_strings(&v),
            r#"["src/**","a\u003cb\u003e\u0026\"c\"\n"]"#
        );
    }
}
