//! LLB capabilities of the BuildKit the build goes to. The lowering degrades by them the way
//! the stock frontend does (see `BUILDKIT-REFERENCE.md` §2.6).
//!
//! A cap ID only shows up in `Ping` when BuildKit registers it (`Caps.Init` in
//! `solver/pb/caps.go`). Two IDs are defined there but never registered, so no engine ever
//! lists them: gating a feature on one would refuse it everywhere. Every decision the
//! lowering takes is therefore a [`Gate`], and each gate names a registered cap.

use std::collections::BTreeSet;

/// Every LLB capability a current BuildKit registers (`solver/pb/caps.go`, v0.32): what its
/// `Ping` lists. Includes the upstream typo `soruce.http.uidgid`.
pub const REGISTERED_LLB_CAPS: &[&str] = &[
    "source.image",
    "source.image.resolvemode",
    "source.image.layerlimit",
    "source.image.checksum",
    "source.local",
    "source.local.unique",
    "source.local.sessionid",
    "source.local.includepatterns",
    "source.local.followpaths",
    "source.local.excludepatterns",
    "source.local.sharedkeyhint",
    "source.local.differ",
    "source.local.metadatatransfer",
    "source.git",
    "source.git.keepgitdir",
    "source.git.fullurl",
    "source.git.httpauth",
    "source.git.knownsshhosts",
    "source.git.mountsshsock",
    "source.git.subdir",
    "source.git.checksum",
    "source.git.skipsubmodules",
    "source.git.signatureverify",
    "source.git.mtime",
    "source.git.fetchbycommit",
    "source.git.bundle",
    "source.git.checkoutbundle",
    "source.http",
    "source.http.auth",
    "source.http.checksum",
    "source.http.perm",
    "soruce.http.uidgid",
    "source.http.header",
    "source.http.signatureverify",
    "source.imageblob",
    "source.ocilayout",
    "source.buildop.llbfilename",
    "exec.meta.base",
    "exec.meta.cgroup.parent",
    "exec.meta.network",
    "exec.meta.network.proxy",
    "exec.meta.proxyenv",
    "exec.meta.security",
    "exec.meta.security.devices.v1",
    "exec.meta.setsdefaultpath",
    "exec.meta.ulimit",
    "exec.meta.cdi",
    "exec.meta.linux.resources",
    "exec.mount.bind",
    "exec.mount.bind.readwrite-nooutput",
    "exec.mount.cache",
    "exec.mount.cache.sharing",
    "exec.mount.selector",
    "exec.mount.tmpfs",
    "exec.mount.tmpfs.size",
    "exec.mount.secret",
    "exec.mount.ssh",
    "exec.mount.cache.content",
    "exec.cgroup",
    "exec.secretenv",
    "exec.validexitcode",
    "file.base",
    "file.rm.wildcard",
    "file.copy.includeexcludepatterns",
    "file.copy.requiredpaths",
    "file.rm.nofollowsymlink",
    "file.copy.alwaysreplaceexistingdestpaths",
    "file.symlink.create",
    "constraints",
    "platform",
    "meta.ignorecache",
    "meta.description",
    "meta.exportcache",
    "cache.gha",
    "cache.s3",
    "cache.azblob",
    "mergeop",
    "diffop",
    "passthroughop",
    "exporter.image.annotations",
    "exporter.image.attestations",
    "exporter.sourcedateepoch",
    "exporter.multiple",
    "exporter.session",
    "source.policy",
    "source.policy.session",
    "gc.freespacefilter",
    "history.filter",
];

/// Cap IDs BuildKit defines but never registers. The Go LLB client still declares
/// `file.copy.modestring` in a copy's op metadata, and BuildKit accepts it there; no `Ping`
/// lists either ID.
pub const UNREGISTERED_LLB_CAPS: &[&str] = &[
    "file.copy.modestring",
    "exec.meta.removemountstubs.recursive",
];

/// A decision the lowering takes by the engine's caps, and the registered cap it takes it by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Any file op at all (BuildKit 0.5).
    FileOp,
    /// `--ulimit` on RUN.
    Ulimit,
    /// `--shm-size` as a tmpfs on /dev/shm.
    ShmSize,
    /// `--cgroup-parent` on RUN.
    CgroupParent,
    /// Memory and CPU limits on RUN.
    LinuxResources,
    /// Read-write bind mounts whose writes are dropped.
    BindNoOutput,
    /// `COPY --exclude` and `COPY --parents` patterns.
    CopyPatterns,
    /// A symbolic `--chmod` (`u+x`), sent as the copy's mode string.
    SymbolicChmod,
    /// `COPY --link` as a merge op.
    MergeOp,
    /// The build context read without comparing file metadata.
    LocalDiffer,
}

