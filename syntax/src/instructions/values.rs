//! Small value grammars BuildKit borrows from Go libraries: CSV records (`encoding/csv`
//! rules), Go durations, RAM sizes (`docker/go-units`), `strconv` booleans and unsigned
//! integers, file modes for `--chmod`.

use std::time::Duration;

use super::errors::ErrorKind;

/// Splits one CSV record into fields (`,` separated, `"quoted"` fields, `""` for a quote
/// inside quotes). Strict like Go's `encoding/csv`: a quote in an unquoted field or text
/// after a closing quote is an error.
pub(crate) fn csv_fields(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    let mut col = 0usize;
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            col += 1;
            loop {
                match chars.next() {
                    None => {
                        return Err(format!(
                            "extraneous or missing \" in quoted-field (column {col})"
                        ))
                    }
                    Some('"') => {
                        col += 1;
                        match chars.peek() {
                            Some('"') => {
                                chars.next();
                                col += 1;
                                field.push('"');
                            }
                            Some(',') | None => break,
                            Some(_) => {
                                return Err(format!(
                                    "extraneous or missing \" in quoted-field (column {col})"
                                ))
                            }
                        }
                    }
                    Some(c) => {
                        col += 1;
                        field.push(c);
                    }
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                if c == '"' {
                    return Err(format!("bare \" in non-quoted-field (column {})", col + 1));
                }
                field.push(c);
                chars.next();
                col += 1;
            }
        }
        out.push(field);
        match chars.next() {
            Some(',') => col += 1,
            None => return Ok(out),
            Some(_) => unreachable!("fields end at a comma or the end"),
        }
    }
}

/// Go's `strconv.ParseBool`.
pub(crate) fn go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `strconv.ParseUint(s, radix, 32)`: digits only, no sign, no prefix.
pub(crate) fn go_u32(s: &str, radix: u32) -> Option<u32> {
    if s.is_empty() || !s.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u32::from_str_radix(s, radix).ok()
}

/// Go's `time.ParseDuration`, in nanoseconds. The error text is Go's, minus the `time:` prefix.
pub(crate) fn go_duration(orig: &str) -> Result<i64, String> {
    let invalid = || format!("invalid duration \"{orig}\"");
    let mut s = orig;
    let mut neg = false;
    if let Some(rest) = s.strip_prefix('-') {
        neg = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    while !s.is_empty() {
        let b = s.as_bytes();
        if !(b[0] == b'.' || b[0].is_ascii_digit()) {
            return Err(invalid());
        }
        let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let int_part = &s[..int_len];
        s = &s[int_len..];
        let mut frac_part = "";
        if let Some(rest) = s.strip_prefix('.') {
            let n = rest.bytes().take_while(|c| c.is_ascii_digit()).count();
            frac_part = &rest[..n];
            s = &rest[n..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(invalid());
        }
        let unit_len = s
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map(|(i, _)| i)
            .unwrap_or(s.len());
        let unit = &s[..unit_len];
        s = &s[unit_len..];
        let scale: u128 = match unit {
            "" => return Err(format!("missing unit in duration \"{orig}\"")),
            "ns" => 1,
            "us" | "\u{00b5}s" | "\u{03bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return Err(format!("unknown unit \"{unit}\" in duration \"{orig}\"")),
        };
        let int: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| invalid())?
        };
        let mut v = int.checked_mul(scale).ok_or_else(invalid)?;
        // Fraction digits beyond nanosecond precision are dropped, as Go does.
        let mut f = scale;
        for d in frac_part.bytes() {
            f /= 10;
            if f == 0 {
                break;
            }
            v += u128::from(d - b'0') * f;
        }
        total = total.checked_add(v).ok_or_else(invalid)?;
        if total > i64::MAX as u128 + u128::from(neg) {
            return Err(invalid());
        }
    }
    let total = total as i128;
    Ok((if neg { -total } else { total }) as i64)
}

