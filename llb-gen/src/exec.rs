//! Exec ops: run a process on a root filesystem with extra mounts.

use crate::caps;
use crate::constraints::{Constraints, OpOptions};
use crate::error::Error;
use crate::marshal::EncodeCtx;
use crate::source::impl_op_options;
use crate::state::{add_or_replace, Output, State, Values};
use crate::vertex::{input_of, marshal_constraints, EncodeCaps, OpKind, Vertex};
use crate::{CacheSharing, NetMode, SecurityMode};
use mstage_proto::pb;
use std::net::IpAddr;
use std::sync::Arc;

/// `PATH` BuildKit's Go client adds on Linux when the server does not set a
/// default itself (`system.DefaultPathEnv("linux")`).
pub const DEFAULT_PATH_ENV: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

#[derive(Debug, Clone, PartialEq)]
enum MountKind {
    Bind,
    Cache { id: String, sharing: CacheSharing },
    Tmpfs { size: i64 },
}

/// A filesystem mount for an exec op (bind, cache or tmpfs). Secrets and
/// SSH agents are separate: [`Secret`], [`Ssh`].
#[derive(Debug, Clone)]
pub struct Mount {
    target: String,
    source: State,
    readonly: bool,
    selector: String,
    kind: MountKind,
    no_output: bool,
    content_cache: pb::MountContentCache,
}

impl Mount {
    fn new(target: impl Into<String>, source: State, kind: MountKind) -> Self {
        Mount {
            target: target.into(),
            source,
            readonly: false,
            selector: String::new(),
            kind,
            no_output: false,
            content_cache: pb::MountContentCache::Default,
        }
    }

    /// Bind-mounts `source` at `target`. Writable unless [`Mount::readonly`];
    /// a writable bind mount is an output of the op (see [`ExecState::mount`]).
    pub fn bind(target: impl Into<String>, source: &State) -> Self {
        Self::new(target, source.clone(), MountKind::Bind)
    }

    /// A persistent cache directory with `id`, empty at first (seed it with
    /// [`Mount::source`]).
    pub fn cache(target: impl Into<String>, id: impl Into<String>, sharing: CacheSharing) -> Self {
        Self::new(
            target,
            State::scratch(),
            MountKind::Cache {
                id: id.into(),
                sharing,
            },
        )
    }

    /// A tmpfs (size limit with [`Mount::size`]).
    pub fn tmpfs(target: impl Into<String>) -> Self {
        Self::new(target, State::scratch(), MountKind::Tmpfs { size: 0 })
    }

    /// Replaces the source state (e.g. to seed a cache mount).
    pub fn source(mut self, source: &State) -> Self {
        self.source = source.clone();
        self
    }

    /// Read-only; the mount is then not an output.
    pub fn readonly(mut self) -> Self {
        self.readonly = true;
        self
    }

    /// Mounts only this path of the source.
    pub fn selector(mut self, path: impl Into<String>) -> Self {
        self.selector = path.into();
        self
    }

    /// Writable, but the changes are thrown away (no output).
    pub fn no_output(mut self) -> Self {
        self.no_output = true;
        self
    }

    /// tmpfs size limit in bytes (declares `exec.mount.tmpfs.size`).
    pub fn size(mut self, bytes: i64) -> Self {
        if let MountKind::Tmpfs { size } = &mut self.kind {
            *size = bytes;
        }
        self
    }

    /// Content-based cache checksums for this mount.
    pub fn content_cache(mut self, c: pb::MountContentCache) -> Self {
        self.content_cache = c;
        self
    }

    fn has_output(&self) -> bool {
        !(self.no_output
            || self.readonly
            || matches!(self.kind, MountKind::Tmpfs { .. } | MountKind::Cache { .. }))
    }
}

/// A secret for an exec op: as a file, an environment variable, or both.
#[derive(Debug, Clone)]
pub struct Secret {
    id: String,
    target: Option<String>,
    env: Option<String>,
    uid: u32,
    gid: u32,
    mode: u32,
    optional: bool,
}

impl Secret {
    /// Secret `id` mounted as a file at `target` (mode 0400, root).
    pub fn file(id: impl Into<String>, target: impl Into<String>) -> Self {
        Secret {
            id: id.into(),
            target: Some(target.into()),
            env: None,
            uid: 0,
            gid: 0,
            mode: 0o400,
            optional: false,
        }
    }

