//! Compares what a build produced with a case's `expect`. Every mismatch becomes one reason.

use std::path::Path;

use serde_json::Value;

use super::expect::{Expect, FileType, ImageExpect};
use super::tree::{Entry, Kind, Tree};

/// The error expectations, against the build's error text.
pub fn error(expect: &Expect, error_text: &str) -> Vec<String> {
    let mut reasons = Vec::new();
    if let Some(wanted) = &expect.error_contains {
        for needle in wanted.items() {
            if !error_text.contains(needle) {
                reasons.push(format!(
                    "error does not contain {needle:?}; error was: {}",
                    shorten(error_text)
                ));
            }
        }
    }
    if let Some(re) = &expect.error_regex {
        match regex::Regex::new(re) {
            Ok(re) if re.is_match(error_text) => {}
            Ok(_) => reasons.push(format!(
                "error does not match /{re}/; error was: {}",
                shorten(error_text)
            )),
            Err(e) => reasons.push(format!("bad error_regex {re:?}: {e}")),
        }
    }
    reasons
}

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// File expectations against the exported filesystem; `context` is the prepared build context
/// (for `files_from_context`).
pub fn files(expect: &Expect, tree: &Tree, context: &Path) -> Vec<String> {
    let mut reasons = Vec::new();
    contents(expect, tree, &mut reasons);
    substrings(expect, tree, &mut reasons);
    from_context(expect, tree, context, &mut reasons);
    kinds(expect, tree, &mut reasons);
    owners_and_links(expect, tree, &mut reasons);
    reasons
}

/// `files`: the exact content, or (`null`) just that the file exists.
fn contents(expect: &Expect, tree: &Tree, reasons: &mut Vec<String>) {
    for (path, wanted) in &expect.files {
        match (tree.read(path), wanted) {
            (Ok(_), None) => {}
            (Ok(data), Some(want)) if data == want.as_bytes() => {}
            (Ok(data), Some(want)) => reasons.push(format!(
                "/{path}: content {:?}, expected {want:?}",
                shorten(&text(data))
            )),
            (Err(e), _) => reasons.push(format!("/{path}: {e}")),
        }
    }
}

/// `files_contain`, `files_not_contain` and `files_trimmed`.
fn substrings(expect: &Expect, tree: &Tree, reasons: &mut Vec<String>) {
    for (path, needles) in &expect.files_contain {
        match tree.read(path) {
            Ok(data) => {
                let content = text(data);
                for n in needles.iter().filter(|n| !content.contains(n.as_str())) {
                    reasons.push(format!(
                        "/{path}: does not contain {n:?} (content {:?})",
                        shorten(&content)
                    ));
                }
            }
            Err(e) => reasons.push(format!("/{path}: {e}")),
        }
    }
    for (path, needles) in &expect.files_not_contain {
        match tree.read(path) {
            Ok(data) => {
                let content = text(data);
                for n in needles.iter().filter(|n| content.contains(n.as_str())) {
                    reasons.push(format!("/{path}: contains {n:?}"));
                }
            }
            Err(e) => reasons.push(format!("/{path}: {e}")),
        }
    }
    for (path, want) in &expect.files_trimmed {
        match tree.read(path) {
            Ok(data) if text(data).trim() == want.trim() => {}
            Ok(data) => reasons.push(format!(
                "/{path}: trimmed content {:?}, expected {:?}",
                shorten(text(data).trim()),
                want.trim()
            )),
            Err(e) => reasons.push(format!("/{path}: {e}")),
        }
    }
}

/// `files_from_context`: the same bytes as a file of the build context.
fn from_context(expect: &Expect, tree: &Tree, context: &Path, reasons: &mut Vec<String>) {
    for (path, ctx_path) in &expect.files_from_context {
        let want = match std::fs::read(context.join(ctx_path)) {
            Ok(w) => w,
            Err(e) => {
                reasons.push(format!("context file {ctx_path}: {e}"));
                continue;
            }
        };
        match tree.read(path) {
            Ok(data) if data == want.as_slice() => {}
            Ok(data) => reasons.push(format!(
                "/{path}: {} bytes differ from context/{ctx_path} ({} bytes)",
                data.len(),
                want.len()
            )),
            Err(e) => reasons.push(format!("/{path}: {e}")),
        }
    }
}

