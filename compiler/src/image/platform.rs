//! OCI platforms, parsed, normalised and formatted the way containerd's `platforms`
//! package does (which is what BuildKit's Dockerfile frontend uses), so `--platform`
//! values, `TARGETPLATFORM` and vertex-name prefixes read the same.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// An OCI platform (`os/arch[/variant]`, optional OS version and features).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Platform {
    pub architecture: String,
    pub os: String,
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub os_version: String,
    #[serde(rename = "os.features", default, skip_serializing_if = "Vec::is_empty")]
    pub os_features: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub variant: String,
}

/// A platform specifier that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct PlatformError(String);

const SPECIFIER_RE: &str = "^[A-Za-z0-9_.-]+$";
const OS_RE: &str = r"^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?$";

fn is_specifier(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn is_os_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
}

fn is_os_option(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'%' | b'-'))
}

fn is_known_os(os: &str) -> bool {
    matches!(
        os,
        "aix"
            | "android"
            | "darwin"
            | "dragonfly"
            | "freebsd"
            | "hurd"
            | "illumos"
            | "ios"
            | "js"
            | "linux"
            | "nacl"
            | "netbsd"
            | "openbsd"
            | "plan9"
            | "solaris"
            | "windows"
            | "zos"
    )
}

fn is_known_arch(arch: &str) -> bool {
    matches!(
        arch,
        "386"
            | "amd64"
            | "amd64p32"
            | "arm"
            | "armbe"
            | "arm64"
            | "arm64be"
            | "ppc64"
            | "ppc64le"
            | "loong64"
            | "mips"
            | "mipsle"
            | "mips64"
            | "mips64le"
            | "mips64p32"
            | "mips64p32le"
            | "ppc"
            | "riscv"
            | "riscv64"
            | "s390"
            | "s390x"
            | "sparc"
            | "sparc64"
            | "wasm"
    )
}

fn normalize_os(os: &str) -> String {
    if os.is_empty() {
        return host_os().to_string();
    }
    let os = os.to_ascii_lowercase();
    if os == "macos" {
        "darwin".into()
    } else {
        os
    }
}

fn normalize_arch(arch: &str, variant: &str) -> (String, String) {
    let arch = arch.to_ascii_lowercase();
    let variant = variant.to_ascii_lowercase();
    match arch.as_str() {
        "i386" => ("386".into(), String::new()),
        "x86_64" | "x86-64" | "amd64" => (
            "amd64".into(),
            if variant == "v1" {
                String::new()
            } else {
                variant
            },
        ),
        "aarch64" | "arm64" => (
            "arm64".into(),
            match variant.as_str() {
                "8" | "v8" | "v8.0" => String::new(),
                "9" | "9.0" | "v9.0" => "v9".into(),
                _ => variant,
            },
        ),
        "armhf" => ("arm".into(), "v7".into()),
        "armel" => ("arm".into(), "v6".into()),
        "arm" => (
            arch,
            match variant.as_str() {
                "" | "7" => "v7".into(),
                "5" | "6" | "8" => format!("v{variant}"),
                _ => variant,
            },
        ),
        _ => (arch, variant),
    }
}

/// The OS this binary runs on, in Go's `GOOS` spelling.
pub fn host_os() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        o => o,
    }
}

/// The CPU architecture this binary runs on, in Go's `GOARCH` spelling.
pub fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        "riscv64" => "riscv64",
        "s390x" => "s390x",
        "arm" => "arm",
        "loongarch64" => "loong64",
        a => a,
    }
}

fn percent_decode(v: &str) -> Result<String, PlatformError> {
    if !v.contains('%') {
        return Ok(v.to_string());
    }
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = v
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| PlatformError(format!("invalid URL escape {:?}", &v[i..])))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|e| PlatformError(e.to_string()))
}

