//! Frontend options as a compile request: `platform`, `build-arg:*`, `label:*`, `no-cache`,
//! `add-hosts`, `shm-size`, `ulimit`, `force-network-mode`, `image-resolve-mode`,
//! `multi-platform`, `hostname`, `context:*` and `target`, each checked with an error that
//! names the option.

use std::collections::BTreeMap;

use mstage_compiler::image::Platform;
use mstage_compiler::lower::{
    BuildRequest, CompileError, ExtraHost, LocalSession, NamedContext, NetworkMode, NoCache,
    ResolveMode, Ulimit,
};

use super::options::FrontendOptions;

/// The part of the request the options decide, with the parsed ignore file (`dockerignore`:
/// its bytes, possibly empty). Public so that the option parsing can be fuzzed without a
/// gateway (`fuzz/fuzz_targets/frontend_opts.rs`); it does no I/O.
pub fn from_options(
    opts: &FrontendOptions,
    dockerignore: &[u8],
) -> Result<BuildRequest, CompileError> {
    let dockerignore = mstage_compiler::dockerignore::parse(&String::from_utf8_lossy(dockerignore))
        .map_err(|e| CompileError::request(e.to_string()))?;
    let build_args: BTreeMap<String, String> = prefixed(opts, "build-arg:");
    let mode = opts.get("image-resolve-mode").unwrap_or("");
    Ok(BuildRequest {
        target: opts
            .get("target")
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        labels: prefixed(opts, "label:"),
        target_platforms: target_platforms(opts)?,
        multi_platform: multi_platform(opts, &build_args),
        no_cache: no_cache(opts),
        extra_hosts: list(opts, "add-hosts", extra_host)?,
        shm_size: match opts.get("shm-size").filter(|s| !s.is_empty()) {
            Some(v) => parse_bytes(v).ok_or_else(|| bad("shm-size", v))?,
            None => 0,
        },
        ulimits: list(opts, "ulimit", ulimit)?,
        network_mode: network_mode(opts.get("force-network-mode").unwrap_or(""))?,
        image_resolve_mode: ResolveMode::parse(mode)
            .ok_or_else(|| bad("image-resolve-mode", mode))?,
        hostname: hostname(opts, &build_args),
        dockerignore,
        named_contexts: named_contexts(opts)?,
        session: match &opts.session_id {
            Some(s) => LocalSession::Session(s.clone()),
            None => LocalSession::Unique("mstage".into()),
        },
        build_args,
        ..BuildRequest::default()
    })
}

fn bad(what: &str, v: &str) -> CompileError {
    CompileError::request(format!("invalid {what} option: {v:?}"))
}

fn prefixed(opts: &FrontendOptions, prefix: &str) -> BTreeMap<String, String> {
    opts.with_prefix(prefix)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A comma-separated option, each item parsed by `parse` (which gets the item).
fn list<T>(
    opts: &FrontendOptions,
    name: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>, CompileError> {
    opts.get(name)
        .unwrap_or("")
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|item| parse(item).ok_or_else(|| bad(name, item)))
        .collect()
}

fn target_platforms(opts: &FrontendOptions) -> Result<Vec<Platform>, CompileError> {
    opts.get("platform")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|p| {
            Platform::parse(p)
                .map(|p| p.normalize())
                .map_err(|e| bad("platform", &e.to_string()))
        })
        .collect()
}

fn multi_platform(opts: &FrontendOptions, build_args: &BTreeMap<String, String>) -> bool {
    opts.flag("multi-platform").unwrap_or(false)
        || build_args
            .get("BUILDKIT_MULTI_PLATFORM")
            .is_some_and(|v| v == "1" || v == "true")
}

