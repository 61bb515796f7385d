//! One case, built and checked: its context prepared as the upstream test creates it, its
//! prebuilt images, then the build (to a tar, to an image, or expected to fail) against its
//! `expect`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use serde::Serialize;

use mstage_tests::engine::docker::{self, BuildSpec, Docker, Frontend, Output};
use mstage_tests::engine::{check, prepare, tree};

use crate::case::{Case, CaseFile};

#[derive(Debug, Serialize, Clone)]
pub struct CaseResult {
    pub name: String,
    pub pass: bool,
    pub reasons: Vec<String>,
    pub seconds: f64,
}

/// Frontend attributes neither `docker build` (20.10) nor `docker buildx build` (0.29) has a
/// flag for (buildx has `--add-host` and `--network`, no hostname).
const UNPASSABLE_ATTRS: &[&str] = &["hostname"];

pub struct Runner {
    pub restart_engine: Option<String>,
    pub restart_lock: Mutex<()>,
    pub docker: Docker,
    pub frontend: Frontend,
    pub work: PathBuf,
    pub keep: bool,
    pub verbose: bool,
    pub keep_cache_mounts: bool,
}

/// The build options a case's frontend attributes become.
#[derive(Default)]
struct AttrOptions {
    labels: BTreeMap<String, String>,
    no_cache: bool,
    shm_size: Option<String>,
    ulimits: Vec<String>,
}

impl AttrOptions {
    /// The attributes the CLI can pass; a note for each it cannot.
    fn of(attrs: &BTreeMap<String, String>, notes: &mut Vec<String>) -> AttrOptions {
        let mut o = AttrOptions::default();
        for (key, value) in attrs {
            match key.as_str() {
                "filename" => {}
                "no-cache" => o.no_cache = true,
                "shm-size" => o.shm_size = Some(value.clone()),
                "ulimit" => o.ulimits.extend(value.split(',').map(str::to_string)),
                k if k.starts_with("label:") => {
                    o.labels
                        .insert(k["label:".len()..].to_string(), value.clone());
                }
                k => notes.push(format!(
                    "attribute {k}={value} not passed ({})",
                    if UNPASSABLE_ATTRS.contains(&k) {
                        "neither docker build nor docker buildx build has a flag for it"
                    } else {
                        "unknown to the runner"
                    }
                )),
            }
        }
        o
    }
}

impl Runner {
    pub fn run_case(&self, case: &Case) -> CaseResult {
        let start = Instant::now();
        let reasons = match self.try_case(case) {
            Ok(r) => r,
            Err(e) => vec![format!("runner error: {e:#}")],
        };
        CaseResult {
            name: case.name.clone(),
            pass: reasons.is_empty(),
            reasons,
            seconds: start.elapsed().as_secs_f64(),
        }
    }

    fn try_case(&self, case: &Case) -> anyhow::Result<Vec<String>> {
        std::fs::create_dir_all(&self.work)?;
        let scratch = tempfile::Builder::new()
            .prefix(&format!("{}.", case.name))
            .tempdir_in(&self.work)?;
        let dir = scratch.path();
        let mut notes = Vec::new();
        let base = self.base_spec(case, dir, &mut notes)?;
        let mut tags = Vec::new();
        let result = self.build_case(case, dir, &base, &mut tags);
        for tag in &tags {
            self.docker.remove_image(tag);
        }
        if self.keep {
            let kept = scratch.keep();
            eprintln!("  kept {}", kept.display());
        }
        let mut reasons = result?;
        if !reasons.is_empty() {
            reasons.extend(notes);
        }
        Ok(reasons)
    }

