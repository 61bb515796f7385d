//! Containers and images on the engine, as the example checks use them: containers started,
//! inspected, exported and removed by id; an image's size and digest as its image store
//! reports them.

use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::time::Duration;

use anyhow::{bail, Context};
use serde_json::Value;

use super::docker::Docker;
use super::http;
use super::tree::Tree;

/// The engine API version whose image list has per-platform manifests (`manifests=1`).
const API_VERSION: &str = "v1.47";

impl Docker {
    /// `docker image inspect -f FORMAT IMAGE`
    pub fn image_format(&self, image: &str, format: &str) -> anyhow::Result<String> {
        self.query(&["image", "inspect", "-f", format, image])
    }

    /// `docker inspect -f FORMAT ID` of a container.
    pub fn container_format(&self, id: &str, format: &str) -> anyhow::Result<String> {
        self.query(&["inspect", "-f", format, id])
    }

    /// `docker run -d OPTIONS... IMAGE`: the new container's id.
    pub fn run_detached(&self, image: &str, options: &[&str]) -> anyhow::Result<String> {
        let mut args = vec!["run", "-d"];
        args.extend_from_slice(options);
        args.push(image);
        self.query(&args)
    }

    /// `docker create IMAGE`: the new container's id.
    pub fn create(&self, image: &str) -> anyhow::Result<String> {
        self.query(&["create", image])
    }

    /// `docker rm -f ID`; a container already gone is no error.
    pub fn remove_container(&self, id: &str) {
        let _ = self
            .command()
            .args(["rm", "-f", id])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    /// `docker run --rm OPTIONS... IMAGE ARGS...`, to its end.
    pub fn run_once(&self, image: &str, options: &[&str], args: &[&str]) -> anyhow::Result<Output> {
        self.command()
            .args(["run", "--rm"])
            .args(options)
            .arg(image)
            .args(args)
            .output()
            .context("running docker run")
    }

    /// The paths of a container's filesystem that are not directories (`docker export`).
    pub fn exported_files(&self, id: &str) -> anyhow::Result<Vec<String>> {
        let mut child = self
            .command()
            .args(["export", id])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("running docker export")?;
        let stdout = child.stdout.take().context("docker export stdout")?;
        let mut files = Vec::new();
        for entry in tar::Archive::new(stdout).entries()? {
            let entry = entry?;
            if !entry.header().entry_type().is_dir() {
                files.push(String::from_utf8_lossy(&entry.path_bytes()).into_owned());
            }
        }
        let out = child.wait_with_output()?;
        if !out.status.success() {
            bail!(
                "docker export {id}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(files)
    }

    /// The filesystem of `image` as a container sees it (`docker create`, `docker export`),
    /// with owners and modes: for comparing two images file by file.
    pub fn image_tree(&self, image: &str) -> anyhow::Result<Tree> {
        let id = self.create(image)?;
        let tree = self.exported_tree(&id);
        self.remove_container(&id);
        tree
    }

    fn exported_tree(&self, id: &str) -> anyhow::Result<Tree> {
        let mut child = self
            .command()
            .args(["export", id])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("running docker export")?;
        let mut stdout = child.stdout.take().context("docker export stdout")?;
        // A tree that fails to read leaves the pipe unread, and the export fails for that:
        // its error is the one to report.
        let tree =
            Tree::from_tar(&mut stdout).with_context(|| format!("reading docker export {id}"));
        // The reader stops at the end-of-archive blocks; docker may write padding after
        // them, and dies of SIGPIPE if nobody reads it.
        let _ = std::io::copy(&mut stdout, &mut std::io::sink());
        let out = child.wait_with_output()?;
        let tree = tree?;
        if !out.status.success() {
            bail!(
                "docker export {id}: {} ({})",
                String::from_utf8_lossy(&out.stderr).trim(),
                out.status
            );
        }
        Ok(tree)
    }

    /// Whether the engine keeps images in the containerd image store (28.5 here): an image's
    /// ID is then its index digest and `.Size` the compressed content; in 20.10's store the
    /// ID is the config digest and `.Size` the unpacked layers.
    pub fn containerd_store(&self) -> bool {
        self.query(&["info", "-f", "{{range .DriverStatus}}{{.}}{{end}}"])
            .is_ok_and(|s| s.contains("io.containerd.snapshotter"))
    }

    /// The engine's own summary of the image's platform manifest (`GET /images/json` with
    /// per-platform manifests): its first available image manifest. Containerd store only.
    pub fn image_manifest_summary(&self, image: &str) -> anyhow::Result<Value> {
        let filters = format!(r#"{{"reference":["{image}"]}}"#);
        let path = format!(
            "/{API_VERSION}/images/json?manifests=1&filters={}",
            http::query_escape(&filters)
        );
        let socket = engine_socket();
        let response = http::get_unix(&socket, &path, Duration::from_secs(30))
            .with_context(|| format!("GET {path} on {}", socket.display()))?;
        if !response.ok() {
            bail!("GET {path}: status {}: {}", response.status, response.body);
        }
        let list: Value = serde_json::from_str(&response.body)?;
        first_image_manifest(&list)
            .cloned()
            .with_context(|| format!("{image}: no available image manifest in {list}"))
    }
}

/// The socket `DOCKER_HOST` names (`unix://PATH`), else the default one.
fn engine_socket() -> PathBuf {
    std::env::var("DOCKER_HOST")
        .ok()
        .and_then(|h| h.strip_prefix("unix://").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("/var/run/docker.sock"))
}

/// In an image list: the first image's first manifest of kind `image` that is available.
fn first_image_manifest(list: &Value) -> Option<&Value> {
    list.get(0)?
        .get("Manifests")?
        .as_array()?
        .iter()
        .find(|m| m["Kind"] == "image" && m["Available"] == true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn picks_the_available_image_manifest() {
        let list = json!([{"Manifests": [
            {"Kind": "attestation", "Available": true, "ID": "a"},
            {"Kind": "image", "Available": false, "ID": "b"},
            {"Kind": "image", "Available": true, "ID": "c", "ImageData": {"Size": {"Unpacked": 7}}}
        ]}]);
        let m = first_image_manifest(&list).unwrap();
        assert_eq!(
            (
                m["ID"].as_str(),
                m["ImageData"]["Size"]["Unpacked"].as_u64()
            ),
            (Some("c"), Some(7))
        );
        assert!(first_image_manifest(&json!([])).is_none());
    }
}
