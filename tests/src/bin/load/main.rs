//! Load test: many `docker build`s at once through a frontend image (`# syntax=IMAGE`) on one
//! engine, half of them distinct Dockerfiles, half one Dockerfile built again and again. Every
//! build must succeed, and each image must be identical (files with owners and modes, config)
//! to the same Dockerfile built alone. The same load then goes through the engine's built-in
//! frontend, for the wall times to compare with; its images must be the same too. No
//! frontend process of the run may outlive its build. Prints
//!
//!   concurrent builds: 32/32 identical (docker 28.5, buildx 0.29; ...)
//!
//! and the p50/p95 wall time of a build under that load, per frontend.
//!
//!   load [--frontend mstage:dev] [--builds 32]

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::bail;
use clap::Parser;
use serde_json::Value;

use mstage_tests::engine::compare;
use mstage_tests::engine::docker::{Docker, Frontend, Outcome};
use mstage_tests::engine::procs;
use mstage_tests::engine::tree::Tree;

mod jobs;

use jobs::{plan, Job, Source};

#[derive(Parser, Debug)]
#[command(about = "Concurrent builds through a frontend image against the built-in frontend")]
struct Args {
    /// The frontend image under test, named in each Dockerfile's `# syntax=` line.
    #[arg(long, default_value = "mstage:dev")]
    frontend: String,
    /// Builds run at once (half distinct Dockerfiles, half one shared Dockerfile).
    #[arg(long, default_value_t = 32)]
    builds: usize,
    /// Docker client [default: $DOCKER or /usr/bin/docker].
    #[arg(long)]
    docker: Option<PathBuf>,
    /// Per build timeout in seconds.
    #[arg(long, default_value_t = 600)]
    timeout: u64,
    #[arg(long, default_value = "/tmp/mstage-load")]
    work: PathBuf,
}

/// The build arg that marks this run's frontend processes (no instruction reads it).
const MARKER_ARG: &str = "MSTAGE_LOAD_RUN";
/// Images read at once when comparing.
const READERS: usize = 4;
/// How long a frontend process may take to go once every build has returned.
const SETTLE: Duration = Duration::from_secs(15);

/// An image as the comparison reads it.
struct Image {
    tree: Tree,
    config: Value,
}

struct Load {
    docker: Docker,
    frontend: Frontend,
    run: String,
    sources: Vec<Source>,
    jobs: Vec<Job>,
    /// Every tag made, removed at the end.
    tags: std::sync::Mutex<Vec<String>>,
}

/// One concurrent round: each job's outcome, in job order, and the most frontend processes
/// of the run seen at once.
struct Round {
    outcomes: Vec<Outcome>,
    peak_frontends: usize,
}

impl Load {
    fn tag(&self, what: &str) -> String {
        let tag = format!("mstage-load/{}:{what}", self.run);
        self.tags.lock().expect("tags").push(tag.clone());
        tag
    }

    fn marker(&self) -> String {
        procs::build_arg_marker(MARKER_ARG, &self.run)
    }

    fn image(&self, tag: &str) -> anyhow::Result<Image> {
        Ok(Image {
            tree: self.docker.image_tree(tag)?,
            config: self.docker.image_config(tag)?,
        })
    }

    /// Each source built alone through the frontend under test: the images to compare with.
    fn references(&self) -> anyhow::Result<(Vec<Image>, Vec<Duration>)> {
        let mut images = Vec::new();
        let mut times = Vec::new();
        for (n, source) in self.sources.iter().enumerate() {
            let tag = self.tag(&format!("alone-{n}"));
            let spec = source.spec(&self.frontend, &tag, (MARKER_ARG, &self.run))?;
            let out = self.docker.build(&spec, &Frontend::Stock)?;
            if !out.success {
                bail!("{} built alone failed:\n{}", source.name, out.error_text());
            }
            times.push(out.elapsed);
            images.push(self.image(&tag)?);
        }
        Ok((images, times))
    }