    /// The case's build, exported as a tar into `dir`; what the runner cannot pass goes to
    /// `notes`.
    fn base_spec(
        &self,
        case: &Case,
        dir: &Path,
        notes: &mut Vec<String>,
    ) -> anyhow::Result<BuildSpec> {
        let spec = &case.spec;
        let context = prepare_context(case, dir)?;
        let dockerfile = dockerfile_path(case, &context);
        let secrets = write_secrets(spec, dir)?;
        let attrs = AttrOptions::of(&spec.frontend_attrs, notes);
        // A case with cache mounts gets them empty, and runs every step: upstream's fresh
        // daemon gives it both. Pruning the mounts alone is not enough: a step that wrote
        // into one may still be cached from an earlier run (then testMountEnvVar's
        // `[ -f /mycache/foo ]` finds nothing), and another run on a shared engine may have
        // pruned the mounts in between. (None of these cases checks an image, so this is
        // the only build of the case.)
        let fresh = uses_cache_mounts(case);
        if fresh && !self.keep_cache_mounts {
            self.docker.prune_cache_mounts()?;
        }
        Ok(BuildSpec {
            context,
            dockerfile,
            build_args: spec.build_args.clone(),
            target: spec.target.clone(),
            platform: spec.platform.clone(),
            secrets,
            ssh: Vec::new(),
            labels: attrs.labels,
            build_contexts: BTreeMap::new(),
            no_cache: attrs.no_cache || fresh,
            shm_size: attrs.shm_size,
            ulimits: attrs.ulimits,
            output: Output::Tar(dir.join("out.tar")),
        })
    }

    /// The prebuilt images, then the case's build and checks; `tags` collects the images
    /// made, to be removed.
    fn build_case(
        &self,
        case: &Case,
        dir: &Path,
        base: &BuildSpec,
        tags: &mut Vec<String>,
    ) -> anyhow::Result<Vec<String>> {
        if let Some(failed) = self.prebuild(case, dir, tags)? {
            return Ok(vec![failed]);
        }
        let expect = &case.spec.expect;
        if expect.expects_error() {
            return self.build_failing(case, base);
        }
        let mut reasons = Vec::new();
        if expect.needs_files() || !expect.needs_image() {
            let out = self.docker.build(base, &self.frontend)?;
            if !out.success {
                self.dump(case, &out);
                return Ok(vec![failed_build(&out)]);
            }
            if expect.needs_files() {
                let tree = tree::Tree::from_tar_file(&dir.join("out.tar"))?;
                reasons.extend(check::files(expect, &tree, &base.context));
            }
        }
        if expect.needs_image() {
            let tag = format!("mstage-it/{}:latest", case.name.to_lowercase());
            tags.push(tag.clone());
            let image = BuildSpec {
                output: Output::Image(tag.clone()),
                ..base.clone()
            };
            let out = self.docker.build(&image, &self.frontend)?;
            if !out.success {
                self.dump(case, &out);
                return Ok(vec![failed_build(&out)]);
            }
            let config = self.docker.image_config(&tag)?;
            reasons.extend(check::image(expect, &config));
        }
        Ok(reasons)
    }

    /// Images to build first, resolvable under their names from the local image store.
    /// `Some(reason)` when one fails.
    fn prebuild(
        &self,
        case: &Case,
        dir: &Path,
        tags: &mut Vec<String>,
    ) -> anyhow::Result<Option<String>> {
        for (i, pre) in case.spec.prebuild.iter().enumerate() {
            let pre_dir = case.dir.join(&pre.dir);
            let pre_ctx = dir.join(format!("prebuild-{i}"));
            if pre_dir.join("context").is_dir() {
                prepare::copy_tree(&pre_dir.join("context"), &pre_ctx)?;
            } else {
                std::fs::create_dir_all(&pre_ctx)?;
            }
            let mut pre_spec = BuildSpec::new(pre_ctx, Output::Image(pre.image_name.clone()));
            pre_spec.dockerfile = Some(pre_dir.join("Dockerfile"));
            tags.push(pre.image_name.clone());
            let out = self.docker.build(&pre_spec, &self.frontend)?;
            if !out.success {
                self.dump(case, &out);
                return Ok(Some(format!(
                    "prebuild {} ({}) failed: {}",
                    pre.dir,
                    pre.image_name,
                    check::shorten(&out.error_text())
                )));
            }
        }
        Ok(None)
    }

