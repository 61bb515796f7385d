//! Go-compatible formatting and paths: `%q`, durations, `path.Clean`/`Join`,
//! BuildKit's `NormalizePath`, RFC 3339 times, cross-platform prefixes.

use std::borrow::Cow;

/// Go's `%q` for one string: fmt's `%q` is `strconv.Quote`, which escapes every rune that is
/// not `IsPrint` (U+00A0 and U+FEFF too), as BuildKit's CMD/ENTRYPOINT history does.
pub use mstage_syntax::golang::quote as go_quote;

/// Go's `%q` for a `[]string`: `["a" "b"]`.
pub(super) fn go_quote_list(v: &[String]) -> String {
    let parts: Vec<String> = v.iter().map(|s| go_quote(s)).collect();
    format!("[{}]", parts.join(" "))
}

/// Go's `%v` for a `[]string`: `[a b]`.
pub(super) fn go_list(v: &[String]) -> String {
    format!("[{}]", v.join(" "))
}

/// Go's `time.Duration` `String()`.
pub(super) fn go_duration(ns: i64) -> String {
    if ns == 0 {
        return "0s".into();
    }
    let neg = ns < 0;
    let u = ns.unsigned_abs();
    let mut s = if u < 1_000 {
        format!("{u}ns")
    } else if u < 1_000_000 {
        trim_frac(u as f64 / 1e3, "µs")
    } else if u < 1_000_000_000 {
        trim_frac(u as f64 / 1e6, "ms")
    } else {
        let total_s = u / 1_000_000_000;
        let frac = u % 1_000_000_000;
        let h = total_s / 3600;
        let m = (total_s % 3600) / 60;
        let sec = total_s % 60;
        let mut secs = format!("{sec}");
        if frac > 0 {
            let f = format!("{frac:09}");
            secs.push('.');
            secs.push_str(f.trim_end_matches('0'));
        }
        if h > 0 {
            format!("{h}h{m}m{secs}s")
        } else if m > 0 {
            format!("{m}m{secs}s")
        } else {
            format!("{secs}s")
        }
    };
    if neg {
        s.insert(0, '-');
    }
    s
}

pub(super) fn trim_frac(v: f64, unit: &str) -> String {
    let s = format!("{v:.9}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}{unit}")
}

/// `uppercaseCmd`: upper-cases the first word (in place when it is ASCII).
pub(super) fn uppercase_cmd(mut s: String) -> String {
    let first_len = s.find(' ').unwrap_or(s.len());
    if s[..first_len].is_ascii() {
        s[..first_len].make_ascii_uppercase();
        return s;
    }
    let mut out: String = s[..first_len]
        .chars()
        .flat_map(char::to_uppercase)
        .collect();
    out.push_str(&s[first_len..]);
    out
}

pub use llb_gen::gopath::{clean as clean_path, join as join_path};

/// BuildKit's `system.NormalizePath` for Linux.
///
/// An absolute path is kept as written (not cleaned); a relative one is joined to `parent`
/// (and so cleaned); an empty one is `parent`.
pub(super) fn normalize_path(parent: &str, new_path: &str, keep_slash: bool) -> String {
    let parent = if parent.is_empty() {
        Cow::Borrowed("/")
    } else if !parent.starts_with('/') {
        Cow::Owned(join_path(&["/", parent]))
    } else {
        Cow::Borrowed(parent)
    };
    // `parent` is absolute now, so only a relative `new_path` is joined to it.
    let mut p = if new_path.is_empty() {
        parent.into_owned()
    } else if new_path.starts_with('/') {
        new_path.to_string()
    } else {
        join_path(&[&parent, new_path])
    };
    if keep_slash {
        if new_path.ends_with('/') && !p.ends_with('/') {
            p.push('/');
        } else if new_path.ends_with("/.") {
            if p != "/" {
                p.push('/');
            }
            p.push('.');
        }
    }
    p
}

/// `pathRelativeToWorkingDir`.
pub(super) fn path_relative_to_workdir(dir: &str, p: &str) -> String {
    if p.starts_with('/') {
        return normalize_path("/", p, true);
    }
    let p = if p == "." || p.is_empty() { "./" } else { p };
    normalize_path(dir, p, true)
}

pub(super) fn format_epoch(secs: i64) -> String {
    // RFC 3339 in UTC, as Go's time.Time JSON for a Unix time.
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (h, m, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    // civil-from-days (Howard Hinnant)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if mo <= 2 { y + 1 } else { y };
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{m:02}:{s:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `fmt.Sprintf("CMD %q", args)` in BuildKit's dispatcher: non-printable runes escaped.
    #[test]
    fn quote_list_escapes_what_go_cannot_print() {
        let args = [
            "a\u{a0}b".to_string(),
            "\u{feff}x".to_string(),
            "é ♥".to_string(),
        ];
        assert_eq!(go_quote_list(&args), r#"["a\u00a0b" "\ufeffx" "é ♥"]"#);
    }
}
