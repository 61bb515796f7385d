//! Builds every example of `examples/` end to end through its `# syntax=mstage:dev` line on
//! the Docker engine's BuildKit, runs the image and checks what it does (an HTTP answer, a
//! printed line, an exit code, the image config), checks that the engine's built-in frontend
//! builds the same Dockerfile from mstage's cache (every step CACHED, same config;
//! buildkit-extras only where the built-in frontend has COPY --link: not Docker 20.10's),
//! then builds the example's `Dockerfile.single` (the same app in one stage) and measures
//! both images. What each example checks is the table in `table.rs`.
//!
//!   example_checks [--update-readmes] [NAME...]      default: every example
//!
//! The last line, on stdout, is `examples (docker 28.5): 9/9`. `scripts/examples.sh` sets up
//! the engine (`DOCKER`, `DOCKER_HOST`), `mstage:dev` and the base images' stand-ins, then
//! runs this. Images are tagged `mstage-example/NAME:multi`, `:single` and so on; the
//! containers it starts are removed by id. Logs: `$E2E_STATE/examples/NAME.log`; the size
//! table: `sizes.md` and `sizes.tsv` beside them.
//!
//!   EXAMPLES_NO_CACHE=1        every build without the cache (to time clean builds)
//!   EXAMPLE_BUILD_TIMEOUT=600  seconds after which one docker build is ended and fails

mod build;
mod probe;
mod run;
mod sizes;
mod step;
mod table;

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use clap::Parser;

use mstage_tests::engine::docker::{Docker, Frontend};

use run::{Containers, Log, Run, Shared};
use step::{Example, Step};

#[derive(Parser, Debug)]
#[command(about = "Builds, runs and measures the examples of examples/ through mstage")]
struct Args {
    /// Also write the measured sizes into each example's README and the top-level README
    /// (between the <!-- sizes --> markers).
    #[arg(long)]
    update_readmes: bool,
    /// Docker client [default: $DOCKER or /usr/bin/docker].
    #[arg(long)]
    docker: Option<PathBuf>,
    /// Logs and the size table [default: $E2E_STATE/examples, E2E_STATE=/tmp/mstage-e2e].
    #[arg(long)]
    out: Option<PathBuf>,
    /// The frontend image for the mstage builds, in place of each Dockerfile's own
    /// `# syntax=mstage:dev` (passed as `BUILDKIT_SYNTAX`) [default: the syntax line].
    #[arg(long)]
    frontend: Option<String>,
    /// The examples to run [default: all].
    names: Vec<String>,
}

/// How one example ended, for the summary.
struct Verdict {
    name: String,
    passed: bool,
    seconds: u64,
    log: PathBuf,
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v == "1")
}

fn say(text: &str) {
    eprintln!("examples: {text}");
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// A value no build output holds by chance: the secret the builds must not leak.
fn run_token() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("mstage-secret-token-{}-{nanos}", std::process::id())
}

fn shared(args: &Args, out: &Path) -> anyhow::Result<Shared> {
    let timeout = std::env::var("EXAMPLE_BUILD_TIMEOUT")
        .ok()
        .map(|t| t.parse::<u64>().context("EXAMPLE_BUILD_TIMEOUT"))
        .transpose()?
        .unwrap_or(600);
    let docker = Docker::from_arg(args.docker.clone(), Duration::from_secs(timeout));
    if !docker.alive() {
        bail!(
            "no Docker engine answers {:?} (scripts/e2e-env.sh up)",
            docker.bin
        );
    }
    Ok(Shared {
        containerd_store: docker.containerd_store(),
        docker,
        examples: repo_root().join("examples"),
        scratch: tempfile::Builder::new()
            .prefix("mstage-examples.")
            .tempdir_in("/tmp")?,
        no_cache: env_flag("EXAMPLES_NO_CACHE"),
        sizes: out.join("sizes.tsv"),
        token: run_token(),
        containers: Containers::new(out.join("containers")),
        stock_link: OnceCell::new(),
        frontend: args
            .frontend
            .clone()
            .map_or(Frontend::Stock, Frontend::Image),
    })
}

/// Runs one example; its log is `NAME.log` in `out`.
fn run_example(shared: &Shared, example: &'static Example, out: &Path) -> anyhow::Result<Verdict> {
    say(&format!("== {}", example.name));
    let start = Instant::now();
    let mut run = Run::new(
        shared,
        example,
        Log::create(out.join(format!("{}.log", example.name)))?,
    )?;
    let result = run.run();
    if let Err(e) = &result {
        run.log.say(format!("FAIL {e:#}"));
        eprintln!("{}", run.log.tail(25));
    }
    for note in &run.log.notes {
        eprintln!("  {note}");
    }
    Ok(Verdict {
        name: example.name.to_string(),
        passed: result.is_ok(),
        seconds: start.elapsed().as_secs(),
        log: run.log.path.clone(),
    })
}

/// The size table's rows: every example's `Step::Sizes`, in the table's order.
fn size_rows() -> Vec<&'static str> {
    table::EXAMPLES
        .iter()
        .flat_map(|e| e.steps)
        .filter_map(|s| match s {
            Step::Sizes { row, .. } => Some(*row),
            _ => None,
        })
        .collect()
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let out = args.out.clone().unwrap_or_else(|| {
        let state = std::env::var("E2E_STATE").unwrap_or_else(|_| "/tmp/mstage-e2e".into());
        Path::new(&state).join("examples")
    });
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let shared = shared(&args, &out)?;
    let engine_label = shared.docker.engine_label();
    let names: Vec<&str> = if args.names.is_empty() {
        table::EXAMPLES.iter().map(|e| e.name).collect()
    } else {
        args.names.iter().map(String::as_str).collect()
    };
    let start = Instant::now();
    let mut verdicts = Vec::new();
    let mut unknown = false;
    for name in &names {
        match table::EXAMPLES.iter().find(|e| e.name == *name) {
            Some(example) => verdicts.push(run_example(&shared, example, &out)?),
            None => {
                say(&format!("FAIL no example named {name}"));
                unknown = true;
            }
        }
    }
    let tsv = std::fs::read_to_string(&shared.sizes).unwrap_or_default();
    let table = sizes::table(&tsv, &size_rows());
    std::fs::write(out.join("sizes.md"), &table)?;
    say(&format!("examples: {} s", start.elapsed().as_secs()));
    for v in &verdicts {
        if v.passed {
            eprintln!("ok    {} ({} s)", v.name, v.seconds);
        } else {
            eprintln!(
                "FAIL  {} ({} s), log {}",
                v.name,
                v.seconds,
                v.log.display()
            );
        }
    }
    eprint!("{table}");
    let passed = verdicts.iter().filter(|v| v.passed).count();
    say(&format!("{passed}/{} examples passed", names.len()));
    if args.update_readmes {
        let mut engine = format!(
            "Docker {} and its built-in BuildKit, base images: the stand-ins of `scripts/make-example-standins.sh`",
            shared.docker.server_version()
        );
        if shared.containerd_store {
            engine.push_str("; sizes: unpacked snapshot disk usage of the containerd image store");
        }
        let mut log = Log::create(out.join("readmes.log"))?;
        sizes::update_readmes(&repo_root(), &tsv, &table, &engine, &mut log)?;
        for note in &log.notes {
            eprintln!("{note}");
        }
    }
    println!("examples ({engine_label}): {passed}/{}", names.len());
    drop(shared);
    if unknown || passed < names.len() {
        std::process::exit(1);
    }
    Ok(())
}
