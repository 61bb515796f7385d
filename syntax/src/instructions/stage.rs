//! Whole-Dockerfile typing: global ARGs before the first FROM, then stages.

use std::sync::Arc;

use super::commands::{ArgCommand, FromCommand, Instruction, Origin};
use super::dialect::Dialect;
use super::errors::{ErrorKind, InstructionError};
use super::parse::parse_instruction_in;
use crate::parser::{Dockerfile, SourceRange};

/// A build stage: its FROM and the instructions up to the next FROM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// Position among all stages (what `COPY --from=0` refers to).
    pub index: usize,
    /// `AS name`, lower-cased.
    pub name: Option<String>,
    /// Base image or stage as written (expand with the global ARGs:
    /// [`FromCommand::expand_base_name`] on [`Stage::from`]).
    pub base_name: String,
    /// `--platform` as written.
    pub platform: Option<String>,
    /// The FROM instruction itself.
    pub from: FromCommand,
    /// Instructions after FROM, in order (shared with the plans made from them, one per
    /// target platform).
    pub commands: Vec<Arc<Instruction>>,
}

impl Stage {
    /// Lines of the FROM instruction.
    pub fn range(&self) -> SourceRange {
        self.from.origin.range
    }
    pub fn origin(&self) -> &Origin {
        &self.from.origin
    }
    /// Whether `name` (a stage name, any case) refers to this stage.
    pub fn is_named(&self, name: &str) -> bool {
        self.name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    }
}

/// A typed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// ARG instructions before the first FROM (global scope).
    pub meta_args: Vec<ArgCommand>,
    pub stages: Vec<Stage>,
}

impl Parsed {
    /// The first stage called `name` (case-insensitive), as BuildKit looks stages up.
    pub fn stage_by_name(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.is_named(name))
    }
}

/// Types every instruction of `df` and groups them into stages. Errors name the line:
/// unknown instructions, bad flags, instructions other than ARG before the first FROM,
/// a Dockerfile without FROM. Stock syntax only: see [`parse_dockerfile_in`].
pub fn parse_dockerfile(df: &Dockerfile) -> Result<Parsed, InstructionError> {
    parse_dockerfile_in(df, Dialect::Stock)
}

/// [`parse_dockerfile`] in `dialect` (mstage's extensions accepted or not).
pub fn parse_dockerfile_in(df: &Dockerfile, dialect: Dialect) -> Result<Parsed, InstructionError> {
    let mut meta_args = Vec::new();
    let mut stages: Vec<Stage> = Vec::new();
    for node in &df.instructions {
        let inst = parse_instruction_in(node, df.escape, dialect)?;
        match inst {
            Instruction::From(from) => stages.push(Stage {
                index: stages.len(),
                name: from.name.clone(),
                base_name: from.base_name.clone(),
                platform: from.platform.clone(),
                from,
                commands: Vec::new(),
            }),
            Instruction::Arg(arg) if stages.is_empty() => meta_args.push(arg),
            other => match stages.last_mut() {
                Some(stage) => stage.commands.push(Arc::new(other)),
                None => {
                    return Err(InstructionError::new(
                        node.range,
                        ErrorKind::NoBuildStage {
                            instruction: other.name().to_string(),
                        },
                    ))
                }
            },
        }
    }
    if stages.is_empty() {
        let range = df
            .instructions
            .last()
            .map(|n| n.range)
            .unwrap_or(SourceRange {
                start_line: 1,
                end_line: 1,
                ..Default::default()
            });
        return Err(InstructionError::new(range, ErrorKind::NoStages));
    }
    Ok(Parsed { meta_args, stages })
}