/// Healthcheck durations: Go syntax, zero means "use the default", otherwise at least 1ms.
pub(crate) fn health_duration(flag: &str, s: &str) -> Result<Duration, ErrorKind> {
    let ns = go_duration(s).map_err(|reason| ErrorKind::BadDuration {
        flag: format!("--{flag}"),
        reason,
    })?;
    if ns == 0 {
        return Ok(Duration::ZERO);
    }
    if ns < 1_000_000 {
        return Err(ErrorKind::DurationTooShort {
            flag: flag.to_string(),
            value: s.to_string(),
        });
    }
    Ok(Duration::from_nanos(ns as u64))
}

/// `docker/go-units` `RAMInBytes`: `512`, `64m`, `1.5GiB`, `2 kb`; multiples of 1024.
pub(crate) fn ram_in_bytes(s: &str) -> Option<i64> {
    let num_len = {
        let b = s.as_bytes();
        let mut i = b.iter().take_while(|c| c.is_ascii_digit()).count();
        if i == 0 {
            return None;
        }
        while i < b.len() && b[i] == b'.' {
            let n = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            i += 1 + n;
        }
        i
    };
    let (num, mut rest) = s.split_at(num_len);
    // go-units allows "1.2.3" through its regexp and then fails ParseFloat; so do we.
    let value: f64 = num.parse().ok()?;
    rest = rest.strip_prefix(' ').unwrap_or(rest);
    let mut chars = rest.chars().peekable();
    let mul: f64 = match chars.peek().map(|c| c.to_ascii_lowercase()) {
        Some('k') => 1024f64,
        Some('m') => 1024f64.powi(2),
        Some('g') => 1024f64.powi(3),
        Some('t') => 1024f64.powi(4),
        Some('p') => 1024f64.powi(5),
        _ => 1.0,
    };
    if mul != 1.0 {
        chars.next();
    }
    if matches!(chars.peek(), Some('i' | 'I')) {
        chars.next();
    }
    if matches!(chars.peek(), Some('b' | 'B')) {
        chars.next();
    }
    if chars.next().is_some() {
        return None;
    }
    Some((value * mul) as i64)
}

/// A `--chmod` value after expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chmod {
    /// `--chmod=755`: permission bits (at most 0o7777).
    Octal(u32),
    /// `--chmod=u+x,go-w`: applied relative to each file's mode (needs BuildKit's
    /// `file.copy.chmod.symbolic`-style support in the copy action).
    Symbolic(String),
}

