//! Fault test: dockerd is stopped in the middle of a build through a frontend image and
//! started again. The build must fail with an error (not hang); the next build of the same
//! Dockerfile must succeed with the steps finished before the fault served from cache; the
//! images and build cache records the engine held before must all still be there, and an
//! unrelated image built before must rebuild fully cached. No process of the interrupted
//! build (frontend or RUN) may survive.
//!
//! It stops and starts the engine with the commands it is given, so it must be pointed at an
//! engine of its own (scripts/fault.sh starts one), never at a shared one.
//!
//!   fault --frontend mstage:dev --stop-engine CMD --start-engine CMD

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use clap::Parser;

use mstage_tests::engine::docker::{BuildSpec, Docker, Frontend, Output};
use mstage_tests::engine::{check, procs, progress};

mod state;
mod watch;

use state::Held;
use watch::Watched;

#[derive(Parser, Debug)]
#[command(about = "Stops dockerd during a build through a frontend image and starts it again")]
struct Args {
    #[arg(long, default_value = "mstage:dev")]
    frontend: String,
    /// Shell command that stops the engine (e.g. `bash scripts/e2e-env.sh down` with the
    /// test engine's E2E_STATE).
    #[arg(long)]
    stop_engine: String,
    /// Shell command that starts it again and returns once it answers.
    #[arg(long)]
    start_engine: String,
    /// Docker client [default: $DOCKER or /usr/bin/docker].
    #[arg(long)]
    docker: Option<PathBuf>,
    #[arg(long, default_value_t = 300)]
    timeout: u64,
    #[arg(long, default_value = "/tmp/mstage-fault-work")]
    work: PathBuf,
}

/// How long a process of the interrupted build may take to go after the restart.
const SETTLE: Duration = Duration::from_secs(10);
/// What the RUN that is interrupted prints once it runs.
const FAULT_POINT: &str = "fault-point-reached";
/// The interrupted build's Dockerfile after its syntax line: two steps that finish, then a
/// RUN that waits `PAUSE` seconds. Its ARGs come after the first two steps, so those keep
/// their cache keys whatever PAUSE is; FAULT_RUN marks the RUN's process for the leftover scan.
fn body(run: &str) -> String {
    format!(
        "FROM busybox:latest\n\
         RUN echo one-{run} > /one\n\
         RUN echo two-{run} > /two\n\
         ARG PAUSE=0\n\
         ARG FAULT_RUN\n\
         RUN echo {FAULT_POINT} && sleep $PAUSE\n\
         RUN echo three > /three\n"
    )
}

struct Test {
    docker: Docker,
    args: Args,
    dir: PathBuf,
    run: String,
}

impl Test {
    fn spec(&self, pause: u32, tag: &str) -> BuildSpec {
        let mut spec = BuildSpec::new(self.dir.join("fault"), Output::Image(tag.to_string()));
        spec.build_args.insert("PAUSE".into(), pause.to_string());
        spec.build_args.insert("FAULT_RUN".into(), self.run.clone());
        spec
    }

    /// An image the engine holds before the fault, built through the built-in frontend.
    fn other_image(&self) -> anyhow::Result<BuildSpec> {
        let dir = self.dir.join("other");
        std::fs::create_dir_all(&dir)?;
        std::fs::write(
            dir.join("Dockerfile"),
            format!(
                "FROM busybox:latest\nRUN echo other-{} > /other\n",
                self.run
            ),
        )?;
        let spec = BuildSpec::new(
            dir,
            Output::Image(format!("mstage-fault/other:{}", self.run)),
        );
        let out = self.docker.build(&spec, &Frontend::Stock)?;
        if !out.success {
            bail!("building the other image: {}", out.error_text());
        }
        Ok(spec)
    }

    fn shell(&self, what: &str, cmd: &str) -> anyhow::Result<Duration> {
        let start = Instant::now();
        let status = Command::new("bash")
            .arg("-c")
            .arg(cmd)
            .status()
            .with_context(|| format!("running {what}: {cmd}"))?;
        if !status.success() {
            bail!("{what} failed: {cmd}");
        }
        Ok(start.elapsed())
    }

