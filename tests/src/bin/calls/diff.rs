//! How differences are shown: the JSON fields that differ, or the lines.

use serde_json::Value;

use crate::normalise::parse_json;

/// How two stdouts (normalised) differ: the JSON fields when both are JSON and the values
/// differ, else the lines.
pub(crate) fn stdout_diff(a: &str, b: &str) -> String {
    let mut why = String::new();
    match (parse_json(a), parse_json(b)) {
        (Some(x), Some(y)) if x != y => {
            let mut paths = Vec::new();
            json_diff("", &x, &y, &mut paths);
            why.push_str("JSON fields (path: stock | mstage):\n");
            for p in paths.iter().take(30) {
                why.push_str(&format!("  {p}\n"));
            }
            if paths.len() > 30 {
                why.push_str(&format!("  ... {} more\n", paths.len() - 30));
            }
        }
        (Some(_), Some(_)) => {
            why.push_str("same JSON values, different text:\n");
            why.push_str(&line_diff(a, b));
        }
        _ => {
            why.push_str("stdout:\n");
            why.push_str(&line_diff(a, b));
        }
    }
    why
}

/// Paths where two JSON values differ, `path: stock | mstage`.
fn json_diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let p = format!("{path}.{k}");
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(w)) => json_diff(&p, u, w, out),
                    (u, w) => out.push(format!("{p}: {} | {}", short(u), short(w))),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (u, w)) in x.iter().zip(y).enumerate() {
                json_diff(&format!("{path}[{i}]"), u, w, out);
            }
        }
        _ if a != b => out.push(format!("{path}: {} | {}", short(Some(a)), short(Some(b)))),
        _ => {}
    }
}

/// A JSON value as printed, cut after 160 characters.
fn short(v: Option<&Value>) -> String {
    match v {
        None => "(absent)".into(),
        Some(v) => {
            let s = v.to_string();
            if s.chars().count() > 160 {
                format!("{}...", s.chars().take(160).collect::<String>())
            } else {
                s
            }
        }
    }
}

/// A line diff (longest common subsequence): `-` stock only, `+` mstage only, with at most
/// two lines of context.
pub(crate) fn line_diff(a: &str, b: &str) -> String {
    let x: Vec<&str> = a.lines().collect();
    let y: Vec<&str> = b.lines().collect();
    let (n, m) = (x.len(), y.len());
    if n * m > 4_000_000 {
        return format!("  (too long to diff: {n} and {m} lines)\n");
    }
    let ops = edit_script(&x, &y);
    let near = |k: usize| {
        let lo = k.saturating_sub(2);
        let hi = (k + 3).min(ops.len());
        ops[lo..hi].iter().any(|o| o.0 != ' ')
    };
    let mut out = String::new();
    let mut skipped = false;
    for (k, (c, l)) in ops.iter().enumerate() {
        if near(k) {
            if skipped {
                out.push_str("  ...\n");
                skipped = false;
            }
            let l: String = l.chars().take(200).collect();
            out.push_str(&format!("  {c} {l}\n"));
        } else {
            skipped = true;
        }
    }
    out
}

/// Every line of `x` and `y` in order, marked ` ` (in both), `-` (`x` only) or `+` (`y`
/// only), along their longest common subsequence.
fn edit_script<'a>(x: &[&'a str], y: &[&'a str]) -> Vec<(char, &'a str)> {
    let (n, m) = (x.len(), y.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if x[i] == y[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && x[i] == y[j] {
            ops.push((' ', x[i]));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            ops.push(('+', y[j]));
            j += 1;
        } else {
            ops.push(('-', x[i]));
            i += 1;
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_show_changed_lines() {
        let d = line_diff("a\nb\nc\n", "a\nx\nc\n");
        assert!(d.contains("- b") && d.contains("+ x"), "{d}");
    }
}
