//! The shared conformance data, `../shared/conformance` beside the repository (BuildKit's
//! test data, the real-world corpus, the LLB goldens), which a clone of the repository alone
//! does not have. A test that needs it starts with
//!
//!   let Some(root) = conformance::dir("llb_golden") else { return };
//!
//! and, where the data is missing, passes having said, once per suite, that it skipped.
//!
//! Only std, so that the tests of the crates below this one (proto, llb-gen, the frontend)
//! include this file with `#[path]` instead of depending on this crate. Every workspace
//! member is a folder of the repository root, so `CARGO_MANIFEST_DIR/../../shared` is the
//! same folder from each of them.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Names a file to which each skipping suite appends its name (scripts/test.sh sets it and
/// lists the skipped suites at the end: nextest shows nothing of passing tests).
const SKIPPED_LIST: &str = "MSTAGE_SKIPPED_CONFORMANCE";

/// `../shared/conformance`, or `None` when it is missing: then the line
/// `skipped: ../shared/conformance not found (SUITE)` has been printed (once per suite and
/// process) and, with `MSTAGE_SKIPPED_CONFORMANCE` set, SUITE appended to that file.
pub fn dir(suite: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance");
    if dir.is_dir() {
        return Some(dir);
    }
    skipped(suite);
    None
}

fn skipped(suite: &str) {
    static SAID: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    let first = SAID
        .lock()
        .map_or(true, |mut said| said.insert(suite.to_string()));
    if !first {
        return;
    }
    // To the stderr stream itself: the test harness keeps what `eprintln!` prints in a
    // passing test to itself.
    let _ = writeln!(
        std::io::stderr(),
        "skipped: ../shared/conformance not found ({suite})"
    );
    if let Some(list) = std::env::var_os(SKIPPED_LIST) {
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(list)
        {
            let _ = writeln!(f, "{suite}");
        }
    }
}
