//! The lowering's op graph: what the Dockerfile needs, in the terms of BuildKit's Go LLB
//! client (`client/llb`), before it is marshalled by `llb-gen` into a `Definition`.
//! Keeping this small layer lets the dispatch code read like the stock frontend's.

use std::collections::BTreeMap;

use crate::image::Platform;
use mstage_syntax::parser::SourceRange;

/// Index of a node in [`Graph::nodes`].
pub type NodeId = usize;

/// One output of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Out {
    pub node: NodeId,
    pub index: u32,
}

/// Vertex metadata (not part of the op bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OpMeta {
    /// `llb.customname`.
    pub custom_name: Option<String>,
    /// Other description keys (`com.docker.dockerfile.v1.command`).
    pub description: BTreeMap<String, String>,
    pub ignore_cache: bool,
    /// `(id, name, weak)`.
    pub progress_group: Option<(String, String, bool)>,
    /// Dockerfile lines the op comes from.
    pub locations: Vec<SourceRange>,
    /// Resource limits for a RUN (`OpMetadata.linux_resources`).
    pub linux_resources: Option<mstage_proto::pb::LinuxResources>,
}

/// `RUN --mount` and the root mount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MountKind {
    Bind,
    Cache { id: String, sharing: CacheSharing },
    Tmpfs { size: i64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheSharing {
    Shared,
    Private,
    Locked,
}

/// A filesystem mount of an exec (not secret/ssh).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecMount {
    pub target: String,
    /// `None` = scratch.
    pub source: Option<Out>,
    pub selector: String,
    pub readonly: bool,
    /// `ForceNoOutput`: writable, but the result is thrown away.
    pub no_output: bool,
    pub kind: MountKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMount {
    pub id: String,
    /// File target; `None` when only exposed as env.
    pub target: Option<String>,
    pub env: Option<String>,
    pub uid: u32,
    pub gid: u32,
    pub mode: u32,
    pub optional: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshMount {
    pub id: String,
    /// Empty = `/run/buildkit/ssh_agent.N`.
    pub target: String,
    pub uid: u32,
    pub gid: u32,
    pub mode: u32,
    pub optional: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProxyEnv {
    pub http: String,
    pub https: String,
    pub ftp: String,
    pub no: String,
    pub all: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Network {
    #[default]
    Sandbox,
    Host,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Security {
    #[default]
    Sandbox,
    Insecure,
}

/// An ExecOp. The root mount (`/`) is the first of `mounts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exec {
    pub args: Vec<String>,
    /// `KEY`, `value` in order.
    pub env: std::sync::Arc<Vec<(String, String)>>,
    pub cwd: String,
    pub user: String,
    pub hostname: String,
    pub network: Network,
    pub security: Security,
    pub proxy_env: Option<ProxyEnv>,
    pub extra_hosts: Vec<(String, String)>,
    pub ulimits: Vec<(String, i64, i64)>,
    pub cgroup_parent: String,
    pub mounts: Vec<ExecMount>,
    pub secrets: Vec<SecretMount>,
    pub ssh: Vec<SshMount>,
}

/// Input of a file action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionInput {
    Scratch,
    State(Out),
    /// Result of action `k` of the same FileOp.
    Action(usize),
}

/// `--chown` user or group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserRef {
    Id(u32),
    /// Looked up in the action's base rootfs.
    Name(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Chown {
    pub user: Option<UserRef>,
    pub group: Option<UserRef>,
}

/// `FileActionCopy` fields the Dockerfile sets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CopySpec {
    pub src: String,
    pub dest: String,
    pub owner: Option<Chown>,
    /// Octal mode; `None` = keep (-1).
    pub mode: Option<i32>,
    pub mode_str: String,
    pub follow_symlink: bool,
    pub dir_copy_contents: bool,
    pub attempt_unpack: bool,
    pub create_dest_path: bool,
    pub allow_wildcard: bool,
    pub allow_empty_wildcard: bool,
    /// Unix seconds; `None` = keep (-1).
    pub timestamp: Option<i64>,
    pub include_patterns: Vec<String>,
    pub exclude_patterns: Vec<String>,
    pub required_paths: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionKind {
    Copy(CopySpec),
    Mkdir {
        path: String,
        mode: i32,
        make_parents: bool,
        owner: Option<Chown>,
        timestamp: Option<i64>,
    },
    Mkfile {
        path: String,
        mode: i32,
        data: Vec<u8>,
        owner: Option<Chown>,
        timestamp: Option<i64>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileAction {
    pub input: ActionInput,
    /// The copy source (`Scratch` for actions that have none).
    pub secondary: ActionInput,
    pub kind: ActionKind,
}

/// A source op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Image {
        /// Normalised reference (digest pinned when resolved).
        reference: String,
        resolve_mode: super::ResolveMode,
    },
    Local {
        name: String,
        /// `local.session` or `local.unique`.
        session: super::LocalSession,
        shared_key_hint: String,
        follow_paths: Vec<String>,
        exclude_patterns: Vec<String>,
    },
    Git {
        /// Remote URL without fragment or query (`git.fullurl`).
        url: String,
        /// `ref[:subdir]`.
        fragment: String,
        keep_git_dir: bool,
        checksum: Option<String>,
        skip_submodules: bool,
    },
    Http {
        url: String,
        filename: String,
        checksum: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    Source(Source),
    Exec(Box<Exec>),
    File(Vec<FileAction>),
    Merge(Vec<Out>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    /// Op platform (FileOp and MergeOp carry none on the wire).
    pub platform: Option<Platform>,
    pub meta: OpMeta,
}

/// All nodes of one build; a node may be shared by several stages only when it is the same
/// op (the marshaller merges identical ops by digest anyway).
#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
}

impl Graph {
    pub fn add(&mut self, kind: NodeKind, platform: Option<Platform>, meta: OpMeta) -> Out {
        self.nodes.push(Node {
            kind,
            platform,
            meta,
        });
        Out {
            node: self.nodes.len() - 1,
            index: 0,
        }
    }
}
