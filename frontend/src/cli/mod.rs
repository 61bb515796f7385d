//! The `mstage` command line. Subcommands are added by the modules that own them.

use clap::{Parser, Subcommand};

pub mod debug;
mod fragments;
pub mod lint;
pub mod llb;

/// `mstage --version`: the crate version and the git revision it was built from
/// (frontend/build.rs), as the image labels carry them.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (revision ",
    env!("MSTAGE_REVISION"),
    ")"
);

/// mstage: a BuildKit frontend that compiles Dockerfiles into LLB.
#[derive(Debug, Parser)]
#[command(name = "mstage", version = VERSION, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile a Dockerfile to LLB (a Definition for `buildctl build`, or a JSON dump).
    Llb(llb::LlbCmd),
    /// Run the build checks (what `docker buildx build --check` reports).
    Lint(lint::LintCmd),
    /// Draw the stages, base images and cross-stage edges of a Dockerfile.
    Graph(llb::GraphCmd),
    /// Inspection commands (`debug parse FILE`).
    Debug(debug::DebugCmd),
    /// Serve BuildKit as a gateway frontend on stdin/stdout (the default when buildkitd
    /// starts the image).
    Frontend,
}

pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match &cli.command {
        Some(Command::Llb(c)) => llb::run_llb(c),
        Some(Command::Graph(c)) => llb::run_graph(c),
        Some(Command::Lint(c)) => lint::run_lint(c),
        Some(Command::Debug(c)) => debug::run_debug(c),
        Some(Command::Frontend) => serve_frontend(),
        None if crate::gateway::started_by_buildkit() => serve_frontend(),
        None => {
            <Cli as clap::CommandFactory>::command().print_help()?;
            Ok(())
        }
    }
}

/// An error as the binary prints it: `Error: <message>`, then anyhow's `Caused by:` list
/// when there are causes, but never a backtrace (see `main.rs`).
pub fn error_report(e: &anyhow::Error) -> String {
    let mut out = format!("Error: {e}");
    let causes: Vec<String> = e.chain().skip(1).map(ToString::to_string).collect();
    if causes.len() == 1 {
        out.push_str(&format!("\n\nCaused by:\n    {}", causes[0]));
    } else if !causes.is_empty() {
        out.push_str("\n\nCaused by:");
        for (i, c) in causes.iter().enumerate() {
            out.push_str(&format!("\n    {i}: {c}"));
        }
    }
    out
}

/// Gateway mode: stdout is gRPC, so logs go to stderr (buildkitd's log).
fn serve_frontend() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MSTAGE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let started = std::time::Instant::now();
    let started_wall = std::time::SystemTime::now();
    let result = crate::gateway::serve();
    log_peak_memory(started_wall, started.elapsed());
    result?;
    Ok(())
}

/// Writes this process's peak resident set size (`VmHWM`), when it started (wall clock, so
/// that it lines up with the client's clock on the same host) and the time it spent serving
/// to stderr, which buildkitd passes to its own log; `scripts/bench-e2e.sh` reads them there.
fn log_peak_memory(started: std::time::SystemTime, served: std::time::Duration) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(hwm) = status.lines().find(|l| l.starts_with("VmHWM:")) {
        let kib = hwm["VmHWM:".len()..].trim().trim_end_matches("kB").trim();
        let start_us = started
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros());
        eprintln!(
            "mstage: peak-rss-kib={kib} served-ms={} start-unix-us={start_us}",
            served.as_millis()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::error_report;

    #[test]
    fn error_reports_list_causes_like_anyhow_without_a_backtrace() {
        let e = anyhow::anyhow!("inner").context("outer");
        assert_eq!(error_report(&e), "Error: outer\n\nCaused by:\n    inner");
        let e = anyhow::anyhow!("a").context("b").context("c");
        assert_eq!(
            error_report(&e),
            "Error: c\n\nCaused by:\n    0: b\n    1: a"
        );
        assert_eq!(error_report(&anyhow::anyhow!("x")), "Error: x");
    }
}
