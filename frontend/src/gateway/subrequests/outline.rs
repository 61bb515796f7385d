//! `frontend.outline`: the build args, secrets and SSH sockets the target stage and the
//! stages it needs use, as BuildKit's Dockerfile frontend lists them: an arg is listed when a
//! stage declares it or its `FROM` refers to it (and the args its default refers to), with the
//! value it gets in this build; the automatic platform args are never listed.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use mstage_compiler::lower::{BuildRequest, CompileError};
use mstage_compiler::plan::{Base, EnvList, Plan};
use mstage_syntax::instructions::{ArgCommand, Instruction, Mount, MountType, Parsed};
use mstage_syntax::parser::SourceRange;
use mstage_syntax::shell::Lexer;

use super::format::{doc_comment, location, table};

/// A build arg as the outline shows it.
#[derive(Clone)]
struct ArgInfo {
    key: String,
    value: Option<String>,
    description: Option<String>,
    range: SourceRange,
    /// The args its default referred to (they count as used when it is).
    deps: BTreeSet<String>,
}

/// A secret or SSH socket the build asks for.
#[derive(Clone)]
struct Need {
    required: bool,
    range: SourceRange,
}

/// What one stage contributes to the outline (BuildKit's `outlineCapture`).
#[derive(Clone, Default)]
struct Capture {
    all_args: BTreeMap<String, ArgInfo>,
    used: BTreeSet<String>,
    secrets: BTreeMap<String, Need>,
    ssh: BTreeMap<String, Need>,
}

impl Capture {
    /// An arg in use makes the args its default referred to used too.
    fn mark_used(&mut self) {
        let mut stack: Vec<String> = self.used.iter().cloned().collect();
        while let Some(k) = stack.pop() {
            let deps = self
                .all_args
                .get(&k)
                .map(|a| a.deps.clone())
                .unwrap_or_default();
            for d in deps {
                if self.used.insert(d.clone()) {
                    stack.push(d);
                }
            }
        }
    }
}

/// What the outline lists, gathered from the target and the stages it needs.
#[derive(Default)]
struct Listed {
    args: Vec<ArgInfo>,
    secrets: Vec<(String, Need)>,
    ssh: Vec<(String, Need)>,
}

/// The inputs every step of the outline reads.
struct Scope<'a> {
    request: &'a BuildRequest,
    plan: &'a Plan,
    parsed: &'a Parsed,
    lexer: Lexer,
}

/// The outline as `result.json` and `result.txt`.
pub(super) fn outline(request: &BuildRequest) -> Result<(serde_json::Value, String), CompileError> {
    let (plan, parsed, escape) = mstage_compiler::lower::plan_with_escape(request)?;
    let scope = Scope {
        request,
        plan: &plan,
        parsed: &parsed,
        lexer: Lexer::new(escape),
    };
    let po = mstage_compiler::plan::PlatformOpt::new(
        request.target_platforms.first(),
        &request.build_platforms,
    );
    let target_name = request.target.clone().unwrap_or_default();
    let mut globals = mstage_compiler::plan::default_args(&po, &request.build_args, &target_name);
    let global_args = scope.global_args(&mut globals)?;
    let mut captures = scope.stage_captures(&global_args, &globals);
    scope.capture_stages(&mut captures, &globals);
    for c in &mut captures {
        c.mark_used();
    }
    let listed = scope.listed_for_target(&captures);
    Ok(scope.answer(&listed))
}

