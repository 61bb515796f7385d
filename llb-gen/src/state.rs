//! [`State`]: an immutable handle on one output of the graph, plus the
//! process settings (env, cwd, user, ...) that later exec ops inherit.

use crate::exec::Exec;
use crate::file::{FileActions, FileOp};
use crate::platform::Platform;
use crate::vertex::Vertex;
use crate::{NetMode, SecurityMode};
use mstage_proto::pb;
use std::net::IpAddr;
use std::sync::Arc;

/// One output of one vertex. Equality is identity of the vertex plus index.
#[derive(Clone)]
pub(crate) struct Output {
    pub(crate) vertex: Arc<Vertex>,
    pub(crate) index: i64,
}

impl Output {
    pub(crate) fn new(vertex: Vertex, index: i64) -> Self {
        Output {
            vertex: Arc::new(vertex),
            index,
        }
    }

    pub(crate) fn same(&self, other: &Output) -> bool {
        Arc::ptr_eq(&self.vertex, &other.vertex) && self.index == other.index
    }
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}#{}", self.vertex.kind_name(), self.index)
    }
}

/// The env of a new state (shared, so defaults allocate nothing).
static EMPTY_ENV: std::sync::LazyLock<Arc<Vec<(String, String)>>> =
    std::sync::LazyLock::new(Default::default);

/// Process settings carried by a state (Go's state values).
#[derive(Debug, Clone)]
pub(crate) struct Values {
    /// Shared: a caller's env list is handed over without copying its strings.
    pub(crate) env: Arc<Vec<(String, String)>>,
    pub(crate) dir: String,
    pub(crate) user: String,
    pub(crate) hostname: String,
    pub(crate) platform: Option<Platform>,
    pub(crate) network: NetMode,
    pub(crate) security: SecurityMode,
    pub(crate) extra_hosts: Vec<(String, IpAddr)>,
    pub(crate) ulimits: Vec<pb::Ulimit>,
    pub(crate) cgroup_parent: String,
    pub(crate) valid_exit_codes: Option<Vec<i32>>,
}

impl Default for Values {
    fn default() -> Self {
        Values {
            env: EMPTY_ENV.clone(),
            // Go's NewState sets Dir("/") on every new state.
            dir: "/".to_string(),
            user: String::new(),
            hostname: String::new(),
            platform: None,
            network: NetMode::Sandbox,
            security: SecurityMode::Sandbox,
            extra_hosts: Vec::new(),
            ulimits: Vec::new(),
            cgroup_parent: String::new(),
            valid_exit_codes: None,
        }
    }
}

/// A filesystem state: one output of a vertex (or scratch) plus the process
/// settings later [`State::run`] calls inherit.
///
/// States are immutable and cheap to clone (two `Arc`s); every method
/// returns a new state. Vertices are shared, so a state used by several
/// consumers is encoded once.
#[derive(Debug, Clone, Default)]
pub struct State {
    pub(crate) output: Option<Output>,
    pub(crate) values: Arc<Values>,
}

impl State {
    /// The empty filesystem.
    pub fn scratch() -> State {
        State::default()
    }

    /// True for scratch (no vertex behind it).
    pub fn is_scratch(&self) -> bool {
        self.output.is_none()
    }

    pub(crate) fn from_output(output: Output, platform: Option<Platform>) -> State {
        let values = Values {
            platform,
            ..Default::default()
        };
        State {
            output: Some(output),
            values: Arc::new(values),
        }
    }

    /// Go's `WithOutput`: same settings, new filesystem.
    pub(crate) fn with_output(&self, output: Option<Output>, platform: Option<&Platform>) -> State {
        let mut s = State {
            output,
            values: self.values.clone(),
        };
        // Settings are shared until they differ: most ops keep their input's platform.
        if let Some(p) = platform.filter(|p| s.values.platform.as_ref() != Some(*p)) {
            s.values_mut().platform = Some(p.clone());
        }
        s
    }

    fn values_mut(&mut self) -> &mut Values {
        Arc::make_mut(&mut self.values)
    }

    fn update(&self, f: impl FnOnce(&mut Values)) -> State {
        let mut s = self.clone();
        f(s.values_mut());
        s
    }

    /// Keeps this state's filesystem but takes the settings of `other`
    /// (Go's `Reset`).
    pub fn with_settings_of(&self, other: &State) -> State {
        State {
            output: self.output.clone(),
            values: other.values.clone(),
        }
    }

    /// Sets an environment variable. Like Go's `EnvList.AddOrReplace`, a
    /// replaced variable moves to the end of the list; env order is part of
    /// exec cache keys.
    pub fn with_env(&self, key: impl Into<String>, value: impl Into<String>) -> State {
        let (key, value) = (key.into(), value.into());
        self.update(|v| add_or_replace(Arc::make_mut(&mut v.env), key, value))
    }

