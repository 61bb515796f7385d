//! Per-stage lowering: each instruction updates the stage's LLB state and image config the
//! way `dockerfile2llb`'s `dispatch*` functions do.

use std::collections::BTreeSet;

use llb_gen::{FileActions, LocalPaths, Mkdir, NetMode, OpOptions, Owner, SourceMap, State};
use mstage_proto::pb;

use super::request::BuildRequest;
use super::words::Words;
use super::{Capabilities, CompileError};
use crate::image::{HealthConfig, ImageConfig, Platform, DEFAULT_PATH_ENV};
use crate::plan::EnvList;
use mstage_syntax::instructions::{
    AddCommand, ArgCommand, Chmod, ExpandError, Healthcheck, Instruction, KeyValue, MountType,
    NetworkMode as RunNetwork, RunCommand, SecurityMode, SourcesAndDest, WordExpander,
};
use mstage_syntax::parser::SourceRange;

mod copy;
mod gofmt;
mod run;

use copy::{dispatch_add, dispatch_copy};
use gofmt::*;
use run::dispatch_run;

pub use gofmt::{clean_path, join_path};

/// The `description` key naming the instruction an op comes from.
pub(super) const COMMAND_KEY: &str = "com.docker.dockerfile.v1.command";

/// A stage's LLB state: the filesystem so far, and the process settings its next RUN gets
/// (the values of Go's `llb.State`). The settings are kept here, not in [`State`]: word
/// expansion and the checks read the env as an [`EnvList`], and RUN passes them all.
#[derive(Debug, Clone)]
pub struct LState {
    /// The filesystem (its own process settings stay llb-gen's defaults).
    pub fs: State,
    pub env: EnvList,
    pub dir: String,
    pub user: String,
    pub hostname: String,
    pub network: NetMode,
    /// Platform value of the state (image sources set it; scratch has none).
    pub platform: Option<Platform>,
}

impl Default for LState {
    fn default() -> Self {
        LState::on(State::scratch())
    }
}

impl LState {
    /// Default settings (working dir `/`) on the filesystem `fs`.
    pub fn on(fs: State) -> Self {
        LState {
            fs,
            env: EnvList::new(),
            dir: "/".into(),
            user: String::new(),
            hostname: String::new(),
            network: NetMode::Sandbox,
            platform: None,
        }
    }

    pub fn scratch() -> Self {
        Self::default()
    }

    /// `WithImageConfig`'s part for the state: the config's env (in order) and working dir.
    pub fn apply_image_config(&mut self, img: &ImageConfig) {
        for e in &img.config.env {
            let (k, v) = e.split_once('=').unwrap_or((e.as_str(), ""));
            self.env.add_or_replace(k, v);
        }
        if !img.config.working_dir.is_empty() {
            self.dir = img.config.working_dir.clone();
        }
    }
}

/// A stage being lowered (`dispatchState`).
#[derive(Debug, Clone, Default)]
pub struct DState {
    pub state: LState,
    pub image: ImageConfig,
    /// The base image's config as resolved (shared by the stages on the same base).
    pub base_img: Option<std::sync::Arc<ImageConfig>>,
    pub platform: Option<Platform>,
    pub dispatched: bool,
    pub resolved: bool,
    /// ARGs declared in the stage (and its base stages): key, value.
    pub build_args: Vec<(String, Option<String>)>,
    pub display_name: String,
    /// Stage id in the plan.
    pub id: usize,
    pub cmd_index: usize,
    pub cmd_total: usize,
    pub cmd_is_onbuild: bool,
    pub ignore_cache: bool,
    /// A CMD was set in this stage (ENTRYPOINT then keeps it).
    pub cmd_set: bool,
    pub workdir_set: bool,
    /// What the build checks remember about this stage.
    pub lint: crate::lint::checks::StageLint,
}

