//! `INCLUDE` fragments (an mstage extension): fetching them before the compile, and the
//! loader the parser splices them with.
//!
//! The compile itself stays free of I/O: the frontend fetches every fragment a Dockerfile
//! needs ([`load_fragments`], with a [`FragmentReader`] for the disk or the gateway) into
//! [`BuildRequest::fragments`](crate::lower::BuildRequest::fragments); the compile splices
//! them from there. Fetching is best effort: a fragment that cannot be read is left out and
//! the splice reports it, naming the INCLUDE line.

use std::collections::{BTreeMap, BTreeSet};

use mstage_syntax::parser::{include_paths, parse, FileId, IncludeLoader};

/// A boxed future, as [`crate::lower::BoxFuture`] (spelled out so that this module does not
/// import `lower`, which imports it).
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// Fragments by path relative to the Dockerfile's directory. A fragment's [`FileId`] is
/// its position in this (sorted) map plus one, so the compile and the frontend agree on it
/// without passing a table around.
pub type Fragments = BTreeMap<String, Vec<u8>>;

/// Fragment files are at most this many, and nested at most this deep (runaway guards).
const MAX_FRAGMENTS: usize = 256;
const MAX_DEPTH: usize = 64;

/// Reads fragment files from the Dockerfile's directory.
pub trait FragmentReader: Sync {
    /// The files of `paths` (relative to the Dockerfile's directory) that exist; the others
    /// are left out.
    fn read<'a>(&'a self, paths: &'a [String]) -> BoxFuture<'a, Fragments>;
}

/// Every fragment the Dockerfile `dockerfile` (named `name`) includes, directly or
/// through other fragments, read in one batch per nesting level. A Dockerfile without
/// INCLUDE reads nothing.
pub async fn load_fragments(
    dockerfile: &[u8],
    name: &str,
    reader: &dyn FragmentReader,
) -> Fragments {
    let mut loaded = Fragments::new();
    // Most Dockerfiles never say INCLUDE: spare them a second parse.
    let mentions = dockerfile
        .windows(7)
        .any(|w| w.eq_ignore_ascii_case(b"include"));
    if !mentions {
        return loaded;
    }
    let Ok(df) = parse(dockerfile) else {
        return loaded;
    };
    if !df.has_include() {
        return loaded;
    }
    let main = name.rsplit('/').next().unwrap_or(name).to_string();
    let mut tried: BTreeSet<String> = BTreeSet::from([main.clone()]);
    let mut wanted = include_paths(&df, &main);
    for _ in 0..MAX_DEPTH {
        wanted.retain(|p| tried.insert(p.clone()));
        wanted.truncate(MAX_FRAGMENTS.saturating_sub(tried.len()));
        if wanted.is_empty() {
            break;
        }
        let got = reader.read(&wanted).await;
        let mut next = Vec::new();
        for (path, bytes) in got {
            if let Ok(df) = parse(&bytes) {
                next.extend(include_paths(&df, &path));
            }
            loaded.insert(path, bytes);
        }
        wanted = next;
    }
    loaded
}

/// The loader the splice reads [`Fragments`] through.
pub struct FragmentLoader<'a>(pub &'a Fragments);

impl IncludeLoader for FragmentLoader<'_> {
    fn load(&self, path: &str) -> Option<(FileId, &[u8])> {
        let (i, (_, bytes)) = self.0.iter().enumerate().find(|(_, (p, _))| *p == path)?;
        Some((fragment_id(i), bytes.as_slice()))
    }
}

/// The id of the `i`-th fragment of a [`Fragments`] map.
pub fn fragment_id(i: usize) -> FileId {
    FileId(u32::try_from(i + 1).unwrap_or(u32::MAX))
}

/// A fragment's name as users see it: relative to the directory the Dockerfile's own name
/// is relative to (`sub/Dockerfile` including `common.Dockerfile` -> `sub/common.Dockerfile`).
pub fn display_name(dockerfile_name: &str, path: &str) -> String {
    match dockerfile_name.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{path}"),
        None => path.to_string(),
    }
}
