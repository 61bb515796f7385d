//! What the e2e runner reads from a build beyond its files and config: the cache hits of a
//! rebuild, secrets left in the image, and build-check warnings.

use mstage_tests::engine::case::RebuildDiffers;
use mstage_tests::engine::docker::Outcome;
use mstage_tests::engine::progress::{failed, steps};
pub use mstage_tests::engine::progress::{fully_cached, warning_lines};
use mstage_tests::engine::tree::{Kind, Tree};
use serde_json::Value;

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
}
