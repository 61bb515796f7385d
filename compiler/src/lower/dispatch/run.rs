//! RUN: shell/exec forms, heredocs, the env and user seen by the command, every `--mount`
//! type, `--network`, `--security` (`dispatchRun`, `dispatchRunMounts`).

use std::borrow::Cow;

use llb_gen::{CacheSharing, Exec, Mkfile, Mount, Secret, Ssh};
use mstage_syntax::instructions::{self, Mount as RunMount};

use super::gofmt::*;
use super::state::*;
use crate::error::CompileError;
use crate::lower::caps::Gate;
use crate::lower::request::BuildRequest;
use crate::plan::EnvList;
use llb_gen::{FileActions, Mkdir, NetMode, OpOptions, Owner, State};
use mstage_syntax::instructions::{MountType, NetworkMode as RunNetwork, RunCommand, SecurityMode};
use mstage_syntax::parser::SourceRange;

/// `RUN ` and then `runCommandString`: `|N K=V ... args`, for history.
pub(super) fn run_command_string(
    args: &[String],
    build_args: &[(String, Option<String>)],
    env: &EnvList,
) -> String {
    let mut tmp: Vec<(&str, &str)> = Vec::new();
    for (k, v) in build_args {
        let val = env.get(k).unwrap_or_else(|| v.as_deref().unwrap_or(""));
        if let Some(e) = tmp.iter_mut().find(|(kk, _)| kk == k) {
            e.1 = val;
        } else {
            tmp.push((k, val));
        }
    }
    // `RUN ` and the parts joined by spaces.
    let mut out = String::from("RUN ");
    let mut sep = "";
    if !tmp.is_empty() {
        out.push('|');
        out.push_str(&tmp.len().to_string());
        for (k, v) in tmp {
            out.push(' ');
            out.push_str(k);
            out.push('=');
            out.push_str(v);
        }
        sep = " ";
    }
    for a in args {
        out.push_str(sep);
        out.push_str(a);
        sep = " ";
    }
    out
}

/// `parser.MustParseHeredoc` on a whole command: is it just `<<WORD`?
pub(super) fn is_lone_heredoc(cmd: &str) -> bool {
    let s = cmd.trim_start_matches(|c: char| c.is_ascii_digit());
    let Some(rest) = s.strip_prefix("<<") else {
        return false;
    };
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let rest = rest.trim_start();
    !rest.is_empty() && !rest.contains('<') && rest.split_whitespace().count() == 1
}

pub(super) fn summarize_heredoc(doc: &str) -> String {
    let doc = doc.trim();
    let doc = doc.replace("\r\n", "\n");
    let mut lines = doc.split('\n');
    let first = lines.next().unwrap_or("").to_string();
    if lines.next().is_some() {
        format!("{first}...")
    } else {
        first
    }
}

pub(super) fn chomp(s: &str) -> String {
    s.split_inclusive('\n')
        .map(|l| l.trim_start_matches('\t'))
        .collect()
}

pub(super) fn dispatch_run(
    ctx: &mut Ctx<'_>,
    d: &mut DState,
    c: &RunCommand,
    sources: &SourceStates<'_>,
) -> Result<(), CompileError> {
    let range = c.origin.range;
    // A command may read anything in its rootfs.
    ctx.path_uses.push((d.id, "/".into()));
    let Command {
        mut args,
        script,
        name: custom_name,
    } = run_args(c, d)?;
    if c.cmd.prepend_shell {
        args = with_shell(&d.image, &args);
    }
    let env = d.state.env.clone();
    let mounts = expand(ctx.words, &env, range, |ex| c.expand_mounts(ex))?;
    // History line, before the args move into the op.
    let hist = run_command_string(&args, &d.build_args, &env);
    let platform = d
        .state
        .platform
        .clone()
        .unwrap_or_else(|| ctx.target_platform.clone());
    let mut exec = d
        .state
        .fs
        .run(args)
        .env_list(env.shared_pairs())
        .cwd(d.state.dir.clone())
        .user(d.state.user.clone())
        .hostname(d.state.hostname.clone())
        .platform((&platform).into());
    if let Some(script) = script {
        exec = exec.mount(Mount::bind("/dev/pipes/", &script).selector("/").readonly());
    }
    exec = run_mounts(ctx, d, &mounts, sources, exec, range)?;
    exec = run_settings(ctx, c, exec, d.state.network)?;
    let name = run_name(ctx, d, &custom_name, &mounts);
    let mut op = ctx
        .step(exec, name, d, range)
        .description(COMMAND_KEY, c.origin.original.clone());
    // Dropped silently without the cap, as the stock frontend does.
    if let Some(r) = ctx.req.linux_resources.clone() {
        if ctx.caps.allows(Gate::LinuxResources) {
            op = op.linux_resources(r);
        }
    }
    d.state.fs = op.build().root();
    d.commit(hist, true, true, ctx);
    Ok(())
}

