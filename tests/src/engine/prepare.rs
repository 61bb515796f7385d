//! Builds a case's context on disk as the upstream test creates it: a writable copy of
//! `context/` with the modes from `context_modes` (git keeps only the executable bit), empty
//! directories, symlinks and unix sockets restored.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;

use anyhow::{bail, Context};

/// Copies `src` into `dst` (created), keeping symlinks as symlinks.
pub fn copy_tree(src: &Path, dst: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(dst).with_context(|| format!("creating {}", dst.display()))?;
    for entry in fs::read_dir(src).with_context(|| format!("listing {}", src.display()))? {
        let entry = entry?;
        let from = entry.path();
        let to = dst.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            symlink(fs::read_link(&from)?, &to)?;
        } else if kind.is_dir() {
            copy_tree(&from, &to)?;
            fs::set_permissions(&to, fs::Permissions::from_mode(0o755))?;
        } else {
            fs::copy(&from, &to).with_context(|| format!("copying {}", from.display()))?;
            // The checkout is read-only; keep only the executable bit from it.
            let exec = fs::metadata(&from)?.permissions().mode() & 0o111 != 0;
            fs::set_permissions(
                &to,
                fs::Permissions::from_mode(if exec { 0o755 } else { 0o644 }),
            )?;
        }
    }
    Ok(())
}

/// What one `context_modes` value asks for.
#[derive(Debug, PartialEq, Eq)]
enum ModeSpec {
    Mode(u32),
    Symlink(String),
}

fn parse_mode(value: &str) -> anyhow::Result<ModeSpec> {
    if let Some(target) = value.strip_prefix("symlink -> ") {
        return Ok(ModeSpec::Symlink(target.to_string()));
    }
    u32::from_str_radix(value, 8)
        .map(ModeSpec::Mode)
        .with_context(|| format!("context mode {value:?} is neither octal nor `symlink -> target`"))
}

/// Applies `context_modes` under `root`: missing paths become directories (git drops empty
/// ones), symlinks are (re)created, modes set children first so a read-only directory
/// doesn't stop us.
pub fn apply_modes(root: &Path, modes: &BTreeMap<String, String>) -> anyhow::Result<()> {
    let mut chmods = Vec::new();
    for (rel, value) in modes {
        let path = root.join(rel);
        match parse_mode(value)? {
            ModeSpec::Symlink(target) => {
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent)?;
                }
                let current = fs::read_link(&path).ok();
                if current.as_deref() != Some(Path::new(&target)) {
                    if path.symlink_metadata().is_ok() {
                        if path.is_dir() && !path.symlink_metadata()?.file_type().is_symlink() {
                            fs::remove_dir_all(&path)?;
                        } else {
                            fs::remove_file(&path)?;
                        }
                    }
                    symlink(&target, &path)
                        .with_context(|| format!("symlink {} -> {target}", path.display()))?;
                }
            }
            ModeSpec::Mode(mode) => {
                if path.symlink_metadata().is_err() {
                    fs::create_dir_all(&path)
                        .with_context(|| format!("creating directory {}", path.display()))?;
                }
                chmods.push((path, mode));
            }
        }
    }
    // Deepest paths first: a parent made 0500 must not block its children.
    chmods.sort_by_key(|(p, _)| std::cmp::Reverse(p.components().count()));
    for (path, mode) in chmods {
        if path.symlink_metadata()?.file_type().is_symlink() {
            continue;
        }
        fs::set_permissions(&path, fs::Permissions::from_mode(mode))
            .with_context(|| format!("chmod {mode:o} {}", path.display()))?;
    }
    Ok(())
}

/// Creates the unix sockets a case lists (a socket cannot be stored in git).
pub fn make_sockets(root: &Path, sockets: &[String]) -> anyhow::Result<()> {
    for rel in sockets {
        let path = root.join(rel);
        if path.symlink_metadata().is_ok() {
            bail!("socket path {} already exists", path.display());
        }
        // Binding creates the socket file; it stays after the listener is dropped.
        drop(
            std::os::unix::net::UnixListener::bind(&path)
                .with_context(|| format!("binding {}", path.display()))?,
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse() {
        assert_eq!(parse_mode("0600").unwrap(), ModeSpec::Mode(0o600));
        assert_eq!(
            parse_mode("symlink -> ../x").unwrap(),
            ModeSpec::Symlink("../x".into())
        );
        assert!(parse_mode("rw").is_err());
    }

    #[test]
    fn apply_modes_creates_dirs_symlinks_and_modes() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("f"), "x").unwrap();
        let modes = BTreeMap::from([
            ("f".to_string(), "0600".to_string()),
            ("empty/sub".to_string(), "0700".to_string()),
            ("link".to_string(), "symlink -> f".to_string()),
        ]);
        apply_modes(dir.path(), &modes).unwrap();
        let mode = |p: &str| {
            fs::metadata(dir.path().join(p))
                .unwrap()
                .permissions()
                .mode()
                & 0o7777
        };
        assert_eq!(mode("f"), 0o600);
        assert_eq!(mode("empty/sub"), 0o700);
        assert_eq!(
            fs::read_link(dir.path().join("link")).unwrap(),
            Path::new("f")
        );
    }
}