    /// Secret `id` exposed as environment variable `name` only.
    pub fn env(id: impl Into<String>, name: impl Into<String>) -> Self {
        Secret {
            target: None,
            env: Some(name.into()),
            ..Self::file(id, "")
        }
    }

    /// Also (or instead, for [`Secret::env`]) expose it as variable `name`.
    pub fn with_env(mut self, name: impl Into<String>) -> Self {
        self.env = Some(name.into());
        self
    }

    /// File owner and mode.
    pub fn file_opt(mut self, uid: u32, gid: u32, mode: u32) -> Self {
        self.uid = uid;
        self.gid = gid;
        self.mode = mode;
        self
    }

    /// Don't fail if the client has no such secret.
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
}

/// An SSH agent socket for an exec op.
#[derive(Debug, Clone)]
pub struct Ssh {
    id: String,
    target: Option<String>,
    uid: u32,
    gid: u32,
    mode: u32,
    optional: bool,
}

impl Default for Ssh {
    fn default() -> Self {
        Self::new()
    }
}

impl Ssh {
    /// The client's default agent, socket at `/run/buildkit/ssh_agent.<n>`
    /// (n = position among the op's SSH mounts), mode 0600.
    pub fn new() -> Self {
        Ssh {
            id: String::new(),
            target: None,
            uid: 0,
            gid: 0,
            mode: 0o600,
            optional: false,
        }
    }

    /// The agent id (`default` in Dockerfiles).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// Socket path.
    pub fn target(mut self, t: impl Into<String>) -> Self {
        self.target = Some(t.into());
        self
    }

    /// Socket owner and mode.
    pub fn socket_opt(mut self, uid: u32, gid: u32, mode: u32) -> Self {
        self.uid = uid;
        self.gid = gid;
        self.mode = mode;
        self
    }

    /// Don't fail if the client has no such agent.
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
}

/// An exec op under construction. Start with [`State::run`]; settings come
/// from the state and can be overridden here (overrides do not carry over to
/// the resulting states, as in Go).
#[derive(Debug, Clone)]
pub struct Exec {
    base: State,
    args: Vec<String>,
    values: Values,
    proxy_env: Option<pb::ProxyEnv>,
    readonly_root: bool,
    mounts: Vec<Mount>,
    secrets: Vec<Secret>,
    ssh: Vec<Ssh>,
    cdi_devices: Vec<pb::CdiDevice>,
    // Boxed: every builder setter moves the builder, and 392 bytes less moves faster.
    constraints: Box<Constraints>,
}

impl Exec {
    pub(crate) fn new(base: State, args: Vec<String>) -> Self {
        Exec {
            values: (*base.values).clone(),
            base,
            args,
            proxy_env: None,
            readonly_root: false,
            mounts: Vec::new(),
            secrets: Vec::new(),
            ssh: Vec::new(),
            cdi_devices: Vec::new(),
            constraints: Box::default(),
        }
    }

