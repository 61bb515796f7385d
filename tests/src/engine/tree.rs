//! The final filesystem of a build, read from a `type=tar` export into memory: contents,
//! owners (the tar headers keep them; a `type=local` export would chown to us), symlinks and
//! hard links. Symlinks resolve inside the tree, never on the host.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    File(Vec<u8>),
    Dir,
    Symlink(String),
    /// A hard link to another path of the tree (normalised).
    HardLink(String),
    Other(char),
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: Kind,
    /// permission bits incl. setuid/setgid/sticky
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
}

#[derive(Debug, Default)]
pub struct Tree {
    entries: BTreeMap<String, Entry>,
}

/// `./a/b/`, `/a/b`, `a//b` -> `a/b`; the root is `""`.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

impl Tree {
    pub fn from_tar_file(path: &Path) -> anyhow::Result<Tree> {
        let file =
            std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
        Tree::from_tar(file)
    }

    pub fn from_tar(reader: impl Read) -> anyhow::Result<Tree> {
        let mut archive = tar::Archive::new(reader);
        let mut tree = Tree::default();
        tree.entries.insert(
            String::new(),
            Entry {
                kind: Kind::Dir,
                mode: 0o755,
                uid: 0,
                gid: 0,
            },
        );
        for entry in archive.entries()? {
            let mut entry = entry?;
            let header = entry.header();
            let path = normalize(&String::from_utf8_lossy(&entry.path_bytes()));
            let mode = header.mode()? & 0o7777;
            let uid = header.uid()?;
            let gid = header.gid()?;
            let link = entry
                .link_name_bytes()
                .map(|l| String::from_utf8_lossy(&l).into_owned());
            let kind = match header.entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    let mut data = Vec::new();
                    entry.read_to_end(&mut data)?;
                    Kind::File(data)
                }
                tar::EntryType::Directory => Kind::Dir,
                tar::EntryType::Symlink => Kind::Symlink(link.unwrap_or_default()),
                tar::EntryType::Link => Kind::HardLink(normalize(&link.unwrap_or_default())),
                tar::EntryType::Char => Kind::Other('c'),
                tar::EntryType::Block => Kind::Other('b'),
                tar::EntryType::Fifo => Kind::Other('p'),
                // pax/gnu extension headers are consumed by the tar crate itself.
                other => Kind::Other(other.as_byte() as char),
            };
            tree.entries.insert(
                path,
                Entry {
                    kind,
                    mode,
                    uid,
                    gid,
                },
            );
        }
        Ok(tree)
    }

    /// Every entry by normalised path (the root is `""`).
    pub fn entries(&self) -> &BTreeMap<String, Entry> {
        &self.entries
    }

    /// The entry at `path` itself (a final symlink is not followed; parents are).
    pub fn lstat(&self, path: &str) -> Option<(&str, &Entry)> {
        let norm = normalize(path);
        let dir = self.resolve(parent(&norm)).ok()?;
        let name = norm.rsplit('/').next().unwrap_or("");
        let full = if dir.is_empty() {
            name.to_string()
        } else if name.is_empty() {
            dir
        } else {
            format!("{dir}/{name}")
        };
        self.entries
            .get_key_value(&full)
            .map(|(k, v)| (k.as_str(), v))
    }

    /// Resolves every symlink in `path`, as the kernel would with this tree as `/`.
    pub fn resolve(&self, path: &str) -> anyhow::Result<String> {
        let mut pending: Vec<String> = normalize(path)
            .split('/')
            .filter(|s| !s.is_empty())
            .rev()
            .map(str::to_string)
            .collect();
        let mut current = String::new();
        let mut hops = 0;
        while let Some(part) = pending.pop() {
            if part == ".." {
                current = parent(&current).to_string();
                continue;
            }
            let next = if current.is_empty() {
                part.clone()
            } else {
                format!("{current}/{part}")
            };
            match self.entries.get(&next).map(|e| &e.kind) {
                Some(Kind::Symlink(target)) => {
                    hops += 1;
                    if hops > 40 {
                        bail!("too many levels of symbolic links at /{next}");
                    }
                    if target.starts_with('/') {
                        current = String::new();
                    }
                    for piece in target
                        .split('/')
                        .filter(|s| !s.is_empty() && *s != ".")
                        .rev()
                    {
                        pending.push(piece.to_string());
                    }
                }
                Some(_) => current = next,
                None => bail!("/{next} does not exist"),
            }
        }
        Ok(current)
    }

    /// The entry `path` names after following symlinks and hard links, with its final path.
    pub fn stat(&self, path: &str) -> anyhow::Result<(String, &Entry)> {
        let mut resolved = self.resolve(path)?;
        for _ in 0..40 {
            let entry = self
                .entries
                .get(&resolved)
                .with_context(|| format!("/{resolved} does not exist"))?;
            match &entry.kind {
                Kind::HardLink(target) => resolved = target.clone(),
                _ => return Ok((resolved, entry)),
            }
        }
        bail!("hard link chain too long at /{path}")
    }

    pub fn read(&self, path: &str) -> anyhow::Result<&[u8]> {
        let (_, entry) = self.stat(path)?;
        match &entry.kind {
            Kind::File(data) => Ok(data),
            Kind::Dir => bail!("/{} is a directory", normalize(path)),
            other => bail!("/{} is not a regular file ({other:?})", normalize(path)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_of(entries: &[(&str, tar::EntryType, &str)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, kind, data) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(*kind);
            header.set_mode(0o644);
            header.set_uid(100);
            header.set_gid(200);
            match kind {
                tar::EntryType::Symlink | tar::EntryType::Link => {
                    header.set_size(0);
                    builder.append_link(&mut header, path, data).unwrap();
                }
                _ => {
                    header.set_size(data.len() as u64);
                    builder
                        .append_data(&mut header, path, data.as_bytes())
                        .unwrap();
                }
            }
        }
        builder.into_inner().unwrap()
    }

    #[test]
    fn follows_symlinks_inside_the_tree_and_hard_links() {
        let bytes = tar_of(&[
            ("etc/", tar::EntryType::Directory, ""),
            ("etc/real", tar::EntryType::Regular, "hello"),
            ("abs", tar::EntryType::Symlink, "/etc"),
            ("rel", tar::EntryType::Symlink, "etc/../etc/real"),
            ("hard", tar::EntryType::Link, "etc/real"),
            ("loop", tar::EntryType::Symlink, "loop"),
        ]);
        let tree = Tree::from_tar(&bytes[..]).unwrap();
        assert_eq!(tree.read("abs/real").unwrap(), b"hello");
        assert_eq!(tree.read("/rel").unwrap(), b"hello");
        assert_eq!(tree.read("hard").unwrap(), b"hello");
        assert_eq!(
            tree.stat("hard").unwrap().0,
            tree.stat("abs/real").unwrap().0
        );
        assert!(tree.read("loop").is_err());
        assert!(tree.read("missing").is_err());
        let (_, e) = tree.lstat("abs").unwrap();
        assert_eq!(e.kind, Kind::Symlink("/etc".into()));
        assert_eq!((e.uid, e.gid), (100, 200));
    }
}
