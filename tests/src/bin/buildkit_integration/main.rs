//! BuildKit's own Dockerfile integration cases (../shared/conformance/buildkit-integration),
//! built end to end on the Docker engine's BuildKit through a selectable frontend:
//!
//!   buildkit_integration --frontend stock        the engine's built-in Dockerfile frontend
//!   buildkit_integration --frontend mstage:dev   BUILDKIT_SYNTAX=mstage:dev (bytes untouched)
//!
//! Prints `buildkit integration: N/TOTAL passed` and a reason for every failure. See
//! tests/e2e/README.md for what the engine, the docker CLI and the busybox stand-in change.

mod case;
mod gate;
mod runner;
mod schedule;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use clap::Parser;

use case::Case;
use mstage_tests::engine::docker::{Docker, Frontend};
use runner::{CaseResult, Runner};

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

fn default_cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/buildkit-integration")
}

fn regexes(patterns: &[String]) -> Result<Vec<regex::Regex>, regex::Error> {
    patterns.iter().map(|p| regex::Regex::new(p)).collect()
}

/// The cases under `dir` whose name matches one of `filters` (all without filters).
fn load_cases(dir: &Path, filters: &[regex::Regex]) -> anyhow::Result<Vec<Case>> {
    let mut cases = Vec::new();
    for dir in case::discover(dir)? {
        let case = Case::load(&dir)?;
        if filters.is_empty() || filters.iter().any(|f| f.is_match(&case.name)) {
            cases.push(case);
        }
    }
    Ok(cases)
}

fn runner(args: &Args) -> Runner {
    Runner {
        restart_engine: args.restart_engine.clone(),
        restart_lock: Mutex::new(()),
        docker: Docker::from_arg(args.docker.clone(), Duration::from_secs(args.timeout)),
        frontend: match args.frontend.as_str() {
            "stock" => Frontend::Stock,
            image => Frontend::Image(image.to_string()),
        },
        work: args.work.clone(),
        keep: args.keep,
        verbose: args.verbose,
        keep_cache_mounts: args.keep_cache_mounts,
    }
}

/// `buildkit integration: N/TOTAL passed`, every failure, and the results as JSON where
/// asked.
fn print_results(
    args: &Args,
    runner: &Runner,
    engine: &str,
    results: &[CaseResult],
) -> anyhow::Result<()> {
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
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let cases_dir = args.cases.clone().unwrap_or_else(default_cases_dir);
    let filters = regexes(&args.only)?;
    let skips = regexes(&args.skip)?;
    let cases = load_cases(&cases_dir, &filters)?;
    let runner = runner(&args);
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
    let mut results = schedule::run_all(&runner, &cases, &skipped, args.jobs)?;
    results.sort_by(|a, b| a.name.cmp(&b.name));
    print_results(&args, &runner, &engine, &results)?;
    let passed = results.iter().filter(|r| r.pass).count();

    let mut failed_gate = false;
    if let Some(path) = &args.baseline {
        let worse = gate::against_baseline(path, &results)?;
        failed_gate |= args.strict_baseline && worse > 0;
    }
    let mut gate_summary = "no must-pass list".to_string();
    if let Some(list) = &args.must_pass {
        let (summary, failed) = gate::must_pass(
            list,
            &engine_label,
            &runner.frontend,
            &results,
            filters.is_empty(),
        )?;
        gate_summary = summary;
        failed_gate |= failed;
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
    println!(
        "integration ({engine_label}){who}: {passed}/{}, {gate_summary}",
        results.len()
    );
    if failed_gate {
        std::process::exit(1);
    }
    Ok(())
}
