//! BuildKit's own Dockerfile integration cases (../shared/conformance/buildkit-integration),
//! built end to end on the Docker engine's BuildKit through a selectable frontend:
//!
//!   buildkit_integration --frontend stock        the engine's built-in Dockerfile frontend
//!   buildkit_integration --frontend mstage:dev   BUILDKIT_SYNTAX=mstage:dev (bytes untouched)
//!
//! Prints `buildkit integration: N/TOTAL passed` and a reason for every failure. See
//! tests/e2e/README.md for what the engine, the docker CLI and the busybox stand-in change.

mod case;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use serde::Serialize;

use case::Case;
use mstage_tests::engine::docker::{self, BuildSpec, Docker, Frontend, Output};
use mstage_tests::engine::{check, prepare, tree};

#[derive(Parser, Debug)]
#[command(about = "Builds BuildKit's Dockerfile integration cases on the Docker engine")]
struct Args {
    /// `stock` (the engine's built-in frontend) or a frontend image such as `mstage:dev`.
    #[arg(long, default_value = "stock")]
    frontend: String,
    /// The case folders' parent.
    #[arg(long)]
    cases: Option<PathBuf>,
    /// Only cases whose name matches this regex (repeatable).
    #[arg(long = "only")]
    only: Vec<String>,
    /// Cases not to build (repeatable regex); they count as failed, with the reason
    /// "not run". For cases known to crash the engine on a shared machine.
    #[arg(long = "skip")]
    skip: Vec<String>,
    /// Docker client [default: $DOCKER or /usr/bin/docker, Debian's 20.10 client; the
    /// `docker` first on PATH may be another client].
    #[arg(long)]
    docker: Option<PathBuf>,
    /// Per build timeout in seconds.
    #[arg(long, default_value_t = 120)]
    timeout: u64,
    /// Cases run in parallel (cases with prebuilt images or cache mounts always run alone).
    #[arg(long, default_value_t = 1)]
    jobs: usize,
    /// Scratch directory (contexts, exports, secrets).
    #[arg(long, default_value = "/tmp/mstage-it")]
    work: PathBuf,
    /// Keep each case's scratch directory.
    #[arg(long)]
    keep: bool,
    /// Don't drop unused cache mounts (before the run, and before each case with cache
    /// mounts).
    #[arg(long)]
    keep_cache_mounts: bool,
    /// Write every result as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Cases that must pass (one name per line, `#` comments, optionally in `[docker X.Y]`
    /// sections of which the engine's own is used): exit 1 if one fails. With `--frontend
    /// stock` instead: exit 1 if a case passes that the list lacks (the built-in frontend's
    /// passes must all be listed; it need not pass the list, which is mstage's ratchet).
    #[arg(long)]
    must_pass: Option<PathBuf>,
    /// Results of another run (`--json` of, e.g., `--frontend stock`): list the cases it
    /// passes that this run fails, and the other way round.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// With --baseline: exit 1 if a case the baseline passes fails here.
    #[arg(long)]
    strict_baseline: bool,
    /// Exit 1 when fewer cases pass.
    #[arg(long, default_value_t = 0)]
    min_pass: usize,
    /// Print each failing build's full log.
    #[arg(long)]
    verbose: bool,
    /// Shell command that brings the engine back when a build kills it (e.g.
    /// `bash scripts/e2e-env.sh up`); the cases caught in the crash are retried one at a time.
    #[arg(long)]
    restart_engine: Option<String>,
}

#[derive(Debug, Serialize, Clone)]
struct CaseResult {
    name: String,
    pass: bool,
    reasons: Vec<String>,
    seconds: f64,
}

/// Frontend attributes neither `docker build` (20.10) nor `docker buildx build` (0.29) has a
/// flag for (buildx has `--add-host` and `--network`, no hostname).
const UNPASSABLE_ATTRS: &[&str] = &["hostname"];

struct Runner {
    restart_engine: Option<String>,
    restart_lock: Mutex<()>,
    docker: Docker,
    frontend: Frontend,
    work: PathBuf,
    keep: bool,
    verbose: bool,
    keep_cache_mounts: bool,
}

