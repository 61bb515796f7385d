//! `mstage lint`: the build checks without BuildKit, printed as `docker buildx build
//! --check` prints them (or as the `frontend.lint` JSON).

use std::io::Write;

use clap::{Args, ValueEnum};

use super::llb::{read_request, BuildArgs};
use mstage_compiler::lower::{self, NoneResolver};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// Each warning with the Dockerfile lines it is about.
    Text,
    /// BuildKit's `frontend.lint` result (`result.json`).
    Json,
}

/// `mstage lint`.
#[derive(Debug, Args)]
pub struct LintCmd {
    #[command(flatten)]
    pub build: BuildArgs,
    #[arg(long, value_enum, default_value = "text")]
    pub format: LintFormat,
}

/// Runs `mstage lint`; exits with 1 when there is a warning or an error, as the
/// subrequest's status code says.
pub fn run_lint(cmd: &LintCmd) -> anyhow::Result<()> {
    let (mut req, _) = read_request(&cmd.build, true)?;
    // Without a target, every stage is checked.
    req.all_stages = req.target.is_none();
    let checked = lower::check_blocking(&req, &NoneResolver);
    let error = checked.error();
    let mut stdout = std::io::stdout().lock();
    match cmd.format {
        LintFormat::Json => {
            let v =
                mstage_compiler::lint::results_json(&checked.findings, &req.source_texts(), error);
            serde_json::to_writer_pretty(&mut stdout, &v)?;
            writeln!(stdout)?;
        }
        LintFormat::Text => {
            let text = mstage_compiler::lint::results_text(&checked.findings, &req.source_texts());
            write!(stdout, "{text}")?;
            match (&checked.result, &checked.violation) {
                (Err(e), _) => writeln!(stdout, "\nERROR: {}", req.render_error(e))?,
                (Ok(_), Some(v)) => writeln!(stdout, "\nERROR: {v}")?,
                (Ok(_), None) => {}
            }
        }
    }
    stdout.flush()?;
    if !checked.findings.is_empty() || error.is_some() {
        std::process::exit(1);
    }
    Ok(())
}