/// What is shared by all stages of one build.
pub struct Ctx<'a> {
    pub req: &'a BuildRequest,
    pub words: &'a dyn Words,
    pub caps: &'a Capabilities,
    pub global_args: &'a EnvList,
    pub target_platform: Platform,
    pub multi_platform: bool,
    pub proxy: Option<pb::ProxyEnv>,
    /// The main build context (made on first use) and the handle of the paths it sends.
    pub context: Option<(State, LocalPaths)>,
    /// Context paths COPY/ADD/bind mounts use.
    pub ctx_paths: BTreeSet<String>,
    /// Paths read from other stages, by stage id (`COPY --from`, `--mount from`, and `/`
    /// for a stage that runs commands): named local contexts send only these.
    pub path_uses: Vec<(usize, String)>,
    /// Named local contexts, with the stage each stands for.
    pub named_locals: Vec<(LocalPaths, usize)>,
    /// `SOURCE_DATE_EPOCH`, when set.
    pub epoch: Option<i64>,
    /// Build checks, for the first platform only.
    pub lint: Option<&'a crate::lint::LintSink>,
    /// The Dockerfile, when ops are to point at their lines.
    pub source_map: Option<SourceMap>,
}

impl Ctx<'_> {
    /// The main context's state, made on first use.
    pub fn context(&mut self) -> State {
        if let Some((state, _)) = &self.context {
            return state.clone();
        }
        let req = self.req;
        let paths = LocalPaths::default();
        let state = super::contexts::client_local(
            req,
            &req.context_name,
            req.context_name.clone(),
            req.dockerignore.clone(),
            &paths,
        )
        .custom_name("[internal] load build context")
        .build();
        self.context = Some((state.clone(), paths));
        state
    }

    /// `op` pointed at `range` of the Dockerfile, when the build has a source map.
    pub fn at<T: OpOptions>(&self, op: T, range: SourceRange) -> T {
        match &self.source_map {
            Some(map) => {
                let lines = SourceMap::lines(range.start_line as i32, range.end_line as i32);
                op.location(map, vec![lines])
            }
            None => op,
        }
    }

    /// An instruction's op: its progress name, the stage's no-cache setting, its lines.
    fn step<T: OpOptions>(&self, op: T, name: String, d: &DState, range: SourceRange) -> T {
        let op = op.custom_name(name);
        let op = if d.ignore_cache {
            op.ignore_cache()
        } else {
            op
        };
        self.at(op, range)
    }
}

fn err(range: SourceRange, msg: impl Into<String>) -> CompileError {
    CompileError::at(range, msg)
}

impl DState {
    /// `prefixCommand`: `[name i/N] ` (and the platform when several are built).
    pub fn prefix(&mut self, ctx: &Ctx<'_>, s: &str, platform: Option<&Platform>) -> String {
        if self.cmd_total == 0 {
            return s.to_string();
        }
        let mut out = String::with_capacity(self.display_name.len() + s.len() + 24);
        out.push('[');
        if ctx.multi_platform {
            if let Some(p) = platform {
                out.push_str(&p.format_all());
                out.push_str(&format_target_platform(p, &self.state.env));
                out.push(' ');
            }
        }
        if !self.display_name.is_empty() {
            out.push_str(&self.display_name);
            out.push(' ');
        }
        self.cmd_index += 1;
        push_decimal(&mut out, self.cmd_index, decimal_digits(self.cmd_total));
        out.push('/');
        push_decimal(&mut out, self.cmd_total, 0);
        out.push_str("] ");
        if self.cmd_is_onbuild {
            out.push_str("ONBUILD ");
        }
        out.push_str(s);
        out
    }

    fn platform(&self, ctx: &Ctx<'_>) -> Platform {
        self.platform
            .clone()
            .unwrap_or_else(|| ctx.target_platform.clone())
    }

    fn commit(&mut self, mut msg: String, with_layer: bool, buildkit: bool, ctx: &Ctx<'_>) {
        if buildkit {
            msg.push_str(" # buildkit");
        }
        let created = ctx.epoch.map(format_epoch);
        self.image.commit(msg, with_layer, created);
    }
}

