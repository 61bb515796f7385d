//! The build plan: which stages exist, what each is based on, which stages the target
//! needs, and the global build arguments. Mirrors the first half of BuildKit's
//! `dockerfile2llb` (`buildDispatchStates`, `buildStageDependencyGraph`,
//! `allReachableStages`), without touching LLB.
//!
//! Stages live in one vector, [`Plan::stages`]: the Dockerfile's stages in order, then
//! "unregistered" stages for images and contexts used by `COPY --from` and `RUN --mount
//! from=` (as upstream, each use gets its own entry; identical image ops merge later by digest).

mod env;
pub mod graph;

use std::collections::HashMap;
use std::sync::Arc;

pub use env::EnvList;

use crate::error::{CompileError, ErrorKind};
use crate::image::{ImageRef, Platform};
use mstage_syntax::instructions::{Instruction, Parsed};
use mstage_syntax::parser::SourceRange;

/// Expands one word against an environment (BuildKit's `ProcessWord`). The error is the
/// expansion's message.
pub type Expand<'a> = dyn Fn(&str, &EnvList) -> Result<String, String> + 'a;

/// Name of the empty base image.
pub const SCRATCH: &str = "scratch";

/// Platforms of a build (BuildKit's `platformOpt`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformOpt {
    pub target: Platform,
    /// Worker platforms; the first is `BUILDPLATFORM`.
    pub build: Vec<Platform>,
    /// True when no target platform was requested (the build platform is used).
    pub implicit_target: bool,
}

impl PlatformOpt {
    pub fn new(target: Option<&Platform>, build: &[Platform]) -> Self {
        let mut build = build.to_vec();
        if build.is_empty() {
            build = match target {
                Some(t) => vec![t.clone()],
                None => vec![Platform::host()],
            };
        }
        PlatformOpt {
            target: target.cloned().unwrap_or_else(|| build[0].clone()),
            build,
            implicit_target: target.is_none(),
        }
    }
}

/// What a stage starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// `FROM scratch`, or an image found to have no layers.
    Scratch,
    /// An earlier stage (by id in [`Plan::stages`]).
    Stage(usize),
    /// An image, normalised with its tag (`docker.io/library/alpine:latest`); resolved later.
    Image(String),
    /// A named context given for the stage's name or its base name.
    Context(String),
}

/// One instruction of a stage, with the stages it reads from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub instruction: Arc<Instruction>,
    /// `COPY --from`: one entry; `RUN`: one per `--mount` (a mount without `from` reads
    /// the build context, or an unregistered `scratch` stage, as upstream).
    pub sources: Vec<usize>,
    /// Came from an `ONBUILD` trigger of the base.
    pub on_build: bool,
}

/// A stage of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanStage {
    /// Position in [`Plan::stages`] (= the Dockerfile index for registered stages).
    pub id: usize,
    /// `AS name`, lower-cased.
    pub name: Option<String>,
    /// Name in vertex names: the stage name, `stage-N`, or empty for a one-stage build.
    pub display_name: String,
    /// Base name after global-ARG expansion (for unregistered stages: the `--from` value).
    pub base_name: String,
    pub base: Base,
    /// `FROM --platform`, parsed.
    pub platform: Option<Platform>,
    pub commands: Vec<Command>,
    /// Stages this one reads from (COPY --from, RUN --mount from), in first-use order.
    pub deps: Vec<usize>,
    /// Added for a `COPY --from`/`--mount from` that names no stage.
    pub unregistered: bool,
    /// The stage is replaced by a named context of its own name.
    pub replaced_by_context: bool,
    /// Count of numbered steps (`[name i/N]`): FROM an image, RUN, COPY, ADD, WORKDIR and
    /// ONBUILD triggers.
    pub cmd_total: usize,
    /// FROM's lines (for unregistered stages: the instruction that used it).
    pub range: SourceRange,
    /// FROM's text, for the image op's description.
    pub from_text: String,
    /// Whether the base stage's ONBUILD triggers were already added.
    pub onbuild_done: bool,
}

/// The whole plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub stages: Vec<PlanStage>,
    /// Id of the target stage.
    pub target: usize,
    /// Global args: automatic platform args, then the meta ARGs (with build-arg overrides).
    pub global_args: EnvList,
    pub platforms: PlatformOpt,
    /// Lower-cased stage name -> id (the last stage with that name wins, as upstream).
    by_name: HashMap<String, usize>,
    /// Number of registered (Dockerfile) stages.
    pub registered: usize,
}

/// Options the plan needs from the request.
#[derive(Clone, Copy)]
pub struct PlanOptions<'a> {
    pub target: Option<&'a str>,
    pub build_args: &'a std::collections::BTreeMap<String, String>,
    pub platforms: &'a PlatformOpt,
    /// Is there a named context called this (normalised) name?
    pub has_named_context: &'a dyn Fn(&str) -> bool,
}

