//! `.dockerignore` patterns: the first line of the input lists paths to match (separated by
//! `|`), the rest is the ignore file. Parse, compile the patterns, match the paths.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mstage_compiler::dockerignore::{self, IgnoreMatcher};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (paths, file) = text.split_once('\n').unwrap_or(("a/b|c", &text));
    let Ok(patterns) = dockerignore::parse(file) else {
        return;
    };
    let m = IgnoreMatcher::new(&patterns);
    let _ = (m.is_empty(), m.has_exclusions(), m.excludes_root());
    for p in paths
        .split('|')
        .take(16)
        .chain(["Dockerfile", "a/b/c", ".dockerignore"])
    {
        let _ = m.matches_or_parent_matches(p);
    }
});