    /// The build must fail with the error the case expects.
    fn build_failing(&self, case: &Case, base: &BuildSpec) -> anyhow::Result<Vec<String>> {
        let expect = &case.spec.expect;
        let mut reasons = Vec::new();
        let out = self.docker.build(base, &self.frontend)?;
        if out.timed_out {
            reasons.push(format!("build timed out after {:?}", out.elapsed));
        } else if out.success {
            reasons.push("build succeeded, expected an error".into());
        } else {
            reasons.extend(check::error(expect, &out.error_text()));
        }
        if !reasons.is_empty() {
            self.dump(case, &out);
        }
        Ok(reasons)
    }

    /// After a failure: if the engine is gone, bring it back (once, whichever worker gets
    /// here first). Returns whether the engine had died.
    pub fn engine_died(&self) -> anyhow::Result<bool> {
        if self.docker.alive() {
            return Ok(false);
        }
        let _guard = self.restart_lock.lock().unwrap();
        if self.docker.alive() {
            return Ok(true); // another worker restarted it
        }
        let Some(cmd) = &self.restart_engine else {
            anyhow::bail!("the Docker engine stopped answering (no --restart-engine given)");
        };
        eprintln!("  engine down; restarting with: {cmd}");
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(cmd)
            .status()?;
        if !status.success() || !self.docker.alive() {
            anyhow::bail!("could not restart the engine with {cmd:?}");
        }
        Ok(true)
    }

    fn dump(&self, case: &Case, out: &docker::Outcome) {
        if self.verbose {
            eprintln!(
                "----- {} build log -----\n{}\n-----",
                case.name,
                out.log.trim_end()
            );
        }
    }
}

/// The build context as the upstream test creates it, in `dir/context`.
fn prepare_context(case: &Case, dir: &Path) -> anyhow::Result<PathBuf> {
    let context = dir.join("context");
    let src = case.dir.join("context");
    if src.is_dir() {
        prepare::copy_tree(&src, &context)?;
    } else {
        std::fs::create_dir_all(&context)?;
    }
    prepare::apply_modes(&context, &case.spec.context_modes)?;
    prepare::make_sockets(&context, &case.spec.context_sockets)?;
    Ok(context)
}

/// `-f`: the Dockerfile in the context or beside it; `None` where the CLI's own choice is
/// the case's.
fn dockerfile_path(case: &Case, context: &Path) -> Option<PathBuf> {
    let spec = &case.spec;
    let filename = spec.frontend_attrs.get("filename");
    if !spec.dockerfile_in_context {
        return Some(case.dir.join(filename.unwrap_or(&spec.dockerfile_name)));
    }
    match filename {
        Some(f) => Some(context.join(f)),
        // The CLI itself picks Dockerfile, or dockerfile when that is missing.
        None if spec.dockerfile_name == "Dockerfile" || spec.dockerfile_name == "dockerfile" => {
            None
        }
        None => Some(context.join(&spec.dockerfile_name)),
    }
}

/// The case's secrets as files under `dir/secrets`, for `--secret`.
fn write_secrets(spec: &CaseFile, dir: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let secrets_dir = dir.join("secrets");
    let mut secrets = Vec::new();
    for (id, value) in &spec.secrets {
        std::fs::create_dir_all(&secrets_dir)?;
        let path = secrets_dir.join(id);
        std::fs::write(&path, value)?;
        secrets.push((id.clone(), path));
    }
    Ok(secrets)
}

fn failed_build(out: &docker::Outcome) -> String {
    if out.timed_out {
        format!("build timed out after {:?}", out.elapsed)
    } else {
        format!("build failed: {}", check::shorten(&out.error_text()))
    }
}

/// Cases that touch shared engine state (image names, cache mounts) and so run alone.
pub fn runs_alone(case: &Case) -> bool {
    !case.spec.prebuild.is_empty() || uses_cache_mounts(case)
}

fn uses_cache_mounts(case: &Case) -> bool {
    let dockerfile = std::fs::read_to_string(case.dir.join("Dockerfile")).unwrap_or_default();
    dockerfile.contains("type=cache")
}