/// The automatic args, in BuildKit's order (`defaultArgs`), with build-arg overrides.
pub fn default_args(
    po: &PlatformOpt,
    overrides: &std::collections::BTreeMap<String, String>,
    target: &str,
) -> EnvList {
    let bp = &po.build[0];
    let tp = &po.target;
    let target = if target.is_empty() { "default" } else { target };
    let pairs = [
        ("BUILDPLATFORM", bp.format()),
        ("BUILDOS", bp.os.clone()),
        ("BUILDOSVERSION", bp.os_version.clone()),
        ("BUILDARCH", bp.architecture.clone()),
        ("BUILDVARIANT", bp.variant.clone()),
        ("TARGETPLATFORM", tp.format_all()),
        ("TARGETOS", tp.os.clone()),
        ("TARGETOSVERSION", tp.os_version.clone()),
        ("TARGETARCH", tp.architecture.clone()),
        ("TARGETVARIANT", tp.variant.clone()),
        ("TARGETSTAGE", target.to_string()),
    ];
    let mut env = EnvList::new();
    for (k, v) in pairs {
        let v = overrides.get(k).cloned().unwrap_or(v);
        env.add_or_replace(k, &v);
    }
    env
}

fn err(range: SourceRange, msg: impl Into<String>) -> CompileError {
    CompileError::at(range, msg)
}

impl Plan {
    /// The global args of a build: the automatic ones, then the meta ARGs (a build arg wins,
    /// else the default expanded against the args so far).
    pub fn global_args(
        parsed: &Parsed,
        opts: PlanOptions<'_>,
        expand: &Expand<'_>,
    ) -> Result<EnvList, CompileError> {
        let last_name = parsed
            .stages
            .last()
            .and_then(|s| s.name.clone())
            .unwrap_or_default();
        let target_name = opts.target.map(str::to_string).unwrap_or(last_name);
        let mut global_args = default_args(opts.platforms, opts.build_args, &target_name);
        for cmd in &parsed.meta_args {
            for a in &cmd.args {
                let value = match opts.build_args.get(&a.key) {
                    Some(v) => Some(v.clone()),
                    None => match &a.value {
                        Some(d) => {
                            Some(expand(d, &global_args).map_err(|m| err(cmd.origin.range, m))?)
                        }
                        None => None,
                    },
                };
                if let Some(v) = value {
                    global_args.add_or_replace(&a.key, &v);
                }
            }
        }
        Ok(global_args)
    }

    /// `FROM --platform`, expanded with the global args and parsed.
    fn stage_platform(
        platform: Option<&str>,
        global_args: &EnvList,
        expand: &Expand<'_>,
    ) -> Result<Option<Platform>, String> {
        let Some(p) = platform else {
            return Ok(None);
        };
        let v = expand(p, global_args)
            .map_err(|m| format!("failed to process arguments for platform {p}: {m}"))?;
        if v.is_empty() {
            return Err(format!("empty platform value from expression {p}"));
        }
        Platform::parse(&v)
            .map(Some)
            .map_err(|e| format!("failed to parse platform {p}: {e}"))
    }

    /// The stage `--target` names, else the last one.
    fn find_target(&self, target: Option<&str>) -> Result<usize, CompileError> {
        let Some(t) = target.filter(|t| !t.is_empty()) else {
            return Ok(self.stages.len() - 1);
        };
        self.find_by_name(t).ok_or_else(|| {
            let names: Vec<&str> = self
                .stages
                .iter()
                .filter_map(|s| s.name.as_deref())
                .collect();
            let hint = mstage_syntax::instructions::suggest(t, &names, true)
                .map(|n| format!(" (did you mean {n}?)"))
                .unwrap_or_default();
            CompileError::request(format!("target stage {t:?} could not be found{hint}"))
        })
    }