    /// Sets (or replaces, moving it last) an environment variable.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        add_or_replace(
            Arc::make_mut(&mut self.values.env),
            key.into(),
            value.into(),
        );
        self
    }

    /// Replaces the whole environment (in order). A shared list is kept as it is.
    pub fn env_list(mut self, env: impl Into<Arc<Vec<(String, String)>>>) -> Self {
        self.values.env = env.into();
        self
    }

    /// Working directory (relative paths join the current one).
    pub fn cwd(mut self, dir: impl Into<String>) -> Self {
        let dir = dir.into();
        self.values.dir = if crate::util::is_abs(&dir) {
            dir
        } else {
            crate::gopath::join(&[&self.values.dir, &dir])
        };
        self
    }

    /// User (`name`, `uid[:gid]`).
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.values.user = user.into();
        self
    }

    /// Hostname.
    pub fn hostname(mut self, h: impl Into<String>) -> Self {
        self.values.hostname = h.into();
        self
    }

    /// Network mode (declares `exec.meta.network` unless sandbox).
    pub fn network(mut self, n: NetMode) -> Self {
        self.values.network = n;
        self
    }

    /// Security mode (declares `exec.meta.security` when insecure).
    pub fn security(mut self, s: SecurityMode) -> Self {
        self.values.security = s;
        self
    }

    /// Adds an `/etc/hosts` entry.
    pub fn extra_host(mut self, host: impl Into<String>, ip: IpAddr) -> Self {
        self.values.extra_hosts.push((host.into(), ip));
        self
    }

    /// Adds a ulimit.
    pub fn ulimit(mut self, name: impl Into<String>, soft: i64, hard: i64) -> Self {
        self.values.ulimits.push(pb::Ulimit {
            name: name.into(),
            soft,
            hard,
        });
        self
    }

    /// cgroup parent.
    pub fn cgroup_parent(mut self, p: impl Into<String>) -> Self {
        self.values.cgroup_parent = p.into();
        self
    }

    /// Exit codes that count as success.
    pub fn valid_exit_codes(mut self, codes: Vec<i32>) -> Self {
        self.values.valid_exit_codes = Some(codes);
        self
    }

    /// Proxy variables (not part of the cache key).
    pub fn proxy_env(mut self, p: pb::ProxyEnv) -> Self {
        self.proxy_env = Some(p);
        self
    }

    /// Mounts the root filesystem read-only; the root is then not an output.
    pub fn readonly_root(mut self) -> Self {
        self.readonly_root = true;
        self
    }

    /// Adds a mount. Mounts are sorted by target when encoded.
    pub fn mount(mut self, m: Mount) -> Self {
        self.mounts.push(m);
        self
    }

    /// Adds a secret (file and/or env).
    pub fn secret(mut self, s: Secret) -> Self {
        self.secrets.push(s);
        self
    }

    /// Adds an SSH agent socket (also sets `SSH_AUTH_SOCK` if unset).
    pub fn ssh(mut self, s: Ssh) -> Self {
        self.ssh.push(s);
        self
    }

    /// Requests a CDI device.
    pub fn cdi_device(mut self, name: impl Into<String>, optional: bool) -> Self {
        self.cdi_devices.push(pb::CdiDevice {
            name: name.into(),
            optional,
        });
        self
    }

    /// Finishes the op. The result gives the root and the writable mounts.
    pub fn build(self) -> ExecState {
        // The base moves into the root mount; the root state needs only its settings.
        let base_settings = State {
            output: None,
            values: self.base.values.clone(),
        };
        let mut mounts = vec![Mount {
            target: "/".to_string(),
            source: self.base,
            readonly: self.readonly_root,
            selector: String::new(),
            kind: MountKind::Bind,
            no_output: false,
            content_cache: pb::MountContentCache::Default,
        }];
        mounts.extend(self.mounts);
        // Stable sort by target, as Go orders mounts before numbering outputs.
        mounts.sort_by(|a, b| a.target.cmp(&b.target));

        let platform = self.constraints.platform.clone();
        // The op takes each mount's fields; what the result states need stays behind.
        let mut specs: Vec<MountSpec> = Vec::with_capacity(mounts.len());
        let mut pending: Vec<(String, State, bool, bool)> = Vec::with_capacity(mounts.len());
        for m in mounts {
            let has_output = m.has_output();
            specs.push(MountSpec {
                target: m.target.clone(),
                source: m.source.output.clone(),
                readonly: m.readonly,
                selector: m.selector,
                kind: m.kind,
                has_output,
                content_cache: m.content_cache,
            });
            pending.push((m.target, m.source, m.readonly, has_output));
        }
        let op = ExecOp {
            args: self.args,
            values: self.values,
            proxy_env: self.proxy_env,
            mounts: specs,
            secrets: self.secrets,
            ssh: self.ssh,
            cdi_devices: self.cdi_devices,
        };
        let vertex = Arc::new(Vertex::new(OpKind::Exec(Box::new(op)), *self.constraints));

        let mut results = Vec::with_capacity(pending.len());
        let mut next_output = 0i64;
        for (target, source, readonly, has_output) in pending {
            let state = if readonly {
                Some(source)
            } else if has_output {
                let out = Output {
                    vertex: vertex.clone(),
                    index: next_output,
                };
                next_output += 1;
                Some(source.with_output(Some(out), platform.as_ref()))
            } else {
                None
            };
            results.push((target, state));
        }
        let root_mount = results
            .iter()
            .find(|(t, _)| t == "/")
            .and_then(|(_, s)| s.clone())
            .unwrap_or_default();
        // The root state keeps the settings of the state `run` was called on.
        let root = base_settings.with_output(root_mount.output.clone(), platform.as_ref());
        ExecState {
            root,
            mounts: results,
        }
    }
}

