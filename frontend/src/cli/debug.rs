//! `mstage debug ...`: inspection commands.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct DebugCmd {
    #[command(subcommand)]
    pub command: DebugCommand,
}

#[derive(Debug, Subcommand)]
pub enum DebugCommand {
    /// Print the parse tree in the text form of BuildKit's parser tests (`result` files).
    Parse {
        /// Dockerfile to parse (`-` for stdin).
        file: PathBuf,
    },
}

pub fn run_debug(cmd: &DebugCmd) -> anyhow::Result<()> {
    match &cmd.command {
        DebugCommand::Parse { file } => {
            let bytes = if file.as_os_str() == "-" {
                let mut buf = Vec::new();
                std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)?;
                buf
            } else {
                std::fs::read(file).with_context(|| format!("reading {}", file.display()))?
            };
            let df = mstage_syntax::parser::parse(&bytes)
                .with_context(|| format!("parsing {}", file.display()))?;
            for w in &df.warnings {
                tracing::warn!(line = w.range.start_line, "{}", w.message);
            }
            print!("{}", mstage_syntax::parser::dump(&df));
            Ok(())
        }
    }
}
