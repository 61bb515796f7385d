//! Source ops: `image`, `local`, `git`, `http`.

use crate::caps;
use crate::constraints::{Constraints, OpOptions};
use crate::error::Error;
use crate::marshal::EncodeCtx;
use crate::state::{Output, State};
use crate::util::go_json_strings;
use crate::vertex::{marshal_constraints, marshal_unplatformed, EncodeCaps, OpKind, Vertex};
use mstage_proto::pb;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

/// A source op body: identifier + attrs (already computed by the builder), and for a
/// local source whose path filters come later, the handle that will hold them.
pub(crate) struct SourceOp {
    pub(crate) identifier: String,
    pub(crate) attrs: BTreeMap<String, String>,
    pub(crate) later_paths: Option<LocalPaths>,
}

impl SourceOp {
    pub(crate) fn encode(
        &self,
        c: &Constraints,
        ctx: &EncodeCtx,
    ) -> Result<(pb::Op, EncodeCaps), Error> {
        if self.identifier.is_empty() {
            return Err(Error::EmptySourceIdentifier);
        }
        let mut op_caps: EncodeCaps = Vec::new();
        let mut attrs = self.attrs.clone();
        if let Some(later) = &self.later_paths {
            let filter = later
                .0
                .get()
                .ok_or_else(|| Error::LocalPathsNotSet(self.identifier.clone()))?;
            filter.add_attrs(&mut attrs, |cap| op_caps.push(cap));
        }
        if self.identifier.starts_with("local://") && !attrs.contains_key("local.session") {
            let uid = c
                .local_unique_id
                .clone()
                .unwrap_or_else(|| ctx.opts.local_unique_id.clone());
            attrs.insert("local.unique".into(), uid);
            op_caps.push(caps::SOURCE_LOCAL_UNIQUE);
        }
        // Only image-like sources are platform specific.
        let mut op = if self.identifier.starts_with("docker-image://")
            || self.identifier.starts_with("oci-layout://")
        {
            marshal_constraints(c, c.platform.as_ref(), ctx)
        } else {
            marshal_unplatformed(c, ctx)
        };
        op.op = Some(pb::op::Op::Source(pb::SourceOp {
            identifier: self.identifier.clone(),
            attrs,
        }));
        Ok((op, op_caps))
    }
}

fn source_state(identifier: String, attrs: BTreeMap<String, String>, c: Constraints) -> State {
    source_state_with(
        SourceOp {
            identifier,
            attrs,
            later_paths: None,
        },
        c,
    )
}

fn source_state_with(op: SourceOp, c: Constraints) -> State {
    let platform = c.platform.clone();
    let v = Vertex::new(OpKind::Source(op), c);
    State::from_output(Output::new(v, 0), platform)
}

/// How BuildKit resolves an image reference (`image.resolvemode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResolveMode {
    /// Registry unless a local copy exists (no attr written).
    #[default]
    Default,
    /// Always pull (`pull`; declares `source.image.resolvemode`).
    ForcePull,
    /// Prefer a local image (`local`).
    PreferLocal,
}

/// An image source. Start with [`image`].
#[derive(Debug, Clone)]
pub struct Image {
    reference: String,
    resolve_mode: ResolveMode,
    record_type: Option<String>,
    layer_limit: Option<i32>,
    checksum: Option<String>,
    // Boxed: every builder setter moves the builder, and 392 bytes less moves faster.
    constraints: Box<Constraints>,
}

/// An image source for `reference`, used verbatim: normalise it first
/// (`alpine` → `docker.io/library/alpine:latest`, digest pinned if
/// resolved), as Go's `llb.Image` would with `reference.ParseNormalizedNamed`
/// + `TagNameOnly`. Set the platform with [`OpOptions::platform`]; it also
///   becomes the state's platform.
pub fn image(reference: impl Into<String>) -> Image {
    Image {
        reference: reference.into(),
        resolve_mode: ResolveMode::Default,
        record_type: None,
        layer_limit: None,
        checksum: None,
        constraints: Box::default(),
    }
}

impl Image {
    /// Sets `image.resolvemode`.
    pub fn resolve_mode(mut self, mode: ResolveMode) -> Self {
        self.resolve_mode = mode;
        self
    }

    /// Sets `image.recordtype` (`internal` for helper images).
    pub fn record_type(mut self, t: impl Into<String>) -> Self {
        self.record_type = Some(t.into());
        self
    }

