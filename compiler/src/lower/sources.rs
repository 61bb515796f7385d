//! Remote sources of ADD: git refs (BuildKit's `dfgitutil.ParseGitRef` + `llb.Git`) and
//! HTTP URLs.

use llb_gen::gopath::join as join_path;

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

/// A remote at `host` and `path`; ref, subdir and options still to come.
fn remote(scheme: String, remote: String, host: &str, path: &str) -> GitRef {
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
    }
}

/// `scheme://[user@]host/path[?query]` (the scheme ends at `i`), and its query; HTTP(S)
/// only for paths ending in `.git`.
fn parse_url(url: &str, i: usize) -> Option<(GitRef, &str)> {
    let scheme = &url[..i];
    if scheme.is_empty() || !scheme.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let scheme = scheme.to_lowercase();
    if !matches!(scheme.as_str(), "http" | "https" | "git" | "ssh") {
        return None;
    }
    let rest = &url[i + 3..];
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (hostpart, path) = match rest.find('/') {
        Some(j) => (&rest[..j], &rest[j..]),
        None => (rest, ""),
    };
    let host = hostpart.rsplit('@').next().unwrap_or(hostpart);
    if matches!(scheme.as_str(), "http" | "https") && !path.ends_with(".git") {
        return None;
    }
    let url = format!("{}{}", &url[..i + 3], rest);
    Some((remote(scheme, url, host, path), query))
}

/// scp-style `user@host:path[?query]`, and its query.
fn parse_scp(src: &str) -> Option<(GitRef, &str)> {
    let (user, rest) = src.split_once('@')?;
    let user_ok = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    if user.is_empty() || !user.bytes().all(user_ok) {
        return None;
    }
    let (host, path) = rest.split_once(':')?;
    let host_ok = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'.';
    if host.is_empty() || !host.bytes().all(host_ok) {
        return None;
    }
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let url = format!("{user}@{host}:{path}");
    Some((remote("ssh".into(), url, host, path), query))
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
    let (mut r, query) = match without_frag.find("://") {
        Some(i) => parse_url(without_frag, i)?,
        None => parse_scp(without_frag)?,
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

impl GitRef {
    /// `ref[:subdir]`, as llb-gen takes it.
    pub fn fragment(&self) -> String {
        let mut fragment = self.reference.clone();
        if !self.subdir.is_empty() {
            fragment.push(':');
            fragment.push_str(&self.subdir);
        }
        fragment
    }
}

/// The git source op (`llb.Git(remote, "", ...)`).
pub fn git_source(g: &GitRef, keep_git_dir: bool, checksum: Option<&str>) -> llb_gen::Git {
    let mut git = llb_gen::git(g.remote.clone(), &g.fragment());
    if keep_git_dir {
        git = git.keep_git_dir();
    }
    if let Some(c) = checksum {
        git = git.checksum(c);
    }
    if g.submodules == Some(false) {
        git = git.skip_submodules();
    }
    git
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
        assert_eq!(g.fragment(), "v2.8.0");
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
