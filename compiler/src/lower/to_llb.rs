//! Turns the lowering's op graph into `llb-gen` states and marshals the result: llb-gen
//! owns the Go-compatible encoding (mount order, file-action indexes, per-op caps,
//! terminal op, digests).

use llb_gen::{
    CacheSharing as LCacheSharing, Chmod, Copy, FileActions, MarshalOptions, Mkdir, Mkfile, Mount,
    OpOptions, Owner, Secret, SourceMap, Ssh, State,
};
use mstage_proto::pb;

use super::caps::Capabilities;
use super::graph::*;
use super::request::LocalSession;
use super::{CompileError, ErrorKind, ResolveMode};
use crate::image::Platform;
use mstage_syntax::parser::SourceRange;

fn lplatform(p: Platform) -> llb_gen::Platform {
    llb_gen::Platform {
        os: p.os,
        architecture: p.architecture,
        variant: p.variant,
        os_version: p.os_version,
        os_features: (!p.os_features.is_empty()).then_some(p.os_features),
    }
}

fn owner(c: Option<Chown>) -> Option<Owner> {
    let conv = |u: UserRef| match u {
        UserRef::Id(i) => llb_gen::UserRef::Id(i),
        UserRef::Name(n) => llb_gen::UserRef::Name(n),
    };
    c.map(|c| Owner {
        user: c.user.map(conv),
        group: c.group.map(conv),
    })
}

fn nanos(t: Option<i64>) -> Option<i64> {
    t.map(|s| s.saturating_mul(1_000_000_000))
}

struct Builder {
    /// The lowering graph's nodes; each is taken out (moved, not cloned) when built.
    nodes: Vec<Option<Node>>,
    /// Built states by node id.
    states: Vec<Option<State>>,
    /// The empty state, for inputs that have none.
    scratch: State,
    source_map: Option<SourceMap>,
}

impl Builder {
    fn with_meta<T: OpOptions>(&self, mut op: T, m: OpMeta, platform: Option<Platform>) -> T {
        if let Some(n) = m.custom_name {
            op = op.custom_name(n);
        }
        for (k, v) in m.description {
            op = op.description(k, v);
        }
        if m.ignore_cache {
            op = op.ignore_cache();
        }
        if let Some((id, name, weak)) = m.progress_group {
            op = op.progress_group(id, name, weak);
        }
        if let Some(p) = platform {
            op = op.platform(lplatform(p));
        }
        if let Some(r) = m.linux_resources {
            op = op.linux_resources(r);
        }
        if let (Some(sm), false) = (&self.source_map, m.locations.is_empty()) {
            let ranges = m
                .locations
                .iter()
                .map(|r: &SourceRange| SourceMap::lines(r.start_line as i32, r.end_line as i32))
                .collect();
            op = op.location(sm, ranges);
        }
        op
    }

    /// A built state, borrowed: llb-gen clones what it keeps, and each clone of a state
    /// costs atomic reference counts.
    fn state(&self, o: Option<Out>) -> &State {
        o.and_then(|o| self.states[o.node].as_ref())
            .unwrap_or(&self.scratch)
    }

    fn input(&self, i: ActionInput) -> &State {
        match i {
            ActionInput::State(o) => self.state(Some(o)),
            _ => &self.scratch,
        }
    }