impl Scope<'_> {
    /// The meta args: a build arg wins, else the default expanded against the args before
    /// it. Each value is added to `globals` as it is found.
    fn global_args(
        &self,
        globals: &mut EnvList,
    ) -> Result<BTreeMap<String, ArgInfo>, CompileError> {
        let mut global_args: BTreeMap<String, ArgInfo> = BTreeMap::new();
        for cmd in &self.parsed.meta_args {
            for def in &cmd.args {
                let mut info = ArgInfo {
                    key: def.key.clone(),
                    value: None,
                    description: doc_comment(&cmd.origin.comments, &def.key),
                    range: cmd.origin.range,
                    deps: BTreeSet::new(),
                };
                if let Some(v) = self.request.build_args.get(&def.key) {
                    info.value = Some(v.clone());
                } else if let Some(d) = &def.value {
                    let e = self
                        .lexer
                        .process_word_with_matches(d, globals)
                        .map_err(|e| CompileError::at(cmd.origin.range, e.to_string()))?;
                    info.deps = e.matched;
                    if info.deps.remove(&def.key) {
                        if let Some(old) = global_args.get(&def.key) {
                            info.deps.extend(old.deps.iter().cloned());
                        }
                    }
                    info.value = Some(e.result);
                }
                if let Some(v) = &info.value {
                    globals.add_or_replace(&def.key, v);
                }
                global_args.insert(def.key.clone(), info);
            }
        }
        Ok(global_args)
    }

    /// One capture per stage as its `FROM` leaves it: the global args, the args its base
    /// name and `--platform` refer to, and what a base stage of its own already uses
    /// (copied when the stage is registered, before its base is dispatched).
    fn stage_captures(
        &self,
        global_args: &BTreeMap<String, ArgInfo>,
        globals: &EnvList,
    ) -> Vec<Capture> {
        let mut captures: Vec<Capture> = Vec::with_capacity(self.parsed.stages.len());
        for (i, st) in self.parsed.stages.iter().enumerate() {
            let mut c = Capture {
                all_args: global_args.clone(),
                ..Default::default()
            };
            if let Some(Base::Stage(b)) = self.plan.stages.get(i).map(|s| &s.base) {
                if *b < i {
                    c.used = captures[*b].used.clone();
                }
            }
            let words = std::iter::once(st.base_name.as_str()).chain(st.platform.as_deref());
            for w in words {
                if let Ok(e) = self.lexer.process_word_with_matches(w, globals) {
                    c.used.extend(e.matched);
                }
            }
            captures.push(c);
        }
        captures
    }

    /// Walks the instructions of every reachable stage with the stage-local env (its args
    /// and ENV, and those of its base stages), recording args, secrets and SSH sockets.
    fn capture_stages(&self, captures: &mut [Capture], globals: &EnvList) {
        let reachable = self.plan.reachable();
        let mut envs: Vec<EnvList> = vec![EnvList::new(); captures.len()];
        for i in 0..captures.len() {
            if !reachable.get(i).copied().unwrap_or(false) {
                continue;
            }
            let mut env = match self.plan.stages[i].base {
                Base::Stage(b) if b < i => envs[b].clone(),
                _ => EnvList::new(),
            };
            for cmd in &self.plan.stages[i].commands {
                match &*cmd.instruction {
                    Instruction::Arg(a) => self.capture_arg(a, &mut captures[i], &mut env, globals),
                    Instruction::Env(e) => {
                        for kv in &e.env {
                            let v = self.expand(&kv.value, &env);
                            env.add_or_replace(&kv.key, &v);
                        }
                    }
                    Instruction::Run(run) => {
                        let mut ex =
                            |w: &str| self.lexer.process_word(w, &env).map_err(|e| e.to_string());
                        if let Ok(mounts) = run.expand_mounts(&mut ex) {
                            capture_mounts(mounts, run.origin.range, &mut captures[i]);
                        }
                    }
                    // mstage's stage-wide mount: its secret or SSH socket is needed too.
                    Instruction::Mount(m) => {
                        let mut ex =
                            |w: &str| self.lexer.process_word(w, &env).map_err(|e| e.to_string());
                        if let Ok(mount) = m.expand(&mut ex) {
                            capture_mounts(vec![mount], m.origin.range, &mut captures[i]);
                        }
                    }
                    _ => {}
                }
            }
            envs[i] = env;
        }
    }

    /// A word expanded against `env`; left as written when it does not expand.
    fn expand(&self, word: &str, env: &EnvList) -> String {
        self.lexer
            .process_word(word, env)
            .unwrap_or_else(|_| word.to_string())
    }

    /// A stage's ARG: the build arg wins, else its default, else the global value (which the
    /// stage then only uses, it does not declare it again).
    fn capture_arg(&self, a: &ArgCommand, c: &mut Capture, env: &mut EnvList, globals: &EnvList) {
        for def in &a.args {
            let mut redeclared_global = false;
            let value = if let Some(v) = self.request.build_args.get(&def.key) {
                Some(v.clone())
            } else if let Some(d) = &def.value {
                Some(self.expand(d, env))
            } else {
                redeclared_global = globals.get(&def.key).is_some();
                globals.get(&def.key).map(str::to_string)
            };
            if let Some(v) = &value {
                env.add_or_replace(&def.key, v);
            }
            if !redeclared_global {
                let info = ArgInfo {
                    key: def.key.clone(),
                    value,
                    description: doc_comment(&a.origin.comments, &def.key),
                    range: a.origin.range,
                    deps: BTreeSet::new(),
                };
                c.all_args.insert(def.key.clone(), info);
            }
            c.used.insert(def.key.clone());
        }
    }

    /// The target first, then its base stage, then the stages it reads from; the first
    /// listing of a name wins. Then ordered by line.
    fn listed_for_target(&self, captures: &[Capture]) -> Listed {
        let mut listed = Listed::default();
        let (mut seen_args, mut seen_secrets, mut seen_ssh) =
            (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
        let mut stack = vec![self.plan.target];
        let mut visited = BTreeSet::new();
        while let Some(s) = stack.pop() {
            if s >= captures.len() || !visited.insert(s) {
                continue;
            }
            let c = &captures[s];
            for k in &c.used {
                if let Some(a) = c.all_args.get(k).filter(|_| seen_args.insert(k.clone())) {
                    listed.args.push(a.clone());
                }
            }
            let firsts = |map: &BTreeMap<String, Need>, seen: &mut BTreeSet<String>| {
                map.iter()
                    .filter(|(k, _)| seen.insert((*k).clone()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect::<Vec<_>>()
            };
            listed.secrets.extend(firsts(&c.secrets, &mut seen_secrets));
            listed.ssh.extend(firsts(&c.ssh, &mut seen_ssh));
            let st = &self.plan.stages[s];
            stack.extend(st.deps.iter().rev().copied());
            if let Base::Stage(b) = st.base {
                stack.push(b);
            }
        }
        listed.args.sort_by_key(|a| a.range.start_line);
        listed.secrets.sort_by_key(|s| s.1.range.start_line);
        listed.ssh.sort_by_key(|s| s.1.range.start_line);
        listed
    }

    /// `result.json` (in the key order of BuildKit's `outline.Outline`) and `result.txt`.
    fn answer(&self, listed: &Listed) -> (serde_json::Value, String) {
        let target = self.plan.stages.get(self.plan.target);
        let name = target.and_then(|t| t.name.clone()).unwrap_or_default();
        let description = self
            .parsed
            .stages
            .get(self.plan.target)
            .and_then(|st| doc_comment(&st.from.origin.comments, &name));
        let mut value = serde_json::Map::new();
        if !name.is_empty() {
            value.insert("name".into(), json!(name));
        }
        if let Some(d) = &description {
            value.insert("description".into(), json!(d));
        }
        if !listed.args.is_empty() {
            let list: Vec<serde_json::Value> = listed.args.iter().map(arg_json).collect();
            value.insert("args".into(), json!(list));
        }
        if !listed.secrets.is_empty() {
            value.insert("secrets".into(), needs_json(&listed.secrets));
        }
        if !listed.ssh.is_empty() {
            value.insert("ssh".into(), needs_json(&listed.ssh));
        }
        value.insert("sources".into(), super::format::sources(self.request));
        let text = outline_text(&name, description.as_deref(), listed);
        (serde_json::Value::Object(value), text)
    }
}

fn arg_json(a: &ArgInfo) -> serde_json::Value {
    let mut v = json!({"name": a.key, "location": location(a.range)});
    if let Some(d) = &a.description {
        v["description"] = json!(d);
    }
    if let Some(x) = a.value.as_ref().filter(|x| !x.is_empty()) {
        v["value"] = json!(x);
    }
    v
}

fn needs_json(list: &[(String, Need)]) -> serde_json::Value {
    let list: Vec<serde_json::Value> = list
        .iter()
        .map(|(k, n)| {
            let mut v = json!({"name": k, "location": location(n.range)});
            if n.required {
                v["required"] = json!(true);
            }
            v
        })
        .collect();
    json!(list)
}

/// `result.txt` of the outline, as BuildKit's `PrintOutline` writes it.
fn outline_text(name: &str, description: Option<&str>, listed: &Listed) -> String {
    let Listed { args, secrets, ssh } = listed;
    let mut out = String::new();
    if !name.is_empty() || description.is_some() {
        let mut rows = vec![vec![
            "TARGET:".to_string(),
            if name.is_empty() { "(default)" } else { name }.to_string(),
        ]];
        if let Some(d) = description {
            rows.push(vec!["DESCRIPTION:".into(), d.to_string()]);
        }
        out.push_str(&table(&rows, 1));
        out.push('\n');
    }
    if !args.is_empty() {
        let mut rows = vec![vec![
            "BUILD ARG".into(),
            "VALUE".into(),
            "DESCRIPTION".into(),
        ]];
        for a in args {
            rows.push(vec![
                a.key.clone(),
                a.value.clone().unwrap_or_default(),
                a.description.clone().unwrap_or_default(),
            ]);
        }
        out.push_str(&table(&rows, 3));
        out.push('\n');
    }
    for (title, list) in [("SECRET", secrets), ("SSH", ssh)] {
        if list.is_empty() {
            continue;
        }
        let mut rows = vec![vec![title.to_string(), "REQUIRED".into()]];
        for (k, n) in list {
            rows.push(vec![k.clone(), if n.required { "true" } else { "" }.into()]);
        }
        out.push_str(&table(&rows, 3));
        out.push('\n');
    }
    out
}

/// The secret and SSH mounts of a RUN (or a MOUNT) at `range`; a secret's id defaults to
/// its source, then to the base name of its target.
fn capture_mounts(mounts: Vec<Mount>, range: SourceRange, c: &mut Capture) {
    for m in mounts {
        let need = Need {
            required: m.required,
            range,
        };
        match m.mount_type {
            MountType::Secret => {
                let id = m.source.clone().or_else(|| m.id.clone()).or_else(|| {
                    m.target
                        .as_deref()
                        .map(|t| t.rsplit('/').next().unwrap_or(t).to_string())
                });
                c.secrets.entry(id.unwrap_or_default()).or_insert(need);
            }
            MountType::Ssh => {
                let id = m.id.clone().unwrap_or_else(|| "default".to_string());
                c.ssh.entry(id).or_insert(need);
            }
            _ => {}
        }
    }
}