/// Parses a `--chmod` value the way BuildKit does: octal first, then chmod(1)
/// symbolic modes (`[ugoa]*[+-=][rwxXstugo]*`, clauses joined with `,`).
pub fn parse_chmod(value: &str) -> Result<Chmod, ErrorKind> {
    let err = || ErrorKind::InvalidChmod {
        value: value.to_string(),
    };
    if let Some(v) = go_u32(value, 8) {
        return if v > 0o7777 {
            Err(err())
        } else {
            Ok(Chmod::Octal(v))
        };
    }
    if value.is_empty() || value.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(err());
    }
    for clause in value.split(',') {
        let rest = clause.trim_start_matches(['u', 'g', 'o', 'a']);
        if rest.is_empty() {
            return Err(err());
        }
        let mut chars = rest.chars().peekable();
        while let Some(op) = chars.next() {
            if !matches!(op, '+' | '-' | '=') {
                return Err(err());
            }
            while let Some(&c) = chars.peek() {
                if matches!(c, 'r' | 'w' | 'x' | 'X' | 's' | 't' | 'u' | 'g' | 'o') {
                    chars.next();
                } else {
                    break;
                }
            }
        }
    }
    Ok(Chmod::Symbolic(value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_like_go() {
        assert_eq!(csv_fields("a=1,b=2").unwrap(), vec!["a=1", "b=2"]);
        assert_eq!(csv_fields("\"a=1,2\",b").unwrap(), vec!["a=1,2", "b"]);
        assert_eq!(csv_fields("\"x\"\"y\"").unwrap(), vec!["x\"y"]);
        assert_eq!(csv_fields("").unwrap(), vec![""]);
        assert_eq!(csv_fields("a,").unwrap(), vec!["a", ""]);
        assert!(csv_fields("a\"b").is_err());
        assert!(csv_fields("\"ab").is_err());
        assert!(csv_fields("\"a\"b").is_err());
    }

    #[test]
    fn go_durations() {
        assert_eq!(go_duration("30s"), Ok(30_000_000_000));
        assert_eq!(go_duration("1m30s"), Ok(90_000_000_000));
        assert_eq!(go_duration("1.5h"), Ok(5_400_000_000_000));
        assert_eq!(go_duration(".5s"), Ok(500_000_000));
        assert_eq!(go_duration("0"), Ok(0));
        assert_eq!(go_duration("-1s"), Ok(-1_000_000_000));
        assert_eq!(go_duration("10µs"), Ok(10_000));
        assert_eq!(
            go_duration("5"),
            Err("missing unit in duration \"5\"".into())
        );
        assert_eq!(
            go_duration("5d"),
            Err("unknown unit \"d\" in duration \"5d\"".into())
        );
        assert_eq!(go_duration(""), Err("invalid duration \"\"".into()));
        assert_eq!(go_duration("s"), Err("invalid duration \"s\"".into()));
        assert!(go_duration("99999999999999h").is_err());
    }

    #[test]
    fn healthcheck_minimum() {
        assert_eq!(health_duration("interval", "0s"), Ok(Duration::ZERO));
        assert_eq!(
            health_duration("interval", "1ms"),
            Ok(Duration::from_millis(1))
        );
        assert!(health_duration("interval", "999us").is_err());
        assert!(health_duration("interval", "-5s").is_err());
    }

    #[test]
    fn ram_sizes() {
        assert_eq!(ram_in_bytes("512"), Some(512));
        assert_eq!(ram_in_bytes("64m"), Some(64 << 20));
        assert_eq!(ram_in_bytes("1GiB"), Some(1 << 30));
        assert_eq!(ram_in_bytes("1.5k"), Some(1536));
        assert_eq!(ram_in_bytes("2 kb"), Some(2048));
        assert_eq!(ram_in_bytes("lots"), None);
        assert_eq!(ram_in_bytes("5x"), None);
        assert_eq!(ram_in_bytes(""), None);
    }

    #[test]
    fn chmod_octal_and_symbolic() {
        assert_eq!(parse_chmod("755"), Ok(Chmod::Octal(0o755)));
        assert_eq!(parse_chmod("0644"), Ok(Chmod::Octal(0o644)));
        assert_eq!(parse_chmod("7777"), Ok(Chmod::Octal(0o7777)));
        assert!(parse_chmod("17777").is_err());
        assert!(parse_chmod("999").is_err());
        assert_eq!(
            parse_chmod("u+x,go-w"),
            Ok(Chmod::Symbolic("u+x,go-w".into()))
        );
        assert!(parse_chmod("a=rwX").is_ok());
        assert!(parse_chmod("+x").is_ok());
        assert!(parse_chmod("u+q").is_err());
        assert!(parse_chmod("u").is_err());
        assert!(parse_chmod("").is_err());
        assert!(parse_chmod("rwx").is_err());
    }

    #[test]
    fn go_uint_and_bool() {
        assert_eq!(go_u32("0755", 8), Some(0o755));
        assert_eq!(go_u32("8", 8), None);
        assert_eq!(go_u32("+1", 10), None);
        assert_eq!(go_u32("4294967296", 10), None);
        assert_eq!(go_bool("T"), Some(true));
        assert_eq!(go_bool("yes"), None);
    }
}