    fn build(&mut self, id: NodeId) -> Result<State, CompileError> {
        // Every node is built once (inputs first), so it can be moved out of the graph.
        let Some(Node {
            kind,
            platform,
            meta,
        }) = self.nodes[id].take()
        else {
            return Err(CompileError::new(
                ErrorKind::Invalid,
                None,
                format!("internal: graph node {id} built twice"),
            ));
        };
        let st = match kind {
            NodeKind::Source(Source::Image {
                reference,
                resolve_mode,
            }) => {
                let mut img = llb_gen::image(reference);
                img = img.resolve_mode(match resolve_mode {
                    ResolveMode::Default => llb_gen::ResolveMode::Default,
                    ResolveMode::Pull => llb_gen::ResolveMode::ForcePull,
                    ResolveMode::Local => llb_gen::ResolveMode::PreferLocal,
                });
                self.with_meta(img, meta, platform).build()
            }
            NodeKind::Source(Source::Local {
                name,
                session,
                shared_key_hint,
                follow_paths,
                exclude_patterns,
            }) => {
                let mut l = llb_gen::local(name);
                l = match session {
                    LocalSession::Session(s) => l.session_id(s),
                    LocalSession::Unique(u) => l.unique_id(u),
                };
                if !shared_key_hint.is_empty() {
                    l = l.shared_key_hint(shared_key_hint);
                }
                if !follow_paths.is_empty() {
                    l = l.follow_paths(follow_paths);
                }
                if !exclude_patterns.is_empty() {
                    l = l.exclude_patterns(exclude_patterns);
                }
                self.with_meta(l, meta, platform).build()
            }
            NodeKind::Source(Source::Git {
                url,
                fragment,
                keep_git_dir,
                checksum,
                skip_submodules,
            }) => {
                let mut g = llb_gen::git(url, &fragment);
                if keep_git_dir {
                    g = g.keep_git_dir();
                }
                if let Some(c) = checksum {
                    g = g.checksum(c);
                }
                if skip_submodules {
                    g = g.skip_submodules();
                }
                self.with_meta(g, meta, platform).build()
            }
            NodeKind::Source(Source::Http {
                url,
                filename,
                checksum,
            }) => {
                let mut h = llb_gen::http(url).filename(filename);
                if let Some(c) = checksum {
                    h = h.checksum(c);
                }
                self.with_meta(h, meta, platform).build()
            }
            NodeKind::Exec(e) => {
                let e = *e;
                let root = e.mounts.first().and_then(|m| m.source);
                let mut x = self.state(root).run(e.args);
                x = x
                    .env_list(e.env)
                    .cwd(e.cwd)
                    .user(e.user)
                    .hostname(e.hostname)
                    .network(match e.network {
                        Network::Sandbox => pb::NetMode::Unset,
                        Network::Host => pb::NetMode::Host,
                        Network::None => pb::NetMode::None,
                    })
                    .security(match e.security {
                        Security::Sandbox => pb::SecurityMode::Sandbox,
                        Security::Insecure => pb::SecurityMode::Insecure,
                    });
                if let Some(p) = e.proxy_env {
                    x = x.proxy_env(pb::ProxyEnv {
                        http_proxy: p.http,
                        https_proxy: p.https,
                        ftp_proxy: p.ftp,
                        no_proxy: p.no,
                        all_proxy: p.all,
                    });
                }
                for (h, ip) in e.extra_hosts {
                    let ip = ip.parse().map_err(|_| {
                        CompileError::new(
                            ErrorKind::Invalid,
                            None,
                            format!("invalid IP address {ip:?} for extra host {h}"),
                        )
                    })?;
                    x = x.extra_host(h, ip);
                }
                for (n, soft, hard) in e.ulimits {
                    x = x.ulimit(n, soft, hard);
                }
                if !e.cgroup_parent.is_empty() {
                    x = x.cgroup_parent(e.cgroup_parent);
                }
                for m in e.mounts.into_iter().skip(1) {
                    let mut lm = match m.kind {
                        MountKind::Bind => Mount::bind(m.target, self.state(m.source)),
                        MountKind::Cache { id, sharing } => {
                            let mut c = Mount::cache(
                                m.target,
                                id,
                                match sharing {
                                    CacheSharing::Shared => LCacheSharing::Shared,
                                    CacheSharing::Private => LCacheSharing::Private,
                                    CacheSharing::Locked => LCacheSharing::Locked,
                                },
                            );
                            if let Some(o) = m.source {
                                c = c.source(self.state(Some(o)));
                            }
                            c
                        }
                        MountKind::Tmpfs { size } => {
                            let t = Mount::tmpfs(m.target);
                            if size > 0 {
                                t.size(size)
                            } else {
                                t
                            }
                        }
                    };
                    if !m.selector.is_empty() {
                        lm = lm.selector(m.selector);
                    }
                    if m.readonly {
                        lm = lm.readonly();
                    }
                    if m.no_output {
                        lm = lm.no_output();
                    }
                    x = x.mount(lm);
                }
                for s in e.secrets {
                    let mut sec = match (s.target, s.env) {
                        (Some(t), Some(env)) => Secret::file(s.id, t).with_env(env),
                        (Some(t), None) => Secret::file(s.id, t),
                        (None, Some(env)) => Secret::env(s.id, env),
                        (None, None) => {
                            let target = format!("/run/secrets/{}", s.id);
                            Secret::file(s.id, target)
                        }
                    };
                    sec = sec.file_opt(s.uid, s.gid, s.mode);
                    if s.optional {
                        sec = sec.optional();
                    }
                    x = x.secret(sec);
                }
                for s in e.ssh {
                    let mut sh = Ssh::new().id(s.id);
                    if !s.target.is_empty() {
                        sh = sh.target(s.target);
                    }
                    sh = sh.socket_opt(s.uid, s.gid, s.mode);
                    if s.optional {
                        sh = sh.optional();
                    }
                    x = x.ssh(sh);
                }
                self.with_meta(x, meta, platform).build().root()
            }
            NodeKind::File(actions) => {
                let base = self.input(actions.first().map_or(ActionInput::Scratch, |a| a.input));
                let mut fa = FileActions::new();
                for a in actions {
                    fa = match a.kind {
                        ActionKind::Copy(c) => {
                            let src = self.input(a.secondary);
                            let mut cp = Copy::new(src, c.src, c.dest)
                                .follow_symlinks(c.follow_symlink)
                                .dir_contents_only(c.dir_copy_contents)
                                .attempt_unpack(c.attempt_unpack)
                                .create_dest_path(c.create_dest_path)
                                .allow_wildcard(c.allow_wildcard)
                                .allow_empty_wildcard(c.allow_empty_wildcard)
                                .include_patterns(c.include_patterns)
                                .exclude_patterns(c.exclude_patterns)
                                .required_paths(c.required_paths);
                            if let Some(o) = owner(c.owner) {
                                cp = cp.owner(o);
                            }
                            if !c.mode_str.is_empty() {
                                cp = cp.chmod(Chmod::Symbolic(c.mode_str));
                            } else if let Some(m) = c.mode {
                                cp = cp.chmod(Chmod::Mode(m as u32));
                            }
                            if let Some(t) = nanos(c.timestamp) {
                                cp = cp.timestamp(t);
                            }
                            fa.copy(cp)
                        }
                        ActionKind::Mkdir {
                            path,
                            mode,
                            make_parents,
                            owner: o,
                            timestamp,
                        } => {
                            let mut m = Mkdir::new(path, mode as u32).make_parents(make_parents);
                            if let Some(o) = owner(o) {
                                m = m.owner(o);
                            }
                            if let Some(t) = nanos(timestamp) {
                                m = m.timestamp(t);
                            }
                            fa.mkdir(m)
                        }
                        ActionKind::Mkfile {
                            path,
                            mode,
                            data,
                            owner: o,
                            timestamp,
                        } => {
                            let mut m = Mkfile::new(path, mode as u32, data);
                            if let Some(o) = owner(o) {
                                m = m.owner(o);
                            }
                            if let Some(t) = nanos(timestamp) {
                                m = m.timestamp(t);
                            }
                            fa.mkfile(m)
                        }
                    };
                }
                self.with_meta(base.file(fa), meta, platform).build()
            }
            NodeKind::Merge(ins) => {
                let states: Vec<State> = ins.iter().map(|o| self.state(Some(*o)).clone()).collect();
                self.with_meta(llb_gen::merge(states), meta, platform)
                    .build()
            }
        };
        Ok(st)
    }
}

