//! `INCLUDE` fragments read from disk, from the Dockerfile's directory.

use std::path::{Path, PathBuf};

use mstage_compiler::include::{BoxFuture, FragmentReader, Fragments};

/// Reads fragments below `dir` (the Dockerfile's directory). A path that resolves (through
/// a symlink) outside `dir` reads as missing, as the gateway's `dockerfile` local would not
/// send it.
pub struct DiskReader {
    pub dir: PathBuf,
}

impl DiskReader {
    fn read_one(&self, path: &str) -> Option<Vec<u8>> {
        let root = self.dir.canonicalize().ok()?;
        let file = root.join(Path::new(path)).canonicalize().ok()?;
        if !file.starts_with(&root) || !file.is_file() {
            return None;
        }
        std::fs::read(file).ok()
    }
}

impl FragmentReader for DiskReader {
    fn read<'a>(&'a self, paths: &'a [String]) -> BoxFuture<'a, Fragments> {
        let got = paths
            .iter()
            .filter_map(|p| Some((p.clone(), self.read_one(p)?)))
            .collect();
        Box::pin(std::future::ready(got))
    }
}

/// The fragments the Dockerfile at `path` includes, read from its directory.
pub fn read_fragments(path: &Path, dockerfile: &[u8], name: &str) -> Fragments {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let reader = DiskReader { dir };
    futures::executor::block_on(mstage_compiler::include::load_fragments(
        dockerfile, name, &reader,
    ))
}
