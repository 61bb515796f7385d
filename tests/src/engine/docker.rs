//! Builds through the Docker engine's BuildKit with the docker CLI, and reads image configs
//! back with `docker save`. Two clients (scripts/e2e-env.sh): Debian's 20.10 at
//! /usr/bin/docker, which builds with `docker build` and `DOCKER_BUILDKIT=1`, and the current
//! one with buildx, which builds with `docker buildx build` as users type it. The engine is
//! the one `DOCKER_HOST` names; `DOCKER_CONFIG` finds buildx.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::Value;

/// Which Dockerfile frontend builds the case.
#[derive(Debug, Clone)]
pub enum Frontend {
    /// The engine's built-in dockerfile frontend, no syntax override.
    Stock,
    /// A frontend image, selected with `BUILDKIT_SYNTAX` so the Dockerfile bytes stay as they are.
    Image(String),
}

impl std::fmt::Display for Frontend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Frontend::Stock => f.write_str("stock"),
            Frontend::Image(i) => f.write_str(i),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Output {
    /// `-o type=tar,dest=PATH`: the final filesystem with owners in the headers.
    Tar(PathBuf),
    /// `-t TAG`: an image in the engine's store, for config checks and later `FROM`s.
    Image(String),
    /// `-o type=oci,dest=PATH` without provenance (buildx only): the index and every
    /// platform's manifest, config and layers. Provenance would name the frontend, which
    /// differs between the two builds by design.
    Oci(PathBuf),
    /// `--call=REQUEST` (buildx only): the frontend's answer to a subrequest on stdout, and
    /// nothing built.
    Call(String),
    /// `-o type=local,dest=PATH`: the final filesystem as files, owned by whoever runs this.
    Local(PathBuf),
}

#[derive(Debug, Clone)]
pub struct BuildSpec {
    pub context: PathBuf,
    /// `-f`; `None` lets the CLI pick `Dockerfile` (or `dockerfile`) in the context.
    pub dockerfile: Option<PathBuf>,
    pub build_args: BTreeMap<String, String>,
    pub target: Option<String>,
    pub platform: Option<String>,
    /// secret id -> file holding the value
    pub secrets: Vec<(String, PathBuf)>,
    /// `--ssh VALUE`: `default`, or `ID=SOCKET` for an SSH agent socket.
    pub ssh: Vec<String>,
    pub labels: BTreeMap<String, String>,
    /// `--build-context NAME=VALUE` (buildx only): a directory or `docker-image://REF`.
    pub build_contexts: BTreeMap<String, String>,
    pub no_cache: bool,
    pub shm_size: Option<String>,
    pub ulimits: Vec<String>,
    pub output: Output,
}

impl BuildSpec {
    /// A build of `context` (its own `Dockerfile`) to `output`, with no other options.
    pub fn new(context: PathBuf, output: Output) -> Self {
        BuildSpec {
            context,
            dockerfile: None,
            build_args: BTreeMap::new(),
            target: None,
            platform: None,
            secrets: Vec::new(),
            ssh: Vec::new(),
            labels: BTreeMap::new(),
            build_contexts: BTreeMap::new(),
            no_cache: false,
            shm_size: None,
            ulimits: Vec::new(),
            output,
        }
    }
}

#[derive(Debug)]
pub struct Outcome {
    pub success: bool,
    pub timed_out: bool,
    /// stdout and stderr of `docker build --progress=plain`
    pub log: String,
    /// stdout alone (what `--call` prints: the subrequest's answer)
    pub stdout: String,
    pub elapsed: Duration,
}

