//! What a build asks for: the inputs of [`super::compile`], filled from frontend opts by
//! the gateway or from flags by the CLI.

use std::collections::BTreeMap;

use llb_gen::LocalPaths;

use super::caps::Capabilities;
use super::resolve::ResolveMode;
use crate::image::Platform;

/// The default RUN network (`force-network-mode`).
pub use llb_gen::NetMode as NetworkMode;

/// `no-cache`: which stages ignore the cache.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum NoCache {
    #[default]
    Off,
    /// `no-cache=` (empty): every stage.
    All,
    /// `no-cache=a,b`: these stage names (case-insensitive).
    Stages(Vec<String>),
}

impl NoCache {
    pub fn applies_to(&self, stage_name: Option<&str>) -> bool {
        match self {
            NoCache::Off => false,
            NoCache::All => true,
            NoCache::Stages(names) => {
                stage_name.is_some_and(|n| names.iter().any(|s| s.eq_ignore_ascii_case(n)))
            }
        }
    }
}

/// `add-hosts` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraHost {
    pub host: String,
    pub ip: String,
}

/// `ulimit` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ulimit {
    pub name: String,
    pub soft: i64,
    pub hard: i64,
}

/// How local sources identify the client: a session id, or (offline) a `local.unique` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalSession {
    /// `local.session` (gateway mode: `BUILDKIT_SESSION_ID`).
    Session(String),
    /// `local.unique` (no session; `mstage-golden` under the llb-golden conditions).
    Unique(String),
}

impl Default for LocalSession {
    fn default() -> Self {
        LocalSession::Unique("mstage-golden".into())
    }
}

/// A `context:<name>` value, already classified by scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamedContext {
    /// `docker-image://ref` (`scratch` allowed).
    Image { reference: String },
    /// `git://...`, `git@...`, `https://...git`.
    Git { url: String },
    /// `https://...` file (downloaded as `context`).
    Http { url: String },
    /// `local:<localname>`, with that local's `.dockerignore` patterns.
    Local {
        name: String,
        exclude_patterns: Vec<String>,
    },
    /// `oci-layout://store@digest`.
    OciLayout { store: String, reference: String },
}

/// Everything [`super::compile`] needs. `Default` gives the llb-golden conditions except
/// the Dockerfile itself and the platforms (which default to linux/amd64 there).
#[derive(Debug, Clone, PartialEq)]
pub struct BuildRequest {
    /// Dockerfile bytes.
    pub dockerfile: Vec<u8>,
    /// Its name (`filename` opt), for source maps and messages.
    pub dockerfile_name: String,
    /// `target`; `None` = the last stage.
    pub target: Option<String>,
    /// `build-arg:*`.
    pub build_args: BTreeMap<String, String>,
    /// `label:*`, merged into the final image's labels.
    pub labels: BTreeMap<String, String>,
    /// Target platforms; empty = the build platform (implicit target).
    pub target_platforms: Vec<Platform>,
    /// Worker platforms, first = `BUILDPLATFORM`; empty = the host.
    pub build_platforms: Vec<Platform>,
    /// `multi-platform`: name vertices with their platform even for one platform.
    pub multi_platform: bool,
    pub no_cache: NoCache,
    pub extra_hosts: Vec<ExtraHost>,
    /// `/dev/shm` size in bytes (0 = default).
    pub shm_size: i64,
    pub ulimits: Vec<Ulimit>,
    pub cgroup_parent: Option<String>,
    /// `memory`, `cpushares`, ... opts: per-RUN resource limits (metadata, not cache key).
    pub linux_resources: Option<mstage_proto::pb::LinuxResources>,
    pub network_mode: NetworkMode,
    pub image_resolve_mode: ResolveMode,
    /// `hostname` / `BUILDKIT_SANDBOX_HOSTNAME`.
    pub hostname: Option<String>,
    /// `.dockerignore` patterns of the main context (sent as `local.excludepatterns`).
    pub dockerignore: Vec<String>,
    /// `context:<name>` values by name (names normalised like image refs).
    pub named_contexts: BTreeMap<String, NamedContext>,
    /// Session of the `context` local.
    pub session: LocalSession,
    /// Local name of the main context (`context`).
    pub context_name: String,
    /// `BUILDKIT_CACHE_MOUNT_NS` prefix for cache mount IDs.
    pub cache_id_namespace: String,
    /// LLB caps of the BuildKit that will solve the result.
    pub caps: Capabilities,
    /// Add a source map (Dockerfile text + per-op line ranges) to each Definition.
    pub source_map: bool,
    /// The Definition that loaded the Dockerfile (the `dockerfile` local), put into the
    /// source map's `SourceInfo.definition` so BuildKit can show the file in errors.
    pub dockerfile_definition: Option<mstage_proto::pb::Definition>,
    /// `INCLUDE` fragments by path relative to the Dockerfile's directory, fetched before
    /// the compile ([`crate::include::load_fragments`]); empty for a Dockerfile without
    /// INCLUDE.
    pub fragments: crate::include::Fragments,
    /// Run the build checks even when only `error=true` would make them matter (their
    /// warnings are shown). Off where nobody would see a warning.
    pub checks: bool,
    /// Lower every stage, not only those the target needs (`frontend.lint` without a
    /// target checks them all, as BuildKit does).
    pub all_stages: bool,
}