/// `absent` and `file_types`.
fn kinds(expect: &Expect, tree: &Tree, reasons: &mut Vec<String>) {
    for path in &expect.absent {
        if tree.lstat(path).is_some() {
            reasons.push(format!("/{path}: exists, expected absent"));
        }
    }
    for (path, want) in &expect.file_types {
        match tree.stat(path) {
            Ok((_, entry)) => {
                let got = match entry.kind {
                    Kind::File(_) => Some(FileType::Regular),
                    Kind::Dir => Some(FileType::Dir),
                    _ => None,
                };
                if got != Some(*want) {
                    reasons.push(format!(
                        "/{path}: is {:?}, expected {want:?}",
                        entry.kind_name()
                    ));
                }
            }
            Err(e) => reasons.push(format!("/{path}: {e}")),
        }
    }
}

/// `owners` and `same_file` (hard links to one file).
fn owners_and_links(expect: &Expect, tree: &Tree, reasons: &mut Vec<String>) {
    for (path, want) in &expect.owners {
        match tree.lstat(path) {
            Some((_, entry)) => {
                let got = format!("{}:{}", entry.uid, entry.gid);
                if &got != want {
                    reasons.push(format!("/{path}: owner {got}, expected {want}"));
                }
            }
            None => reasons.push(format!("/{path}: does not exist")),
        }
    }
    for (a, b) in &expect.same_file {
        match (tree.stat(a), tree.stat(b)) {
            (Ok((pa, _)), Ok((pb, _))) if pa == pb => {}
            (Ok(_), Ok(_)) => reasons.push(format!("/{a} and /{b} are not hard links to one file")),
            (Err(e), _) | (_, Err(e)) => reasons.push(format!("same_file {a}, {b}: {e}")),
        }
    }
}

impl Entry {
    fn kind_name(&self) -> &'static str {
        match self.kind {
            Kind::File(_) => "regular",
            Kind::Dir => "dir",
            Kind::Symlink(_) => "symlink",
            Kind::HardLink(_) => "hardlink",
            Kind::Other(_) => "special",
        }
    }
}

fn is_unset(v: Option<&Value>) -> bool {
    matches!(v, None | Some(Value::Null))
}

fn is_nonempty(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        Some(_) => true,
    }
}

/// Image expectations against the stored image config (`docker save`).
pub fn image(expect: &Expect, image: &Value) -> Vec<String> {
    let mut reasons = Vec::new();
    config(expect, &image["config"], &mut reasons);
    if let Some(img) = &expect.image {
        rootfs_and_platform(img, image, &mut reasons);
        history(img, image, &mut reasons);
    }
    reasons
}

/// `config`, `config_contains`, `config_env_keys` and `config_nonempty`.
fn config(expect: &Expect, config: &Value, reasons: &mut Vec<String>) {
    for (key, want) in &expect.config {
        let got = config.get(key);
        let ok = if want.is_null() {
            is_unset(got)
        } else {
            got == Some(want)
        };
        if !ok {
            reasons.push(format!(
                "config.{key} = {}, expected {want}",
                got.unwrap_or(&Value::Null)
            ));
        }
    }
    for (key, items) in &expect.config_contains {
        let got = config.get(key).and_then(Value::as_array);
        for item in items {
            if !got.is_some_and(|a| a.contains(item)) {
                reasons.push(format!("config.{key} lacks {item}"));
            }
        }
    }
    for key in &expect.config_env_keys {
        let prefix = format!("{key}=");
        let env = config.get("Env").and_then(Value::as_array);
        if !env.is_some_and(|e| {
            e.iter()
                .any(|v| v.as_str().is_some_and(|s| s.starts_with(&prefix)))
        }) {
            reasons.push(format!("config.Env has no {key}"));
        }
    }
    for key in &expect.config_nonempty {
        if !is_nonempty(config.get(key)) {
            reasons.push(format!("config.{key} is empty"));
        }
    }
}