impl Outcome {
    /// The error the build ended with: what the CLI prints after the progress stream.
    pub fn error_text(&self) -> String {
        self.log
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

pub struct Docker {
    pub bin: PathBuf,
    pub timeout: Duration,
    /// Builds go through `docker buildx build` (the client has the buildx plugin).
    pub buildx: bool,
}

impl Docker {
    /// A client at `bin`, building with buildx when the client has it.
    pub fn new(bin: PathBuf, timeout: Duration) -> Self {
        let buildx = Command::new(&bin)
            .args(["buildx", "version"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        Docker {
            bin,
            timeout,
            buildx,
        }
    }

    /// `--docker PATH`, else `$DOCKER`, else Debian's 20.10 client.
    pub fn from_arg(bin: Option<PathBuf>, timeout: Duration) -> Self {
        let bin = bin
            .or_else(|| std::env::var_os("DOCKER").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("/usr/bin/docker"));
        Docker::new(bin, timeout)
    }

    /// The docker CLI, for this engine, with BuildKit on (20.10's `docker build` needs it).
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.env("DOCKER_BUILDKIT", "1");
        cmd
    }

    /// `docker buildx build` or `docker build`, with plain progress.
    pub fn build_command(&self) -> Command {
        let mut cmd = self.command();
        if self.buildx {
            cmd.arg("buildx");
        }
        cmd.arg("build").arg("--progress=plain");
        cmd
    }

    /// `docker 28.5` / `docker 20.10`: the engine alone, for summary lines and per-engine
    /// lists (`tests/integration/must-pass.txt` has one section per engine).
    pub fn engine_label(&self) -> String {
        format!("docker {}", self.engine_version())
    }

    /// `28.5`: the engine's major.minor version.
    pub fn engine_version(&self) -> String {
        major_minor(&self.server_version())
    }

    /// `docker 28.5, buildx 0.29` / `docker 20.10`, for summary lines.
    pub fn label(&self) -> String {
        let mut label = self.engine_label();
        if self.buildx {
            let out = self.command().args(["buildx", "version"]).output();
            let text = out
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_default();
            // `github.com/docker/buildx 0.29.1+ds1 ...` or `... v0.29.1 ...`
            if let Some(v) = text.split_whitespace().nth(1) {
                label.push_str(&format!(
                    ", buildx {}",
                    major_minor(v.trim_start_matches('v'))
                ));
            }
        }
        label
    }

    pub fn build(&self, spec: &BuildSpec, frontend: &Frontend) -> anyhow::Result<Outcome> {
        run_with_timeout(self.build_spec_command(spec, frontend), self.timeout)
    }

    /// The `docker build` command line of `spec`, not started (for a caller that watches
    /// the build as it goes).
    pub fn build_spec_command(&self, spec: &BuildSpec, frontend: &Frontend) -> Command {
        let mut cmd = self.build_command();
        if spec.no_cache {
            cmd.arg("--no-cache");
        }
        if let Some(f) = &spec.dockerfile {
            cmd.arg("-f").arg(f);
        }
        if let Frontend::Image(image) = frontend {
            cmd.arg("--build-arg")
                .arg(format!("BUILDKIT_SYNTAX={image}"));
        }
        for (k, v) in &spec.build_args {
            cmd.arg("--build-arg").arg(format!("{k}={v}"));
        }
        if let Some(t) = &spec.target {
            cmd.arg("--target").arg(t);
        }
        if let Some(p) = &spec.platform {
            cmd.arg("--platform").arg(p);
        }
        for (id, file) in &spec.secrets {
            cmd.arg("--secret")
                .arg(format!("id={id},src={}", file.display()));
        }
        for value in &spec.ssh {
            cmd.arg("--ssh").arg(value);
        }
        for (k, v) in &spec.labels {
            cmd.arg("--label").arg(format!("{k}={v}"));
        }
        for (name, value) in &spec.build_contexts {
            cmd.arg("--build-context").arg(format!("{name}={value}"));
        }
        if let Some(s) = &spec.shm_size {
            cmd.arg("--shm-size").arg(s);
        }
        for u in &spec.ulimits {
            cmd.arg("--ulimit").arg(u);
        }
        match &spec.output {
            Output::Tar(dest) => {
                cmd.arg("-o")
                    .arg(format!("type=tar,dest={}", dest.display()));
            }
            Output::Image(tag) => {
                cmd.arg("-t").arg(tag);
            }
            Output::Oci(dest) => {
                cmd.arg("--provenance=false")
                    .arg("-o")
                    .arg(format!("type=oci,dest={}", dest.display()));
            }
            Output::Call(request) => {
                cmd.arg(format!("--call={request}"));
            }
            Output::Local(dest) => {
                cmd.arg("-o")
                    .arg(format!("type=local,dest={}", dest.display()));
            }
        }
        cmd.arg(&spec.context);
        cmd
    }

    /// The image config as stored, with history and rootfs: from `docker save` (20.10's
    /// legacy layout, or the OCI layout of an engine with the containerd image store), or,
    /// for an image without layers (which the 20.10 engine refuses to save), from the
    /// engine's image store on disk, where the config is kept under its digest (the image ID).
    pub fn image_config(&self, tag: &str) -> anyhow::Result<Value> {
        match self.saved_config(tag) {
            Ok(v) => Ok(v),
            Err(save_err) => self
                .stored_config(tag)
                .with_context(|| format!("{save_err:#}; reading the image store instead")),
        }
    }

    /// What `docker ARGS...` prints on stdout, trimmed; an error (with its stderr) when it
    /// fails.
    pub fn query(&self, args: &[&str]) -> anyhow::Result<String> {
        let out = self.command().args(args).output()?;
        if !out.status.success() {
            bail!(
                "docker {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    fn stored_config(&self, tag: &str) -> anyhow::Result<Value> {
        let id = self.query(&["image", "inspect", "-f", "{{.Id}}", tag])?;
        let root = self.query(&["info", "-f", "{{.DockerRootDir}}"])?;
        let driver = self.query(&["info", "-f", "{{.Driver}}"])?;
        let hex = id.strip_prefix("sha256:").unwrap_or(&id);
        let path = PathBuf::from(root)
            .join("image")
            .join(driver)
            .join("imagedb/content/sha256")
            .join(hex);
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        Ok(serde_json::from_slice(&bytes)?)
    }

    fn saved_config(&self, tag: &str) -> anyhow::Result<Value> {
        let mut child = self
            .command()
            .args(["save", tag])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("running docker save")?;
        let stdout = child.stdout.take().context("docker save stdout")?;
        let mut jsons: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut archive = tar::Archive::new(stdout);
        for entry in archive.entries()? {
            let mut entry = entry?;
            let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            // 20.10 writes the config as `<id>.json`; an engine with the containerd image
            // store (28.x) writes an OCI layout whose `manifest.json` names the config as
            // `blobs/sha256/<digest>`, beside the layer blobs (skipped by their size).
            let small_blob =
                path.starts_with("blobs/") && entry.header().size()? <= CONFIG_MAX_BYTES;
            if path.ends_with(".json") || small_blob {
                let mut data = Vec::new();
                entry.read_to_end(&mut data)?;
                jsons.insert(path, data);
            }
        }
        let out = child.wait_with_output()?;
        if !out.status.success() {
            bail!(
                "docker save {tag}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        let manifest: Value = serde_json::from_slice(
            jsons
                .get("manifest.json")
                .context("docker save output has no manifest.json")?,
        )?;
        let config_path = manifest[0]["Config"]
            .as_str()
            .context("manifest.json without Config")?;
        let config = jsons
            .get(config_path)
            .with_context(|| format!("docker save output lacks {config_path}"))?;
        Ok(serde_json::from_slice(config)?)
    }

    /// Removes a tag this runner made (the image stays if something else uses it).
    pub fn remove_image(&self, tag: &str) {
        let _ = self
            .command()
            .args(["image", "rm", "--no-prune", tag])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    /// Drops unused cache mounts, so cases that expect an empty cache see one, as upstream
    /// does with a fresh daemon per test. Only cache-mount records; no other build cache.
    pub fn prune_cache_mounts(&self) -> anyhow::Result<()> {
        let status = self
            .command()
            .args(["builder", "prune", "-f", "--filter", "type=exec.cachemount"])
            .stdout(Stdio::null())
            .status()?;
        if !status.success() {
            bail!("docker builder prune --filter type=exec.cachemount failed");
        }
        Ok(())
    }

    /// Whether the engine answers (the built-in frontend runs inside dockerd 20.10, so a
    /// frontend panic takes the whole daemon down).
    pub fn alive(&self) -> bool {
        self.command()
            .args(["version", "--format", "{{.Server.Version}}"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    pub fn server_version(&self) -> String {
        self.command()
            .args(["version", "--format", "{{.Server.Version}}"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_else(|| "unknown".into())
    }
}

/// Largest blob of a `docker save` OCI layout read into memory as a possible config.
const CONFIG_MAX_BYTES: u64 = 4 << 20;

/// `28.5.2+dfsg4` -> `28.5`
fn major_minor(version: &str) -> String {
    version.split('.').take(2).collect::<Vec<_>>().join(".")
}

pub fn run_with_timeout(mut cmd: Command, timeout: Duration) -> anyhow::Result<Outcome> {
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("running {:?}", cmd.get_program()))?;
    let mut stdout = child.stdout.take().context("stdout")?;
    let mut stderr = child.stderr.take().context("stderr")?;
    // Lossy: BuildKit prints Dockerfile lines as they are, and they need not be UTF-8
    // (`read_to_string` would return nothing at all for them).
    let out_thread = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stdout.read_to_end(&mut b);
        String::from_utf8_lossy(&b).into_owned()
    });
    let err_thread = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stderr.read_to_end(&mut b);
        String::from_utf8_lossy(&b).into_owned()
    });
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() > timeout {
            timed_out = true;
            // Our own child, by its pid.
            let _ = child.kill();
            break child.wait()?;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut log = err_thread.join().unwrap_or_default();
    let out = out_thread.join().unwrap_or_default();
    if !out.is_empty() {
        log.push_str(&out);
    }
    Ok(Outcome {
        success: status.success() && !timed_out,
        timed_out,
        log,
        stdout: out,
        elapsed: start.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_text_skips_progress_lines() {
        let o = Outcome {
            success: false,
            timed_out: false,
            log: "#1 [internal] load\n#1 DONE 0.0s\n\nfailed to solve: line 3: unknown instruction: FROMX\n"
                .into(),
            stdout: String::new(),
            elapsed: Duration::ZERO,
        };
        assert_eq!(
            o.error_text(),
            "failed to solve: line 3: unknown instruction: FROMX"
        );
    }
}