impl Gate {
    pub const ALL: [Gate; 10] = [
        Gate::FileOp,
        Gate::Ulimit,
        Gate::ShmSize,
        Gate::CgroupParent,
        Gate::LinuxResources,
        Gate::BindNoOutput,
        Gate::CopyPatterns,
        Gate::SymbolicChmod,
        Gate::MergeOp,
        Gate::LocalDiffer,
    ];

    /// The BuildKit release that registered [`Gate::cap`], for error messages.
    pub const fn since(self) -> &'static str {
        match self {
            Gate::FileOp => "v0.5",
            Gate::BindNoOutput => "v0.7",
            Gate::CopyPatterns | Gate::LocalDiffer => "v0.9",
            Gate::Ulimit | Gate::ShmSize | Gate::CgroupParent | Gate::MergeOp => "v0.10",
            Gate::SymbolicChmod => "v0.17",
            Gate::LinuxResources => "v0.31",
        }
    }

    /// The registered cap that decides this gate.
    pub const fn cap(self) -> &'static str {
        match self {
            Gate::FileOp => "file.base",
            Gate::Ulimit => "exec.meta.ulimit",
            Gate::ShmSize => "exec.mount.tmpfs.size",
            Gate::CgroupParent => "exec.meta.cgroup.parent",
            Gate::LinuxResources => "exec.meta.linux.resources",
            Gate::BindNoOutput => "exec.mount.bind.readwrite-nooutput",
            Gate::CopyPatterns => "file.copy.includeexcludepatterns",
            // Its own cap, file.copy.modestring, is never registered. BuildKit v0.17.0
            // brought the mode string and registered exec.validexitcode in the same release.
            Gate::SymbolicChmod => "exec.validexitcode",
            Gate::MergeOp => "mergeop",
            Gate::LocalDiffer => "source.local.differ",
        }
    }
}

/// The caps BuildKit's Go client assumes when `Ping` returns none (`defaultLLBCaps`).
pub const DEFAULT_LLB_CAPS: &[&str] = &[
    "source.image",
    "source.local",
    "source.local.unique",
    "source.local.sessionid",
    "source.local.includepatterns",
    "source.local.followpaths",
    "source.local.excludepatterns",
    "source.local.sharedkeyhint",
    "source.git",
    "source.git.keepgitdir",
    "source.git.fullurl",
    "source.http",
    "source.http.checksum",
    "source.http.perm",
    "soruce.http.uidgid",
    "source.buildop.llbfilename",
    "exec.meta.base",
    "exec.meta.proxyenv",
    "exec.mount.bind",
    "exec.mount.cache",
    "exec.mount.cache.sharing",
    "exec.mount.selector",
    "exec.mount.tmpfs",
    "exec.mount.secret",
    "constraints",
    "platform",
    "meta.ignorecache",
    "meta.description",
    "meta.exportcache",
];

/// A set of enabled LLB capability IDs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capabilities {
    caps: BTreeSet<String>,
}

impl Capabilities {
    /// All caps of a current BuildKit (what `--resolve none` assumes).
    pub fn all() -> Self {
        REGISTERED_LLB_CAPS.iter().copied().collect()
    }

    /// The frozen defaults for a BuildKit that reports no caps.
    pub fn legacy_defaults() -> Self {
        DEFAULT_LLB_CAPS.iter().copied().collect()
    }

    /// Whether the engine lets the lowering take this decision.
    pub fn allows(&self, gate: Gate) -> bool {
        self.caps.contains(gate.cap())
    }

    /// Whether the engine accepts ops that declare `cap` in their metadata (an unregistered
    /// ID is accepted: BuildKit takes the Go client's ops that declare one).
    pub fn accepts_declared(&self, cap: &str) -> bool {
        self.caps.contains(cap) || UNREGISTERED_LLB_CAPS.contains(&cap)
    }

    pub fn insert(&mut self, cap: impl Into<String>) {
        self.caps.insert(cap.into());
    }

    pub fn remove(&mut self, cap: &str) {
        self.caps.remove(cap);
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.caps.iter().map(String::as_str)
    }
}

impl<S: Into<String>> FromIterator<S> for Capabilities {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        Capabilities {
            caps: iter.into_iter().map(Into::into).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every cap the lowering decides by is one BuildKit registers, so `Ping` can list it.
    #[test]
    fn every_gate_is_a_registered_cap() {
        for gate in Gate::ALL {
            assert!(
                REGISTERED_LLB_CAPS.contains(&gate.cap()),
                "{gate:?} is gated on {:?}, which BuildKit does not register",
                gate.cap()
            );
        }
        for cap in UNREGISTERED_LLB_CAPS {
            assert!(!REGISTERED_LLB_CAPS.contains(cap));
        }
    }

    #[test]
    fn a_current_engine_allows_a_symbolic_chmod_and_v0_8_does_not() {
        assert!(Capabilities::all().allows(Gate::SymbolicChmod));
        assert!(!Capabilities::legacy_defaults().allows(Gate::SymbolicChmod));
    }
}