/// `image`: the rootfs type and layer count, os and architecture.
fn rootfs_and_platform(img: &ImageExpect, image: &Value, reasons: &mut Vec<String>) {
    if let Some(want) = &img.rootfs_type {
        if image["rootfs"]["type"].as_str() != Some(want) {
            reasons.push(format!(
                "rootfs.type = {}, expected {want}",
                image["rootfs"]["type"]
            ));
        }
    }
    if let Some(want) = img.rootfs_diff_ids_count {
        let got = image["rootfs"]["diff_ids"].as_array().map_or(0, Vec::len);
        if got != want {
            reasons.push(format!("{got} rootfs.diff_ids, expected {want}"));
        }
    }
    if img.os_nonempty == Some(true) && !is_nonempty(image.get("os")) {
        reasons.push("os is empty".into());
    }
    if img.architecture_nonempty == Some(true) && !is_nonempty(image.get("architecture")) {
        reasons.push("architecture is empty".into());
    }
}

/// `image.history`, entry by entry.
fn history(img: &ImageExpect, image: &Value, reasons: &mut Vec<String>) {
    let history = image["history"].as_array().cloned().unwrap_or_default();
    for (i, want) in img.history.iter().enumerate() {
        let Some(got) = history.get(i) else {
            reasons.push(format!(
                "history has {} entries, expected entry {i}",
                history.len()
            ));
            continue;
        };
        if let Some(needle) = &want.created_by_contains {
            let created_by = got["created_by"].as_str().unwrap_or("");
            if !created_by.contains(needle.as_str()) {
                reasons.push(format!(
                    "history[{i}].created_by {created_by:?} lacks {needle:?}"
                ));
            }
        }
        if let Some(want_empty) = want.empty_layer {
            let got_empty = got["empty_layer"].as_bool().unwrap_or(false);
            if got_empty != want_empty {
                reasons.push(format!(
                    "history[{i}].empty_layer = {got_empty}, expected {want_empty}"
                ));
            }
        }
    }
}

