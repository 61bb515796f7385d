//! One typed struct per Dockerfile instruction. Words are kept raw (unexpanded); the
//! instructions that BuildKit expands have `expand*` methods taking the caller's expander.

use std::time::Duration;

use super::errors::{ErrorKind, ExpandError, InstructionError};
use super::expose::ExposedPort;
use super::mount::{check_duplicate_targets, Mount, MountSpec};
use super::values::{parse_chmod, Chmod};
use crate::parser::SourceRange;

/// Expands one word (BuildKit's `ProcessWord`): quotes removed, variables substituted.
pub type WordExpander<'a, E> = dyn FnMut(&str) -> Result<String, E> + 'a;
/// Expands and splits one word into several (BuildKit's `ProcessWords`), for EXPOSE.
pub type WordsExpander<'a, E> = dyn FnMut(&str) -> Result<Vec<String>, E> + 'a;

/// Where an instruction came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub range: SourceRange,
    /// The logical line, trimmed (continuations joined, heredoc bodies not included).
    pub original: String,
    /// The keyword as written (`run`, `Run`, `RUN`).
    pub keyword: std::borrow::Cow<'static, str>,
    /// Comment lines just above it (per-instruction `# check=` settings).
    pub comments: Vec<String>,
}

impl Origin {
    fn err(&self, kind: ErrorKind) -> InstructionError {
        InstructionError::new(self.range, kind)
    }
    fn expand<E, F: FnMut(&str) -> Result<String, E> + ?Sized>(
        &self,
        ex: &mut F,
        word: &str,
    ) -> Result<String, ExpandError<E>> {
        ex(word).map_err(|source| ExpandError::Expander {
            range: self.range,
            source,
        })
    }
    fn expand_all<E, F: FnMut(&str) -> Result<String, E> + ?Sized>(
        &self,
        ex: &mut F,
        words: &[String],
    ) -> Result<Vec<String>, ExpandError<E>> {
        words.iter().map(|w| self.expand(ex, w)).collect()
    }
}

/// `NAME=value` of ENV or LABEL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
    /// The legacy `NAME value` form (no `=`), which the linter reports.
    pub legacy: bool,
}

/// A heredoc body used by RUN (or CMD/ENTRYPOINT, where BuildKit ignores it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineFile {
    /// Terminator word, e.g. `EOF`.
    pub name: String,
    /// Raw body, tabs not stripped yet.
    pub data: String,
    /// `<<-`: strip leading tabs before use.
    pub chomp: bool,
    /// False when the terminator was quoted.
    pub expand: bool,
}

/// A command line of RUN, CMD or ENTRYPOINT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandLine {
    /// Exec form: the JSON elements. Shell form: one string, the whole command.
    pub args: Vec<String>,
    /// Shell form: run through the stage's SHELL (BuildKit's `PrependShell`).
    pub prepend_shell: bool,
}

/// `FROM [--platform=p] image [AS name]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromCommand {
    pub origin: Origin,
    /// Base image or stage, as written (expanded against global ARGs by the caller).
    pub base_name: String,
    /// Stage name, lower-cased (stage names are case-insensitive).
    pub name: Option<String>,
    /// `--platform` as written.
    pub platform: Option<String>,
}

impl FromCommand {
    /// Expands the base name; an empty result is BuildKit's "base name (...) should not be blank".
    pub fn expand_base_name<E, F: FnMut(&str) -> Result<String, E> + ?Sized>(
        &self,
        ex: &mut F,
    ) -> Result<String, ExpandError<E>> {
        let v = self.origin.expand(ex, &self.base_name)?;
        if v.is_empty() {
            return Err(self
                .origin
                .err(ErrorKind::BlankBaseName {
                    base: self.base_name.clone(),
                })
                .into());
        }
        Ok(v)
    }

    /// Expands `--platform`; an empty result is an error.
    pub fn expand_platform<E, F: FnMut(&str) -> Result<String, E> + ?Sized>(
        &self,
        ex: &mut F,
    ) -> Result<Option<String>, ExpandError<E>> {
        let Some(p) = &self.platform else {
            return Ok(None);
        };
        let v = self.origin.expand(ex, p)?;
        if v.is_empty() {
            return Err(self
                .origin
                .err(ErrorKind::EmptyPlatform {
                    expression: p.clone(),
                })
                .into());
        }
        Ok(Some(v))
    }
}