    /// Sets `image.layerlimit`.
    pub fn layer_limit(mut self, n: i32) -> Self {
        self.layer_limit = Some(n);
        self
    }

    /// Sets `image.checksum` (a digest the manifest must match).
    pub fn checksum(mut self, digest: impl Into<String>) -> Self {
        self.checksum = Some(digest.into());
        self
    }

    /// The state.
    pub fn build(self) -> State {
        let mut c = *self.constraints;
        c.add_cap(caps::SOURCE_IMAGE);
        let mut attrs = BTreeMap::new();
        match self.resolve_mode {
            ResolveMode::Default => {}
            ResolveMode::ForcePull => {
                attrs.insert("image.resolvemode".into(), "pull".into());
                c.add_cap(caps::SOURCE_IMAGE_RESOLVE_MODE);
            }
            ResolveMode::PreferLocal => {
                attrs.insert("image.resolvemode".into(), "local".into());
            }
        }
        if let Some(t) = self.record_type {
            attrs.insert("image.recordtype".into(), t);
        }
        if let Some(n) = self.layer_limit {
            attrs.insert("image.layerlimit".into(), n.to_string());
            c.add_cap(caps::SOURCE_IMAGE_LAYER_LIMIT);
        }
        if let Some(d) = self.checksum {
            attrs.insert("image.checksum".into(), d);
            c.add_cap(caps::SOURCE_IMAGE_CHECKSUM);
        }
        source_state(["docker-image://", &self.reference].concat(), attrs, c)
    }
}

/// `local.differ` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Differ {
    /// `none`: re-send everything, no metadata diff.
    None,
    /// `metadata`: compare metadata only.
    Metadata,
}

/// The paths a local source sends: only those matching the include patterns, and only
/// those the follow paths name (with their parents and symlink targets).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathFilter {
    /// `local.includepattern` (JSON list).
    pub include_patterns: Vec<String>,
    /// `local.followpaths` (JSON list).
    pub follow_paths: Vec<String>,
}

impl PathFilter {
    /// The attrs of the non-empty filters, declaring the caps they need through `cap`.
    fn add_attrs(&self, attrs: &mut BTreeMap<String, String>, mut cap: impl FnMut(&'static str)) {
        if !self.include_patterns.is_empty() {
            attrs.insert(
                "local.includepattern".into(),
                go_json_strings(&self.include_patterns),
            );
            cap(caps::SOURCE_LOCAL_INCLUDE_PATTERNS);
        }
        if !self.follow_paths.is_empty() {
            attrs.insert(
                "local.followpaths".into(),
                go_json_strings(&self.follow_paths),
            );
            cap(caps::SOURCE_LOCAL_FOLLOW_PATHS);
        }
    }
}

/// The [`PathFilter`] of a local source, given after the source is built: a Dockerfile
/// frontend sends only the context paths that COPY, ADD and RUN mounts read, and knows them
/// once every stage is lowered (Go's asynchronous local options). Made with
/// [`Local::paths_later`]; set once, before the graph is marshalled (marshalling a graph
/// that reads the source fails until then). Clones are the same handle.
#[derive(Debug, Clone, Default)]
pub struct LocalPaths(Arc<OnceLock<PathFilter>>);

impl LocalPaths {
    /// Sets the filter. Encodings never go stale: a filter is set once, and a source that
    /// waits for it does not encode before. Gives `filter` back if one was set already.
    pub fn set(&self, filter: PathFilter) -> Result<(), PathFilter> {
        self.0.set(filter)
    }
}

/// A local (client directory) source. Start with [`local`].
#[derive(Debug, Clone)]
pub struct Local {
    name: String,
    session_id: Option<String>,
    paths: PathFilter,
    later_paths: Option<LocalPaths>,
    exclude_patterns: Vec<String>,
    shared_key_hint: Option<String>,
    differ: Option<(Differ, bool)>,
    metadata_transfer: Option<Vec<String>>,
    constraints: Box<Constraints>,
}

/// A local source `local://<name>` (`context`, `dockerfile`, ...). Without a
/// session id the op gets `local.unique` (see
/// [`crate::MarshalOptions::local_unique_id`]).
pub fn local(name: impl Into<String>) -> Local {
    Local {
        name: name.into(),
        session_id: None,
        paths: PathFilter::default(),
        later_paths: None,
        exclude_patterns: Vec::new(),
        shared_key_hint: None,
        differ: None,
        metadata_transfer: None,
        constraints: Box::default(),
    }
}

impl Local {
    /// `local.session`: the client session that owns the directory.
    pub fn session_id(mut self, id: impl Into<String>) -> Self {
        self.session_id = Some(id.into());
        self
    }