/// Keeps reasons readable: long file contents and logs are cut in the middle.
pub fn shorten(s: &str) -> String {
    const MAX: usize = 400;
    if s.len() <= MAX {
        return s.to_string();
    }
    let head: String = s.chars().take(150).collect();
    let tail: String = {
        let v: Vec<char> = s.chars().collect();
        v[v.len().saturating_sub(230)..].iter().collect()
    };
    format!("{head} [...] {tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn expect(v: Value) -> Expect {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn error_expectations() {
        let e = expect(json!({"error_contains": ["foo", "bar"]}));
        assert!(error(&e, "x foo y bar").is_empty());
        assert_eq!(error(&e, "foo only").len(), 1);
        let any = expect(json!({"error_contains": ""}));
        assert!(error(&any, "whatever").is_empty());
        let re = expect(json!({"error_regex": "line [0-9]+"}));
        assert!(error(&re, "at line 12").is_empty());
        assert_eq!(error(&re, "no number").len(), 1);
    }

    #[test]
    fn config_expectations() {
        let img = json!({
            "config": {"Env": ["PATH=/bin", "foo=bar"], "Cmd": null, "Labels": {"a": "b"}, "WorkingDir": "/"},
            "rootfs": {"type": "layers", "diff_ids": []},
            "os": "linux", "architecture": "amd64",
            "history": [{"created_by": "ENV foo=bar", "empty_layer": true}]
        });
        let ok = expect(json!({
            "config": {"Cmd": null, "Entrypoint": null, "Labels": {"a": "b"}},
            "config_contains": {"Env": ["foo=bar"]},
            "config_env_keys": ["PATH"],
            "config_nonempty": ["WorkingDir"],
            "image": {"rootfs_type": "layers", "rootfs_diff_ids_count": 0, "os_nonempty": true,
                      "history": [{"created_by_contains": "ENV foo", "empty_layer": true}]}
        }));
        assert_eq!(image(&ok, &img), Vec::<String>::new());
        let bad = expect(json!({
            "config": {"Labels": {"a": "c"}, "Env": null},
            "config_env_keys": ["HOME"],
            "image": {"rootfs_diff_ids_count": 1, "history": [{"empty_layer": false}, {}]}
        }));
        assert_eq!(image(&bad, &img).len(), 6);
    }

    fn header(kind: tar::EntryType, mode: u32, uid: u64, size: u64) -> tar::Header {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_uid(uid);
        h.set_gid(if uid == 0 { 0 } else { 2 });
        h.set_mtime(0);
        h.set_size(size);
        h
    }

    /// A tree with a file `a` (uid 1, gid 2), a folder `d`, a hard link `h` and a symlink
    /// `l` to `a`.
    fn sample_tree() -> Tree {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = header(tar::EntryType::Regular, 0o644, 1, 6);
        b.append_data(&mut h, "a", &b"hello\n"[..]).unwrap();
        let mut h = header(tar::EntryType::Directory, 0o755, 0, 0);
        b.append_data(&mut h, "d/", &[][..]).unwrap();
        for (name, kind) in [("h", tar::EntryType::Link), ("l", tar::EntryType::Symlink)] {
            let mut h = header(kind, 0o777, 0, 0);
            b.append_link(&mut h, name, "a").unwrap();
        }
        Tree::from_tar(&b.into_inner().unwrap()[..]).unwrap()
    }

    /// Every kind of file expectation, met and not: the reasons come in this order.
    #[test]
    fn file_expectations() {
        let tree = sample_tree();
        let context = tempfile::tempdir().unwrap();
        std::fs::write(context.path().join("same"), "hello\n").unwrap();
        std::fs::write(context.path().join("other"), "bye\n").unwrap();
        let ok = expect(json!({
            "files": {"a": "hello\n", "l": null},
            "files_contain": {"a": ["ell"]},
            "files_not_contain": {"a": ["bye"]},
            "files_trimmed": {"a": " hello "},
            "files_from_context": {"a": "same"},
            "absent": ["nope"],
            "file_types": {"a": "regular", "d": "dir"},
            "owners": {"a": "1:2"},
            "same_file": [["a", "h"]]
        }));
        assert_eq!(files(&ok, &tree, context.path()), Vec::<String>::new());
        let bad = expect(json!({
            "files": {"a": "bye", "missing": null},
            "files_contain": {"a": ["bye"], "missing": ["x"]},
            "files_not_contain": {"a": ["hello"]},
            "files_trimmed": {"a": "bye"},
            "files_from_context": {"a": "other", "l": "absent-in-context"},
            "absent": ["a"],
            "file_types": {"a": "dir", "d": "regular"},
            "owners": {"a": "0:0", "missing": "0:0"},
            "same_file": [["a", "d"], ["a", "missing"]]
        }));
        let want = [
            r#"/a: content "hello\n", expected "bye""#,
            "/missing: /missing does not exist",
            r#"/a: does not contain "bye" (content "hello\n")"#,
            "/missing: /missing does not exist",
            r#"/a: contains "hello""#,
            r#"/a: trimmed content "hello", expected "bye""#,
            "/a: 6 bytes differ from context/other (4 bytes)",
            "context file absent-in-context: No such file or directory (os error 2)",
            "/a: exists, expected absent",
            r#"/a: is "regular", expected Dir"#,
            r#"/d: is "dir", expected Regular"#,
            "/a: owner 1:2, expected 0:0",
            "/missing: does not exist",
            "/a and /d are not hard links to one file",
            "same_file a, missing: /missing does not exist",
        ];
        assert_eq!(files(&bad, &tree, context.path()), want);
    }
}