/// `RUN --network` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkMode {
    Default,
    None,
    Host,
}

/// `RUN --security` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityMode {
    Sandbox,
    Insecure,
}

/// `RUN --device=name[,required]` (a labs feature in the stock frontend).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub name: String,
    pub required: bool,
}

/// `RUN [flags] command`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunCommand {
    pub origin: Origin,
    pub cmd: CommandLine,
    /// Heredocs of the line, in order (`RUN <<EOF`, `RUN python3 <<EOF`).
    pub heredocs: Vec<InlineFile>,
    /// `--mount` values, checked for shape; call [`RunCommand::expand_mounts`].
    pub mounts: Vec<MountSpec>,
    /// `--network`, `None` when not given (BuildKit's default is `default`).
    pub network: Option<NetworkMode>,
    /// `--security`, `None` when not given (BuildKit's default is `sandbox`).
    pub security: Option<SecurityMode>,
    pub devices: Vec<Device>,
    /// Names of the flags given, sorted (BuildKit's `FlagsUsed`).
    pub flags_used: Vec<String>,
}

impl RunCommand {
    /// Expands and validates the `--mount` options; also refuses two mounts with one target.
    pub fn expand_mounts<E, F: FnMut(&str) -> Result<String, E> + ?Sized>(
        &self,
        ex: &mut F,
    ) -> Result<Vec<Mount>, ExpandError<E>> {
        let mut out = Vec::with_capacity(self.mounts.len());
        for spec in &self.mounts {
            let m = spec
                .expand(ex)
                .map_err(|source| ExpandError::Expander {
                    range: self.origin.range,
                    source,
                })?
                .map_err(|k| self.origin.err(k))?;
            out.push(m);
        }
        check_duplicate_targets(&out).map_err(|k| self.origin.err(k))?;
        Ok(out)
    }
}

/// `CMD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CmdCommand {
    pub origin: Origin,
    /// `CMD []` gives empty `args` in exec form.
    pub cmd: CommandLine,
    pub heredocs: Vec<InlineFile>,
}

/// `ENTRYPOINT`. Empty `args` (from `ENTRYPOINT []` or an empty line) clears the entrypoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrypointCommand {
    pub origin: Origin,
    pub cmd: CommandLine,
    pub heredocs: Vec<InlineFile>,
}

/// `LABEL k=v ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelCommand {
    pub origin: Origin,
    pub labels: Vec<KeyValue>,
}

impl LabelCommand {
    /// Keys and values expanded.
    pub fn expand<E, F: FnMut(&str) -> Result<String, E> + ?Sized>(
        &self,
        ex: &mut F,
    ) -> Result<Vec<KeyValue>, ExpandError<E>> {
        expand_kvs(&self.origin, &self.labels, ex)
    }
}

/// `ENV k=v ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvCommand {
    pub origin: Origin,
    pub env: Vec<KeyValue>,
}

impl EnvCommand {
    /// Keys and values expanded, all against the env as it was before this instruction
    /// (the caller passes that expander).
    pub fn expand<E, F: FnMut(&str) -> Result<String, E> + ?Sized>(
        &self,
        ex: &mut F,
    ) -> Result<Vec<KeyValue>, ExpandError<E>> {
        expand_kvs(&self.origin, &self.env, ex)
    }
}

fn expand_kvs<E, F: FnMut(&str) -> Result<String, E> + ?Sized>(
    origin: &Origin,
    kvs: &[KeyValue],
    ex: &mut F,
) -> Result<Vec<KeyValue>, ExpandError<E>> {
    kvs.iter()
        .map(|kv| {
            Ok(KeyValue {
                key: origin.expand(ex, &kv.key)?,
                value: origin.expand(ex, &kv.value)?,
                legacy: kv.legacy,
            })
        })
        .collect()
}

/// `MAINTAINER name` (deprecated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaintainerCommand {
    pub origin: Origin,
    pub maintainer: String,
}