fn encode_os_option(v: &str) -> String {
    let mut s = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '%' => s.push_str("%25"),
            '+' => s.push_str("%2B"),
            '(' => s.push_str("%28"),
            ')' => s.push_str("%29"),
            '/' => s.push_str("%2F"),
            c => s.push(c),
        }
    }
    s
}

/// Go's `path.Join` for the non-empty parts of a platform.
fn join_parts(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("/")
}

impl Platform {
    /// `linux/amd64` style constructor (no normalisation).
    pub fn new(os: &str, architecture: &str, variant: &str) -> Self {
        Platform {
            os: os.into(),
            architecture: architecture.into(),
            variant: variant.into(),
            ..Default::default()
        }
    }

    /// The platform this binary runs on (containerd's `DefaultSpec`).
    pub fn host() -> Self {
        let mut p = Platform::new(host_os(), host_arch(), "");
        if p.architecture == "arm" {
            p.variant = "v7".into();
        }
        p
    }

    /// Parses `os[(version[+feature]...)][/arch[/variant]]` or a bare OS or architecture
    /// (the missing part is the host's), as containerd's `platforms.Parse`.
    pub fn parse(specifier: &str) -> Result<Self, PlatformError> {
        if specifier.contains('*') {
            return Err(PlatformError(format!(
                "{specifier:?}: wildcards not yet supported: invalid argument"
            )));
        }
        let parts: Vec<&str> = specifier.splitn(4, '/').collect();
        let mut p = Platform::default();
        // First part: OS with optional (version+features).
        let first = parts[0];
        let (os_name, opts) = match first.find('(') {
            Some(i) if first.ends_with(')') => (&first[..i], Some(&first[i + 1..first.len() - 1])),
            _ => (first, None),
        };
        let os_ok = is_os_name(os_name)
            && opts.is_none_or(|o| {
                let mut it = o.split('+');
                let v = it.next().unwrap_or("");
                is_os_option(v) && it.all(|f| !f.is_empty() && is_os_option(f))
            });
        if !os_ok {
            return Err(PlatformError(format!(
                "{first:?} is an invalid OS component of {specifier:?}: OSAndVersion specifier component must match {OS_RE:?}: invalid argument"
            )));
        }
        p.os = normalize_os(os_name);
        if let Some(o) = opts {
            let mut it = o.split('+');
            p.os_version = percent_decode(it.next().unwrap_or(""))?;
            for f in it {
                let f = percent_decode(f.trim())?;
                if !f.is_empty() {
                    p.os_features.push(f);
                }
            }
        }
        for part in &parts[1..] {
            if !is_specifier(part) {
                return Err(PlatformError(format!(
                    "{part:?} is an invalid component of {specifier:?}: platform specifier component must match {SPECIFIER_RE:?}: invalid argument"
                )));
            }
        }
        match parts.len() {
            1 => {
                if is_known_os(&p.os) {
                    p.architecture = host_arch().into();
                    return Ok(p);
                }
                let (a, mut v) = normalize_arch(parts[0], "");
                if a == "arm" && v == "v7" {
                    v.clear();
                }
                if is_known_arch(&a) {
                    p.architecture = a;
                    p.variant = v;
                    p.os = host_os().into();
                    return Ok(p);
                }
                Err(PlatformError(format!(
                    "{specifier:?}: unknown operating system or architecture: invalid argument"
                )))
            }
            2 => {
                let (a, mut v) = normalize_arch(parts[1], "");
                if a == "arm" && v == "v7" {
                    v.clear();
                }
                p.architecture = a;
                p.variant = v;
                Ok(p)
            }
            3 => {
                let (a, mut v) = normalize_arch(parts[1], parts[2]);
                if a == "arm64" && v.is_empty() {
                    v = "v8".into();
                }
                p.architecture = a;
                p.variant = v;
                Ok(p)
            }
            _ => Err(PlatformError(format!(
                "{specifier:?}: cannot parse platform specifier: invalid argument"
            ))),
        }
    }