impl_op_options!(Exec);

/// The states an exec op produces.
#[derive(Debug, Clone)]
pub struct ExecState {
    root: State,
    mounts: Vec<(String, Option<State>)>,
}

impl ExecState {
    /// The root filesystem after the command.
    pub fn root(&self) -> State {
        self.root.clone()
    }

    /// The state of the mount at `target` after the command: the output for
    /// a writable bind mount, the source for a read-only one, `None` for
    /// cache, tmpfs and no-output mounts (and unknown targets).
    pub fn mount(&self, target: &str) -> Option<State> {
        self.mounts
            .iter()
            .rev()
            .find(|(t, _)| t == target)
            .and_then(|(_, s)| s.clone())
    }
}

#[derive(Debug)]
struct MountSpec {
    target: String,
    source: Option<Output>,
    readonly: bool,
    selector: String,
    kind: MountKind,
    has_output: bool,
    content_cache: pb::MountContentCache,
}

/// The exec op body kept in the vertex.
pub(crate) struct ExecOp {
    args: Vec<String>,
    values: Values,
    proxy_env: Option<pb::ProxyEnv>,
    /// Sorted by target; the root is among them.
    mounts: Vec<MountSpec>,
    secrets: Vec<Secret>,
    ssh: Vec<Ssh>,
    cdi_devices: Vec<pb::CdiDevice>,
}

impl ExecOp {
    /// Go's `ExecOp.Inputs()`: mount sources in target order, deduplicated.
    pub(crate) fn dfs_inputs(&self) -> Vec<&Output> {
        let mut out: Vec<&Output> = Vec::new();
        for m in &self.mounts {
            if let Some(src) = &m.source {
                if !out.iter().any(|o| o.same(src)) {
                    out.push(src);
                }
            }
        }
        out
    }

    pub(crate) fn encode(
        &self,
        c: &Constraints,
        ctx: &EncodeCtx,
    ) -> Result<(pb::Op, EncodeCaps), Error> {
        if self.args.is_empty() {
            return Err(Error::NoArgs);
        }
        if self.values.dir.is_empty() {
            return Err(Error::NoCwd);
        }
        let mut op_caps: EncodeCaps = Vec::new();
        let ssh_targets = self.ssh_targets();
        let meta = self.meta(c, ctx, &ssh_targets, &mut op_caps);
        self.mount_caps(&mut op_caps);

        let v = &self.values;
        let platform = c.platform.as_ref().or(v.platform.as_ref());
        let mut op = marshal_constraints(c, platform, ctx);
        let mut exec = pb::ExecOp {
            meta: Some(meta),
            mounts: self.encode_mounts(&mut op, ctx)?,
            network: v.network as i32,
            security: v.security as i32,
            secretenv: Vec::new(),
            cdi_devices: self.cdi_devices.clone(),
        };
        // Secret and SSH mounts come after the sorted ones, with output 0
        // left at its default, exactly as Go writes them.
        self.encode_secrets(&mut exec);
        self.encode_ssh(&mut exec, ssh_targets);
        op.op = Some(pb::op::Op::Exec(exec));
        Ok((op, op_caps))
    }