/// `EXPOSE port[/proto] ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposeCommand {
    pub origin: Origin,
    /// As written, sorted as BuildKit sorts them.
    pub ports: Vec<String>,
}

impl ExposeCommand {
    /// Expands (with word splitting) and parses the ports; ranges give one port each.
    /// Host IPs and host ports are accepted and dropped, as BuildKit does (it lints them).
    pub fn expand_ports<E, F: FnMut(&str) -> Result<Vec<String>, E> + ?Sized>(
        &self,
        ex: &mut F,
    ) -> Result<Vec<ExposedPort>, ExpandError<E>> {
        let mut out = Vec::new();
        for p in &self.ports {
            let words = ex(p).map_err(|source| ExpandError::Expander {
                range: self.origin.range,
                source,
            })?;
            for w in words {
                out.extend(super::expose::parse_port(&w).map_err(|k| self.origin.err(k))?);
            }
        }
        Ok(out)
    }
}

/// A heredoc used as a COPY/ADD source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceContent {
    /// File name in the destination (the heredoc terminator word).
    pub path: String,
    /// Body, tabs already stripped for `<<-`.
    pub data: String,
    /// False when the terminator was quoted.
    pub expand: bool,
}

/// Sources and destination of COPY/ADD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcesAndDest {
    pub dest: String,
    /// Paths, URLs or git refs, as written.
    pub sources: Vec<String>,
    /// Heredoc sources.
    pub contents: Vec<SourceContent>,
}

impl SourcesAndDest {
    fn expand<E, F: FnMut(&str) -> Result<String, E> + ?Sized>(
        &self,
        origin: &Origin,
        ex: &mut F,
    ) -> Result<Self, ExpandError<E>> {
        Ok(Self {
            dest: origin.expand(ex, &self.dest)?,
            sources: origin.expand_all(ex, &self.sources)?,
            contents: self.contents.clone(),
        })
    }

    /// Expands heredoc bodies that allow it, with an expander that keeps quotes
    /// (BuildKit's `ExpandRaw`, a lexer with `SkipProcessQuotes`).
    pub fn expand_contents<E, F: FnMut(&str) -> Result<String, E> + ?Sized>(
        &self,
        range: SourceRange,
        raw: &mut F,
    ) -> Result<Vec<SourceContent>, ExpandError<E>> {
        self.contents
            .iter()
            .map(|c| {
                let mut c = c.clone();
                if c.expand {
                    c.data =
                        raw(&c.data).map_err(|source| ExpandError::Expander { range, source })?;
                }
                Ok(c)
            })
            .collect()
    }
}

fn expand_opt<E, F: FnMut(&str) -> Result<String, E> + ?Sized>(
    origin: &Origin,
    ex: &mut F,
    v: &Option<String>,
) -> Result<Option<String>, ExpandError<E>> {
    v.as_ref().map(|s| origin.expand(ex, s)).transpose()
}

fn check_chmod(origin: &Origin, chmod: &Option<String>) -> Result<Option<Chmod>, InstructionError> {
    match chmod.as_deref() {
        None | Some("") => Ok(None),
        Some(v) => parse_chmod(v).map(Some).map_err(|k| origin.err(k)),
    }
}

/// `COPY [flags] src... dest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyCommand {
    pub origin: Origin,
    pub files: SourcesAndDest,
    /// `--from`: stage name or index, named context or image. Never expanded; a variable
    /// in it is a parse error.
    pub from: Option<String>,
    pub chown: Option<String>,
    pub chmod: Option<String>,
    pub link: bool,
    pub parents: bool,
    /// `--exclude` patterns (not expanded, as upstream).
    pub excludes: Vec<String>,
}

impl CopyCommand {
    /// Expands sources, destination, `--chown` and `--chmod`, and validates `--chmod`.
    pub fn expand<E, F: FnMut(&str) -> Result<String, E> + ?Sized>(
        &self,
        ex: &mut F,
    ) -> Result<Self, ExpandError<E>> {
        let o = &self.origin;
        // Field by field: `..self.clone()` would copy the unexpanded fields too.
        let c = Self {
            origin: self.origin.clone(),
            files: self.files.expand(o, ex)?,
            from: self.from.clone(),
            chown: expand_opt(o, ex, &self.chown)?,
            chmod: expand_opt(o, ex, &self.chmod)?,
            link: self.link,
            parents: self.parents,
            excludes: self.excludes.clone(),
        };
        c.chmod_mode()?;
        Ok(c)
    }

