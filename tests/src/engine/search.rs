//! Looking for a value (a secret) in what a build left behind: files, gzip layers, and the
//! `docker save` archive of an image (its layers, config and history).

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context};

use super::docker::Docker;

/// Which of `needles` are in `docker save IMAGE`: in a layer (gzip layers unpacked: the
/// containerd store saves them compressed), the config or the history. The archive is
/// unpacked into `dir` (emptied first, removed after).
pub fn saved_contains(
    docker: &Docker,
    image: &str,
    dir: &Path,
    needles: &[&[u8]],
) -> anyhow::Result<Vec<bool>> {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir)?;
    let mut child = docker
        .command()
        .args(["save", image])
        .stdout(Stdio::piped())
        .spawn()
        .context("running docker save")?;
    let stdout = child.stdout.take().context("docker save stdout")?;
    tar::Archive::new(stdout).unpack(dir)?;
    if !child.wait()?.success() {
        bail!("docker save {image} failed");
    }
    let mut found = vec![false; needles.len()];
    for file in files_under(dir)? {
        for (i, needle) in needles.iter().enumerate() {
            found[i] = found[i] || file_contains(&file, needle)?;
        }
    }
    fs::remove_dir_all(dir)?;
    Ok(found)
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            out.extend(files_under(&entry.path())?);
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
    Ok(out)
}

/// Whether `needle` is in the file, or in its decompressed content when it is gzip.
pub fn file_contains(path: &Path, needle: &[u8]) -> anyhow::Result<bool> {
    let mut magic = [0u8; 2];
    let is_gzip = File::open(path)?.read(&mut magic)? == 2 && magic == [0x1f, 0x8b];
    if !is_gzip {
        return Ok(stream_contains(File::open(path)?, needle)?);
    }
    let mut child = Command::new("gzip")
        .arg("-dc")
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("running gzip -dc")?;
    let stdout = child.stdout.take().context("gzip stdout")?;
    // Read to the end, so gzip never dies of a closed pipe.
    let found = stream_contains(stdout, needle)?;
    child.wait()?;
    Ok(found)
}

/// Whether `needle` occurs in what `reader` yields (read to its end).
pub fn stream_contains(mut reader: impl Read, needle: &[u8]) -> io::Result<bool> {
    if needle.is_empty() {
        return Ok(true);
    }
    let keep = needle.len() - 1;
    let mut window: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut found = false;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            return Ok(found);
        }
        if found {
            continue;
        }
        window.extend_from_slice(&buf[..n]);
        found = window.windows(needle.len()).any(|w| w == needle);
        // Only the tail that could start a match across reads stays.
        let drop = window.len().saturating_sub(keep);
        window.drain(..drop);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_needles_across_reads() {
        /// Yields one byte per read.
        struct Slow<'a>(&'a [u8]);
        impl Read for Slow<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let Some((first, rest)) = self.0.split_first() else {
                    return Ok(0);
                };
                buf[0] = *first;
                self.0 = rest;
                Ok(1)
            }
        }
        assert!(stream_contains(Slow(b"xxsecretyy"), b"secret").unwrap());
        assert!(!stream_contains(Slow(b"xxsecreyy"), b"secret").unwrap());
        assert!(stream_contains(&b"secret"[..], b"secret").unwrap());
        assert!(!stream_contains(&b"secre"[..], b"secret").unwrap());
    }

    #[test]
    fn searches_gzip_content() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("layer");
        fs::write(&plain, "a file with extras %s %s/%s in it").unwrap();
        assert!(file_contains(&plain, b"extras %s").unwrap());
        let status = Command::new("gzip").arg("-k").arg(&plain).status().unwrap();
        assert!(status.success());
        let gz = dir.path().join("layer.gz");
        assert!(!stream_contains(File::open(&gz).unwrap(), b"extras %s").unwrap());
        assert!(file_contains(&gz, b"extras %s").unwrap());
        assert!(!file_contains(&gz, b"token").unwrap());
    }
}