/// Appends ` key=value` to a history line.
fn push_kv(msg: &mut String, key: &str, value: &str) {
    msg.push(' ');
    msg.push_str(key);
    msg.push('=');
    msg.push_str(value);
}

/// Appends `n` in decimal, right-aligned to `width` with spaces (`%*d`, without `format!`).
fn push_decimal(out: &mut String, mut n: usize, width: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for _ in digits.len() - at..width {
        out.push(' ');
    }
    out.extend(digits[at..].iter().map(|&d| d as char));
}

fn decimal_digits(mut n: usize) -> usize {
    let mut digits = 1;
    while n >= 10 {
        n /= 10;
        digits += 1;
    }
    digits
}

/// `formatTargetPlatform` for cross builds: `->arm64`.
fn format_target_platform(base: &Platform, env: &EnvList) -> String {
    let mut p = Platform::default();
    let mut set = false;
    for k in env.keys() {
        match k {
            "TARGETPLATFORM" => {
                if let Ok(tp) = Platform::parse(env.get(k).unwrap_or("")) {
                    p = tp;
                    set = true;
                    break;
                }
            }
            "TARGETOS" => {
                p.os = env.get(k).unwrap_or("").into();
                set = true;
            }
            "TARGETARCH" => {
                p.architecture = env.get(k).unwrap_or("").into();
                set = true;
            }
            "TARGETVARIANT" => {
                p.variant = env.get(k).unwrap_or("").into();
                set = true;
            }
            _ => {}
        }
    }
    if !set {
        return String::new();
    }
    if p.os.is_empty() {
        p.os = base.os.clone();
    }
    if p.architecture.is_empty() {
        p.architecture = base.architecture.clone();
    }
    let p = p.normalize();
    if p.os == base.os && p.architecture != base.architecture {
        let mut s = p.architecture.clone();
        if !p.variant.is_empty() {
            s.push('/');
            s.push_str(&p.variant);
        }
        return format!("->{s}");
    }
    if p.os != base.os {
        return format!("->{}", p.format_all());
    }
    String::new()
}

/// Expands an instruction's words against `env` (`ProcessWord`); errors at `range`.
fn expand<T>(
    words: &dyn Words,
    env: &EnvList,
    range: SourceRange,
    f: impl FnOnce(&mut WordExpander<'_, String>) -> Result<T, ExpandError<String>>,
) -> Result<T, CompileError> {
    let mut ex = |w: &str| words.word(w, env);
    f(&mut ex).map_err(|e| expand_err(e, range))
}

fn expand_err<E: std::fmt::Display>(e: ExpandError<E>, range: SourceRange) -> CompileError {
    match e {
        // A value that expands to something invalid is a dispatch error in BuildKit, not a
        // parse error: its message has no "dockerfile parse error" prefix.
        ExpandError::Invalid(ie) => CompileError::at(range, ie.kind.to_string()),
        other => CompileError::at(range, other.to_string()),
    }
}

/// Sources of a command (ids of [`DState`]s) resolved by the caller.
pub struct SourceStates<'s> {
    pub states: Vec<&'s DState>,
    /// Their stage ids (for recording which paths are read from them).
    pub ids: Vec<usize>,
}

