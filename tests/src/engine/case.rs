//! An e2e case's `case.json` (tests/e2e/README.md): read by the e2e runner, which builds the
//! case, and by the `--call` runner, which asks about its Dockerfile.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

use super::expect::Expect;

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
    /// A second identical build must change these files and serve these steps from cache
    /// (a step that never comes from cache, `RUN --no-cache`).
    pub rebuild_differs: Option<RebuildDiffers>,
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

/// `rebuild_differs`: what a second identical build must change and what it must reuse.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RebuildDiffers {
    /// Paths in the image whose contents must differ from the first build's.
    pub files: Vec<String>,
    /// Text in step names (`RUN echo before`): each step it names must show `CACHED`.
    pub cached: Vec<String>,
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

    /// Whether this engine's built-in frontend predates the case's syntax.
    pub fn stock_predates(&self, engine_version: &str) -> bool {
        self.stock_lacks.iter().any(|v| v == engine_version)
    }

    /// Whether this engine's built-in frontend builds the case for comparison.
    pub fn compares_stock(&self, engine_version: &str) -> bool {
        self.compare_stock.unwrap_or(true) && !self.stock_predates(engine_version)
    }
}

/// `28.5` -> (28, 5), for ordering engine versions.
fn version_key(v: &str) -> (u32, u32) {
    let mut parts = v.split('.').map(|p| p.parse().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}
