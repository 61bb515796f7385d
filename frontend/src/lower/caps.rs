//! LLB capabilities of the BuildKit the build goes to. The lowering degrades by them the way
//! the stock frontend does (see `BUILDKIT-REFERENCE.md` §2.6).

use std::collections::BTreeSet;

/// Every LLB capability of a current BuildKit (`solver/pb/caps.go`, v0.32), including the
/// upstream typo `soruce.http.uidgid`.
pub const ALL_LLB_CAPS: &[&str] = &[
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
    "exec.meta.removemountstubs.recursive",
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
    "file.copy.modestring",
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
        ALL_LLB_CAPS.iter().copied().collect()
    }

    /// The frozen defaults for a BuildKit that reports no caps.
    pub fn legacy_defaults() -> Self {
        DEFAULT_LLB_CAPS.iter().copied().collect()
    }

    pub fn supports(&self, cap: &str) -> bool {
        self.caps.contains(cap)
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