/// A RUN's command once its heredocs are in.
struct Command<'c> {
    args: Vec<String>,
    /// A `#!` heredoc script's filesystem, mounted at `/dev/pipes/`.
    script: Option<State>,
    /// The vertex name before expansion.
    name: Cow<'c, str>,
}

/// The command, with its heredocs: a lone `<<EOF` script runs as a file when it starts with
/// `#!`, or inline; other heredocs are appended to the command.
fn run_args<'c>(c: &'c RunCommand, d: &DState) -> Result<Command<'c>, CompileError> {
    let mut cmd = Command {
        args: c.cmd.args.clone(),
        script: None,
        name: Cow::Borrowed(c.origin.original.as_str()),
    };
    if c.heredocs.is_empty() {
        return Ok(cmd);
    }
    let args = &c.cmd.args;
    if args.len() != 1 || !c.cmd.prepend_shell {
        return Err(err(
            c.origin.range,
            format!("parsing produced an invalid run command: {args:?}"),
        ));
    }
    if !is_lone_heredoc(&args[0]) {
        let b = &mut cmd.args[0];
        for f in &c.heredocs {
            b.push('\n');
            b.push_str(&f.data);
            b.push_str(&f.name);
        }
        return Ok(cmd);
    }
    let f = &c.heredocs[0];
    let data = if f.chomp {
        chomp(&f.data)
    } else {
        f.data.clone()
    };
    let name = cmd.name.to_mut();
    name.push_str(" (");
    name.push_str(&summarize_heredoc(&f.data));
    name.push(')');
    if d.image.os == "windows" || !data.starts_with("#!") {
        cmd.args = vec![data];
        return Ok(cmd);
    }
    let script = Mkfile::new(join_path(&["/", &f.name]), 0o755, data);
    cmd.args = vec![join_path(&["/dev/pipes/", &f.name])];
    cmd.script = Some(super::copy::inline_document(script));
    Ok(cmd)
}

/// The request's and the instruction's process settings: `--security`, `--network`,
/// proxies, extra hosts, ulimits, `/dev/shm` and the cgroup parent (each by its cap).
fn run_settings(
    ctx: &Ctx<'_>,
    c: &RunCommand,
    mut exec: Exec,
    network: NetMode,
) -> Result<Exec, CompileError> {
    let range = c.origin.range;
    exec = exec
        .network(match c.network {
            Some(RunNetwork::None) => NetMode::None,
            Some(RunNetwork::Host) => NetMode::Host,
            Some(RunNetwork::Default) | None => network,
        })
        .security(match c.security {
            Some(SecurityMode::Insecure) => llb_gen::SecurityMode::Insecure,
            Some(SecurityMode::Sandbox) | None => llb_gen::SecurityMode::Sandbox,
        });
    if let Some(p) = &ctx.proxy {
        exec = exec.proxy_env(p.clone());
    }
    for h in &ctx.req.extra_hosts {
        let ip = h.ip.parse().map_err(|_| {
            let msg = format!("invalid IP address {:?} for extra host {}", h.ip, h.host);
            CompileError::at(range, msg)
        })?;
        exec = exec.extra_host(h.host.clone(), ip);
    }
    if ctx.caps.allows(Gate::Ulimit) {
        for u in &ctx.req.ulimits {
            exec = exec.ulimit(u.name.clone(), u.soft, u.hard);
        }
    }
    if !c.devices.is_empty() {
        return Err(CompileError::new(
            crate::error::ErrorKind::Unsupported,
            Some(range),
            "RUN --device is a labs feature of the stock frontend and is not supported by mstage",
        ));
    }
    if ctx.caps.allows(Gate::ShmSize) && ctx.req.shm_size > 0 {
        exec = exec.mount(Mount::tmpfs("/dev/shm").size(ctx.req.shm_size));
    }
    if ctx.caps.allows(Gate::CgroupParent) {
        if let Some(cg) = ctx.req.cgroup_parent.as_ref().filter(|c| !c.is_empty()) {
            exec = exec.cgroup_parent(cg.clone());
        }
    }
    Ok(exec)
}

