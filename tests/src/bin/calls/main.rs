//! Differential test of the `--call` subrequests: every input Dockerfile is asked
//! `docker buildx build --call=outline,format=json`, `--call=targets,format=json`,
//! `--call=check,format=json` and `--call=targets` (text), once through the engine's built-in
//! Dockerfile frontend and once through a frontend image (`BUILDKIT_SYNTAX=<image>`), and the
//! two answers must be the same: stdout byte for byte (so the JSON field for field), the
//! exit status, and the error lines. See tests/e2e/README.md.
//!
//!   calls [--frontend mstage:dev] [--jobs 2] [--only REGEX] [--real-world DIR|none]
//!
//! Inputs: every e2e case (`tests/e2e/cases/*`, with its case.json's build args, target and
//! platform), every example (`examples/*/Dockerfile` and `Dockerfile.single`) and the
//! real-world corpus (`../shared/conformance/real-world/*/Dockerfile`, read in place). A
//! real-world call is left out (and listed) when the built-in frontend cannot answer it here
//! because a base image is not local (outline and check resolve the base images; nothing can
//! be pulled); for the e2e cases and the examples such failures are compared too.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use clap::Parser;
use regex::Regex;

use mstage_tests::engine::docker::{BuildSpec, Docker, Frontend, Outcome, Output};

mod diff;
mod inputs;
mod normalise;

use diff::{line_diff, stdout_diff};
use inputs::{inputs, mark_missing_bases, Input, Kind};
use normalise::{normalise, same_error_wrapping, sort_violation_rules, sort_warnings};

#[derive(Parser, Debug)]
#[command(about = "Compares mstage's --call answers with the engine's built-in frontend")]
struct Args {
    /// The frontend image under test, selected with `--build-arg BUILDKIT_SYNTAX=<image>`.
    #[arg(long, default_value = "mstage:dev")]
    frontend: String,
    /// Calls run side by side.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
    /// Only inputs whose name (`e2e/<case>`, `example/<name>/Dockerfile`, `real-world/<id>`)
    /// matches this regex (repeatable).
    #[arg(long = "only")]
    only: Vec<String>,
    /// The real-world corpus [default: ../shared/conformance/real-world from the repo];
    /// `none` leaves it out.
    #[arg(long)]
    real_world: Option<String>,
    /// Docker client with buildx [default: $DOCKER].
    #[arg(long)]
    docker: Option<PathBuf>,
    /// Per call timeout in seconds.
    #[arg(long, default_value_t = 120)]
    timeout: u64,
    /// Where the normalised Dockerfiles are written (a fresh folder inside).
    #[arg(long, default_value = "/tmp/mstage-calls")]
    work: PathBuf,
    /// Print the mstage answer in full for every mismatch.
    #[arg(long)]
    verbose: bool,
}

/// Calls whose answers differ for a known reason that is not mstage's to fix: input, call
/// labels, why. They are not run; they are listed as excluded and not counted.
const KNOWN_DIFFERENT: &[(&str, &[&str], &str)] = &[(
    "real-world/docker__compose__pkg__e2e__fixtures__build-test__entitlements__Dockerfile",
    &["outline", "targets", "check", "targets(text)"],
    "`RUN --security=insecure` is stable since dockerfile 1.20; Docker 28.5's built-in \
         frontend rejects it as an unknown flag",
)];

/// The calls asked of every input: `--call` value, short label.
const CALLS: [(&str, &str); 4] = [
    ("outline,format=json", "outline"),
    ("targets,format=json", "targets"),
    ("check,format=json", "check"),
    ("targets", "targets(text)"),
];

/// What one frontend answered.
struct Answer {
    success: bool,
    timed_out: bool,
    stdout: String,
    /// stderr without the progress lines (`#N ...`, whose timings and vertex names differ).
    errors: String,
}

impl Answer {
    fn from(o: &Outcome) -> Answer {
        let stderr = &o.log[..o.log.len() - o.stdout.len()];
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .collect();
        let errors = same_error_wrapping(&sort_violation_rules(&sort_warnings(&lines).join("\n")));
        Answer {
            success: o.success,
            timed_out: o.timed_out,
            stdout: o.stdout.clone(),
            errors,
        }
    }
}

/// How one call compared.
enum Verdict {
    Same,
    Different(String),
    /// Not compared: the built-in frontend cannot answer here (the reason).
    Excluded(String),
}