    /// Socket paths of the SSH mounts: the given target, else the n-th default.
    fn ssh_targets(&self) -> Vec<String> {
        self.ssh
            .iter()
            .enumerate()
            .map(|(i, s)| {
                s.target
                    .clone()
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| format!("/run/buildkit/ssh_agent.{i}"))
            })
            .collect()
    }

    /// The process: arguments, environment, user, hosts, limits; declares the caps they need
    /// (in Go's order).
    fn meta(
        &self,
        c: &Constraints,
        ctx: &EncodeCtx,
        ssh_targets: &[String],
        op_caps: &mut EncodeCaps,
    ) -> pb::Meta {
        let v = &self.values;
        let mut meta = pb::Meta {
            args: self.args.clone(),
            env: self.env(ctx, ssh_targets, op_caps),
            cwd: v.dir.clone(),
            user: v.user.clone(),
            hostname: v.hostname.clone(),
            cgroup_parent: v.cgroup_parent.clone(),
            remove_mount_stubs_recursive: true,
            ..Default::default()
        };
        if let Some(codes) = &v.valid_exit_codes {
            meta.valid_exit_codes = codes.clone();
            op_caps.push(caps::EXEC_VALID_EXIT_CODE);
        }
        meta.extra_hosts = v
            .extra_hosts
            .iter()
            .map(|(host, ip)| pb::HostIp {
                host: host.clone(),
                ip: go_ip_string(ip),
            })
            .collect();
        if !v.ulimits.is_empty() {
            op_caps.push(caps::EXEC_META_ULIMIT);
            meta.ulimit = v.ulimits.clone();
        }
        if c.metadata.linux_resources.is_some() {
            op_caps.push(caps::EXEC_META_LINUX_RESOURCES);
        }
        if v.network != NetMode::Sandbox {
            op_caps.push(caps::EXEC_META_NETWORK);
        }
        if v.security == SecurityMode::Insecure {
            op_caps.push(caps::EXEC_META_SECURITY);
        }
        if let Some(p) = &self.proxy_env {
            meta.proxy_env = Some(p.clone());
            op_caps.push(caps::EXEC_META_PROXY);
        }
        op_caps.push(caps::EXEC_META_BASE);
        meta
    }

    /// `KEY=value` strings, built straight from the state's pairs; the defaults Go's client
    /// adds (`SSH_AUTH_SOCK`, `PATH`) follow them.
    fn env(
        &self,
        ctx: &EncodeCtx,
        ssh_targets: &[String],
        op_caps: &mut EncodeCaps,
    ) -> Vec<String> {
        let pairs = &self.values.env;
        let mut env: Vec<String> = Vec::with_capacity(pairs.len() + 2);
        env.extend(pairs.iter().map(|(k, v)| env_entry(k, v)));
        let has_env = |k: &str| pairs.iter().any(|(kk, _)| kk == k);
        let ssh_sock = ssh_targets.first().filter(|_| !has_env("SSH_AUTH_SOCK"));
        if let Some(first) = ssh_sock {
            env.push(env_entry("SSH_AUTH_SOCK", first));
        }
        if let Some(server_caps) = &ctx.opts.llb_caps {
            if server_caps.contains(caps::EXEC_META_SETS_DEFAULT_PATH) {
                op_caps.push(caps::EXEC_META_SETS_DEFAULT_PATH);
            } else if ctx.opts.platform.os != "windows" && !has_env("PATH") {
                env.push(env_entry("PATH", DEFAULT_PATH_ENV));
            }
        }
        env
    }

    /// The caps of the mounts, secrets, SSH agents and CDI devices (in Go's order).
    fn mount_caps(&self, op_caps: &mut EncodeCaps) {
        for m in &self.mounts {
            if !m.selector.is_empty() {
                op_caps.push(caps::EXEC_MOUNT_SELECTOR);
            }
            match &m.kind {
                MountKind::Cache { .. } => {
                    op_caps.push(caps::EXEC_MOUNT_CACHE);
                    op_caps.push(caps::EXEC_MOUNT_CACHE_SHARING);
                }
                MountKind::Tmpfs { size } => {
                    op_caps.push(caps::EXEC_MOUNT_TMPFS);
                    if *size > 0 {
                        op_caps.push(caps::EXEC_MOUNT_TMPFS_SIZE);
                    }
                }
                MountKind::Bind => {
                    if m.source.is_some() {
                        op_caps.push(caps::EXEC_MOUNT_BIND);
                    }
                }
            }
            if m.content_cache != pb::MountContentCache::Default {
                op_caps.push(caps::EXEC_MOUNT_CONTENT_CACHE);
            }
        }
        if !self.secrets.is_empty() {
            op_caps.push(caps::EXEC_MOUNT_SECRET);
            if self.secrets.iter().any(|s| s.env.is_some()) {
                op_caps.push(caps::EXEC_SECRET_ENV);
            }
        }
        if !self.ssh.is_empty() {
            op_caps.push(caps::EXEC_MOUNT_SSH);
        }
        if !self.cdi_devices.is_empty() {
            op_caps.push(caps::EXEC_META_CDI);
        }
    }

    /// The filesystem mounts in target order, numbering outputs and adding their sources
    /// to the op's inputs (once each).
    fn encode_mounts(&self, op: &mut pb::Op, ctx: &EncodeCtx) -> Result<Vec<pb::Mount>, Error> {
        let mut mounts = Vec::with_capacity(self.mounts.len());
        let mut out_index = 0i64;
        for m in &self.mounts {
            let input = match &m.source {
                None => -1,
                Some(_) if matches!(m.kind, MountKind::Tmpfs { .. }) => {
                    return Err(Error::TmpfsWithSource(m.target.clone()));
                }
                Some(src) => input_index(op, input_of(src, ctx)?),
            };
            let output = if m.has_output {
                out_index += 1;
                out_index - 1
            } else {
                -1
            };
            mounts.push(m.encode(input, output));
        }
        Ok(mounts)
    }

    /// Secrets as files (mounts) and as environment variables (`secretenv`).
    fn encode_secrets(&self, exec: &mut pb::ExecOp) {
        for s in &self.secrets {
            if let Some(name) = &s.env {
                exec.secretenv.push(pb::SecretEnv {
                    id: s.id.clone(),
                    name: name.clone(),
                    optional: s.optional,
                });
            }
            if let Some(target) = &s.target {
                exec.mounts.push(pb::Mount {
                    input: -1,
                    dest: target.clone(),
                    mount_type: pb::MountType::Secret as i32,
                    secret_opt: Some(pb::SecretOpt {
                        id: s.id.clone(),
                        uid: s.uid,
                        gid: s.gid,
                        mode: s.mode,
                        optional: s.optional,
                    }),
                    ..Default::default()
                });
            }
        }
    }

    /// SSH agent sockets, at the targets from [`ExecOp::ssh_targets`].
    fn encode_ssh(&self, exec: &mut pb::ExecOp, ssh_targets: Vec<String>) {
        for (s, target) in self.ssh.iter().zip(ssh_targets) {
            exec.mounts.push(pb::Mount {
                input: -1,
                dest: target,
                mount_type: pb::MountType::Ssh as i32,
                ssh_opt: Some(pb::SshOpt {
                    id: s.id.clone(),
                    uid: s.uid,
                    gid: s.gid,
                    mode: s.mode,
                    optional: s.optional,
                }),
                ..Default::default()
            });
        }
    }
}