    /// `local.includepattern` (JSON list).
    pub fn include_patterns(mut self, p: Vec<String>) -> Self {
        self.paths.include_patterns = p;
        self
    }

    /// `local.excludepatterns` (JSON list), e.g. from `.dockerignore`.
    pub fn exclude_patterns(mut self, p: Vec<String>) -> Self {
        self.exclude_patterns = p;
        self
    }

    /// `local.followpaths` (JSON list).
    pub fn follow_paths(mut self, p: Vec<String>) -> Self {
        self.paths.follow_paths = p;
        self
    }

    /// Takes the include patterns and follow paths from `paths` when the graph is
    /// marshalled, instead of from [`Local::include_patterns`] and [`Local::follow_paths`].
    pub fn paths_later(mut self, paths: &LocalPaths) -> Self {
        self.later_paths = Some(paths.clone());
        self
    }

    /// `local.sharedkeyhint`.
    pub fn shared_key_hint(mut self, h: impl Into<String>) -> Self {
        self.shared_key_hint = Some(h.into());
        self
    }

    /// `local.differ`; `required` declares the `source.local.differ` cap.
    pub fn differ(mut self, d: Differ, required: bool) -> Self {
        self.differ = Some((d, required));
        self
    }

    /// `local.metadatatransfer` (+ exceptions as a JSON list).
    pub fn metadata_only_transfer(mut self, exceptions: Vec<String>) -> Self {
        self.metadata_transfer = Some(exceptions);
        self
    }

    /// `local.unique` for this source (instead of the marshal-level one).
    pub fn unique_id(mut self, id: impl Into<String>) -> Self {
        self.constraints.local_unique_id = Some(id.into());
        self
    }