/// Lowers one instruction of `d`.
pub fn dispatch(
    ctx: &mut Ctx<'_>,
    d: &mut DState,
    inst: &Instruction,
    sources: &SourceStates<'_>,
    on_build: bool,
) -> Result<(), CompileError> {
    d.cmd_is_onbuild = on_build;
    if let Some(sink) = ctx.lint {
        check_instruction(ctx, sink, d, inst);
    }
    let range = inst.range();
    let words = ctx.words;
    match inst {
        Instruction::Maintainer(c) => {
            d.image.author = c.maintainer.clone();
            d.commit(["MAINTAINER ", &c.maintainer].concat(), false, false, ctx);
        }
        Instruction::Env(c) => {
            let kvs = expand(words, &d.state.env, range, |ex| c.expand(ex))?;
            let mut msg = String::from("ENV");
            for kv in kvs {
                push_kv(&mut msg, &kv.key, &kv.value);
                d.state.env.add_or_replace(&kv.key, &kv.value);
                d.image.add_env(&kv.key, &kv.value);
            }
            d.commit(msg, false, false, ctx);
        }
        Instruction::Label(c) => {
            let kvs = expand(words, &d.state.env, range, |ex| c.expand(ex))?;
            add_labels(ctx, d, kvs);
        }
        Instruction::Onbuild(c) => d.image.config.on_build.push(c.expression.clone()),
        Instruction::Cmd(c) => set_cmd(ctx, d, &c.cmd.args, c.cmd.prepend_shell, false),
        Instruction::Entrypoint(c) => set_cmd(ctx, d, &c.cmd.args, c.cmd.prepend_shell, true),
        Instruction::Healthcheck(c) => set_healthcheck(ctx, d, &c.health),
        Instruction::Expose(c) => {
            let mut ex = |w: &str| words.words(w, &d.state.env);
            let ports = c.expand_ports(&mut ex).map_err(|e| expand_err(e, range))?;
            expose(ctx, d, ports.iter().map(|p| p.to_string()).collect());
        }
        Instruction::User(c) => {
            let user = expand(words, &d.state.env, range, |ex| c.expand(ex))?;
            d.state.user = user.clone();
            d.commit(["USER ", &user].concat(), false, false, ctx);
            d.image.config.user = user;
        }
        Instruction::Volume(c) => {
            let vols = expand(words, &d.state.env, range, |ex| c.expand(ex))?;
            add_volumes(ctx, d, vols);
        }
        Instruction::StopSignal(c) => {
            let sig = expand(words, &d.state.env, range, |ex| c.expand(ex))?;
            if !valid_signal(&sig) {
                return Err(err(range, format!("invalid signal: {sig}")));
            }
            d.commit(["STOPSIGNAL ", &sig].concat(), false, false, ctx);
            d.image.config.stop_signal = sig;
        }
        Instruction::Shell(c) => {
            d.image.config.shell = c.shell.clone();
            d.commit(["SHELL ", &go_list(&c.shell)].concat(), false, false, ctx);
        }
        Instruction::Arg(c) => dispatch_arg(ctx, d, c)?,
        Instruction::Workdir(c) => {
            let p = expand(words, &d.state.env, range, |ex| c.expand(ex))?;
            dispatch_workdir(ctx, d, &p, true, range, &c.origin.original)?;
        }
        Instruction::Run(c) => dispatch_run(ctx, d, c, sources)?,
        Instruction::Copy(c) => dispatch_copy(ctx, d, c, sources)?,
        Instruction::Add(c) => dispatch_add(ctx, d, c)?,
        Instruction::From(_) => {}
    }
    Ok(())
}

/// The build checks that look at one instruction in its stage.
fn check_instruction(
    ctx: &Ctx<'_>,
    sink: &crate::lint::LintSink,
    d: &mut DState,
    inst: &Instruction,
) {
    let at = crate::lint::checks::StageEnv {
        env: &d.state.env,
        declared_args: &d.build_args,
        build_args: &ctx.req.build_args,
        global_args: ctx.global_args,
        workdir_set: d.workdir_set,
        has_shell: !d.image.config.shell.is_empty(),
        escape: ctx.words.escape(),
    };
    crate::lint::checks::instruction(sink, &mut d.lint, inst, &at);
}

/// CMD, or ENTRYPOINT (which drops a CMD inherited from the base).
fn set_cmd(ctx: &Ctx<'_>, d: &mut DState, args: &[String], shell: bool, entrypoint: bool) {
    let args = if shell {
        with_shell(&d.image, args)
    } else {
        args.to_vec()
    };
    let keyword = if entrypoint { "ENTRYPOINT " } else { "CMD " };
    d.commit([keyword, &go_quote_list(&args)].concat(), false, false, ctx);
    if entrypoint {
        d.image.config.entrypoint = Some(args);
        if !d.cmd_set {
            d.image.config.cmd = None;
        }
    } else {
        d.image.config.cmd = Some(args);
        d.image.config.args_escaped = true;
        d.cmd_set = true;
    }
}

