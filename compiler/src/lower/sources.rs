//! Remote sources of ADD: git refs (BuildKit's `dfgitutil.ParseGitRef` + `llb.Git`) and
//! HTTP URLs.

use super::dispatch::join_path;
use super::graph::Source;

/// A parsed git source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitRef {
    pub scheme: String,
    /// URL without fragment and query (what `git.fullurl` carries).
    pub remote: String,
    pub host: String,
    pub path: String,
    pub reference: String,
    pub subdir: String,
    pub checksum: Option<String>,
    pub keep_git_dir: Option<bool>,
    pub submodules: Option<bool>,
}

fn split_fragment(s: &str) -> (&str, &str) {
    match s.split_once('#') {
        Some((a, b)) => (a, b),
        None => (s, ""),
    }
}

fn parse_fragment(fragment: &str) -> (String, String) {
    let (r, sub) = fragment.split_once(':').unwrap_or((fragment, ""));
    let sub = join_path(&["/", sub]);
    (r.to_string(), sub.trim_start_matches('/').to_string())
}

fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "" | "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// Is `src` a git source (and not indistinguishable from a local path)?
pub fn parse_git(src: &str) -> Option<GitRef> {
    // A git source is a URL (`scheme://`) or scp-style (`user@host:path`); most sources
    // are neither, and are answered here without splitting anything.
    let url_like = src.contains("://") || src.contains('@');
    if !url_like
        || src.starts_with("./")
        || src.starts_with("../")
        || src.starts_with("github.com/")
    {
        return None;
    }
    let (without_frag, fragment) = split_fragment(src);
    let (mut r, query) = if let Some(i) = without_frag.find("://") {
        let scheme = &without_frag[..i];
        if scheme.is_empty() || !scheme.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let scheme = scheme.to_lowercase();
        if !matches!(scheme.as_str(), "http" | "https" | "git" | "ssh") {
            return None;
        }
        let rest = &without_frag[i + 3..];
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (hostpart, path) = match rest.find('/') {
            Some(j) => (&rest[..j], &rest[j..]),
            None => (rest, ""),
        };
        let host = hostpart.rsplit('@').next().unwrap_or(hostpart);
        if matches!(scheme.as_str(), "http" | "https") && !path.ends_with(".git") {
            return None;
        }
        let remote = format!("{}{}", &without_frag[..i + 3], rest);
        (
            GitRef {
                scheme,
                remote,
                host: host.to_string(),
                path: path.to_string(),
                reference: String::new(),
                subdir: String::new(),
                checksum: None,
                keep_git_dir: None,
                submodules: None,
            },
            query.to_string(),
        )
    } else {
        // scp-style user@host:path
        let (user, rest) = without_frag.split_once('@')?;
        if user.is_empty()
            || !user
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return None;
        }
        let (host, path) = rest.split_once(':')?;
        if host.is_empty()
            || !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        {
            return None;
        }
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        (
            GitRef {
                scheme: "ssh".into(),
                remote: format!("{user}@{host}:{path}"),
                host: host.to_string(),
                path: path.to_string(),
                reference: String::new(),
                subdir: String::new(),
                checksum: None,
                keep_git_dir: None,
                submodules: None,
            },
            query.to_string(),
        )
    };
    if !fragment.is_empty() {
        let (a, b) = parse_fragment(fragment);
        r.reference = a;
        r.subdir = b;
    }
    for kv in query.split('&').filter(|s| !s.is_empty()) {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        match k {
            "ref" => r.reference = v.to_string(),
            "tag" => r.reference = format!("refs/tags/{}", v.trim_start_matches("refs/tags/")),
            "branch" => r.reference = format!("refs/heads/{}", v.trim_start_matches("refs/heads/")),
            "subdir" => r.subdir = v.to_string(),
            "checksum" | "commit" => r.checksum = Some(v.to_string()),
            "keep-git-dir" => r.keep_git_dir = parse_bool(v),
            "submodules" => r.submodules = parse_bool(v),
            _ => {}
        }
    }
    Some(r)
}

/// The git source op (`llb.Git(remote, "", ...)`).
pub fn git_source(g: &GitRef, keep_git_dir: bool, checksum: Option<&str>) -> Source {
    let mut fragment = g.reference.clone();
    if !g.subdir.is_empty() {
        fragment.push(':');
        fragment.push_str(&g.subdir);
    }
    Source::Git {
        url: g.remote.clone(),
        fragment,
        keep_git_dir,
        checksum: checksum.map(str::to_string),
        skip_submodules: g.submodules == Some(false),
    }
}

/// File name of a downloaded URL (`path.Base` of its path, or `__unnamed__`).
pub fn url_filename(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    let base = {
        let t = path.trim_end_matches('/');
        if t.is_empty() {
            if path.is_empty() {
                ".".to_string()
            } else {
                "/".to_string()
            }
        } else {
            t.rsplit('/').next().unwrap_or(t).to_string()
        }
    };
    if base == "." || base == "/" {
        "__unnamed__".into()
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_refs() {
        let g = parse_git("https://github.com/golangci/golangci-lint.git#v2.8.0").unwrap();
        assert_eq!(g.remote, "https://github.com/golangci/golangci-lint.git");
        let Source::Git { url, fragment, .. } = git_source(&g, true, None) else {
            panic!("not a git source")
        };
        assert_eq!(url, "https://github.com/golangci/golangci-lint.git");
        assert_eq!(fragment, "v2.8.0");
        assert!(parse_git("https://example.com/file.tar.gz").is_none());
        assert!(parse_git("src/").is_none());
        assert!(parse_git("git@github.com:o/r.git").is_some());
    }

    #[test]
    fn filenames() {
        assert_eq!(url_filename("https://x.io/a/b.tgz"), "b.tgz");
        assert_eq!(url_filename("https://x.io/"), "__unnamed__");
        assert_eq!(url_filename("https://x.io/a/mc."), "mc.");
    }
}