impl MountSpec {
    /// The wire mount, given its input and output indexes (-1 for none).
    fn encode(&self, input: i64, output: i64) -> pb::Mount {
        let mut pm = pb::Mount {
            input,
            selector: self.selector.clone(),
            dest: self.target.clone(),
            output,
            readonly: self.readonly,
            content_cache: self.content_cache as i32,
            ..Default::default()
        };
        match &self.kind {
            MountKind::Bind => {}
            MountKind::Cache { id, sharing } => {
                pm.mount_type = pb::MountType::Cache as i32;
                pm.cache_opt = Some(pb::CacheOpt {
                    id: id.clone(),
                    sharing: *sharing as i32,
                });
            }
            MountKind::Tmpfs { size } => {
                pm.mount_type = pb::MountType::Tmpfs as i32;
                pm.tmpfs_opt = Some(pb::TmpfsOpt { size: *size });
            }
        }
        pm
    }
}

/// The index of `input` among the op's inputs, appending it if new.
fn input_index(op: &mut pb::Op, input: pb::Input) -> i64 {
    match op.inputs.iter().position(|i| *i == input) {
        Some(i) => i as i64,
        None => {
            op.inputs.push(input);
            op.inputs.len() as i64 - 1
        }
    }
}

/// `KEY=value`, as an exec op's env lists it.
fn env_entry(key: &str, value: &str) -> String {
    [key, "=", value].concat()
}

/// Go's `net.IP.String()`: IPv4-mapped IPv6 addresses print as IPv4.
fn go_ip_string(ip: &IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => v6.to_string(),
        },
        IpAddr::V4(v4) => v4.to_string(),
    }
}