    /// The state.
    pub fn build(self) -> State {
        let mut c = *self.constraints;
        let mut attrs = BTreeMap::new();
        if let Some(s) = self.session_id.filter(|s| !s.is_empty()) {
            attrs.insert("local.session".into(), s);
            c.add_cap(caps::SOURCE_LOCAL_SESSION_ID);
        }
        if self.later_paths.is_none() {
            self.paths.add_attrs(&mut attrs, |cap| c.add_cap(cap));
        }
        if !self.exclude_patterns.is_empty() {
            attrs.insert(
                "local.excludepatterns".into(),
                go_json_strings(&self.exclude_patterns),
            );
            c.add_cap(caps::SOURCE_LOCAL_EXCLUDE_PATTERNS);
        }
        if let Some(h) = self.shared_key_hint.filter(|h| !h.is_empty()) {
            attrs.insert("local.sharedkeyhint".into(), h);
            c.add_cap(caps::SOURCE_LOCAL_SHARED_KEY_HINT);
        }
        if let Some((d, required)) = self.differ {
            let v = match d {
                Differ::None => "none",
                Differ::Metadata => "metadata",
            };
            attrs.insert("local.differ".into(), v.into());
            if required {
                c.add_cap(caps::SOURCE_LOCAL_DIFFER);
            }
        }
        if let Some(exc) = self.metadata_transfer {
            attrs.insert("local.metadatatransfer".into(), "true".into());
            if !exc.is_empty() {
                attrs.insert(
                    "local.metadatatransferexclude".into(),
                    go_json_strings(&exc),
                );
            }
            c.add_cap(caps::SOURCE_LOCAL_METADATA_TRANSFER);
        }
        c.add_cap(caps::SOURCE_LOCAL);
        let op = SourceOp {
            identifier: ["local://", &self.name].concat(),
            attrs,
            later_paths: self.later_paths,
        };
        source_state_with(op, c)
    }
}

/// A git source. Start with [`git`].
#[derive(Debug, Clone)]
pub struct Git {
    url: String,
    reference: String,
    subdir: String,
    keep_git_dir: bool,
    auth_token_secret: String,
    auth_header_secret: String,
    add_auth_cap: bool,
    known_ssh_hosts: String,
    mount_ssh_sock: String,
    checksum: String,
    skip_submodules: bool,
    mtime: String,
    fetch_by_commit: bool,
    constraints: Box<Constraints>,
}

/// A git source for `url` (`https://host/repo.git`, `git@host:repo.git`,
/// `ssh://...`, `git://...`; a URL without scheme gets `https://`) and a
/// fragment `ref[:subdir]` (may be empty).
pub fn git(url: impl Into<String>, fragment: &str) -> Git {
    let (reference, subdir) = match fragment.split_once(':') {
        Some((r, s)) => (r.to_string(), clean_subdir(s)),
        None => (fragment.to_string(), String::new()),
    };
    Git {
        url: url.into(),
        reference,
        subdir,
        keep_git_dir: false,
        auth_token_secret: "GIT_AUTH_TOKEN".into(),
        auth_header_secret: "GIT_AUTH_HEADER".into(),
        add_auth_cap: false,
        known_ssh_hosts: String::new(),
        mount_ssh_sock: String::new(),
        checksum: String::new(),
        skip_submodules: false,
        mtime: String::new(),
        fetch_by_commit: false,
        constraints: Box::default(),
    }
}

fn clean_subdir(s: &str) -> String {
    crate::gopath::join(&["/", s])
        .trim_start_matches('/')
        .to_string()
}

/// The parts of a git remote that make up the source identifier.
struct GitRemote {
    remote: String,
    host: String,
    path: String,
    ssh: bool,
}

fn parse_git_url(url: &str) -> Option<GitRemote> {
    let strip = |s: &str| -> String {
        let s = s.split('#').next().unwrap_or(s);
        s.split('?').next().unwrap_or(s).to_string()
    };
    if let Some((scheme, rest)) = url.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        if !matches!(scheme.as_str(), "http" | "https" | "ssh" | "git") {
            return None;
        }
        let rest = strip(rest);
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest.as_str(), ""),
        };
        let host = authority.rsplit('@').next().unwrap_or(authority);
        return Some(GitRemote {
            remote: strip(url),
            host: host.to_string(),
            path: path.to_string(),
            ssh: scheme == "ssh",
        });
    }
    // scp-like: [user@]host:path
    let (before, path) = url.split_once(':')?;
    let host = before.rsplit('@').next().unwrap_or(before);
    if host.is_empty() || host.contains('/') || path.starts_with("//") {
        return None;
    }
    Some(GitRemote {
        remote: strip(url),
        host: host.to_string(),
        path: strip(path),
        ssh: true,
    })
}

impl Git {
    /// Sets the ref (branch, tag, commit).
    pub fn reference(mut self, r: impl Into<String>) -> Self {
        self.reference = r.into();
        self
    }

    /// Sets the subdirectory to use as the root.
    pub fn subdir(mut self, s: &str) -> Self {
        self.subdir = clean_subdir(s);
        self
    }

    /// Keeps `.git` (`git.keepgitdir`).
    pub fn keep_git_dir(mut self) -> Self {
        self.keep_git_dir = true;
        self
    }

    /// Secret with an auth token (`git.authtokensecret`).
    pub fn auth_token_secret(mut self, id: impl Into<String>) -> Self {
        self.auth_token_secret = id.into();
        self.add_auth_cap = true;
        self
    }

    /// Secret with an auth header (`git.authheadersecret`).
    pub fn auth_header_secret(mut self, id: impl Into<String>) -> Self {
        self.auth_header_secret = id.into();
        self.add_auth_cap = true;
        self
    }

    /// `known_hosts` lines for SSH remotes.
    pub fn known_ssh_hosts(mut self, hosts: &str) -> Self {
        self.known_ssh_hosts.push_str(hosts.trim_end_matches('\n'));
        self.known_ssh_hosts.push('\n');
        self
    }

    /// SSH agent id for SSH remotes (default `default`).
    pub fn mount_ssh_sock(mut self, id: impl Into<String>) -> Self {
        self.mount_ssh_sock = id.into();
        self
    }

    /// Commit the ref must resolve to (`git.checksum`).
    pub fn checksum(mut self, c: impl Into<String>) -> Self {
        self.checksum = c.into();
        self
    }

    /// Skips submodules.
    pub fn skip_submodules(mut self) -> Self {
        self.skip_submodules = true;
        self
    }