fn set_healthcheck(ctx: &Ctx<'_>, d: &mut DState, health: &Healthcheck) {
    let hc = match health {
        Healthcheck::None => HealthConfig {
            test: vec!["NONE".into()],
            ..Default::default()
        },
        Healthcheck::Cmd {
            test,
            interval,
            timeout,
            start_period,
            start_interval,
            retries,
        } => HealthConfig {
            test: test.clone(),
            interval: interval.as_nanos() as i64,
            timeout: timeout.as_nanos() as i64,
            start_period: start_period.as_nanos() as i64,
            start_interval: start_interval.as_nanos() as i64,
            retries: i64::from(*retries),
        },
    };
    let msg = format!(
        "HEALTHCHECK {{Test:{} Interval:{} Timeout:{} StartPeriod:{} StartInterval:{} Retries:{}}}",
        go_list(&hc.test),
        go_duration(hc.interval),
        go_duration(hc.timeout),
        go_duration(hc.start_period),
        go_duration(hc.start_interval),
        hc.retries
    );
    d.image.config.healthcheck = Some(hc);
    d.commit(msg, false, false, ctx);
}

fn add_labels(ctx: &Ctx<'_>, d: &mut DState, kvs: Vec<KeyValue>) {
    let labels = d.image.config.labels.get_or_insert_with(Default::default);
    let mut msg = String::from("LABEL");
    for kv in kvs {
        push_kv(&mut msg, &kv.key, &kv.value);
        labels.insert(kv.key, kv.value);
    }
    d.commit(msg, false, false, ctx);
}

fn add_volumes(ctx: &Ctx<'_>, d: &mut DState, vols: Vec<String>) {
    let set = d.image.config.volumes.get_or_insert_with(Default::default);
    for v in &vols {
        set.insert(v.clone(), Default::default());
    }
    d.commit(["VOLUME ", &go_list(&vols)].concat(), false, false, ctx);
}

fn expose(ctx: &Ctx<'_>, d: &mut DState, ports: Vec<String>) {
    let set = d
        .image
        .config
        .exposed_ports
        .get_or_insert_with(Default::default);
    for p in &ports {
        set.insert(p.clone(), Default::default());
    }
    d.commit(["EXPOSE ", &go_list(&ports)].concat(), false, false, ctx);
}

/// `signal.ParseSignal` (Linux): a non-zero number, or a name with or without `SIG`, any case.
fn valid_signal(s: &str) -> bool {
    if let Ok(n) = s.parse::<i64>() {
        return n != 0;
    }
    const NAMES: &[&str] = &[
        "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT",
        "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM",
        "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
        "RTMIN", "RTMAX",
    ];
    let upper = s.to_ascii_uppercase();
    let n = upper.strip_prefix("SIG").unwrap_or(&upper);
    if NAMES.contains(&n) {
        return true;
    }
    // RTMIN+1..RTMIN+15, RTMAX-14..RTMAX-1
    let plus = n.strip_prefix("RTMIN+").and_then(|d| d.parse::<u8>().ok());
    let minus = n.strip_prefix("RTMAX-").and_then(|d| d.parse::<u8>().ok());
    plus.is_some_and(|d| (1..=15).contains(&d)) || minus.is_some_and(|d| (1..=14).contains(&d))
}

fn with_shell(img: &ImageConfig, args: &[String]) -> Vec<String> {
    let mut shell = if img.config.shell.is_empty() {
        if img.os == "windows" {
            vec!["cmd".into(), "/S".into(), "/C".into()]
        } else {
            vec!["/bin/sh".into(), "-c".into()]
        }
    } else {
        img.config.shell.clone()
    };
    shell.push(args.join(" "));
    shell
}

