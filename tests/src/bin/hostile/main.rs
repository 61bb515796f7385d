//! The bad-input catalogue (`mstage_tests::hostile`) through a real engine.
//!
//! `--frontend stock` builds every case with the engine's built-in Dockerfile frontend and
//! checks the verdict the catalogue records for it (how the verdicts were obtained);
//! `--frontend IMAGE` builds them through mstage as a gateway frontend (`BUILDKIT_SYNTAX`,
//! so the Dockerfile bytes, line numbers included, stay as they are) and checks that each
//! case the stock frontend rejects fails with the Dockerfile snippet and no frontend crash,
//! and each case it accepts builds.
//!
//! `DOCKER`/`DOCKER_HOST`/`DOCKER_CONFIG` from `scripts/e2e-env.sh` pick the engine.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use mstage_tests::engine::docker::{BuildSpec, Docker, Frontend, Outcome, Output};
use mstage_tests::hostile::{Case, Names, Stock, CATALOGUE};

#[derive(Parser)]
struct Args {
    /// `stock`, or a frontend image (`mstage:wt-hostile`).
    #[arg(long, default_value = "stock")]
    frontend: String,
    /// Scratch directory for the cases' contexts and outputs.
    #[arg(long, default_value = "/tmp/mstage-hostile")]
    work: PathBuf,
    /// Only the cases whose name contains this.
    #[arg(long)]
    only: Option<String>,
    /// Skip the catalogue's first N cases (to split a run).
    #[arg(long, default_value_t = 0)]
    skip: usize,
    /// Seconds per build.
    #[arg(long, default_value_t = 300)]
    timeout: u64,
}

/// What a build through the gateway must not show: a crashed or killed frontend.
const CRASH_MARKERS: &[&str] = &[
    "panicked at",
    "Stack backtrace",
    "frontend grpc server closed unexpectedly",
    "exit code: 101",
    "signal: killed",
];

fn main() -> ExitCode {
    let args = Args::parse();
    let docker = Docker::from_arg(None, Duration::from_secs(args.timeout));
    let frontend = match args.frontend.as_str() {
        "stock" => Frontend::Stock,
        image => Frontend::Image(image.to_string()),
    };
    let (mut passed, mut total) = (0, 0);
    let started = std::time::Instant::now();
    for (i, case) in CATALOGUE.iter().enumerate().skip(args.skip) {
        if args
            .only
            .as_ref()
            .is_some_and(|o| !case.name.contains(o.as_str()))
        {
            continue;
        }
        total += 1;
        match run_case(
            &docker,
            &frontend,
            &args.work.join(format!("case{i}")),
            case,
        ) {
            Ok(()) => {
                passed += 1;
                println!("ok    {}", case.name);
            }
            Err(why) => println!("FAIL  {}: {why}", case.name),
        }
    }
    let what = match frontend {
        Frontend::Stock => "the catalogue's stock verdicts".to_string(),
        Frontend::Image(ref i) => format!(
            "{i} as catalogued (the stock verdict, or one of the {} deliberate differences), \
             snippet on each rejection, no frontend crash",
            CATALOGUE.iter().filter(|c| c.differs.is_some()).count()
        ),
    };
    println!(
        "hostile [{}]: {passed}/{total} {what} ({} s)",
        docker.label(),
        started.elapsed().as_secs()
    );
    if passed == total {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn run_case(
    docker: &Docker,
    frontend: &Frontend,
    dir: &std::path::Path,
    case: &Case,
) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(dir);
    let ctx = dir.join("context");
    case.write_context(&ctx).map_err(|e| e.to_string())?;
    let mut spec = BuildSpec::new(ctx, Output::Local(dir.join("out")));
    for o in case.options() {
        if let Some(t) = o.strip_prefix("--target=") {
            spec.target = Some(t.to_string());
        } else if let Some(p) = o.strip_prefix("--platform=") {
            spec.platform = Some(p.to_string());
        } else if let Some(a) = o.strip_prefix("--build-arg=") {
            let (k, v) = a.split_once('=').unwrap_or((a, ""));
            spec.build_args.insert(k.to_string(), v.to_string());
        }
    }
    let outcome = docker.build(&spec, frontend).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(dir);
    check(frontend, case, &outcome)
}

fn check(frontend: &Frontend, case: &Case, outcome: &Outcome) -> Result<(), String> {
    let error = outcome.error_text();
    let short = || error.lines().rev().take(3).collect::<Vec<_>>().join(" | ");
    if outcome.timed_out {
        return Err(format!("timed out after {:?}", outcome.elapsed));
    }
    if let Frontend::Image(_) = frontend {
        if let Some(m) = CRASH_MARKERS.iter().find(|m| outcome.log.contains(*m)) {
            return Err(format!("frontend crash ({m}): {}", short()));
        }
    }
    let expected = match frontend {
        Frontend::Stock => case.stock.stock_substance(),
        Frontend::Image(_) => match (case.differs, case.stock) {
            (Some(d), _) => Some(d.ours),
            (None, Stock::RunFails(s)) => Some(s),
            (None, _) => case.stock.our_substance(),
        },
    };
    let Some(substance) = expected else {
        return match outcome.success {
            true => Ok(()),
            false => Err(format!("failed, stock accepts: {}", short())),
        };
    };
    if outcome.success {
        return Err("built, stock rejects".into());
    }
    if !error.contains(substance) {
        return Err(format!("error lacks {substance:?}: {}", short()));
    }
    // BuildKit prints the source info the frontend returned as `Dockerfile:N` and the
    // lines with ` >>> ` marks.
    let needs_snippet = matches!(case.names, Names::Line(_));
    if needs_snippet && matches!(frontend, Frontend::Image(_)) && !error.contains(">>>") {
        return Err(format!("no Dockerfile snippet: {}", short()));
    }
    Ok(())
}