fn hostname(opts: &FrontendOptions, build_args: &BTreeMap<String, String>) -> Option<String> {
    opts.get("hostname")
        .or_else(|| {
            build_args
                .get("BUILDKIT_SANDBOX_HOSTNAME")
                .map(String::as_str)
        })
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn no_cache(opts: &FrontendOptions) -> NoCache {
    match opts.get("no-cache") {
        None => NoCache::Off,
        Some("") => NoCache::All,
        Some(v) => NoCache::Stages(v.split(',').map(|s| s.trim().to_string()).collect()),
    }
}

/// `host=ip` (buildx) or `host:ip` (docker build).
fn extra_host(h: &str) -> Option<ExtraHost> {
    let (host, ip) = h.split_once('=').or_else(|| h.split_once(':'))?;
    Some(ExtraHost {
        host: host.to_string(),
        ip: ip.to_string(),
    })
}

/// `name=soft:hard`, or `name=limit` for both.
fn ulimit(u: &str) -> Option<Ulimit> {
    let (name, limits) = u.split_once('=')?;
    let (soft, hard) = limits.split_once(':').unwrap_or((limits, limits));
    Some(Ulimit {
        name: name.to_string(),
        soft: soft.parse().ok()?,
        hard: hard.parse().ok()?,
    })
}

fn network_mode(v: &str) -> Result<NetworkMode, CompileError> {
    match v {
        "" | "sandbox" | "default" => Ok(NetworkMode::Sandbox),
        "none" => Ok(NetworkMode::None),
        "host" => Ok(NetworkMode::Host),
        v => Err(bad("force-network-mode", v)),
    }
}

fn named_contexts(opts: &FrontendOptions) -> Result<BTreeMap<String, NamedContext>, CompileError> {
    let mut named = BTreeMap::new();
    for (name, value) in opts.with_prefix("context:") {
        let ctx = named_context(value).ok_or_else(|| {
            CompileError::request(format!(
                "unsupported named context {name}={value}: mstage supports docker-image://, local:, git and http(s) contexts"
            ))
        })?;
        named.insert(name.to_string(), ctx);
    }
    Ok(named)
}

fn named_context(value: &str) -> Option<NamedContext> {
    if let Some(r) = value.strip_prefix("docker-image://") {
        Some(NamedContext::Image {
            reference: r.to_string(),
        })
    } else if let Some(l) = value.strip_prefix("local:") {
        Some(NamedContext::Local {
            name: l.to_string(),
            exclude_patterns: Vec::new(),
        })
    } else if value.starts_with("git@") || value.starts_with("git://") || value.ends_with(".git") {
        Some(NamedContext::Git {
            url: value.to_string(),
        })
    } else if value.starts_with("https://") || value.starts_with("http://") {
        Some(NamedContext::Http {
            url: value.to_string(),
        })
    } else {
        None
    }
}

/// `--shm-size` as docker's `units.RAMInBytes` reads it: a number with an optional
/// binary unit (`64m`, `1GiB`).
fn parse_bytes(v: &str) -> Option<i64> {
    let v = v.trim();
    let (num, mult) = match v.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        None => (v, 1i64),
        Some((i, _)) => {
            let m = match v[i..]
                .to_ascii_lowercase()
                .trim_end_matches('b')
                .trim_end_matches('i')
            {
                "" => 1,
                "k" => 1 << 10,
                "m" => 1 << 20,
                "g" => 1 << 30,
                _ => return None,
            };
            (&v[..i], m)
        }
    };
    num.parse::<i64>().ok().map(|n| n * mult)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shm_sizes_parse_like_docker() {
        assert_eq!(parse_bytes("64m"), Some(64 << 20));
        assert_eq!(parse_bytes("1024"), Some(1024));
        assert_eq!(parse_bytes("2g"), Some(2 << 30));
        assert_eq!(parse_bytes("x"), None);
    }

    #[test]
    fn bad_options_are_named() {
        let opts = FrontendOptions::from_vars([(
            "BUILDKIT_FRONTEND_OPT_0".to_string(),
            "ulimit=nofile=x".to_string(),
        )]);
        let e = from_options(&opts, b"").unwrap_err();
        assert!(
            e.to_string()
                .contains(r#"invalid ulimit option: "nofile=x""#),
            "{e}"
        );
    }
}
