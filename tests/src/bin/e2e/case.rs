//! One e2e case copied into the scratch folder it is built from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use tempfile::TempDir;

use mstage_tests::engine::case::CaseSpec;
use mstage_tests::engine::docker::{BuildSpec, Frontend, Output};
use mstage_tests::engine::prepare;

pub const SYNTAX_LINE: &str = "# syntax=mstage:dev";

/// Whether a Dockerfile has an `INCLUDE` line (an mstage extension).
fn uses_include(dockerfile: &str) -> bool {
    dockerfile.lines().any(|l| {
        let l = l.trim_start();
        l.len() > 8 && l[..8].eq_ignore_ascii_case("include ")
    })
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
        // mstage's INCLUDE reads fragments from the Dockerfile's own directory (the
        // `dockerfile` local): give it the case's files, as a repository would have them.
        if matches!(frontend, Frontend::Image(_)) && uses_include(&self.rest) {
            prepare::copy_tree(&self.dir, &d)?;
            let _ = std::fs::remove_file(d.join("case.json"));
        }
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
            ssh: Vec::new(),
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