    /// `--chmod` parsed (call on the expanded instruction).
    pub fn chmod_mode(&self) -> Result<Option<Chmod>, InstructionError> {
        check_chmod(&self.origin, &self.chmod)
    }
}

/// `ADD [flags] src... dest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCommand {
    pub origin: Origin,
    pub files: SourcesAndDest,
    pub chown: Option<String>,
    pub chmod: Option<String>,
    pub link: bool,
    pub excludes: Vec<String>,
    /// `--checksum` (sha256 digest for URLs, commit for git).
    pub checksum: Option<String>,
    /// `--keep-git-dir`, `None` when not given.
    pub keep_git_dir: Option<bool>,
    /// `--unpack`, `None` when not given (local archives unpack, URLs don't).
    pub unpack: Option<bool>,
}

impl AddCommand {
    /// Expands sources, destination, `--chown`, `--chmod`, `--checksum`; validates `--chmod`.
    pub fn expand<E, F: FnMut(&str) -> Result<String, E> + ?Sized>(
        &self,
        ex: &mut F,
    ) -> Result<Self, ExpandError<E>> {
        let o = &self.origin;
        let c = Self {
            origin: self.origin.clone(),
            files: self.files.expand(o, ex)?,
            chown: expand_opt(o, ex, &self.chown)?,
            chmod: expand_opt(o, ex, &self.chmod)?,
            link: self.link,
            excludes: self.excludes.clone(),
            checksum: expand_opt(o, ex, &self.checksum)?,
            keep_git_dir: self.keep_git_dir,
            unpack: self.unpack,
        };
        c.chmod_mode()?;
        Ok(c)
    }

    /// `--chmod` parsed (call on the expanded instruction).
    pub fn chmod_mode(&self) -> Result<Option<Chmod>, InstructionError> {
        check_chmod(&self.origin, &self.chmod)
    }
}

/// `VOLUME path...` (shell or JSON form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeCommand {
    pub origin: Origin,
    pub volumes: Vec<String>,
}

impl VolumeCommand {
    /// Each path expanded; an empty result is an error, as in BuildKit.
    pub fn expand<E, F: FnMut(&str) -> Result<String, E> + ?Sized>(
        &self,
        ex: &mut F,
    ) -> Result<Vec<String>, ExpandError<E>> {
        let v = self.origin.expand_all(ex, &self.volumes)?;
        if v.iter().any(|s| s.is_empty()) {
            return Err(self.origin.err(ErrorKind::EmptyVolume).into());
        }
        Ok(v)
    }
}

/// `USER user[:group]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCommand {
    pub origin: Origin,
    pub user: String,
}

impl UserCommand {
    pub fn expand<E, F: FnMut(&str) -> Result<String, E> + ?Sized>(
        &self,
        ex: &mut F,
    ) -> Result<String, ExpandError<E>> {
        self.origin.expand(ex, &self.user)
    }
}

/// `WORKDIR path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkdirCommand {
    pub origin: Origin,
    pub path: String,
}

impl WorkdirCommand {
    pub fn expand<E, F: FnMut(&str) -> Result<String, E> + ?Sized>(
        &self,
        ex: &mut F,
    ) -> Result<String, ExpandError<E>> {
        self.origin.expand(ex, &self.path)
    }
}

/// One `name[=default]` of ARG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgDef {
    pub key: String,
    /// Default as written (quotes kept); the caller expands it against the current env.
    pub value: Option<String>,
}

/// `ARG name[=default] ...`. Not expanded here: BuildKit expands only the default, against
/// the env in effect, and build args override it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgCommand {
    pub origin: Origin,
    pub args: Vec<ArgDef>,
}

/// `ONBUILD instruction`: recorded into the image config, not run here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnbuildCommand {
    pub origin: Origin,
    /// Trigger keyword, upper-cased (`RUN`, `COPY`, ...).
    pub trigger: String,
    /// The trigger text as it goes into the image config (`ONBUILD ` stripped; heredoc
    /// bodies and terminators appended on their own lines).
    pub expression: String,
}