fn dispatch_arg(ctx: &mut Ctx<'_>, d: &mut DState, c: &ArgCommand) -> Result<(), CompileError> {
    let mut commit = Vec::with_capacity(c.args.len());
    for a in &c.args {
        let has_value = ctx.req.build_args.get(&a.key);
        let mut value = a.value.clone();
        let mut has_default = value.is_some();
        if !has_default && has_value.is_none() {
            if let Some(v) = ctx.global_args.get(&a.key) {
                value = Some(v.to_string());
                has_default = false;
            }
        }
        if let Some(v) = has_value {
            value = Some(v.clone());
        } else if has_default {
            let raw = value.clone().unwrap_or_default();
            value = Some(
                ctx.words
                    .word(&raw, &d.state.env)
                    .map_err(|m| err(c.origin.range, m))?,
            );
        }
        if let Some(v) = &value {
            if a.key != "BUILDKIT_SBOM_SCAN_CONTEXT" && a.key != "BUILDKIT_SBOM_SCAN_STAGE" {
                d.state.env.add_or_replace(&a.key, v);
            }
        }
        d.build_args.push((a.key.clone(), value.clone()));
        commit.push(match &value {
            Some(v) => [&a.key, "=", v].concat(),
            None => a.key.clone(),
        });
    }
    d.commit(["ARG ", &commit.join(" ")].concat(), false, false, ctx);
    Ok(())
}

/// `dispatchWorkdir`; `commit` is false when applying a base image's WorkingDir.
pub fn dispatch_workdir(
    ctx: &mut Ctx<'_>,
    d: &mut DState,
    path: &str,
    commit: bool,
    range: SourceRange,
    original: &str,
) -> Result<(), CompileError> {
    if commit {
        d.workdir_set = true;
    }
    // `system.NormalizeWorkdir`: absolute paths verbatim, relative ones joined to the
    // current working directory, empty means the current one.
    let wd = normalize_path(&d.image.config.working_dir, path, false);
    d.image.config.working_dir = wd.clone();
    d.state.dir = wd.clone();
    if !commit {
        return Ok(());
    }
    let mut with_layer = false;
    if wd != "/" {
        let platform = d.platform(ctx);
        let name = uppercase_cmd(ctx.words.name(original, &d.state.env));
        let name = d.prefix(ctx, &name, Some(&platform));
        let mut mkdir = Mkdir::new(wd.clone(), 0o755).make_parents(true);
        if !d.image.config.user.is_empty() {
            mkdir = mkdir.owner(Owner::parse(&d.image.config.user));
        }
        if let Some(secs) = ctx.epoch {
            mkdir = mkdir.timestamp(secs.saturating_mul(1_000_000_000));
        }
        let op = d.state.fs.file(FileActions::new().mkdir(mkdir));
        d.state.fs = ctx.at(op.custom_name(name), range).build();
        with_layer = true;
    }
    d.commit(["WORKDIR ", &wd].concat(), with_layer, false, ctx);
    Ok(())
}