    /// Canonical form (`platforms.Normalize`): lower case, `aarch64` -> `arm64`, ...
    pub fn normalize(&self) -> Self {
        let (architecture, variant) = normalize_arch(&self.architecture, &self.variant);
        let mut os_features = self.os_features.clone();
        os_features.sort();
        os_features.dedup();
        Platform {
            os: normalize_os(&self.os),
            architecture,
            variant,
            os_version: self.os_version.clone(),
            os_features,
        }
    }

    /// `os/arch[/variant]` (`platforms.Format`).
    pub fn format(&self) -> String {
        if self.os.is_empty() {
            return "unknown".into();
        }
        join_parts(&[&self.os, &self.architecture, &self.variant])
    }

    /// Like [`Platform::format`] plus `(version+features)` (`platforms.FormatAll`).
    pub fn format_all(&self) -> String {
        if self.os.is_empty() {
            return "unknown".into();
        }
        if self.os_version.is_empty() && self.os_features.is_empty() {
            return self.format();
        }
        let mut feats = self.os_features.clone();
        feats.sort();
        feats.dedup();
        let feats: Vec<String> = feats
            .iter()
            .filter(|f| !f.is_empty())
            .map(|f| encode_os_option(f))
            .collect();
        let mut os = self.os.clone();
        let osv = encode_os_option(&self.os_version);
        if !osv.is_empty() || !feats.is_empty() {
            os.push('(');
            os.push_str(&osv);
            if !feats.is_empty() {
                os.push('+');
                os.push_str(&feats.join("+"));
            }
            os.push(')');
        }
        join_parts(&[&os, &self.architecture, &self.variant])
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format_all())
    }
}

/// BuildKit's default `PATH` for Linux (and every non-Windows OS), as llb-gen adds it to RUN.
pub use llb_gen::DEFAULT_PATH_ENV;

/// The platform as llb-gen takes it, where an op or a marshal gets one: the lowering's one
/// conversion between the two types (llb-gen leaves parsing and normalising to its caller).
impl From<&Platform> for llb_gen::Platform {
    fn from(p: &Platform) -> Self {
        llb_gen::Platform {
            os: p.os.clone(),
            architecture: p.architecture.clone(),
            variant: p.variant.clone(),
            os_version: p.os_version.clone(),
            os_features: (!p.os_features.is_empty()).then(|| p.os_features.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_containerd() {
        let p = Platform::parse("linux/amd64").unwrap();
        assert_eq!(p, Platform::new("linux", "amd64", ""));
        assert_eq!(
            Platform::parse("linux/arm64/v8").unwrap(),
            Platform::new("linux", "arm64", "v8")
        );
        assert_eq!(
            Platform::parse("linux/arm").unwrap(),
            Platform::new("linux", "arm", "")
        );
        assert_eq!(
            Platform::parse("Linux/x86_64").unwrap(),
            Platform::new("linux", "amd64", "")
        );
        assert_eq!(
            Platform::parse("linux/arm/7").unwrap(),
            Platform::new("linux", "arm", "v7")
        );
        let w = Platform::parse("windows(10.0.17763+win32k)/amd64").unwrap();
        assert_eq!(w.os_version, "10.0.17763");
        assert_eq!(w.os_features, vec!["win32k".to_string()]);
        assert_eq!(w.format_all(), "windows(10.0.17763+win32k)/amd64");
        assert_eq!(w.format(), "windows/amd64");
    }

    #[test]
    fn rejects_bad_components_with_upstream_message() {
        let e = Platform::parse("linux/").unwrap_err().to_string();
        assert_eq!(
            e,
            r#""" is an invalid component of "linux/": platform specifier component must match "^[A-Za-z0-9_.-]+$": invalid argument"#
        );
        assert!(Platform::parse("linux/*").is_err());
        assert!(Platform::parse("foo").is_err());
    }

    #[test]
    fn normalizes() {
        let p = Platform::new("Linux", "aarch64", "8").normalize();
        assert_eq!(p, Platform::new("linux", "arm64", ""));
    }
}