impl Runner {
    fn run_case(&self, case: &Case) -> CaseResult {
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
        let spec = &case.spec;
        let mut notes = Vec::new();
        let mut tags = Vec::new();

        // Build context as the upstream test creates it.
        let context = dir.join("context");
        let src = case.dir.join("context");
        if src.is_dir() {
            prepare::copy_tree(&src, &context)?;
        } else {
            std::fs::create_dir_all(&context)?;
        }
        prepare::apply_modes(&context, &spec.context_modes)?;
        prepare::make_sockets(&context, &spec.context_sockets)?;

        let filename = spec.frontend_attrs.get("filename");
        let dockerfile = if spec.dockerfile_in_context {
            match filename {
                Some(f) => Some(context.join(f)),
                // The CLI itself picks Dockerfile, or dockerfile when that is missing.
                None if spec.dockerfile_name == "Dockerfile"
                    || spec.dockerfile_name == "dockerfile" =>
                {
                    None
                }
                None => Some(context.join(&spec.dockerfile_name)),
            }
        } else {
            Some(case.dir.join(filename.unwrap_or(&spec.dockerfile_name)))
        };

        let secrets_dir = dir.join("secrets");
        let mut secrets = Vec::new();
        for (id, value) in &spec.secrets {
            std::fs::create_dir_all(&secrets_dir)?;
            let path = secrets_dir.join(id);
            std::fs::write(&path, value)?;
            secrets.push((id.clone(), path));
        }

        let mut labels = BTreeMap::new();
        let (mut no_cache, mut shm_size, mut ulimits) = (false, None, Vec::new());
        for (key, value) in &spec.frontend_attrs {
            match key.as_str() {
                "filename" => {}
                "no-cache" => no_cache = true,
                "shm-size" => shm_size = Some(value.clone()),
                "ulimit" => ulimits.extend(value.split(',').map(str::to_string)),
                k if k.starts_with("label:") => {
                    labels.insert(k["label:".len()..].to_string(), value.clone());
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
        no_cache |= fresh;

        let base = BuildSpec {
            context: context.clone(),
            dockerfile,
            build_args: spec.build_args.clone(),
            target: spec.target.clone(),
            platform: spec.platform.clone(),
            secrets,
            labels,
            build_contexts: BTreeMap::new(),
            no_cache,
            shm_size,
            ulimits,
            output: Output::Tar(dir.join("out.tar")),
        };

        let result = (|| -> anyhow::Result<Vec<String>> {
            // Images to build first, resolvable under their names from the local image store.
            for (i, pre) in spec.prebuild.iter().enumerate() {
                let pre_dir = case.dir.join(&pre.dir);
                let pre_ctx = dir.join(format!("prebuild-{i}"));
                if pre_dir.join("context").is_dir() {
                    prepare::copy_tree(&pre_dir.join("context"), &pre_ctx)?;
                } else {
                    std::fs::create_dir_all(&pre_ctx)?;
                }
                let pre_spec = BuildSpec {
                    context: pre_ctx,
                    dockerfile: Some(pre_dir.join("Dockerfile")),
                    build_args: BTreeMap::new(),
                    target: None,
                    platform: None,
                    secrets: Vec::new(),
                    labels: BTreeMap::new(),
                    build_contexts: BTreeMap::new(),
                    no_cache: false,
                    shm_size: None,
                    ulimits: Vec::new(),
                    output: Output::Image(pre.image_name.clone()),
                };
                tags.push(pre.image_name.clone());
                let out = self.docker.build(&pre_spec, &self.frontend)?;
                if !out.success {
                    self.dump(case, &out);
                    return Ok(vec![format!(
                        "prebuild {} ({}) failed: {}",
                        pre.dir,
                        pre.image_name,
                        check::shorten(&out.error_text())
                    )]);
                }
            }

            let expect = &spec.expect;
            let mut reasons = Vec::new();
            if expect.expects_error() {
                let out = self.docker.build(&base, &self.frontend)?;
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
                return Ok(reasons);
            }

            if expect.needs_files() || !expect.needs_image() {
                let out = self.docker.build(&base, &self.frontend)?;
                if !out.success {
                    self.dump(case, &out);
                    return Ok(vec![failed_build(&out)]);
                }
                if expect.needs_files() {
                    let tree = tree::Tree::from_tar_file(&dir.join("out.tar"))?;
                    reasons.extend(check::files(expect, &tree, &context));
                }
            }
            if expect.needs_image() {
                let tag = format!("mstage-it/{}:latest", case.name.to_lowercase());
                tags.push(tag.clone());
                let out = self.docker.build(
                    &BuildSpec {
                        output: Output::Image(tag.clone()),
                        ..base.clone()
                    },
                    &self.frontend,
                )?;
                if !out.success {
                    self.dump(case, &out);
                    return Ok(vec![failed_build(&out)]);
                }
                let config = self.docker.image_config(&tag)?;
                reasons.extend(check::image(expect, &config));
            }
            Ok(reasons)
        })();

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

    /// After a failure: if the engine is gone, bring it back (once, whichever worker gets
    /// here first). Returns whether the engine had died.
    fn engine_died(&self) -> anyhow::Result<bool> {
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

fn failed_build(out: &docker::Outcome) -> String {
    if out.timed_out {
        format!("build timed out after {:?}", out.elapsed)
    } else {
        format!("build failed: {}", check::shorten(&out.error_text()))
    }
}

fn default_cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/buildkit-integration")
}

/// Cases that touch shared engine state (image names, cache mounts) and so run alone.
fn runs_alone(case: &Case) -> bool {
    !case.spec.prebuild.is_empty() || uses_cache_mounts(case)
}

fn uses_cache_mounts(case: &Case) -> bool {
    let dockerfile = std::fs::read_to_string(case.dir.join("Dockerfile")).unwrap_or_default();
    dockerfile.contains("type=cache")
}

fn read_list(path: &Path, engine: &str) -> anyhow::Result<Vec<String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse_list(&text, engine).with_context(|| format!("in {}", path.display()))
}

/// The names of a must-pass list: all of them, or, when the list has `[docker X.Y]` section
/// headers, those of the section named `[ENGINE]` (an engine without a section is an error,
/// so a new engine cannot pass with an empty gate).
fn parse_list(text: &str, engine: &str) -> anyhow::Result<Vec<String>> {
    let mut sections: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
    let mut current = None;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(name.trim().to_string());
            sections.entry(current.clone()).or_default();
            continue;
        }
        sections
            .entry(current.clone())
            .or_default()
            .push(line.to_string());
    }
    if sections.keys().all(Option::is_none) {
        return Ok(sections.remove(&None).unwrap_or_default());
    }
    if let Some(names) = sections.get(&None) {
        anyhow::bail!("{} name(s) before the first [section]", names.len());
    }
    sections.remove(&Some(engine.to_string())).with_context(|| {
        format!(
            "no [{engine}] section (sections: {})",
            sections
                .keys()
                .flatten()
                .map(|k| format!("[{k}]"))
                .collect::<Vec<_>>()
                .join(" ")
        )
    })
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let cases_dir = args.cases.clone().unwrap_or_else(default_cases_dir);
    let filters = args
        .only
        .iter()
        .map(|f| regex::Regex::new(f))
        .collect::<Result<Vec<_>, _>>()?;
    let skips = args
        .skip
        .iter()
        .map(|f| regex::Regex::new(f))
        .collect::<Result<Vec<_>, _>>()?;
    let mut cases = Vec::new();
    for dir in case::discover(&cases_dir)? {
        let case = Case::load(&dir)?;
        if filters.is_empty() || filters.iter().any(|f| f.is_match(&case.name)) {
            cases.push(case);
        }
    }
    let frontend = match args.frontend.as_str() {
        "stock" => Frontend::Stock,
        image => Frontend::Image(image.to_string()),
    };
    let runner = Runner {
        restart_engine: args.restart_engine.clone(),
        restart_lock: Mutex::new(()),
        docker: Docker::from_arg(args.docker.clone(), Duration::from_secs(args.timeout)),
        frontend,
        work: args.work.clone(),
        keep: args.keep,
        verbose: args.verbose,
        keep_cache_mounts: args.keep_cache_mounts,
    };
    let engine = runner.docker.server_version();
    // `docker 28.5`: the must-pass section and the summary line.
    let engine_label = runner.docker.engine_label();
    eprintln!(
        "buildkit integration: {} cases, frontend {}, engine {engine}, {} job(s)",
        cases.len(),
        runner.frontend,
        args.jobs
    );
    if !args.keep_cache_mounts {
        runner.docker.prune_cache_mounts()?;
    }

    let (skipped, cases): (Vec<Case>, Vec<Case>) = cases
        .into_iter()
        .partition(|c| skips.iter().any(|r| r.is_match(&c.name)));
    let (alone, parallel): (Vec<&Case>, Vec<&Case>) = cases.iter().partition(|c| runs_alone(c));
    let results: Mutex<Vec<CaseResult>> = Mutex::new(Vec::new());
    let report = |r: CaseResult| {
        let mut stderr = std::io::stderr().lock();
        if r.pass {
            let _ = writeln!(stderr, "PASS {} ({:.1}s)", r.name, r.seconds);
        } else {
            let _ = writeln!(
                stderr,
                "FAIL {} ({:.1}s): {}",
                r.name,
                r.seconds,
                r.reasons.join("; ").replace('\n', " | ")
            );
        }
        results.lock().unwrap().push(r);
    };
    // Cases that failed while the engine went down; retried alone afterwards, so the one
    // that kills the engine is told apart from those that merely ran beside it.
    let caught_in_crash: Mutex<Vec<&Case>> = Mutex::new(Vec::new());
    let run = |case: &'_ Case| -> anyhow::Result<Option<CaseResult>> {
        let r = runner.run_case(case);
        if !r.pass && runner.engine_died()? {
            eprintln!(
                "  {} was building when the engine died; will retry alone",
                case.name
            );
            return Ok(None);
        }
        Ok(Some(r))
    };
    let next = AtomicUsize::new(0);
    let fatal: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..args.jobs.max(1) {
            s.spawn(|| loop {
                if fatal.lock().unwrap().is_some() {
                    break;
                }
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(case) = parallel.get(i) else { break };
                match run(case) {
                    Ok(Some(r)) => report(r),
                    Ok(None) => caught_in_crash.lock().unwrap().push(case),
                    Err(e) => *fatal.lock().unwrap() = Some(e),
                }
            });
        }
    });
    if let Some(e) = fatal.into_inner().unwrap() {
        return Err(e);
    }
    let mut retry = caught_in_crash.into_inner().unwrap();
    retry.sort_by(|a, b| a.name.cmp(&b.name));
    for case in alone.into_iter().chain(retry) {
        let r = runner.run_case(case);
        if !r.pass && runner.engine_died()? {
            let mut r = r;
            r.reasons.insert(
                0,
                "the engine crashed while building this case (the dockerd log has the panic)"
                    .into(),
            );
            report(r);
        } else {
            report(r);
        }
    }

    for case in &skipped {
        report(CaseResult {
            name: case.name.clone(),
            pass: false,
            reasons: vec!["not run (--skip)".into()],
            seconds: 0.0,
        });
    }
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.name.cmp(&b.name));
    let passed = results.iter().filter(|r| r.pass).count();
    let total = results.len();
    println!(
        "buildkit integration: {passed}/{total} passed (frontend {}, engine {engine})",
        runner.frontend
    );
    for r in results.iter().filter(|r| !r.pass) {
        println!(
            "  FAIL {}: {}",
            r.name,
            r.reasons.join("; ").replace('\n', " | ")
        );
    }
    if let Some(path) = &args.json {
        let doc = serde_json::json!({
            "frontend": runner.frontend.to_string(),
            "engine": engine,
            "passed": passed,
            "total": total,
            "cases": results,
        });
        std::fs::write(path, serde_json::to_string_pretty(&doc)?)?;
    }

    let mut failed_gate = false;
    if let Some(path) = &args.baseline {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let doc: serde_json::Value = serde_json::from_str(&text)?;
        let base: BTreeMap<String, bool> = doc["cases"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| Some((c["name"].as_str()?.to_string(), c["pass"].as_bool()?)))
            .collect();
        let who = doc["frontend"].as_str().unwrap_or("baseline");
        let mut worse = Vec::new();
        let mut better = Vec::new();
        for r in &results {
            match base.get(&r.name) {
                Some(true) if !r.pass => worse.push(r.name.as_str()),
                Some(false) if r.pass => better.push(r.name.as_str()),
                _ => {}
            }
        }
        println!(
            "  against {who} ({} passed there): {} cases pass there but fail here, {} pass here but fail there",
            base.values().filter(|p| **p).count(),
            worse.len(),
            better.len()
        );
        if !worse.is_empty() {
            println!("  fail here, pass with {who}: {}", worse.join(" "));
        }
        if !better.is_empty() {
            println!("  pass here, fail with {who}: {}", better.join(" "));
        }
        if args.strict_baseline && !worse.is_empty() {
            failed_gate = true;
        }
    }
    let mut gate_summary = "no must-pass list".to_string();
    if let Some(list) = &args.must_pass {
        let by_name: BTreeMap<&str, &CaseResult> =
            results.iter().map(|r| (r.name.as_str(), r)).collect();
        let names = read_list(list, &engine_label)?;
        gate_summary = if matches!(runner.frontend, Frontend::Stock) {
            // The list is mstage's ratchet and the built-in frontend its oracle: the stock
            // run does not have to pass the list, but each of its passes must be on it.
            let mut unlisted = 0;
            for r in results.iter().filter(|r| r.pass) {
                if !names.contains(&r.name) {
                    println!(
                        "  UNLISTED {}: the built-in frontend passes it but {} [{engine_label}] lacks it",
                        r.name,
                        list.display()
                    );
                    unlisted += 1;
                    failed_gate = true;
                }
            }
            if unlisted == 0 {
                "every pass on the must-pass list".to_string()
            } else {
                format!("{unlisted} passes missing from the must-pass list")
            }
        } else {
            let mut regressions = 0;
            for name in &names {
                match by_name.get(name.as_str()) {
                    Some(r) if r.pass => {}
                    Some(_) => {
                        println!(
                            "  REGRESSION {name}: listed in {} [{engine_label}] but failed",
                            list.display()
                        );
                        regressions += 1;
                        failed_gate = true;
                    }
                    None if filters.is_empty() => {
                        println!(
                            "  MISSING {name}: listed in {} but no such case",
                            list.display()
                        );
                        regressions += 1;
                        failed_gate = true;
                    }
                    None => {}
                }
            }
            if regressions == 0 {
                "must-pass all green".to_string()
            } else {
                format!("must-pass: {regressions} of {} failed", names.len())
            }
        };
    }
    if passed < args.min_pass {
        println!("  fewer than {} cases passed", args.min_pass);
        failed_gate = true;
    }
    // `integration (docker 28.5): 142/145, must-pass all green`; the built-in frontend's
    // run is told apart so that CI's line is always mstage's.
    let who = match runner.frontend {
        Frontend::Stock => " built-in frontend",
        Frontend::Image(_) => "",
    };
    println!("integration ({engine_label}){who}: {passed}/{total}, {gate_summary}");
    if failed_gate {
        std::process::exit(1);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_list;

    #[test]
    fn list_without_sections_applies_to_every_engine() {
        let names = parse_list("# c\na\nb # why\n\n", "docker 28.5").unwrap();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn list_sections_pick_the_engine() {
        let text = "# head\n[docker 20.10]\na\n[docker 28.5] # note\nb\nc\n";
        assert_eq!(parse_list(text, "docker 20.10").unwrap(), ["a"]);
        assert_eq!(parse_list(text, "docker 28.5").unwrap(), ["b", "c"]);
        let err = parse_list(text, "docker 29.0").unwrap_err().to_string();
        assert!(err.contains("no [docker 29.0] section"), "{err}");
        assert!(parse_list("a\n[docker 28.5]\nb\n", "docker 28.5").is_err());
    }
}