impl Default for BuildRequest {
    fn default() -> Self {
        BuildRequest {
            dockerfile: Vec::new(),
            dockerfile_name: "Dockerfile".into(),
            target: None,
            build_args: BTreeMap::new(),
            labels: BTreeMap::new(),
            target_platforms: Vec::new(),
            build_platforms: Vec::new(),
            multi_platform: false,
            no_cache: NoCache::Off,
            extra_hosts: Vec::new(),
            shm_size: 0,
            ulimits: Vec::new(),
            cgroup_parent: None,
            linux_resources: None,
            network_mode: NetworkMode::Sandbox,
            image_resolve_mode: ResolveMode::Default,
            hostname: None,
            dockerignore: Vec::new(),
            named_contexts: BTreeMap::new(),
            session: LocalSession::default(),
            context_name: "context".into(),
            cache_id_namespace: String::new(),
            caps: Capabilities::all(),
            source_map: false,
            dockerfile_definition: None,
            fragments: Default::default(),
            checks: true,
            all_stages: false,
        }
    }
}

impl BuildRequest {
    /// The name and text of a file lines can be in: the Dockerfile or an INCLUDE fragment.
    pub fn source_file(&self, file: mstage_syntax::parser::FileId) -> Option<(String, &[u8])> {
        if file.is_main() {
            return Some((self.dockerfile_name.clone(), &self.dockerfile));
        }
        let (path, data) = self.fragments.iter().nth(file.0 as usize - 1)?;
        Some((
            crate::include::display_name(&self.dockerfile_name, path),
            data.as_slice(),
        ))
    }

    /// Every file lines can be in, the Dockerfile first, with its id.
    pub fn source_files(
        &self,
    ) -> impl Iterator<Item = (mstage_syntax::parser::FileId, String, &[u8])> + '_ {
        let main = std::iter::once((
            mstage_syntax::parser::FileId::MAIN,
            self.dockerfile_name.clone(),
            self.dockerfile.as_slice(),
        ));
        main.chain(self.fragments.iter().enumerate().map(|(i, (path, data))| {
            (
                crate::include::fragment_id(i),
                crate::include::display_name(&self.dockerfile_name, path),
                data.as_slice(),
            )
        }))
    }

    /// [`Self::source_files`] as the lint reports take them (index = file id).
    pub fn source_texts(&self) -> Vec<(String, &[u8])> {
        self.source_files().map(|(_, n, d)| (n, d)).collect()
    }

    /// [`CompileError::render`](crate::error::CompileError::render) with the lines of the
    /// file the error is in.
    pub fn render_error(&self, e: &crate::error::CompileError) -> String {
        let file = e.range.map(|r| r.file).unwrap_or_default();
        match self.source_file(file) {
            Some((name, data)) => e.render(&name, data),
            None => e.message.clone(),
        }
    }
    /// The llb-golden conditions for `dockerfile`: linux/amd64 build and target platform,
    /// all caps, `local.unique=mstage-golden`, no build args, last stage.
    pub fn golden(dockerfile: impl Into<Vec<u8>>) -> Self {
        BuildRequest {
            dockerfile: dockerfile.into(),
            build_platforms: vec![Platform::new("linux", "amd64", "")],
            ..Default::default()
        }
    }
}

/// A directory of the client (`llb.Local`) under the request's session. It sends only the
/// paths the build reads, known once every stage is lowered: `paths` gets them then.
pub(super) fn client_local(
    req: &BuildRequest,
    name: &str,
    shared_key_hint: String,
    exclude_patterns: Vec<String>,
    paths: &LocalPaths,
) -> llb_gen::Local {
    let local = llb_gen::local(name)
        .shared_key_hint(shared_key_hint)
        .exclude_patterns(exclude_patterns)
        .paths_later(paths);
    match &req.session {
        LocalSession::Session(s) => local.session_id(s),
        LocalSession::Unique(u) => local.unique_id(u),
    }
}