/// The vertex name: secret env values masked, quotes kept, unset variables left alone.
fn run_name(ctx: &Ctx<'_>, d: &mut DState, custom_name: &str, mounts: &[RunMount]) -> String {
    let mut name_env = d.state.env.clone();
    for m in mounts {
        if m.mount_type == MountType::Secret {
            if let Some(e) = &m.env {
                let key = if e.is_empty() {
                    secret_default_env(m)
                } else {
                    e.clone()
                };
                name_env.add_or_replace(&key, "****");
            }
        }
    }
    let name = uppercase_cmd(ctx.words.name_raw(custom_name, &name_env));
    // The prefix shows the platform only when several are built: copy it only then.
    let name_platform = if ctx.multi_platform {
        d.state.platform.clone()
    } else {
        None
    };
    d.prefix(ctx, &name, name_platform.as_ref())
}

/// Default env name of `--mount=type=secret,env` without a value: the secret id upper-cased.
pub(super) fn secret_default_env(m: &RunMount) -> String {
    m.id.clone()
        .or_else(|| m.source.clone())
        .unwrap_or_default()
}

/// `dispatchRunMounts`: every `--mount` of the RUN on `exec`.
fn run_mounts(
    ctx: &mut Ctx<'_>,
    d: &DState,
    mounts: &[RunMount],
    sources: &SourceStates<'_>,
    mut exec: Exec,
    range: SourceRange,
) -> Result<Exec, CompileError> {
    for (i, m) in mounts.iter().enumerate() {
        let target = m.target.clone().unwrap_or_default();
        let from = m
            .from
            .as_deref()
            .or((m.mount_type == MountType::Cache).then_some("scratch"));
        let source = match from {
            None => None,
            Some(from) => match sources.states.get(i) {
                Some(src) if src.dispatched => Some(src.state.fs.clone()),
                _ => return Err(err(
                    range,
                    format!("cannot mount from stage {from:?} to {target:?}, stage needs to be defined before current command"),
                )),
            },
        };
        match m.mount_type {
            MountType::Secret => exec = exec.secret(secret_mount(m, range)?),
            MountType::Ssh => exec = exec.ssh(ssh_mount(m, range)?),
            _ => {
                let uses_context = source.is_none();
                let source = match source {
                    Some(s) => s,
                    None if m.mount_type == MountType::Tmpfs => State::scratch(),
                    None => ctx.context(),
                };
                let (mount, source_path) = fs_mount(ctx, d, m, source, target, range)?;
                exec = exec.mount(mount);
                if uses_context {
                    ctx.ctx_paths.insert(source_path);
                } else if let Some(&id) = sources.ids.get(i) {
                    ctx.path_uses.push((id, source_path));
                }
            }
        }
    }
    Ok(exec)
}