/// Applies the stage's base (image config, env, workdir, user) before its commands run
/// (the start of upstream's `dispatchStages` loop body).
pub fn init_stage(
    ctx: &mut Ctx<'_>,
    d: &mut DState,
    range: SourceRange,
) -> Result<(), CompileError> {
    if d.platform.is_none() {
        d.platform = Some(ctx.target_platform.clone());
    }
    if d.image.env("PATH").is_none() {
        let os = d
            .platform
            .as_ref()
            .map(|p| p.os.clone())
            .unwrap_or_default();
        if os != "windows" {
            d.image
                .config
                .env
                .push(["PATH=", DEFAULT_PATH_ENV].concat());
        }
    }
    d.state.apply_image_config(&d.image);
    // The `hostname` opt, else the BUILDKIT_SANDBOX_HOSTNAME build arg.
    let hostname = ctx
        .req
        .hostname
        .as_ref()
        .or_else(|| ctx.req.build_args.get("BUILDKIT_SANDBOX_HOSTNAME"));
    if let Some(h) = hostname.filter(|h| !h.is_empty()) {
        d.state.hostname = h.clone();
    }
    if !d.image.config.working_dir.is_empty() {
        let wd = d.image.config.working_dir.clone();
        dispatch_workdir(ctx, d, &wd, false, range, "")?;
    }
    if !d.image.config.user.is_empty() {
        d.state.user = d.image.config.user.clone();
    }
    d.state.network = ctx.req.network_mode;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::gofmt::*;
    use super::run::*;
    use super::*;

    #[test]
    fn go_formatting_helpers() {
        assert_eq!(go_quote("a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(
            go_quote_list(&["/bin/sh".into(), "-c".into(), "echo hi".into()]),
            r#"["/bin/sh" "-c" "echo hi"]"#
        );
        assert_eq!(go_duration(0), "0s");
        assert_eq!(go_duration(30_000_000_000), "30s");
        assert_eq!(go_duration(90_000_000_000), "1m30s");
        assert_eq!(go_duration(1_500_000_000), "1.5s");
        assert_eq!(go_duration(3_600_000_000_000), "1h0m0s");
        assert_eq!(go_duration(5_000_000), "5ms");
        assert_eq!(uppercase_cmd("run echo hi".into()), "RUN echo hi");
        assert_eq!(uppercase_cmd("copy".into()), "COPY");
        assert_eq!(uppercase_cmd("ĉu x".into()), "ĈU x");
        assert_eq!(format_epoch(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_epoch(1_700_000_000), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn paths_like_go() {
        assert_eq!(clean_path("/a/./b/../c/"), "/a/c");
        assert_eq!(clean_path(""), ".");
        assert_eq!(join_path(&["/", "app", "../x"]), "/x");
        assert_eq!(path_relative_to_workdir("/app", "."), "/app/");
        assert_eq!(path_relative_to_workdir("/app", "bin/"), "/app/bin/");
        assert_eq!(path_relative_to_workdir("/app", "/usr/bin/x"), "/usr/bin/x");
        assert_eq!(path_relative_to_workdir("/", "./"), "/");
        assert_eq!(normalize_path("/", "src/.", true), "/src/.");
        assert_eq!(base_name("/run/secrets/x"), "x");
    }

    #[test]
    fn stop_signals_like_go() {
        for ok in ["SIGTERM", "term", "9", "SIGRTMIN+3", "RTMAX-1"] {
            assert!(valid_signal(ok), "{ok}");
        }
        for bad in ["0", "SIGFOO", "RTMIN+16", ""] {
            assert!(!valid_signal(bad), "{bad}");
        }
    }

    #[test]
    fn lone_heredoc_detection() {
        assert!(is_lone_heredoc("<<EOF"));
        assert!(is_lone_heredoc("<<-EOT"));
        assert!(is_lone_heredoc("<<\"EOF\""));
        assert!(!is_lone_heredoc("cat <<EOF"));
        assert!(!is_lone_heredoc("<<EOF > /x"));
        assert_eq!(
            summarize_heredoc("\napt-get update\napt-get install\n"),
            "apt-get update..."
        );
    }

    #[test]
    fn step_numbers_are_padded_like_printf() {
        let mut s = String::new();
        for (n, width) in [(7, 3), (123, 2), (0, 0), (10, 2)] {
            push_decimal(&mut s, n, width);
            s.push('|');
        }
        assert_eq!(s, "  7|123|0|10|");
    }

    #[test]
    fn history_of_run_lists_build_args() {
        let mut env = EnvList::new();
        env.add_or_replace("A", "1");
        let s = run_command_string(
            &["/bin/sh".into(), "-c".into(), "make".into()],
            &[("A".into(), Some("0".into())), ("B".into(), None)],
            &env,
        );
        assert_eq!(s, "RUN |2 A=1 B= /bin/sh -c make");
        assert_eq!(run_command_string(&[], &[], &env), "RUN ");
    }
}