    /// File mtimes (`git.mtime`, e.g. `commit`).
    pub fn mtime(mut self, m: impl Into<String>) -> Self {
        self.mtime = m.into();
        self
    }

    /// Fetch by commit (`git.fetchbycommit`).
    pub fn fetch_by_commit(mut self) -> Self {
        self.fetch_by_commit = true;
        self
    }

    /// The state.
    pub fn build(self) -> State {
        let mut url = self.url;
        let mut remote = parse_git_url(&url);
        if remote.is_none() && !url.contains("://") {
            url = format!("https://{url}");
            remote = parse_git_url(&url);
        }
        if let Some(r) = &remote {
            url = r.remote.clone();
        }
        let mut c = *self.constraints;
        let id = match &remote {
            None => url.clone(),
            Some(r) => {
                let mut id = format!("{}{}", r.host, crate::gopath::join(&["/", &r.path]));
                if !self.reference.is_empty() || !self.subdir.is_empty() {
                    id.push('#');
                    id.push_str(&self.reference);
                    if !self.subdir.is_empty() {
                        id.push(':');
                        id.push_str(&self.subdir);
                    }
                }
                id
            }
        };
        let mut attrs = BTreeMap::new();
        if self.keep_git_dir {
            attrs.insert("git.keepgitdir".into(), "true".into());
            c.add_cap(caps::SOURCE_GIT_KEEP_DIR);
        }
        if !url.is_empty() {
            attrs.insert("git.fullurl".into(), url.clone());
            c.add_cap(caps::SOURCE_GIT_FULL_URL);
        }
        if !self.auth_token_secret.is_empty() {
            attrs.insert("git.authtokensecret".into(), self.auth_token_secret);
            if self.add_auth_cap {
                c.add_cap(caps::SOURCE_GIT_HTTP_AUTH);
            }
        }
        if !self.auth_header_secret.is_empty() {
            attrs.insert("git.authheadersecret".into(), self.auth_header_secret);
            if self.add_auth_cap {
                c.add_cap(caps::SOURCE_GIT_HTTP_AUTH);
            }
        }
        if remote.as_ref().is_some_and(|r| r.ssh) {
            // Go runs ssh-keyscan here when no hosts are given; we don't
            // touch the network while building a graph.
            if !self.known_ssh_hosts.is_empty() {
                attrs.insert("git.knownsshhosts".into(), self.known_ssh_hosts);
            }
            c.add_cap(caps::SOURCE_GIT_KNOWN_SSH_HOSTS);
            let sock = if self.mount_ssh_sock.is_empty() {
                "default".to_string()
            } else {
                self.mount_ssh_sock
            };
            attrs.insert("git.mountsshsock".into(), sock);
            c.add_cap(caps::SOURCE_GIT_MOUNT_SSH_SOCK);
        }
        if !self.checksum.is_empty() {
            attrs.insert("git.checksum".into(), self.checksum);
            c.add_cap(caps::SOURCE_GIT_CHECKSUM);
        }
        if self.skip_submodules {
            attrs.insert("git.skipsubmodules".into(), "true".into());
            c.add_cap(caps::SOURCE_GIT_SKIP_SUBMODULES);
        }
        if !self.mtime.is_empty() {
            attrs.insert("git.mtime".into(), self.mtime);
            c.add_cap(caps::SOURCE_GIT_MTIME);
        }
        if self.fetch_by_commit {
            attrs.insert("git.fetchbycommit".into(), "true".into());
            c.add_cap(caps::SOURCE_GIT_FETCH_BY_COMMIT);
        }
        c.add_cap(caps::SOURCE_GIT);
        source_state(format!("git://{id}"), attrs, c)
    }
}

/// An HTTP(S) file source. Start with [`http`].
#[derive(Debug, Clone)]
pub struct Http {
    url: String,
    checksum: Option<String>,
    filename: Option<String>,
    perm: u32,
    uid: u32,
    gid: u32,
    auth_header_secret: Option<String>,
    accept: Option<String>,
    user_agent: Option<String>,
    constraints: Box<Constraints>,
}

/// A file downloaded from `url` (the identifier is the URL itself).
pub fn http(url: impl Into<String>) -> Http {
    Http {
        url: url.into(),
        checksum: None,
        filename: None,
        perm: 0,
        uid: 0,
        gid: 0,
        auth_header_secret: None,
        accept: None,
        user_agent: None,
        constraints: Box::default(),
    }
}