/// A bind, cache or tmpfs mount at `target` (relative to the working dir) of `source`, and
/// the path of `source` it mounts.
fn fs_mount(
    ctx: &Ctx<'_>,
    d: &DState,
    m: &RunMount,
    mut source: State,
    target: String,
    range: SourceRange,
) -> Result<(Mount, String), CompileError> {
    let target = if clean_path(&target).starts_with('/') {
        target
    } else {
        join_path(&["/", &d.state.dir, &target])
    };
    if target == "/" {
        return Err(err(range, format!("invalid mount target {target:?}")));
    }
    let source_path = join_path(&["/", m.source.as_deref().unwrap_or("")]);
    let mut selector = source_path.clone();
    if source_path == "/" {
        selector.clear();
        if m.uid.is_some() || m.gid.is_some() || m.mode.is_some() {
            source = cache_with_owner(m, &source);
            selector = "/cache".into();
        }
    }
    let mut mount = match m.mount_type {
        MountType::Tmpfs => Mount::tmpfs(target).size(m.size_limit.unwrap_or(0)),
        MountType::Cache => {
            let sharing = match m.sharing {
                Some(instructions::CacheSharing::Private) => CacheSharing::Private,
                Some(instructions::CacheSharing::Locked) => CacheSharing::Locked,
                _ => CacheSharing::Shared,
            };
            let id = match &m.id {
                Some(id) => id.clone(),
                None => clean_path(m.target.as_deref().unwrap_or("")),
            };
            let id = [cache_namespace(ctx.req), "/", &id].concat();
            Mount::cache(target, id, sharing).source(&source)
        }
        _ => Mount::bind(target, &source),
    };
    if !selector.is_empty() {
        mount = mount.selector(selector);
    }
    if m.readonly {
        mount = mount.readonly();
    } else if m.mount_type == MountType::Bind && ctx.caps.allows(Gate::BindNoOutput) {
        mount = mount.no_output();
    }
    Ok((mount, source_path))
}

/// A cache mount's owner and mode: a `/cache` directory made on its source.
fn cache_with_owner(m: &RunMount, source: &State) -> State {
    let dir = Mkdir::new("/cache", m.mode.unwrap_or(0o755))
        .owner(Owner::ids(m.uid.unwrap_or(0), m.gid.unwrap_or(0)));
    source
        .file(FileActions::new().mkdir(dir))
        .custom_name("[internal] setting cache mount permissions")
        .build()
}

/// `BUILDKIT_CACHE_MOUNT_NS`: the request's value, else the build arg.
pub(super) fn cache_namespace(req: &BuildRequest) -> &str {
    if !req.cache_id_namespace.is_empty() {
        return &req.cache_id_namespace;
    }
    req.build_args
        .get("BUILDKIT_CACHE_MOUNT_NS")
        .map_or("", String::as_str)
}

/// A secret as a file (`target`, else `/run/secrets/<id>` unless it is an env only) and/or
/// an environment variable.
pub(super) fn secret_mount(m: &RunMount, range: SourceRange) -> Result<Secret, CompileError> {
    let mut id = m.id.clone().unwrap_or_default();
    if let Some(s) = &m.source {
        id = s.clone();
    }
    let target = m.target.clone().unwrap_or_default();
    if id.is_empty() {
        if target.is_empty() {
            return Err(err(range, "one of source, target required"));
        }
        id = base_name(&target);
    }
    let mut secret = match (target.is_empty(), &m.env) {
        (true, Some(env)) => Secret::env(id, env.clone()),
        (true, None) => {
            let target = format!("/run/secrets/{}", base_name(&id));
            Secret::file(id, target)
        }
        (false, env) => {
            let secret = Secret::file(id, target);
            match env {
                Some(env) => secret.with_env(env.clone()),
                None => secret,
            }
        }
    };
    if m.uid.is_some() || m.gid.is_some() || m.mode.is_some() {
        let mode = m.mode.unwrap_or(0o400);
        secret = secret.file_opt(m.uid.unwrap_or(0), m.gid.unwrap_or(0), mode);
    }
    Ok(if m.required {
        secret
    } else {
        secret.optional()
    })
}

pub(super) fn ssh_mount(m: &RunMount, range: SourceRange) -> Result<Ssh, CompileError> {
    if m.source.is_some() {
        return Err(err(range, "ssh does not support source"));
    }
    let mut ssh = Ssh::new().id(m.id.clone().unwrap_or_default());
    if let Some(target) = m.target.clone().filter(|t| !t.is_empty()) {
        ssh = ssh.target(target);
    }
    if m.uid.is_some() || m.gid.is_some() || m.mode.is_some() {
        ssh = ssh.socket_opt(
            m.uid.unwrap_or(0),
            m.gid.unwrap_or(0),
            m.mode.unwrap_or(0o600),
        );
    }
    Ok(if m.required { ssh } else { ssh.optional() })
}

/// Go's `path.Base`.
pub(super) fn base_name(p: &str) -> String {
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return if p.is_empty() { ".".into() } else { "/".into() };
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}
