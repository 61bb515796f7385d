//! Glue to the parser layers: Dockerfile bytes -> typed instructions, ONBUILD trigger
//! parsing, and [`Words`] on top of [`mstage_syntax::shell`].

use super::build::TriggerParser;
use super::request::BuildRequest;
use super::words::Words;
use crate::error::{CompileError, ErrorKind};
use crate::include::FragmentLoader;
use crate::plan::EnvList;
use mstage_syntax::instructions::{parse_dockerfile, parse_instruction, Instruction, Parsed};
use mstage_syntax::parser::{resolve_includes, Dockerfile, SourceRange};
use mstage_syntax::shell::Lexer;

/// Parses the request's Dockerfile (syntax, INCLUDEs spliced, then typing).
pub fn parse(request: &BuildRequest) -> Result<(Dockerfile, Parsed), CompileError> {
    let df = parse_request(request)?;
    let parsed = parse_typed(&df)?;
    Ok((df, parsed))
}

/// The request's Dockerfile as one parse tree: its own nodes, with the fragments of its
/// `INCLUDE`s spliced in (a Dockerfile without INCLUDE comes back as parsed).
pub fn parse_request(request: &BuildRequest) -> Result<Dockerfile, CompileError> {
    let df = parse_syntax(&request.dockerfile)?;
    let loader = FragmentLoader(&request.fragments);
    resolve_includes(df, &request.dockerfile_name, &loader)
        .map_err(|e| CompileError::new(ErrorKind::Syntax, Some(e.range), e.to_string()))
}

/// Types a parse tree.
pub fn parse_typed(df: &Dockerfile) -> Result<Parsed, CompileError> {
    Ok(parse_dockerfile(df)?)
}

pub fn parse_syntax(bytes: &[u8]) -> Result<Dockerfile, CompileError> {
    mstage_syntax::parser::parse(bytes)
        .map_err(|e| CompileError::new(ErrorKind::Syntax, Some(e.range), e.to_string()))
}

/// Shell-word expansion for the lowering, with the Dockerfile's escape character.
pub struct ShellWords {
    pub escape: char,
}

impl Words for ShellWords {
    fn escape(&self) -> char {
        self.escape
    }
    fn word(&self, w: &str, env: &EnvList) -> Result<String, String> {
        Lexer::new(self.escape)
            .process_word(w, env)
            .map_err(|e| e.to_string())
    }
    fn words(&self, w: &str, env: &EnvList) -> Result<Vec<String>, String> {
        Lexer::new(self.escape)
            .process_words(w, env)
            .map_err(|e| e.to_string())
    }
    fn name_raw(&self, w: &str, env: &EnvList) -> String {
        Lexer::new(self.escape)
            .with_raw_quotes(true)
            .with_skip_unset_env(true)
            .process_word(w, env)
            .unwrap_or_else(|_| w.to_string())
    }
    fn keep_quotes(&self, w: &str, env: &EnvList) -> Result<String, String> {
        Lexer::new('\\')
            .with_skip_process_quotes(true)
            .process_word(w, env)
            .map_err(|e| e.to_string())
    }
}

impl TriggerParser for ShellWords {
    fn parse_trigger(&self, text: &str, range: SourceRange) -> Result<Instruction, CompileError> {
        let (mut df, _) = match parse_syntax(text.as_bytes()) {
            Ok(df) => (df, ()),
            Err(e) => return Err(e.with_range(range)),
        };
        if df.instructions.len() != 1 {
            return Err(CompileError::at(
                range,
                "onbuild trigger should be a single expression",
            ));
        }
        let mut node = df.instructions.remove(0);
        node.range = range;
        Ok(parse_instruction(&node, self.escape)?)
    }
}