    /// Every job at once through `frontend`, each to its own tag `<who>-<job>`.
    fn round(&self, frontend: &Frontend, who: &str) -> anyhow::Result<Round> {
        let specs = self
            .jobs
            .iter()
            .map(|j| {
                let tag = self.tag(&format!("{who}-{}", j.index));
                self.sources[j.source].spec(frontend, &tag, (MARKER_ARG, &self.run))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let done = AtomicBool::new(false);
        let peak = AtomicUsize::new(0);
        let marker = self.marker();
        let outcomes = std::thread::scope(|s| {
            s.spawn(|| {
                while !done.load(Ordering::Relaxed) {
                    let n = procs::frontend_processes(&marker).len();
                    peak.fetch_max(n, Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(100));
                }
            });
            let handles: Vec<_> = specs
                .iter()
                .map(|spec| s.spawn(move || self.docker.build(spec, &Frontend::Stock)))
                .collect();
            let outcomes: Vec<_> = handles
                .into_iter()
                .map(|h| h.join().expect("build thread"))
                .collect();
            done.store(true, Ordering::Relaxed);
            outcomes
        });
        Ok(Round {
            outcomes: outcomes.into_iter().collect::<anyhow::Result<_>>()?,
            peak_frontends: peak.load(Ordering::Relaxed),
        })
    }

    /// Why job `j` of round `who` is not the image its source gave alone (empty: identical).
    fn differences(&self, who: &str, j: &Job, out: &Outcome, alone: &[Image]) -> Vec<String> {
        if !out.success {
            return vec![format!("build failed: {}", out.error_text())];
        }
        let tag = format!("mstage-load/{}:{who}-{}", self.run, j.index);
        // One more try: reading is no part of the test, and 20.10 once failed an export
        // under this load.
        let image = self.image(&tag).or_else(|e| {
            eprintln!("load: reading {tag} failed ({e:#}), trying again");
            self.image(&tag)
        });
        match image {
            Ok(image) => {
                let reference = &alone[j.source];
                let mut diffs = compare::trees(&reference.tree, &image.tree);
                diffs.extend(compare::configs(&reference.config, &image.config));
                diffs
            }
            Err(e) => vec![format!("reading the image: {e:#}")],
        }
    }

    /// Jobs of the round identical to their source built alone; prints the others. The
    /// images are read a few at a time (`docker export` and `docker save` each).
    fn identical(&self, who: &str, round: &Round, alone: &[Image]) -> usize {
        let pairs: Vec<(&Job, &Outcome)> = self.jobs.iter().zip(&round.outcomes).collect();
        let diffs: Vec<Vec<String>> = std::thread::scope(|s| {
            let handles: Vec<_> = pairs
                .chunks(pairs.len().div_ceil(READERS).max(1))
                .map(|chunk| {
                    s.spawn(move || {
                        chunk
                            .iter()
                            .map(|(j, out)| self.differences(who, j, out, alone))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("reader thread"))
                .collect()
        });
        for ((j, _), d) in pairs.iter().zip(&diffs).filter(|(_, d)| !d.is_empty()) {
            let source = &self.sources[j.source].name;
            eprintln!(
                "load: {who} build {} ({source}) differs from it built alone:",
                j.index
            );
            for line in d {
                eprintln!("    {line}");
            }
        }
        diffs.iter().filter(|d| d.is_empty()).count()
    }

    /// Frontend processes of this run still there `SETTLE` after the last build returned,
    /// and the engine's containers made from this run's images.
    fn leftovers(&self) -> anyhow::Result<Vec<String>> {
        let start = Instant::now();
        let mut pids = procs::frontend_processes(&self.marker());
        while !pids.is_empty() && start.elapsed() < SETTLE {
            std::thread::sleep(Duration::from_millis(250));
            pids = procs::frontend_processes(&self.marker());
        }
        let mut left: Vec<String> = pids
            .iter()
            .map(|p| format!("frontend process {p} still running"))
            .collect();
        let images = self
            .docker
            .query(&["ps", "-a", "--format", "{{.ID}} {{.Image}}"])?;
        let ours = format!("mstage-load/{}", self.run);
        left.extend(
            images
                .lines()
                .filter(|l| l.contains(&ours))
                .map(|l| format!("container {l}")),
        );
        Ok(left)
    }

    fn remove_tags(&self) {
        for tag in self.tags.lock().expect("tags").iter() {
            self.docker.remove_image(tag);
        }
    }
}

/// Nearest-rank percentile `p` (0..=100) of `times`.
fn percentile(times: &[Duration], p: usize) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

fn p50_p95(times: &[Duration]) -> String {
    format!(
        "p50 {:.1} s, p95 {:.1} s",
        percentile(times, 50).as_secs_f64(),
        percentile(times, 95).as_secs_f64()
    )
}

fn elapsed(round: &Round) -> Vec<Duration> {
    round.outcomes.iter().map(|o| o.elapsed).collect()
}

fn run_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{}-{nanos}", std::process::id())
}

fn setup(args: &Args) -> anyhow::Result<(Load, tempfile::TempDir)> {
    let docker = Docker::from_arg(args.docker.clone(), Duration::from_secs(args.timeout));
    if !docker.alive() {
        bail!("no Docker engine answers {:?}", docker.bin);
    }
    std::fs::create_dir_all(&args.work)?;
    let scratch = tempfile::Builder::new()
        .prefix("load.")
        .tempdir_in(&args.work)?;
    let (count, jobs) = plan(args.builds);
    let sources = (0..count)
        .map(|n| Source::write(scratch.path(), n))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let load = Load {
        docker,
        frontend: Frontend::Image(args.frontend.clone()),
        run: run_id(),
        sources,
        jobs,
        tags: std::sync::Mutex::new(Vec::new()),
    };
    Ok((load, scratch))
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (load, _scratch) = setup(&args)?;
    let result = run(&load, &args);
    load.remove_tags();
    if !result? {
        std::process::exit(1);
    }
    Ok(())
}

/// The whole test; `false` when something failed (said on stderr and in the summary).
fn run(load: &Load, args: &Args) -> anyhow::Result<bool> {
    let total = load.jobs.len();
    eprintln!(
        "load: {} sources built alone through {}",
        load.sources.len(),
        args.frontend
    );
    let phase = Instant::now();
    let (alone, alone_times) = load.references()?;
    eprintln!(
        "load: {:.0} s; {total} builds at once through {}",
        phase.elapsed().as_secs_f64(),
        args.frontend
    );
    let phase = Instant::now();
    let mine = load.round(&load.frontend, "frontend")?;
    let left = load.leftovers()?;
    eprintln!(
        "load: {:.0} s; {total} builds at once through the built-in frontend",
        phase.elapsed().as_secs_f64()
    );
    let phase = Instant::now();
    let stock = load.round(&Frontend::Stock, "stock")?;
    eprintln!(
        "load: {:.0} s; comparing the images",
        phase.elapsed().as_secs_f64()
    );
    let phase = Instant::now();
    let same = load.identical("frontend", &mine, &alone);
    let stock_same = load.identical("stock", &stock, &alone);
    eprintln!("load: {:.0} s", phase.elapsed().as_secs_f64());
    println!(
        "concurrent builds: {same}/{total} identical ({}; {} distinct Dockerfiles and one built {} times, uncached)",
        load.docker.label(),
        load.sources.len() - 1,
        total - (load.sources.len() - 1),
    );
    println!(
        "  wall time of a build, {total} at once: {} {}; built-in frontend {}; one at a time: {} {}",
        args.frontend,
        p50_p95(&elapsed(&mine)),
        p50_p95(&elapsed(&stock)),
        args.frontend,
        p50_p95(&alone_times),
    );
    println!(
        "  built-in frontend's images under the same load: {stock_same}/{total} the same; frontend processes: up to {} at once, {} left after",
        mine.peak_frontends,
        left.iter().filter(|l| l.starts_with("frontend")).count(),
    );
    for l in &left {
        println!("  LEFT {l}");
    }
    // The scan must have seen the frontends at work, or finding none after proves nothing.
    let seen = mine.peak_frontends > 0;
    if !seen {
        println!("  FAIL no frontend process of the run was ever seen (is /proc readable?)");
    }
    Ok(same == total && stock_same == total && left.is_empty() && seen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let times: Vec<Duration> = (1..=20).map(Duration::from_secs).collect();
        assert_eq!(percentile(&times, 50), Duration::from_secs(10));
        assert_eq!(percentile(&times, 95), Duration::from_secs(19));
        assert_eq!(percentile(&times[..1], 95), Duration::from_secs(1));
    }
}
