//! Runs the cases: those that may share the engine in parallel, then the ones that must run
//! alone, then again, alone, those caught in an engine crash; each result is reported on
//! stderr as it comes.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::case::Case;
use crate::runner::{runs_alone, CaseResult, Runner};

/// Every case's result (the `skipped` ones failed as not run), in the order they ended.
pub fn run_all(
    runner: &Runner,
    cases: &[Case],
    skipped: &[Case],
    jobs: usize,
) -> anyhow::Result<Vec<CaseResult>> {
    let (alone, parallel): (Vec<&Case>, Vec<&Case>) = cases.iter().partition(|c| runs_alone(c));
    let results = Mutex::new(Vec::new());
    let mut retry = run_parallel(runner, &parallel, jobs, &results)?;
    retry.sort_by(|a, b| a.name.cmp(&b.name));
    for case in alone.into_iter().chain(retry) {
        let mut r = runner.run_case(case);
        if !r.pass && runner.engine_died()? {
            r.reasons.insert(
                0,
                "the engine crashed while building this case (the dockerd log has the panic)"
                    .into(),
            );
        }
        report(&results, r);
    }
    for case in skipped {
        report(
            &results,
            CaseResult {
                name: case.name.clone(),
                pass: false,
                reasons: vec!["not run (--skip)".into()],
                seconds: 0.0,
            },
        );
    }
    Ok(results.into_inner().unwrap())
}

/// Runs `cases` on `jobs` threads; returns those that failed while the engine went down, to
/// be retried alone, so that the one that kills the engine is told apart from those that
/// merely ran beside it.
fn run_parallel<'a>(
    runner: &Runner,
    cases: &[&'a Case],
    jobs: usize,
    results: &Mutex<Vec<CaseResult>>,
) -> anyhow::Result<Vec<&'a Case>> {
    let caught_in_crash: Mutex<Vec<&Case>> = Mutex::new(Vec::new());
    let run = |case: &Case| -> anyhow::Result<Option<CaseResult>> {
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
        for _ in 0..jobs.max(1) {
            s.spawn(|| loop {
                if fatal.lock().unwrap().is_some() {
                    break;
                }
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(case) = cases.get(i) else { break };
                match run(case) {
                    Ok(Some(r)) => report(results, r),
                    Ok(None) => caught_in_crash.lock().unwrap().push(case),
                    Err(e) => *fatal.lock().unwrap() = Some(e),
                }
            });
        }
    });
    if let Some(e) = fatal.into_inner().unwrap() {
        return Err(e);
    }
    Ok(caught_in_crash.into_inner().unwrap())
}

/// `PASS NAME (1.2s)` or `FAIL NAME (1.2s): reasons` on stderr, and the result kept.
fn report(results: &Mutex<Vec<CaseResult>>, r: CaseResult) {
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
}
