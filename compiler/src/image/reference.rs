//! Docker image references, normalised like `distribution/reference`'s
//! `ParseNormalizedNamed` + `TagNameOnly` (`alpine` -> `docker.io/library/alpine:latest`),
//! which is what the stock frontend writes into image source identifiers.

use std::fmt;

use thiserror::Error;

/// Why a reference does not parse (upstream's messages).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReferenceError {
    #[error("invalid reference format")]
    InvalidFormat,
    #[error("invalid reference format: repository name ({0}) must be lowercase")]
    Uppercase(String),
    #[error("invalid repository name ({0}), cannot specify 64-byte hexadecimal strings")]
    HexIdentifier(String),
    #[error("repository name must not be more than 255 characters")]
    NameTooLong,
}

/// A normalised, fully qualified image reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    /// Registry host (and port), e.g. `docker.io`.
    pub domain: String,
    /// Repository path, e.g. `library/alpine`.
    pub path: String,
    pub tag: Option<String>,
    /// `algo:hex`.
    pub digest: Option<String>,
}

fn is_alnum_lower(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
fn is_path_component(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !is_alnum_lower(b[0]) || !is_alnum_lower(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if is_alnum_lower(b[i]) {
            i += 1;
            continue;
        }
        // a separator run: ".", "_", "__" or one or more "-"
        let start = i;
        while i < b.len() && !is_alnum_lower(b[i]) {
            i += 1;
        }
        let sep = &s[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
fn is_domain_component(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

fn is_domain(s: &str) -> bool {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        // IPv6 literal
        let Some(end) = rest.find(']') else {
            return false;
        };
        let ip = &rest[..end];
        if ip.is_empty() || !ip.bytes().all(|c| c.is_ascii_hexdigit() || c == b':') {
            return false;
        }
        let after = &rest[end + 1..];
        (
            None,
            after
                .strip_prefix(':')
                .map(Some)
                .unwrap_or(if after.is_empty() { None } else { return false }),
        )
    } else {
        match s.split_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(s), None),
        }
    };
    if let Some(h) = host {
        if !h.split('.').all(is_domain_component) {
            return false;
        }
    }
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    true
}

/// `[\w][\w.-]{0,127}`
fn is_tag(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`
fn is_digest(s: &str) -> bool {
    let Some((algo, hex)) = s.split_once(':') else {
        return false;
    };
    let algo_ok = algo.split(['-', '_', '+', '.']).all(|part| {
        let b = part.as_bytes();
        !b.is_empty() && b[0].is_ascii_alphabetic() && b.iter().all(|c| c.is_ascii_alphanumeric())
    });
    algo_ok && hex.len() >= 32 && hex.bytes().all(|c| c.is_ascii_hexdigit())
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

impl ImageRef {
    /// Parses and normalises like `reference.ParseNormalizedNamed`.
    pub fn parse_normalized(s: &str) -> Result<Self, ReferenceError> {
        if is_hex64(s) {
            return Err(ReferenceError::HexIdentifier(s.to_string()));
        }
        let (mut domain, mut remainder) = match s.find('/') {
            Some(i) => {
                let first = &s[..i];
                if !first.contains(['.', ':'])
                    && first != "localhost"
                    && first.to_lowercase() == first
                {
                    ("docker.io".to_string(), s.to_string())
                } else {
                    (first.to_string(), s[i + 1..].to_string())
                }
            }
            None => ("docker.io".to_string(), s.to_string()),
        };
        if domain == "index.docker.io" {
            domain = "docker.io".into();
        }
        if domain == "docker.io" && !remainder.contains('/') {
            remainder = format!("library/{remainder}");
        }
        let remote = remainder.split(':').next().unwrap_or("");
        if remote.to_lowercase() != remote {
            return Err(ReferenceError::Uppercase(remote.to_string()));
        }
        Self::parse_full(&domain, &remainder)
    }

    fn parse_full(domain: &str, remainder: &str) -> Result<Self, ReferenceError> {
        let (name_tag, digest) = match remainder.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (remainder, None),
        };
        let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
        let (path, tag) = match name_tag[last_slash..].find(':') {
            Some(i) => (
                &name_tag[..last_slash + i],
                Some(&name_tag[last_slash + i + 1..]),
            ),
            None => (name_tag, None),
        };
        if !is_domain(domain) || !path.split('/').all(is_path_component) {
            return Err(ReferenceError::InvalidFormat);
        }
        if tag.is_some_and(|t| !is_tag(t)) || digest.is_some_and(|d| !is_digest(d)) {
            return Err(ReferenceError::InvalidFormat);
        }
        if domain.len() + 1 + path.len() > 255 {
            return Err(ReferenceError::NameTooLong);
        }
        Ok(ImageRef {
            domain: domain.to_string(),
            path: path.to_string(),
            tag: tag.map(str::to_string),
            digest: digest.map(str::to_string),
        })
    }

    /// `docker.io/library/alpine` (no tag or digest).
    pub fn name(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// Docker's short form (`reference.FamiliarString`): `docker.io/library/` and
    /// `docker.io/` dropped, tag and digest kept.
    pub fn familiar(&self) -> String {
        let mut s = if self.domain == "docker.io" {
            self.path
                .strip_prefix("library/")
                .filter(|p| !p.contains('/'))
                .unwrap_or(&self.path)
                .to_string()
        } else {
            self.name()
        };
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }

    /// Adds `:latest` when there is neither tag nor digest (`reference.TagNameOnly`).
    pub fn with_default_tag(mut self) -> Self {
        if self.tag.is_none() && self.digest.is_none() {
            self.tag = Some("latest".into());
        }
        self
    }

    /// Pins a digest (`reference.WithDigest`), keeping the tag.
    pub fn with_digest(mut self, digest: &str) -> Self {
        self.digest = Some(digest.to_string());
        self
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.domain, self.path)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        ImageRef::parse_normalized(s)
            .unwrap()
            .with_default_tag()
            .to_string()
    }

    #[test]
    fn normalizes_like_docker() {
        assert_eq!(norm("alpine"), "docker.io/library/alpine:latest");
        assert_eq!(
            norm("golang:1.25-alpine"),
            "docker.io/library/golang:1.25-alpine"
        );
        assert_eq!(norm("org/app"), "docker.io/org/app:latest");
        assert_eq!(norm("ghcr.io/o/r:v1"), "ghcr.io/o/r:v1");
        assert_eq!(norm("localhost:5000/x"), "localhost:5000/x:latest");
        assert_eq!(norm("index.docker.io/x"), "docker.io/library/x:latest");
        let d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assert_eq!(
            norm(&format!("alpine@{d}")),
            format!("docker.io/library/alpine@{d}")
        );
        assert_eq!(
            norm(&format!("alpine:3@{d}")),
            format!("docker.io/library/alpine:3@{d}")
        );
    }

    #[test]
    fn refuses_what_docker_refuses() {
        for bad in ["golang:", "docker:-dind", "a//b", "UPPER", "x y"] {
            assert!(ImageRef::parse_normalized(bad).is_err(), "{bad}");
        }
        assert_eq!(
            ImageRef::parse_normalized("golang:")
                .unwrap_err()
                .to_string(),
            "invalid reference format"
        );
    }
}