/// One call asked of one input.
struct Job<'a> {
    input: &'a Input,
    call: &'static str,
    label: &'static str,
}

/// Asks both frontends and compares their answers.
struct Runner {
    docker: Docker,
    image: String,
    verbose: bool,
}

impl Runner {
    /// One frontend's answer: the built-in one, or the image under test when
    /// `through_image`.
    fn ask(&self, job: &Job, through_image: bool) -> anyhow::Result<Answer> {
        let i = job.input;
        let spec = BuildSpec {
            context: i.context.clone(),
            dockerfile: Some(i.dockerfile.clone()),
            build_args: i.build_args.clone(),
            target: i.target.clone(),
            platform: i.platform.clone(),
            secrets: Vec::new(),
            ssh: Vec::new(),
            labels: BTreeMap::new(),
            build_contexts: BTreeMap::new(),
            no_cache: false,
            shm_size: None,
            ulimits: Vec::new(),
            output: Output::Call(job.call.to_string()),
        };
        let frontend = if through_image {
            Frontend::Image(self.image.clone())
        } else {
            Frontend::Stock
        };
        Ok(Answer::from(&self.docker.build(&spec, &frontend)?))
    }

    fn run(&self, job: &Job) -> anyhow::Result<Verdict> {
        if let Some(reason) = excluded_unasked(job) {
            return Ok(Verdict::Excluded(reason));
        }
        let stock = self.ask(job, false)?;
        if job.input.kind == Kind::RealWorld && !stock.success {
            if let Some(reason) = not_local(&stock) {
                return Ok(Verdict::Excluded(reason));
            }
        }
        let ours = self.ask(job, true)?;
        if stock.timed_out || ours.timed_out {
            return Ok(Verdict::Different(format!(
                "timed out (stock: {}, {}: {})",
                stock.timed_out, self.image, ours.timed_out
            )));
        }
        let why = self.differences(job, &stock, &ours);
        Ok(if why.is_empty() {
            Verdict::Same
        } else {
            Verdict::Different(why)
        })
    }

    /// What differs between the two answers (exit status, stdout, errors); empty when
    /// nothing does.
    fn differences(&self, job: &Job, stock: &Answer, ours: &Answer) -> String {
        let mut why = String::new();
        if stock.success != ours.success {
            why.push_str(&format!(
                "exit status: stock {}, {} {}\n",
                status(stock.success),
                self.image,
                status(ours.success)
            ));
        }
        let (a, b) = if job.call.ends_with("format=json") {
            (normalise(&stock.stdout), normalise(&ours.stdout))
        } else {
            (stock.stdout.clone(), ours.stdout.clone())
        };
        if a != b {
            why.push_str(&stdout_diff(&a, &b));
            if self.verbose {
                why.push_str(&format!("mstage stdout:\n{b}\n"));
            }
        }
        if stock.errors != ours.errors {
            why.push_str("errors (stderr without progress lines):\n");
            why.push_str(&line_diff(&stock.errors, &ours.errors));
        }
        why
    }
}

/// Why a call is not asked at all: a real-world base image the engine does not have, what
/// the case's `case.json` says of this engine, or a known difference.
fn excluded_unasked(job: &Job) -> Option<String> {
    if job.input.kind == Kind::RealWorld && job.label != "targets" {
        if let Some(image) = job.input.missing_base.as_ref() {
            // outline and check resolve the bases; no need to ask to know it fails.
            return Some(format!("base image not local ({image})"));
        }
    }
    if let Some(why) = &job.input.excluded {
        return Some(why.clone());
    }
    for (name, labels, why) in KNOWN_DIFFERENT {
        if job.input.name == *name && labels.contains(&job.label) {
            return Some(format!("known difference: {why}"));
        }
    }
    None
}

fn status(ok: bool) -> &'static str {
    if ok {
        "0"
    } else {
        "non-zero"
    }
}

/// Why the built-in frontend could not answer here, when that is a base image it cannot
/// pull (no registry is reachable): `base image not local: <ref>`.
fn not_local(a: &Answer) -> Option<String> {
    let re = Regex::new(r"failed to resolve source metadata for ([^ :]+(:[^ :]+)?)").unwrap();
    re.captures(&a.errors)
        .map(|c| format!("base image not local ({})", &c[1]))
}

