//! LLB capabilities of the BuildKit the build goes to. The lowering degrades by them the way
//! the stock frontend does (see `BUILDKIT-REFERENCE.md` §2.6).
//!
//! A cap ID only shows up in `Ping` when BuildKit registers it (`Caps.Init` in
//! `solver/pb/caps.go`). Two IDs are defined there but never registered, so no engine ever
//! lists them: gating a feature on one would refuse it everywhere. Every decision the
//! lowering takes is therefore a [`Gate`], and each gate names a registered cap.

use std::collections::BTreeSet;

// The cap table is llb-gen's: the IDs its ops declare and the lists BuildKit registers.
use llb_gen::caps;
pub use llb_gen::caps::{DEFAULT_LLB_CAPS, REGISTERED_LLB_CAPS, UNREGISTERED_LLB_CAPS};

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
            Gate::FileOp => caps::FILE_BASE,
            Gate::Ulimit => caps::EXEC_META_ULIMIT,
            Gate::ShmSize => caps::EXEC_MOUNT_TMPFS_SIZE,
            Gate::CgroupParent => caps::EXEC_META_CGROUP_PARENT,
            Gate::LinuxResources => caps::EXEC_META_LINUX_RESOURCES,
            Gate::BindNoOutput => caps::EXEC_MOUNT_BIND_READWRITE_NO_OUTPUT,
            Gate::CopyPatterns => caps::FILE_COPY_INCLUDE_EXCLUDE_PATTERNS,
            // Its own cap, file.copy.modestring, is never registered. BuildKit v0.17.0
            // brought the mode string and registered exec.validexitcode in the same release.
            Gate::SymbolicChmod => caps::EXEC_VALID_EXIT_CODE,
            Gate::MergeOp => caps::MERGE_OP,
            Gate::LocalDiffer => caps::SOURCE_LOCAL_DIFFER,
        }
    }
}

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
