//! One e2e case: its `case.json` and the scratch folder it is built from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Deserialize;
use tempfile::TempDir;

use mstage_tests::engine::docker::{BuildSpec, Frontend, Output};
use mstage_tests::engine::expect::Expect;
use mstage_tests::engine::prepare;

pub const SYNTAX_LINE: &str = "# syntax=mstage:dev";

/// `case.json` (optional; every field has a default).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CaseSpec {
    /// What the case shows, for people reading the output.
    #[allow(dead_code)]
    pub description: Option<String>,
    pub build_args: BTreeMap<String, String>,
    pub target: Option<String>,
    /// secret id -> value, passed with `--secret`
    pub secrets: BTreeMap<String, String>,
    /// One platform, or several separated by commas (with `oci`).
    pub platform: Option<String>,
    /// Build with the stock frontend too and require identical images (default true; false
    /// where the wording of an error or the like differs by design).
    pub compare_stock: Option<bool>,
    /// Engines (`20.10`) whose built-in frontend predates the case's syntax: there the case
    /// checks only its own `expect`.
    pub stock_lacks: Vec<String>,
    /// The oldest engine (`28.5`) the case runs on: it needs buildx (build contexts, OCI
    /// export, warnings) or a newer BuildKit (secret env, merge op). Skipped on older ones.
    pub min_engine: Option<String>,
    /// `--build-context NAME=VALUE`: `dir:PATH` (a folder of the case) or `docker-image://REF`.
    pub build_contexts: BTreeMap<String, String>,
    /// Targets of the same Dockerfile built first, through the same frontend, as `tag`
    /// (for `docker-image://` build contexts); removed afterwards.
    pub prebuild: Vec<Prebuild>,
    /// Build-check rules the build must warn about. The build's warning lines must also be
    /// the stock frontend's, where it is compared.
    pub warnings: Vec<String>,
    /// Export an OCI layout and compare the index with the stock frontend's: platforms,
    /// configs and layer blobs.
    pub oci: bool,
    /// Checks on the mstage build, in the BuildKit integration cases' `expect` format.
    pub expect: Expect,
    /// An uncached build (`--no-cache`) must take at most this long.
    pub max_seconds: Option<f64>,
    /// A second identical build must be fully cached.
    pub rebuild_cached: bool,
    /// Build without cache (the first build of the case).
    pub no_cache: bool,
    /// Text the build's progress log must contain (`merging`: a merge op ran).
    pub log_contains: Vec<String>,
    /// Strings (secret values) that must appear nowhere in the image: files, config, history.
    pub not_in_image: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prebuild {
    pub target: String,
    pub tag: String,
}

impl CaseSpec {
    pub fn read(dir: &Path) -> anyhow::Result<CaseSpec> {
        match std::fs::read_to_string(dir.join("case.json")) {
            Ok(text) => serde_json::from_str(&text).context("parsing case.json"),
            Err(_) => Ok(CaseSpec::default()),
        }
    }

    /// Why the case does not run on this engine, if it does not.
    pub fn skip_on(&self, engine_version: &str) -> Option<String> {
        let min = self.min_engine.as_deref()?;
        (version_key(engine_version) < version_key(min)).then(|| format!("needs docker {min}"))
    }

    /// Whether this engine's built-in frontend builds the case for comparison.
    pub fn compares_stock(&self, engine_version: &str) -> bool {
        self.compare_stock.unwrap_or(true) && !self.stock_lacks.iter().any(|v| v == engine_version)
    }
}

/// A case copied into a scratch folder: the context, and one Dockerfile per frontend.
pub struct Prepared {
    pub scratch: TempDir,
    pub context: PathBuf,
    dir: PathBuf,
    /// The Dockerfile after its syntax line.
    rest: String,
}

impl Prepared {
    pub fn new(name: &str, dir: &Path, work: &Path) -> anyhow::Result<Prepared> {
        let dockerfile =
            std::fs::read_to_string(dir.join("Dockerfile")).context("reading Dockerfile")?;
        let Some(rest) = dockerfile.strip_prefix(SYNTAX_LINE) else {
            bail!("the Dockerfile's first line must be `{SYNTAX_LINE}`");
        };
        std::fs::create_dir_all(work)?;
        let scratch = tempfile::Builder::new()
            .prefix(&format!("{name}."))
            .tempdir_in(work)?;
        let context = scratch.path().join("context");
        prepare::copy_tree(dir, &context)?;
        let _ = std::fs::remove_file(context.join("case.json"));
        Ok(Prepared {
            scratch,
            context,
            dir: dir.to_path_buf(),
            rest: rest.to_string(),
        })
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.scratch.path().join(name)
    }

    /// The Dockerfile for `frontend`: the syntax line swapped (same line count, so error
    /// lines agree), with a Dockerfile-specific ignore file beside it, where it is read.
    pub fn dockerfile(&self, frontend: &Frontend) -> anyhow::Result<PathBuf> {
        let (sub, first) = match frontend {
            // A directive that changes nothing: a bare `#` would end the directives, and a
            // `# check=` on the next line would no longer be one.
            Frontend::Stock => ("stock", "# escape=\\".to_string()),
            Frontend::Image(image) => ("frontend", format!("# syntax={image}")),
        };
        let d = self.path(sub);
        std::fs::create_dir_all(&d)?;
        std::fs::write(d.join("Dockerfile"), format!("{first}{}", self.rest))?;
        let own_ignore = self.dir.join("Dockerfile.dockerignore");
        if own_ignore.exists() {
            std::fs::copy(&own_ignore, d.join("Dockerfile.dockerignore"))?;
        }
        Ok(d.join("Dockerfile"))
    }

    /// The build as the case describes it, through `frontend`, exported as a tar.
    pub fn spec(&self, case: &CaseSpec, frontend: &Frontend) -> anyhow::Result<BuildSpec> {
        let mut secrets = Vec::new();
        for (id, value) in &case.secrets {
            let path = self.path(&format!("secret-{id}"));
            std::fs::write(&path, value)?;
            secrets.push((id.clone(), path));
        }
        let mut build_contexts = BTreeMap::new();
        for (name, value) in &case.build_contexts {
            let value = match value.strip_prefix("dir:") {
                Some(rel) => self.context.join(rel).display().to_string(),
                None => value.clone(),
            };
            build_contexts.insert(name.clone(), value);
        }
        Ok(BuildSpec {
            context: self.context.clone(),
            dockerfile: Some(self.dockerfile(frontend)?),
            build_args: case.build_args.clone(),
            target: case.target.clone(),
            platform: case.platform.clone(),
            secrets,
            labels: BTreeMap::new(),
            build_contexts,
            no_cache: false,
            shm_size: None,
            ulimits: Vec::new(),
            output: Output::Tar(self.path(&format!("{}.tar", tag_kind(frontend)))),
        })
    }
}

/// `frontend` / `stock`: names the two builds' files and tags.
pub fn tag_kind(frontend: &Frontend) -> &'static str {
    match frontend {
        Frontend::Stock => "stock",
        Frontend::Image(_) => "frontend",
    }
}

/// `28.5` -> (28, 5), for ordering engine versions.
fn version_key(v: &str) -> (u32, u32) {
    let mut parts = v.split('.').map(|p| p.parse().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}
