//! Bakes the git revision into `mstage --version` (and so into the image labels):
//! `git rev-parse HEAD` of this repository, else the `MSTAGE_REVISION` environment variable
//! (a build from a source tarball, or a Docker build whose context leaves out `.git`), else
//! `unknown`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let revision = git_revision(&workspace)
        .or_else(|| {
            std::env::var("MSTAGE_REVISION")
                .ok()
                .filter(|r| !r.trim().is_empty())
        })
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=MSTAGE_REVISION={}", revision.trim());
    println!("cargo:rerun-if-env-changed=MSTAGE_REVISION");
    println!("cargo:rerun-if-env-changed=GIT_DIR");
}

fn git(workspace: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(workspace)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// HEAD's commit, if the workspace is the top of a git work tree (a tarball unpacked inside
/// some other repository must not take that repository's revision).
fn git_revision(workspace: &Path) -> Option<String> {
    let top = PathBuf::from(git(workspace, &["rev-parse", "--show-toplevel"])?);
    if top.canonicalize().ok()? != workspace.canonicalize().ok()? {
        return None;
    }
    let head = git(workspace, &["rev-parse", "HEAD"])?;
    // Rebuild when HEAD moves: HEAD itself, the branch it names, and packed-refs.
    let git_dir = PathBuf::from(git(workspace, &["rev-parse", "--absolute-git-dir"])?);
    let common = git(workspace, &["rev-parse", "--git-common-dir"])
        .map(|c| git_dir.join(c))
        .unwrap_or_else(|| git_dir.clone());
    let mut watched = vec![git_dir.join("HEAD"), common.join("packed-refs")];
    if let Some(branch) = git(workspace, &["symbolic-ref", "-q", "HEAD"]) {
        watched.push(common.join(branch));
    }
    for path in watched.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    Some(head)
}