/// `STOPSIGNAL signal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopSignalCommand {
    pub origin: Origin,
    pub signal: String,
}

impl StopSignalCommand {
    pub fn expand<E, F: FnMut(&str) -> Result<String, E> + ?Sized>(
        &self,
        ex: &mut F,
    ) -> Result<String, ExpandError<E>> {
        self.origin.expand(ex, &self.signal)
    }
}

/// The test of a HEALTHCHECK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Healthcheck {
    /// `HEALTHCHECK NONE`: disable the base image's check (config test `["NONE"]`).
    None,
    /// `HEALTHCHECK [options] CMD ...`.
    Cmd {
        /// As in the image config: `["CMD", args...]` (exec form) or `["CMD-SHELL", cmd]`.
        test: Vec<String>,
        /// Zero means "not set" (the engine default), as in the image config.
        interval: Duration,
        timeout: Duration,
        start_period: Duration,
        start_interval: Duration,
        /// Zero means "not set".
        retries: u32,
    },
}

/// `HEALTHCHECK`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthcheckCommand {
    pub origin: Origin,
    pub health: Healthcheck,
}

/// `SHELL ["executable", "params"...]` (JSON form only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellCommand {
    pub origin: Origin,
    pub shell: Vec<String>,
}

/// A typed instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instruction {
    From(FromCommand),
    Run(RunCommand),
    Cmd(CmdCommand),
    Label(LabelCommand),
    Maintainer(MaintainerCommand),
    Expose(ExposeCommand),
    Env(EnvCommand),
    Add(AddCommand),
    Copy(CopyCommand),
    Entrypoint(EntrypointCommand),
    Volume(VolumeCommand),
    User(UserCommand),
    Workdir(WorkdirCommand),
    Arg(ArgCommand),
    Onbuild(OnbuildCommand),
    StopSignal(StopSignalCommand),
    Healthcheck(HealthcheckCommand),
    Shell(ShellCommand),
}

impl Instruction {
    pub fn origin(&self) -> &Origin {
        match self {
            Instruction::From(c) => &c.origin,
            Instruction::Run(c) => &c.origin,
            Instruction::Cmd(c) => &c.origin,
            Instruction::Label(c) => &c.origin,
            Instruction::Maintainer(c) => &c.origin,
            Instruction::Expose(c) => &c.origin,
            Instruction::Env(c) => &c.origin,
            Instruction::Add(c) => &c.origin,
            Instruction::Copy(c) => &c.origin,
            Instruction::Entrypoint(c) => &c.origin,
            Instruction::Volume(c) => &c.origin,
            Instruction::User(c) => &c.origin,
            Instruction::Workdir(c) => &c.origin,
            Instruction::Arg(c) => &c.origin,
            Instruction::Onbuild(c) => &c.origin,
            Instruction::StopSignal(c) => &c.origin,
            Instruction::Healthcheck(c) => &c.origin,
            Instruction::Shell(c) => &c.origin,
        }
    }

    pub fn range(&self) -> SourceRange {
        self.origin().range
    }

    /// Upper-case instruction name (`RUN`), for messages and history.
    pub fn name(&self) -> &'static str {
        match self {
            Instruction::From(_) => "FROM",
            Instruction::Run(_) => "RUN",
            Instruction::Cmd(_) => "CMD",
            Instruction::Label(_) => "LABEL",
            Instruction::Maintainer(_) => "MAINTAINER",
            Instruction::Expose(_) => "EXPOSE",
            Instruction::Env(_) => "ENV",
            Instruction::Add(_) => "ADD",
            Instruction::Copy(_) => "COPY",
            Instruction::Entrypoint(_) => "ENTRYPOINT",
            Instruction::Volume(_) => "VOLUME",
            Instruction::User(_) => "USER",
            Instruction::Workdir(_) => "WORKDIR",
            Instruction::Arg(_) => "ARG",
            Instruction::Onbuild(_) => "ONBUILD",
            Instruction::StopSignal(_) => "STOPSIGNAL",
            Instruction::Healthcheck(_) => "HEALTHCHECK",
            Instruction::Shell(_) => "SHELL",
        }
    }
}