    /// Processes of the interrupted build still running after the restart: its frontend's
    /// (a failure) and its RUN's, ended here by PID (what this test's build started, found
    /// by the ARG value made for this run). Each gets `SETTLE` to go by itself.
    fn survivors(&self) -> (Vec<u32>, Vec<u32>) {
        let frontend =
            || procs::frontend_processes(&procs::build_arg_marker("FAULT_RUN", &self.run));
        let run = || procs::with_env(&format!("FAULT_RUN={}", self.run));
        let start = Instant::now();
        while (!frontend().is_empty() || !run().is_empty()) && start.elapsed() < SETTLE {
            std::thread::sleep(Duration::from_millis(250));
        }
        let (frontend, run) = (frontend(), run());
        for pid in &run {
            // KILL: the RUN is its container's PID 1, which ignores TERM.
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
        (frontend, run)
    }
}

/// The interrupted build waits this long (it never gets there).
const PAUSE_LONG: u32 = 900;

/// The RUN's own output (`#8 0.215 fault-point-reached`), not its name line, which shows the
/// command before the container runs.
fn is_fault_point(line: &str) -> bool {
    line.starts_with('#') && line.trim_end().ends_with(FAULT_POINT) && !line.contains("RUN ")
}

/// What the test found, for the summary.
struct Found {
    error: String,
    failed_cleanly: bool,
    earlier_cached: (usize, usize),
    rebuilt: bool,
    lost: Vec<String>,
    held: (usize, Option<usize>),
    other_cached: Vec<String>,
    /// Frontend and RUN processes of the interrupted build left after the restart.
    survivors: (Vec<u32>, Vec<u32>),
    stop_start: (Duration, Duration),
}

impl Test {
    fn fault(&self) -> anyhow::Result<Found> {
        let other = self.other_image()?;
        let before = Held::read(&self.docker)?;
        let tag = format!("mstage-fault/fault:{}", self.run);
        let cmd = self
            .docker
            .build_spec_command(&self.spec(PAUSE_LONG, &tag), &Frontend::Stock);
        let watched = Watched::spawn(cmd)?;
        if !watched.wait_for_line(is_fault_point, Duration::from_secs(self.args.timeout)) {
            let ended = watched.finish(Duration::from_secs(10))?;
            bail!("the build never reached its fault point:\n{}", ended.log);
        }
        // The RUN's container is up; the two steps before it are done.
        std::thread::sleep(Duration::from_secs(1));
        let stop = self.shell("stopping the engine", &self.args.stop_engine)?;
        let ended = watched.finish(Duration::from_secs(120))?;
        let start = self.shell("starting the engine", &self.args.start_engine)?;
        if !self.docker.alive() {
            bail!(
                "the engine does not answer after `{}`",
                self.args.start_engine
            );
        }
        let after = Held::read(&self.docker)?;
        let survivors = self.survivors();
        let again = self.docker.build(&self.spec(0, &tag), &Frontend::Stock)?;
        let earlier: Vec<bool> = progress::steps(&again.log)
            .into_iter()
            .filter(|(name, _)| name.contains("RUN echo one-") || name.contains("RUN echo two-"))
            .map(|(_, cached)| cached)
            .collect();
        let other_again = self.docker.build(&other, &Frontend::Stock)?;
        self.docker.remove_image(&tag);
        if let Output::Image(t) = &other.output {
            self.docker.remove_image(t);
        }
        let error = Ended::error(&ended.log);
        Ok(Found {
            failed_cleanly: !ended.success && !ended.timed_out && !error.is_empty(),
            error,
            earlier_cached: (earlier.iter().filter(|c| **c).count(), earlier.len()),
            rebuilt: again.success,
            lost: before.lost(&after),
            held: (before.images.len(), before.cache.as_ref().map(|c| c.len())),
            other_cached: progress::fully_cached(&other_again),
            survivors,
            stop_start: (stop, start),
        })
    }
}

struct Ended;

impl Ended {
    /// What the client said after the progress stream: the error it ended with.
    fn error(log: &str) -> String {
        let text: Vec<&str> = log
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .collect();
        check::shorten(&text.join(" | "))
    }
}

fn run_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{}{nanos}", std::process::id())
}

fn setup(args: Args, dir: &Path) -> anyhow::Result<Test> {
    let docker = Docker::from_arg(args.docker.clone(), Duration::from_secs(args.timeout));
    if !docker.alive() {
        bail!("no Docker engine answers {:?}", docker.bin);
    }
    let run = run_id();
    let fault = dir.join("fault");
    std::fs::create_dir_all(&fault)?;
    // `stock`: the engine's built-in frontend, for comparison.
    let first = match args.frontend.as_str() {
        "stock" => "# escape=\\".to_string(),
        image => format!("# syntax={image}"),
    };
    std::fs::write(fault.join("Dockerfile"), format!("{first}\n{}", body(&run)))?;
    Ok(Test {
        docker,
        args,
        dir: dir.to_path_buf(),
        run,
    })
}

fn report(test: &Test, f: &Found) -> bool {
    let (cached, earlier) = f.earlier_cached;
    let ok = f.failed_cleanly
        && f.rebuilt
        && earlier == 2
        && cached == 2
        && f.lost.is_empty()
        && f.other_cached.is_empty()
        && f.survivors.0.is_empty();
    let cache = f
        .held
        .1
        .map_or("its build cache not listed (no buildx)".into(), |n| {
            format!("{n} build cache records")
        });
    println!(
        "fault ({}): dockerd stopped mid-build through {} and started again: {}",
        test.docker.label(),
        test.args.frontend,
        if ok {
            "build failed cleanly, next build reused the cache, nothing lost"
        } else {
            "FAIL"
        }
    );
    println!(
        "  interrupted build: {} with {:?}",
        if f.failed_cleanly {
            "failed"
        } else {
            "did NOT fail cleanly"
        },
        f.error
    );
    println!(
        "  next build: {}, {cached}/{earlier} steps finished before the fault CACHED; kept {}/{} images and {cache} held before; other image rebuilt {}",
        if f.rebuilt { "succeeded" } else { "FAILED" },
        f.held.0 - f.lost.iter().filter(|l| l.starts_with("image")).count(),
        f.held.0,
        if f.other_cached.is_empty() { "fully cached".to_string() } else { f.other_cached.join("; ") },
    );
    println!(
        "  engine stop {:.1} s, start {:.1} s; left after the restart: {} frontend processes, {} RUN processes{}",
        f.stop_start.0.as_secs_f64(),
        f.stop_start.1.as_secs_f64(),
        f.survivors.0.len(),
        f.survivors.1.len(),
        if f.survivors.1.is_empty() { "" } else { " (the engine's doing, as with the built-in frontend; ended by this test)" }
    );
    for l in &f.lost {
        println!("  LOST {l}");
    }
    ok
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.work)?;
    let scratch = tempfile::Builder::new()
        .prefix("fault.")
        .tempdir_in(&args.work)?;
    let test = setup(args, scratch.path())?;
    let found = test.fault()?;
    if !report(&test, &found) {
        std::process::exit(1);
    }
    Ok(())
}
