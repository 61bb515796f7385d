//! What a `--progress=plain` build log says: its build steps and which were served from cache,
//! and the build-check warnings buildx lists after the build.

use std::collections::{BTreeMap, BTreeSet};

use super::check;
use super::docker::Outcome;

/// The build steps of a plain-progress log (not the frontend's own bookkeeping), each with
/// whether it was served from cache.
pub fn steps(log: &str) -> Vec<(String, bool)> {
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut cached = BTreeSet::new();
    for line in log.lines() {
        let Some(rest) = line.strip_prefix('#') else {
            continue;
        };
        let Some((id, text)) = rest.split_once(' ') else {
            continue;
        };
        if text == "CACHED" {
            cached.insert(id.to_string());
        } else if !names.contains_key(id) && !text.starts_with("sha256:") {
            names.insert(id.to_string(), text.to_string());
        }
    }
    names
        .into_iter()
        .filter(|(_, n)| !is_bookkeeping(n))
        .map(|(id, n)| (n, cached.contains(&id)))
        .collect()
}

/// The reasons for a build that failed (`None` when it succeeded).
pub fn failed(out: &Outcome, what: &str) -> Option<Vec<String>> {
    (!out.success).then(|| {
        vec![format!(
            "{what} failed: {}",
            check::shorten(&out.error_text())
        )]
    })
}

/// Every build step of the log was served from cache.
pub fn fully_cached(out: &Outcome) -> Vec<String> {
    if let Some(r) = failed(out, "rebuild") {
        return r;
    }
    let steps = steps(&out.log);
    if steps.is_empty() {
        return vec!["rebuild log shows no build steps to check for caching".into()];
    }
    steps
        .into_iter()
        .filter(|(_, cached)| !cached)
        .map(|(n, _)| format!("rebuild not cached: {n}"))
        .collect()
}

/// Progress entries that are not build steps.
pub fn is_bookkeeping(name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "[internal]",
        "resolve image config",
        "load metadata",
        "docker-image://",
        "exporting",
        "naming",
        // buildx's `#0 building with "default" instance using docker driver`
        "building with",
    ];
    // An image source is never reported CACHED, only DONE; it runs nothing.
    PREFIXES.iter().any(|p| name.starts_with(p)) || name.contains("] FROM ")
}

/// The build-check warnings buildx prints after a build: ` - Rule: message (line N)`.
pub fn warning_lines(log: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_list = false;
    for line in log.lines().map(strip_ansi) {
        let line = line.as_str();
        if line.contains("warning found") || line.contains("warnings found") {
            in_list = true;
        } else if in_list {
            match line.strip_prefix(" - ") {
                Some(w) => lines.push(w.trim().to_string()),
                None if line.trim().is_empty() => {}
                None => in_list = false,
            }
        }
    }
    lines.sort();
    lines
}

/// buildx colours the warning list even into a pipe.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ESC [ parameters final-byte
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buildx_preamble_is_not_a_build_step() {
        assert!(is_bookkeeping(
            "building with \"default\" instance using docker driver"
        ));
        assert!(!is_bookkeeping("[2/2] RUN true"));
    }
}