/// Every call asked of every input, in input order.
fn jobs(inputs: &[Input]) -> Vec<Job<'_>> {
    inputs
        .iter()
        .flat_map(|input| {
            CALLS
                .iter()
                // buildx prints the text form from the same JSON; once per real-world
                // Dockerfile is enough.
                .filter(move |(_, label)| {
                    input.kind != Kind::RealWorld || *label != "targets(text)"
                })
                .map(move |&(call, label)| Job { input, call, label })
        })
        .collect()
}

/// Runs the jobs on `threads` threads (at least one); the verdicts come back in job order.
fn run_all(runner: &Runner, jobs: &[Job], threads: usize) -> Vec<anyhow::Result<Verdict>> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<anyhow::Result<Verdict>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::SeqCst);
                let Some(job) = jobs.get(k) else { break };
                let v = runner.run(job);
                results.lock().unwrap()[k] = Some(v);
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every job ran"))
        .collect()
}

/// The verdicts, counted for the report.
struct Tally {
    same: usize,
    /// Identical calls by input kind.
    by_kind: BTreeMap<&'static str, usize>,
    /// `<input> --call=<label>` and why.
    different: Vec<(String, String)>,
    /// Calls not compared, by reason.
    excluded: BTreeMap<String, Vec<String>>,
}

impl Tally {
    fn of(jobs: &[Job], results: Vec<anyhow::Result<Verdict>>) -> Tally {
        let mut t = Tally {
            same: 0,
            by_kind: BTreeMap::new(),
            different: Vec::new(),
            excluded: BTreeMap::new(),
        };
        for (job, r) in jobs.iter().zip(results) {
            let what = format!("{} --call={}", job.input.name, job.label);
            match r {
                Ok(Verdict::Same) => {
                    t.same += 1;
                    *t.by_kind.entry(job.input.kind.label()).or_default() += 1;
                }
                Ok(Verdict::Different(why)) => t.different.push((what, why)),
                Ok(Verdict::Excluded(reason)) => t.excluded.entry(reason).or_default().push(what),
                Err(e) => t.different.push((what, format!("could not run: {e:#}\n"))),
            }
        }
        t
    }

    /// The differences in full, the exclusions by reason, then the counts.
    fn print(&self, start: Instant) {
        for (what, why) in &self.different {
            println!("DIFFERENT {what}\n{why}");
        }
        let n_excluded: usize = self.excluded.values().map(Vec::len).sum();
        if n_excluded > 0 {
            println!(
                "excluded {n_excluded} calls (the built-in frontend cannot answer them here, or a known difference):"
            );
            for (reason, list) in &self.excluded {
                if list.len() <= 4 {
                    println!("  {reason}: {}", list.join(", "));
                } else {
                    println!("  {reason}: {} calls", list.len());
                }
            }
        }
        let kinds: Vec<String> = self
            .by_kind
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        println!("identical by input: {}", kinds.join(", "));
        let total = self.same + self.different.len();
        println!(
            "calls identical to the built-in frontend: {}/{total} ({:.0?})",
            self.same,
            start.elapsed()
        );
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let timeout = Duration::from_secs(args.timeout);
    let docker = Docker::from_arg(args.docker.clone(), timeout);
    if !docker.buildx {
        anyhow::bail!(
            "{} has no buildx: --call needs `docker buildx build` (source scripts/e2e-env.sh with E2E_ENGINE=current)",
            docker.bin.display()
        );
    }
    std::fs::create_dir_all(&args.work)?;
    let work = tempfile::Builder::new()
        .prefix("calls.")
        .tempdir_in(&args.work)?;
    let mut inputs = inputs(
        &args.only,
        args.real_world.as_deref(),
        work.path(),
        &docker.engine_version(),
    )?;
    mark_missing_bases(&mut inputs, &docker)?;
    let jobs = jobs(&inputs);
    eprintln!(
        "calls: {} inputs x {} calls on {}, {} vs the built-in frontend, {} jobs",
        inputs.len(),
        CALLS.len(),
        docker.label(),
        args.frontend,
        args.jobs
    );
    let runner = Runner {
        docker,
        image: args.frontend.clone(),
        verbose: args.verbose,
    };
    let start = Instant::now();
    let tally = Tally::of(&jobs, run_all(&runner, &jobs, args.jobs));
    tally.print(start);
    if !tally.different.is_empty() {
        std::process::exit(1);
    }
    Ok(())
}
