//! Go's `path.Clean` and `path.Join`, which the Go LLB client (and the Dockerfile frontend
//! above it) apply to every path it puts in an op.
//!
//! Most paths in a Dockerfile are already clean, so both return the input unchanged (one
//! allocation, no parsing into components) when it is.

/// Go's `path.Clean`: lexical cleanup of a slash-separated path.
pub fn clean(p: &str) -> String {
    cleaned(p).into_owned()
}

/// [`clean`], borrowing `p` when it is clean already.
pub fn cleaned(p: &str) -> std::borrow::Cow<'_, str> {
    if is_clean(p) {
        return std::borrow::Cow::Borrowed(p);
    }
    std::borrow::Cow::Owned(clean_components(p))
}

/// `clean` for a path known not to be clean: split into components and rebuild.
fn clean_components(p: &str) -> String {
    if p.is_empty() {
        return ".".to_owned();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let mut out = String::with_capacity(p.len());
    if rooted {
        out.push('/');
    }
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(part);
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// Go's `path.Join`: joins the non-empty elements with `/` and cleans the result.
pub fn join(parts: &[&str]) -> String {
    let mut joined = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for part in parts.iter().filter(|p| !p.is_empty()) {
        // Go puts a `/` between every two elements and lets Clean fold `//`. Not doubling
        // slashes here gives the same result and keeps `join(["/", "/a"])` clean.
        if joined.is_empty() {
            joined.push_str(part);
        } else if joined.ends_with('/') {
            joined.push_str(part.trim_start_matches('/'));
        } else {
            if !part.starts_with('/') {
                joined.push('/');
            }
            joined.push_str(part);
        }
    }
    if joined.is_empty() || is_clean(&joined) {
        joined
    } else {
        clean_components(&joined)
    }
}

/// Whether `clean(p) == p`: no empty, `.` or inner `..` component, no trailing slash (a
/// relative path may start with `..` components).
fn is_clean(p: &str) -> bool {
    if p == "/" || p == "." {
        return true;
    }
    let (rest, rooted) = match p.strip_prefix('/') {
        Some(rest) => (rest, true),
        None => (p, false),
    };
    if rest.is_empty() {
        return false;
    }
    // One pass over the bytes; a component is judged at the `/` (or end) closing it.
    let mut leading = !rooted;
    let mut start = 0;
    let bytes = rest.as_bytes();
    for end in (0..=bytes.len()).filter(|&i| i == bytes.len() || bytes[i] == b'/') {
        match &bytes[start..end] {
            b"" | b"." => return false,
            b".." if leading => {}
            b".." => return false,
            _ => leading = false,
        }
        start = end + 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_matches_go() {
        for (input, want) in [
            ("", "."),
            ("/", "/"),
            (".", "."),
            ("/.", "/"),
            ("./", "."),
            ("a/", "a"),
            ("a/b/../c", "a/c"),
            ("/../a", "/a"),
            ("../a", "../a"),
            ("../../a/b", "../../a/b"),
            ("a/../..", ".."),
            ("a/..", "."),
            ("//a//b/./", "/a/b"),
            ("/a/..b/c..", "/a/..b/c.."),
            ("/etc/alpine-release", "/etc/alpine-release"),
        ] {
            assert_eq!(clean(input), want, "clean({input:?})");
            assert_eq!(is_clean(input), input == want, "is_clean({input:?})");
            let borrowed = matches!(cleaned(input), std::borrow::Cow::Borrowed(_));
            assert_eq!(borrowed, input == want, "cleaned({input:?}) borrows");
        }
    }

    #[test]
    fn join_matches_go() {
        assert_eq!(join(&["/", "work", "a"]), "/work/a");
        assert_eq!(join(&["/work/", "../a/"]), "/a");
        assert_eq!(join(&["", ""]), "");
        assert_eq!(join(&["", "a"]), "a");
        assert_eq!(join(&["a", "", "b"]), "a/b");
        assert_eq!(join(&["/", "/out"]), "/out");
        assert_eq!(join(&["a/", "/b"]), "a/b");
        assert_eq!(join(&["a", "/b"]), "a/b");
        assert_eq!(join(&["a", "/"]), "a");
        assert_eq!(join(&["/", "//"]), "/");
    }
}
