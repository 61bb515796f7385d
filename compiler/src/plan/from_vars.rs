//! mstage's variables in `COPY --from` and `--mount from=`: the value is expanded with the
//! stage's ARG and ENV values, as the Dockerfile sets them up to that instruction (base
//! stages included), and the build args, before the stage edges are drawn. A value that
//! would not expand is used as written, so stock Dockerfiles plan exactly as before.
//!
//! The edges are decided before any base image is resolved (that is what keeps the bases
//! of unneeded stages unresolved), so ENV values that come from a base image's config are
//! not seen here.

use mstage_syntax::instructions::{would_expand, ArgDef, Instruction};
use mstage_syntax::parser::SourceRange;
use mstage_syntax::shell::Lexer;

use super::env::EnvList;
use super::{err, parse_go_int, Base, Plan};
use crate::error::CompileError;

/// The value an `ARG` gives `a` (BuildKit's `dispatchArg`): a build arg wins; else the
/// default expanded against `env`; else, without a default, the global ARG's value.
/// `None`: the ARG is declared without any value.
pub fn arg_value(
    a: &ArgDef,
    build_args: &std::collections::BTreeMap<String, String>,
    global_args: &EnvList,
    env: &EnvList,
    expand: impl FnOnce(&str, &EnvList) -> Result<String, String>,
) -> Result<Option<String>, String> {
    if let Some(v) = build_args.get(&a.key) {
        return Ok(Some(v.clone()));
    }
    match &a.value {
        Some(default) => expand(default, env).map(Some),
        None => Ok(global_args.get(&a.key).map(str::to_string)),
    }
}

/// ARGs that set no variable (BuildKit keeps them out of the env).
pub fn arg_sets_env(key: &str) -> bool {
    key != "BUILDKIT_SBOM_SCAN_CONTEXT" && key != "BUILDKIT_SBOM_SCAN_STAGE"
}

impl Plan {
    /// A `--from` value of command `ci` of stage `id`, expanded when it has variables.
    /// An unset variable that leaves the value empty, or naming no stage, is an error at
    /// `range`; so is an empty value. The message names the line too (as expansion errors
    /// do): clients that show no source info, such as docker 20.10's, still tell where.
    pub(super) fn expand_from(
        &self,
        id: usize,
        ci: usize,
        raw: &str,
        range: SourceRange,
    ) -> Result<String, CompileError> {
        if !would_expand(raw, self.escape) {
            return Ok(raw.to_string());
        }
        let env = self.env_at(id, ci)?;
        let x = Lexer::new(self.escape)
            .process_word_with_matches(raw, &env)
            .map_err(|e| err(range, e.to_string()))?;
        let names_stage = |v: &str| parse_go_int(v).is_some() || self.find_by_name(v).is_some();
        if !x.unmatched.is_empty() && (x.result.is_empty() || !names_stage(&x.result)) {
            let names: Vec<&str> = x.unmatched.iter().map(String::as_str).collect();
            return Err(err(
                range,
                format!(
                    "dockerfile line {}: undefined variable {} in --from={raw}: no ARG, ENV or build arg sets it, and {:?} names no stage",
                    range.start_line,
                    names.join(", "),
                    x.result
                ),
            ));
        }
        if x.result.is_empty() {
            let line = range.start_line;
            let msg = format!("dockerfile line {line}: --from={raw} expands to an empty value");
            return Err(err(range, msg));
        }
        Ok(x.result)
    }

    /// The variables stage `id` sees before its command `ci`: its base stages' ARG and ENV
    /// values, then its own.
    fn env_at(&self, id: usize, ci: usize) -> Result<EnvList, CompileError> {
        let mut chain = vec![(id, ci)];
        let mut s = id;
        while let Base::Stage(b) = self.stages[s].base {
            chain.push((b, self.stages[b].commands.len()));
            s = b;
        }
        let lexer = Lexer::new(self.escape);
        let expand = |w: &str, env: &EnvList| lexer.process_word(w, env).map_err(|e| e.to_string());
        let mut env = EnvList::new();
        for (sid, upto) in chain.into_iter().rev() {
            for cmd in &self.stages[sid].commands[..upto] {
                let range = cmd.instruction.range();
                match &*cmd.instruction {
                    Instruction::Arg(c) => {
                        for a in &c.args {
                            let v = arg_value(a, &self.build_args, &self.global_args, &env, expand)
                                .map_err(|m| err(range, m))?;
                            if let Some(v) = v.filter(|_| arg_sets_env(&a.key)) {
                                env.add_or_replace(&a.key, &v);
                            }
                        }
                    }
                    Instruction::Env(c) => {
                        let before = env.clone();
                        let kvs = c
                            .expand(&mut |w: &str| expand(w, &before))
                            .map_err(|e| err(range, e.to_string()))?;
                        for kv in kvs {
                            env.add_or_replace(&kv.key, &kv.value);
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(env)
    }
}