    /// Builds the plan: expands FROM lines with the global args, links stages, picks the
    /// target and records every cross-stage dependency. Base images are not resolved here.
    pub fn build(
        parsed: &Parsed,
        opts: PlanOptions<'_>,
        expand: &Expand<'_>,
    ) -> Result<Plan, CompileError> {
        let po = opts.platforms.clone();
        let global_args = Self::global_args(parsed, opts, expand)?;
        let mut plan = Plan {
            stages: Vec::with_capacity(parsed.stages.len()),
            target: 0,
            global_args,
            platforms: po,
            by_name: HashMap::new(),
            registered: parsed.stages.len(),
        };

        for (i, st) in parsed.stages.iter().enumerate() {
            let range = st.range();
            let base_name = expand(&st.base_name, &plan.global_args).map_err(|m| err(range, m))?;
            if base_name.is_empty() {
                return Err(err(
                    range,
                    format!("base name ({}) should not be blank", st.base_name),
                ));
            }
            let platform = Self::stage_platform(st.platform.as_deref(), &plan.global_args, expand)
                .map_err(|m| err(range, m))?;
            let replaced_by_context = st
                .name
                .as_deref()
                .is_some_and(|n| (opts.has_named_context)(n));
            let display_name = match &st.name {
                Some(n) => n.clone(),
                None => format!("stage-{i}"),
            };
            let mut stage = PlanStage {
                id: i,
                name: st.name.clone(),
                display_name,
                base_name: base_name.clone(),
                base: Base::Scratch,
                platform,
                commands: st
                    .commands
                    .iter()
                    .map(|c| Command {
                        instruction: Arc::clone(c),
                        sources: Vec::new(),
                        on_build: false,
                    })
                    .collect(),
                deps: Vec::new(),
                unregistered: false,
                replaced_by_context,
                cmd_total: 0,
                range,
                from_text: st.origin().original.clone(),
                onbuild_done: false,
            };
            if replaced_by_context {
                stage.base = Base::Context(st.name.clone().unwrap_or_default());
                // Upstream leaves such stages unnumbered and without a base.
                plan.add_stage(stage, false);
                continue;
            }
            let base = plan.add_stage(stage, true);
            let s = &mut plan.stages[i];
            s.base = match base {
                Some(b) => Base::Stage(b),
                None if base_name == SCRATCH => Base::Scratch,
                None => Base::Image(String::new()),
            };
            let mut total = usize::from(base_name != SCRATCH && base.is_none());
            total += s
                .commands
                .iter()
                .filter(|c| {
                    matches!(
                        *c.instruction,
                        Instruction::Add(_)
                            | Instruction::Copy(_)
                            | Instruction::Run(_)
                            | Instruction::Workdir(_)
                    )
                })
                .count();
            s.cmd_total = total;
        }

        plan.target = plan.find_target(opts.target)?;

        // Dependency graph.
        for id in 0..plan.registered {
            let n = plan.stages[id].commands.len();
            for ci in 0..n {
                let sources = plan.command_sources(id, ci)?;
                plan.stages[id].commands[ci].sources = sources.clone();
                for s in sources {
                    if !plan.stages[id].deps.contains(&s) {
                        plan.stages[id].deps.push(s);
                    }
                }
            }
        }
        plan.check_cycles()?;
        if plan.stages.len() == 1 {
            plan.stages[0].display_name.clear();
        }
        Ok(plan)
    }

    /// Appends a stage; returns the base stage it refers to by name (an earlier stage whose
    /// lower-cased name equals the expanded base name exactly), as upstream's `addState`.
    fn add_stage(&mut self, mut stage: PlanStage, link_base: bool) -> Option<usize> {
        let id = self.stages.len();
        stage.id = id;
        let base = if link_base {
            self.by_name.get(&stage.base_name).copied()
        } else {
            None
        };
        if let Some(n) = &stage.name {
            self.by_name.insert(n.to_lowercase(), id);
        }
        self.stages.push(stage);
        base
    }

    /// The stage called `name` (case-insensitive).
    pub fn find_by_name(&self, name: &str) -> Option<usize> {
        // Names are usually lower-case ASCII already: look them up without a lowered copy.
        if name
            .bytes()
            .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
        {
            return self.by_name.get(name).copied();
        }
        self.by_name.get(&name.to_lowercase()).copied()
    }

    fn unregistered(&mut self, base_name: &str, range: SourceRange) -> usize {
        let id = self.stages.len();
        self.stages.push(PlanStage {
            id,
            name: None,
            display_name: String::new(),
            base_name: base_name.to_string(),
            base: if base_name == SCRATCH {
                Base::Scratch
            } else {
                Base::Image(String::new())
            },
            platform: None,
            commands: Vec::new(),
            deps: Vec::new(),
            unregistered: true,
            replaced_by_context: false,
            cmd_total: 0,
            range,
            from_text: String::new(),
            onbuild_done: true,
        });
        id
    }

    /// Stages command `ci` of stage `id` reads from (upstream `toCommand` + `detectRunMount`).
    fn command_sources(&mut self, id: usize, ci: usize) -> Result<Vec<usize>, CompileError> {
        let inst = Arc::clone(&self.stages[id].commands[ci].instruction);
        let range = inst.range();
        match &*inst {
            Instruction::Copy(c) => {
                let Some(from) = c.from.clone() else {
                    return Ok(Vec::new());
                };
                Ok(vec![self.lookup_from(&from, range)?])
            }
            Instruction::Run(r) => {
                let froms: Vec<String> = r
                    .mounts
                    .iter()
                    .map(|m| m.from().unwrap_or(SCRATCH).to_string())
                    .collect();
                let mut out = Vec::with_capacity(froms.len());
                for f in froms {
                    out.push(match self.find_by_name(&f) {
                        Some(s) => s,
                        None => self.unregistered(&f, range),
                    });
                }
                Ok(out)
            }
            _ => Ok(Vec::new()),
        }
    }