impl Http {
    /// Expected digest of the content (`http.checksum`, `sha256:...`).
    pub fn checksum(mut self, digest: impl Into<String>) -> Self {
        self.checksum = Some(digest.into());
        self
    }

    /// File name in the resulting state (`http.filename`).
    pub fn filename(mut self, name: impl Into<String>) -> Self {
        self.filename = Some(name.into());
        self
    }

    /// Permission bits (`http.perm`; 0 = default).
    pub fn perm(mut self, mode: u32) -> Self {
        self.perm = mode & 0o777;
        self
    }

    /// Owner (`http.uid` / `http.gid`; 0 = default).
    pub fn chown(mut self, uid: u32, gid: u32) -> Self {
        self.uid = uid;
        self.gid = gid;
        self
    }

    /// Secret holding an `Authorization` header value.
    pub fn auth_header_secret(mut self, id: impl Into<String>) -> Self {
        self.auth_header_secret = Some(id.into());
        self
    }

    /// `Accept` request header.
    pub fn accept(mut self, v: impl Into<String>) -> Self {
        self.accept = Some(v.into());
        self
    }

    /// `User-Agent` request header.
    pub fn user_agent(mut self, v: impl Into<String>) -> Self {
        self.user_agent = Some(v.into());
        self
    }

    /// The state.
    pub fn build(self) -> State {
        let mut c = *self.constraints;
        let mut attrs = BTreeMap::new();
        if let Some(d) = self.checksum.filter(|d| !d.is_empty()) {
            attrs.insert("http.checksum".into(), d);
            c.add_cap(caps::SOURCE_HTTP_CHECKSUM);
        }
        if let Some(f) = self.filename.filter(|f| !f.is_empty()) {
            attrs.insert("http.filename".into(), f);
        }
        if self.perm != 0 {
            attrs.insert("http.perm".into(), format!("0{:o}", self.perm));
            c.add_cap(caps::SOURCE_HTTP_PERM);
        }
        if self.uid != 0 {
            attrs.insert("http.uid".into(), self.uid.to_string());
            c.add_cap(caps::SOURCE_HTTP_UIDGID);
        }
        if self.gid != 0 {
            attrs.insert("http.gid".into(), self.gid.to_string());
            c.add_cap(caps::SOURCE_HTTP_UIDGID);
        }
        if let Some(s) = self.auth_header_secret.filter(|s| !s.is_empty()) {
            attrs.insert("http.authheadersecret".into(), s);
            c.add_cap(caps::SOURCE_HTTP_AUTH);
        }
        if self.accept.is_some() || self.user_agent.is_some() {
            if let Some(a) = self.accept.filter(|a| !a.is_empty()) {
                attrs.insert("http.header.accept".into(), a);
            }
            if let Some(u) = self.user_agent.filter(|u| !u.is_empty()) {
                attrs.insert("http.header.user-agent".into(), u);
            }
            c.add_cap(caps::SOURCE_HTTP_HEADER);
        }
        c.add_cap(caps::SOURCE_HTTP);
        source_state(self.url, attrs, c)
    }
}

macro_rules! impl_op_options {
    ($($t:ty),*) => {$(
        impl OpOptions for $t {
            fn constraints_mut(&mut self) -> &mut Constraints {
                &mut self.constraints
            }
        }
    )*};
}
pub(crate) use impl_op_options;

impl_op_options!(Image, Local, Git, Http);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_identifiers() {
        let cases = [
            (
                "https://github.com/moby/buildkit.git",
                "",
                "github.com/moby/buildkit.git",
            ),
            (
                "https://github.com/moby/buildkit.git",
                "v0.1:docs/",
                "github.com/moby/buildkit.git#v0.1:docs",
            ),
            (
                "git@github.com:moby/buildkit.git",
                "main",
                "github.com/moby/buildkit.git#main",
            ),
            ("github.com/moby/buildkit", "", "github.com/moby/buildkit"),
        ];
        for (url, frag, want) in cases {
            let st = git(url, frag).build();
            let out = st.output.unwrap();
            let OpKind::Source(s) = &out.vertex.op else {
                unreachable!()
            };
            assert_eq!(s.identifier, format!("git://{want}"), "{url} {frag}");
        }
    }
}