/// The `i`-th node `n` reads, if it reads that many (no list is built: the walk below asks
/// once per input).
fn node_input(n: &Node, i: usize) -> Option<NodeId> {
    let state = |x: ActionInput| match x {
        ActionInput::State(o) => Some(o.node),
        _ => None,
    };
    match &n.kind {
        NodeKind::Source(_) => None,
        NodeKind::Exec(e) => e
            .mounts
            .iter()
            .filter_map(|m| m.source)
            .nth(i)
            .map(|o| o.node),
        NodeKind::File(actions) => actions
            .iter()
            .flat_map(|a| [a.input, a.secondary])
            .filter_map(state)
            .nth(i),
        NodeKind::Merge(ins) => ins.get(i).map(|o| o.node),
    }
}

/// Source-map info for the Definition: the Dockerfile text and its name.
pub struct SourceMapInfo<'a> {
    pub filename: &'a str,
    pub data: &'a [u8],
    pub definition: Option<&'a pb::Definition>,
}

/// Marshals everything `result` depends on into a Definition.
pub fn marshal(
    graph: Graph,
    result: Option<Out>,
    caps: &Capabilities,
    default_platform: &Platform,
    local_unique: &str,
    source_map: Option<SourceMapInfo<'_>>,
) -> Result<pb::Definition, CompileError> {
    let Some(result) = result else {
        return Ok(pb::Definition::default());
    };
    let n_nodes = graph.nodes.len();
    let mut b = Builder {
        nodes: graph.nodes.into_iter().map(Some).collect(),
        states: vec![None; n_nodes],
        scratch: llb_gen::scratch(),
        source_map: source_map.map(|s| {
            let sm = SourceMap::new(s.filename, "Dockerfile", s.data.to_vec());
            match s.definition {
                Some(d) => sm.with_definition(d.clone()),
                None => sm,
            }
        }),
    };
    // Build the needed nodes inputs-first, iteratively (deep chains must not recurse).
    let mut stack: Vec<(NodeId, usize)> = vec![(result.node, 0)];
    while let Some((n, i)) = stack.pop() {
        if b.states[n].is_some() {
            continue;
        }
        // A node already taken is built, so it was skipped above.
        if let Some(c) = b.nodes[n].as_ref().and_then(|node| node_input(node, i)) {
            stack.push((n, i + 1));
            if b.states[c].is_none() {
                stack.push((c, 0));
            }
        } else {
            let st = b.build(n)?;
            b.states[n] = Some(st);
        }
    }
    let opts = MarshalOptions::new(lplatform(default_platform.clone()))
        .local_unique_id(local_unique)
        .llb_caps(caps.iter());
    b.states[result.node]
        .as_ref()
        .unwrap_or(&llb_gen::scratch())
        .marshal(&opts)
        .map_err(|e| {
            CompileError::new(
                ErrorKind::Unsupported,
                None,
                format!("marshalling LLB: {e}"),
            )
        })
}