    /// `COPY --from` value: a stage index, a stage name, or an image/context.
    fn lookup_from(&mut self, from: &str, range: SourceRange) -> Result<usize, CompileError> {
        if let Some(index) = parse_go_int(from) {
            if index < 0 || index as usize >= self.stages.len() {
                return Err(err(range, format!("invalid stage index {index}")));
            }
            return Ok(index as usize);
        }
        Ok(match self.find_by_name(from) {
            Some(s) => s,
            None => self.unregistered(from, range),
        })
    }

    fn check_cycles(&self) -> Result<(), CompileError> {
        // Iterative DFS with colours: 0 new, 1 on path, 2 done.
        let mut colour = vec![0u8; self.stages.len()];
        for start in 0..self.stages.len() {
            if colour[start] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            colour[start] = 1;
            while let Some(&mut (s, ref mut next)) = stack.last_mut() {
                if let Some(&d) = self.stages[s].deps.get(*next) {
                    *next += 1;
                    match colour[d] {
                        0 => {
                            colour[d] = 1;
                            stack.push((d, 0));
                        }
                        1 => {
                            let range = self.dep_range(s, d).unwrap_or(self.stages[s].range);
                            return Err(err(
                                range,
                                format!(
                                    "circular dependency detected on stage: {}",
                                    self.stages[start].display_name
                                ),
                            ));
                        }
                        _ => {}
                    }
                } else {
                    colour[s] = 2;
                    stack.pop();
                }
            }
        }
        Ok(())
    }

    /// Lines of the first command of `s` that reads from `d`.
    pub fn dep_range(&self, s: usize, d: usize) -> Option<SourceRange> {
        self.stages[s]
            .commands
            .iter()
            .find(|c| c.sources.contains(&d))
            .map(|c| c.instruction.range())
    }

    /// Every stage the target needs (its base chain and every dependency), by id.
    pub fn reachable(&self) -> Vec<bool> {
        let mut seen = vec![false; self.stages.len()];
        let mut stack = vec![self.target];
        while let Some(s) = stack.pop() {
            if std::mem::replace(&mut seen[s], true) {
                continue;
            }
            if let Base::Stage(b) = self.stages[s].base {
                stack.push(b);
            }
            stack.extend(self.stages[s].deps.iter().copied());
        }
        seen
    }

    /// Adds ONBUILD triggers (already typed) in front of stage `id`'s commands, with their
    /// sources. Returns true when a trigger reads from another stage or image (so
    /// reachability must be recomputed).
    pub fn add_triggers(
        &mut self,
        id: usize,
        triggers: Vec<Instruction>,
    ) -> Result<bool, CompileError> {
        let n = triggers.len();
        let mut cmds: Vec<Command> = triggers
            .into_iter()
            .map(|instruction| Command {
                instruction: Arc::new(instruction),
                sources: Vec::new(),
                on_build: true,
            })
            .collect();
        // Compute sources with the triggers temporarily in place.
        let rest = std::mem::take(&mut self.stages[id].commands);
        self.stages[id].commands = std::mem::take(&mut cmds);
        let mut new_deps = false;
        for ci in 0..n {
            let sources = self.command_sources(id, ci)?;
            if !sources.is_empty() {
                new_deps = true;
            }
            for &s in &sources {
                if !self.stages[id].deps.contains(&s) {
                    self.stages[id].deps.push(s);
                }
            }
            self.stages[id].commands[ci].sources = sources;
        }
        self.stages[id].commands.extend(rest);
        self.stages[id].cmd_total += n;
        Ok(new_deps)
    }

    /// Normalises an image base name (`alpine` -> `docker.io/library/alpine:latest`).
    pub fn normalize_image(name: &str) -> Result<ImageRef, String> {
        ImageRef::parse_normalized(name)
            .map(ImageRef::with_default_tag)
            .map_err(|e| format!("failed to parse stage name {name:?}: {e}"))
    }
}

/// Go's `strconv.Atoi` on the whole string (optional sign, decimal digits).
fn parse_go_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

impl From<mstage_syntax::instructions::InstructionError> for CompileError {
    fn from(e: mstage_syntax::instructions::InstructionError) -> Self {
        CompileError::new(ErrorKind::Syntax, Some(e.range), e.to_string())
    }
}
