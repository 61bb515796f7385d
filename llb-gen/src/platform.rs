//! OCI platforms.

use mstage_proto::pb;

/// An OCI platform (`os/architecture[/variant]`). Used as given: normalise it
/// (e.g. `x86_64` → `amd64`, `arm64/v8` → `arm64`) before handing it in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Platform {
    /// e.g. `linux`.
    pub os: String,
    /// e.g. `amd64`.
    pub architecture: String,
    /// e.g. `v7`; empty if none.
    pub variant: String,
    /// Windows build, empty elsewhere.
    pub os_version: String,
    /// `None` and `Some(vec![])` encode the same; kept for symmetry with Go.
    pub os_features: Option<Vec<String>>,
}

impl Platform {
    /// `os/architecture` without variant.
    pub fn new(os: impl Into<String>, architecture: impl Into<String>) -> Self {
        Platform {
            os: os.into(),
            architecture: architecture.into(),
            ..Default::default()
        }
    }

    /// Sets the variant.
    pub fn with_variant(mut self, variant: impl Into<String>) -> Self {
        self.variant = variant.into();
        self
    }

    /// `linux/amd64`.
    pub fn linux_amd64() -> Self {
        Self::new("linux", "amd64")
    }

    /// `linux` with the architecture of this machine, as Go's
    /// `platforms.DefaultSpec()` would give inside a Linux container.
    pub fn host_linux() -> Self {
        let (arch, variant) = match std::env::consts::ARCH {
            "x86_64" => ("amd64", ""),
            "aarch64" => ("arm64", ""),
            "arm" => ("arm", "v7"),
            "x86" => ("386", ""),
            "powerpc64" => ("ppc64le", ""),
            "riscv64" => ("riscv64", ""),
            "s390x" => ("s390x", ""),
            other => (other, ""),
        };
        Self::new("linux", arch).with_variant(variant)
    }

    /// The wire form.
    pub fn to_pb(&self) -> pb::Platform {
        pb::Platform {
            architecture: self.architecture.clone(),
            os: self.os.clone(),
            variant: self.variant.clone(),
            os_version: self.os_version.clone(),
            os_features: self.os_features.clone().unwrap_or_default(),
        }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if !self.variant.is_empty() {
            write!(f, "/{}", self.variant)?;
        }
        Ok(())
    }
}
