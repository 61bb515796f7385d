//! What the e2e runner reads from a build beyond its files and config: the cache hits of a
//! rebuild, secrets left in the image, and build-check warnings.

use std::collections::{BTreeMap, BTreeSet};

use mstage_tests::engine::case::RebuildDiffers;
use mstage_tests::engine::check;
use mstage_tests::engine::docker::Outcome;
use mstage_tests::engine::tree::{Kind, Tree};
use serde_json::Value;

/// The build steps of a plain-progress log (not the frontend's own bookkeeping), each with
/// whether it was served from cache.
fn steps(log: &str) -> Vec<(String, bool)> {
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

fn failed(out: &Outcome, what: &str) -> Option<Vec<String>> {
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

/// A second build against the first (`first`): the files `spec` lists differ, and the steps
/// it names were served from cache.
pub fn rebuild_differs(
    spec: &RebuildDiffers,
    first: &Tree,
    out: &Outcome,
    again: Option<&Tree>,
) -> Vec<String> {
    if let Some(r) = failed(out, "second build") {
        return r;
    }
    let Some(again) = again else {
        return vec!["second build exported nothing".into()];
    };
    let mut reasons = Vec::new();
    for f in &spec.files {
        match (first.read(f), again.read(f)) {
            (Ok(a), Ok(b)) if a == b => reasons.push(format!(
                "/{f} is the same in both builds: {:?}",
                String::from_utf8_lossy(a).trim_end()
            )),
            (Ok(_), Ok(_)) => {}
            (a, b) => reasons.push(format!(
                "/{f} missing: first build {}, second build {}",
                a.is_ok(),
                b.is_ok()
            )),
        }
    }
    let steps = steps(&out.log);
    for want in &spec.cached {
        let named: Vec<&(String, bool)> = steps
            .iter()
            .filter(|(n, _)| n.contains(want.as_str()))
            .collect();
        if named.is_empty() {
            reasons.push(format!("second build shows no step named {want:?}"));
        }
        for (n, _) in named.into_iter().filter(|(_, cached)| !cached) {
            reasons.push(format!("second build did not take from cache: {n}"));
        }
    }
    reasons
}

/// Progress entries that are not build steps.
fn is_bookkeeping(name: &str) -> bool {
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

/// Where `needle` shows up in the image: file contents, config and history.
pub fn find_string(tree: &Tree, config: &Value, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (path, entry) in tree.entries() {
        if let Kind::File(data) = &entry.kind {
            if data
                .windows(needle.len().max(1))
                .any(|w| w == needle.as_bytes())
            {
                found.push(format!("/{path} contains the secret value"));
            }
        }
    }
    if config.to_string().contains(needle) {
        found.push("the image config or history contains the secret value".into());
    }
    found
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

/// The rules `wanted` that the build did not warn about.
pub fn missing_warnings(wanted: &[String], got: &[String]) -> Vec<String> {
    wanted
        .iter()
        .filter(|rule| !got.iter().any(|w| w.starts_with(&format!("{rule}:"))))
        .map(|rule| format!("no {rule} warning (warnings: {got:?})"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_are_read_from_buildx_output() {
        let log = "#9 DONE 0.1s\n\n \u{1b}[33m2 warnings found (use docker --debug to expand):\n\u{1b}[0m - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 2)\n - StageNameCasing: Stage name 'Build' should be lowercase (line 2)\n";
        let got = warning_lines(log);
        assert_eq!(got.len(), 2);
        assert!(missing_warnings(&["FromAsCasing".into()], &got).is_empty());
        assert_eq!(
            missing_warnings(&["JSONArgsRecommended".into()], &got).len(),
            1
        );
    }

    #[test]
    fn buildx_preamble_is_not_a_build_step() {
        assert!(is_bookkeeping(
            "building with \"default\" instance using docker driver"
        ));
        assert!(!is_bookkeeping("[2/2] RUN true"));
    }
}
