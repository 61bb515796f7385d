//! The state dispatch works on: a stage's LLB state ([`LState`]), the stage being lowered
//! ([`DState`]), the compile's context ([`Ctx`]), and the helpers every instruction uses.

use std::collections::BTreeSet;

use llb_gen::{LocalPaths, NetMode, OpOptions, SourceMap, State};
use mstage_proto::pb;

use super::gofmt::*;
use crate::error::CompileError;
use crate::image::{ImageConfig, Platform};
use crate::lower::caps::Capabilities;
use crate::lower::request::BuildRequest;
use crate::lower::words::Words;
use crate::plan::EnvList;
use mstage_syntax::instructions::{ExpandError, WordExpander};
use mstage_syntax::parser::SourceRange;

/// The `description` key naming the instruction an op comes from.
pub(crate) const COMMAND_KEY: &str = "com.docker.dockerfile.v1.command";

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
    /// The Dockerfile and its INCLUDE fragments (by [`FileId`] index), when ops are to
    /// point at their lines.
    ///
    /// [`FileId`]: mstage_syntax::parser::FileId
    pub source_map: Option<Vec<SourceMap>>,
}

impl Ctx<'_> {
    /// The main context's state, made on first use.
    pub fn context(&mut self) -> State {
        if let Some((state, _)) = &self.context {
            return state.clone();
        }
        let req = self.req;
        let paths = LocalPaths::default();
        let state = crate::lower::request::client_local(
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
        let map = self
            .source_map
            .as_ref()
            .and_then(|maps| maps.get(range.file.0 as usize));
        match map {
            Some(map) => {
                let lines = SourceMap::lines(range.start_line as i32, range.end_line as i32);
                op.location(map, vec![lines])
            }
            None => op,
        }
    }

    /// An instruction's op: its progress name, the stage's no-cache setting, its lines.
    pub(super) fn step<T: OpOptions>(
        &self,
        op: T,
        name: String,
        d: &DState,
        range: SourceRange,
    ) -> T {
        let op = op.custom_name(name);
        let op = if d.ignore_cache {
            op.ignore_cache()
        } else {
            op
        };
        self.at(op, range)
    }
}

pub(super) fn err(range: SourceRange, msg: impl Into<String>) -> CompileError {
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

    pub(super) fn platform(&self, ctx: &Ctx<'_>) -> Platform {
        self.platform
            .clone()
            .unwrap_or_else(|| ctx.target_platform.clone())
    }

    pub(super) fn commit(
        &mut self,
        mut msg: String,
        with_layer: bool,
        buildkit: bool,
        ctx: &Ctx<'_>,
    ) {
        if buildkit {
            msg.push_str(" # buildkit");
        }
        let created = ctx.epoch.map(format_epoch);
        self.image.commit(msg, with_layer, created);
    }
}

/// Appends ` key=value` to a history line.
pub(super) fn push_kv(msg: &mut String, key: &str, value: &str) {
    msg.push(' ');
    msg.push_str(key);
    msg.push('=');
    msg.push_str(value);
}

/// Appends `n` in decimal, right-aligned to `width` with spaces (`%*d`, without `format!`).
pub(super) fn push_decimal(out: &mut String, mut n: usize, width: usize) {
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

pub(super) fn decimal_digits(mut n: usize) -> usize {
    let mut digits = 1;
    while n >= 10 {
        n /= 10;
        digits += 1;
    }
    digits
}

/// `formatTargetPlatform` for cross builds: `->arm64`.
pub(super) fn format_target_platform(base: &Platform, env: &EnvList) -> String {
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
pub(super) fn expand<T>(
    words: &dyn Words,
    env: &EnvList,
    range: SourceRange,
    f: impl FnOnce(&mut WordExpander<'_, String>) -> Result<T, ExpandError<String>>,
) -> Result<T, CompileError> {
    let mut ex = |w: &str| words.word(w, env);
    f(&mut ex).map_err(|e| expand_err(e, range))
}

pub(super) fn expand_err<E: std::fmt::Display>(
    e: ExpandError<E>,
    range: SourceRange,
) -> CompileError {
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

pub(super) fn with_shell(img: &ImageConfig, args: &[String]) -> Vec<String> {
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