    /// Removes an environment variable.
    pub fn without_env(&self, key: &str) -> State {
        self.update(|v| Arc::make_mut(&mut v.env).retain(|(k, _)| k != key))
    }

    /// The environment, in order.
    pub fn env(&self) -> &[(String, String)] {
        &self.values.env
    }

    /// One environment variable.
    pub fn get_env(&self, key: &str) -> Option<&str> {
        self.values
            .env
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Sets the working directory; a relative path is joined to the current
    /// one (Go's `Dir`).
    pub fn with_dir(&self, dir: impl AsRef<str>) -> State {
        let dir = dir.as_ref();
        self.update(|v| {
            v.dir = if crate::util::is_abs(dir) {
                dir.to_string()
            } else {
                let prev = if v.dir.is_empty() { "/" } else { &v.dir };
                crate::gopath::join(&[prev, dir])
            }
        })
    }

    /// The working directory (`/` unless set).
    pub fn dir(&self) -> &str {
        &self.values.dir
    }

    /// Sets the user (`name`, `uid`, `uid:gid`, ...).
    pub fn with_user(&self, user: impl Into<String>) -> State {
        let user = user.into();
        self.update(|v| v.user = user)
    }

    /// The user, empty if unset.
    pub fn user(&self) -> &str {
        &self.values.user
    }

    /// Sets the hostname for exec ops.
    pub fn with_hostname(&self, hostname: impl Into<String>) -> State {
        let hostname = hostname.into();
        self.update(|v| v.hostname = hostname)
    }

    /// Sets the platform exec ops on this state run for.
    pub fn with_platform(&self, platform: Platform) -> State {
        self.update(|v| v.platform = Some(platform))
    }

    /// The platform set on this state, if any.
    pub fn platform(&self) -> Option<&Platform> {
        self.values.platform.as_ref()
    }

    /// Sets the network mode for exec ops.
    pub fn with_network(&self, network: NetMode) -> State {
        self.update(|v| v.network = network)
    }

    /// Sets the security mode for exec ops.
    pub fn with_security(&self, security: SecurityMode) -> State {
        self.update(|v| v.security = security)
    }

    /// Adds an `/etc/hosts` entry for exec ops.
    pub fn with_extra_host(&self, host: impl Into<String>, ip: IpAddr) -> State {
        let host = host.into();
        self.update(|v| v.extra_hosts.push((host, ip)))
    }

    /// Adds a ulimit for exec ops (`nofile`, `nproc`, ...).
    pub fn with_ulimit(&self, name: impl Into<String>, soft: i64, hard: i64) -> State {
        let name = name.into();
        self.update(|v| v.ulimits.push(pb::Ulimit { name, soft, hard }))
    }

    /// Sets the cgroup parent for exec ops.
    pub fn with_cgroup_parent(&self, parent: impl Into<String>) -> State {
        let parent = parent.into();
        self.update(|v| v.cgroup_parent = parent)
    }

    /// Exit codes exec ops may return without failing.
    pub fn with_valid_exit_codes(&self, codes: Vec<i32>) -> State {
        self.update(|v| v.valid_exit_codes = Some(codes))
    }

    /// Starts an exec op with this state as the root filesystem, inheriting
    /// env, cwd, user, hostname, network, security and platform.
    pub fn run<I, S>(&self, args: I) -> Exec
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Exec::new(self.clone(), args.into_iter().map(Into::into).collect())
    }

    /// Starts a file op applying `actions` to this state.
    pub fn file(&self, actions: FileActions) -> FileOp {
        FileOp::new(self.clone(), actions)
    }

    /// The digest of the vertex behind this state and the output index, as
    /// they appear in a Definition marshalled with `opts` (for `Warn` and
    /// progress lookups). `None` for scratch.
    pub fn vertex_digest(
        &self,
        opts: &crate::MarshalOptions,
    ) -> Result<Option<(String, i64)>, crate::Error> {
        match &self.output {
            None => Ok(None),
            Some(out) => {
                let ctx = crate::marshal::EncodeCtx::new(opts);
                crate::marshal::encode_all(out, &ctx)?;
                Ok(Some((out.vertex.encoded(&ctx)?.digest.clone(), out.index)))
            }
        }
    }

    /// Marshals the graph ending at this state (see [`crate::marshal()`]).
    pub fn marshal(&self, opts: &crate::MarshalOptions) -> Result<pb::Definition, crate::Error> {
        crate::marshal::marshal(self, opts)
    }
}

pub(crate) fn add_or_replace(env: &mut Vec<(String, String)>, key: String, value: String) {
    env.retain(|(k, _)| *k != key);
    env.push((key, value));
}
