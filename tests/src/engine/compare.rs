//! Compares two builds of one Dockerfile (mstage against the stock frontend): the file trees
//! entry by entry and the image configs field by field.

use std::collections::BTreeSet;

use serde_json::Value;

use super::tree::{Entry, Kind, Tree};

/// At most this many differences are listed; the count says how many there were.
const MAX_LISTED: usize = 25;

fn describe(kind: &Kind) -> String {
    match kind {
        Kind::File(data) => format!("file of {} bytes", data.len()),
        Kind::Dir => "dir".into(),
        Kind::Symlink(t) => format!("symlink -> {t}"),
        Kind::HardLink(t) => format!("hard link to /{t}"),
        Kind::Other(c) => format!("special file ({c})"),
    }
}

fn diff_entry(path: &str, a: &Entry, b: &Entry, out: &mut Vec<String>) {
    let same_kind = match (&a.kind, &b.kind) {
        (Kind::File(x), Kind::File(y)) => {
            if x != y {
                out.push(format!(
                    "/{path}: content differs ({} vs {} bytes)",
                    x.len(),
                    y.len()
                ));
            }
            true
        }
        (x, y) => x == y,
    };
    if !same_kind {
        out.push(format!(
            "/{path}: {} vs {}",
            describe(&a.kind),
            describe(&b.kind)
        ));
        return;
    }
    if a.mode != b.mode {
        out.push(format!("/{path}: mode {:04o} vs {:04o}", a.mode, b.mode));
    }
    if (a.uid, a.gid) != (b.uid, b.gid) {
        out.push(format!(
            "/{path}: owner {}:{} vs {}:{}",
            a.uid, a.gid, b.uid, b.gid
        ));
    }
}

/// Differences between the trees `a` and `b` (path, type, mode, owner, content, link target),
/// phrased as `a vs b`.
pub fn trees(a: &Tree, b: &Tree) -> Vec<String> {
    let mut out = Vec::new();
    let paths: BTreeSet<&String> = a.entries().keys().chain(b.entries().keys()).collect();
    for path in paths {
        match (a.entries().get(path), b.entries().get(path)) {
            (Some(x), Some(y)) => diff_entry(path, x, y, &mut out),
            (Some(x), None) => out.push(format!("/{path}: {} vs missing", describe(&x.kind))),
            (None, Some(y)) => out.push(format!("/{path}: missing vs {}", describe(&y.kind))),
            (None, None) => {}
        }
    }
    truncate(out)
}

/// The image config fields users see; compared exactly, a missing field equal to `null`.
pub const CONFIG_FIELDS: &[&str] = &[
    "Env",
    "Cmd",
    "Entrypoint",
    "WorkingDir",
    "User",
    "ExposedPorts",
    "Volumes",
    "Labels",
    "Healthcheck",
    "StopSignal",
    "OnBuild",
    "Shell",
];

/// Differences between two image configs (the JSON `docker save` stores), `a vs b`.
pub fn configs(a: &Value, b: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for field in CONFIG_FIELDS {
        let x = a["config"].get(*field).unwrap_or(&Value::Null);
        let y = b["config"].get(*field).unwrap_or(&Value::Null);
        if x != y {
            out.push(format!("config.{field}: {x} vs {y}"));
        }
    }
    for field in ["os", "architecture", "variant"] {
        let (x, y) = (&a[field], &b[field]);
        if x != y {
            out.push(format!("{field}: {x} vs {y}"));
        }
    }
    let layers = |v: &Value| v["rootfs"]["diff_ids"].as_array().map_or(0, Vec::len);
    if layers(a) != layers(b) {
        out.push(format!("{} layers vs {}", layers(a), layers(b)));
    }
    out
}

fn truncate(mut out: Vec<String>) -> Vec<String> {
    if out.len() > MAX_LISTED {
        let n = out.len();
        out.truncate(MAX_LISTED);
        out.push(format!("... {} differences in all", n));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tree(entries: &[(&str, &str, u32, u64)]) -> Tree {
        let mut builder = tar::Builder::new(Vec::new());
        for (path, data, mode, uid) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_mode(*mode);
            h.set_uid(*uid);
            h.set_gid(0);
            h.set_size(data.len() as u64);
            h.set_entry_type(tar::EntryType::Regular);
            builder.append_data(&mut h, path, data.as_bytes()).unwrap();
        }
        Tree::from_tar(&builder.into_inner().unwrap()[..]).unwrap()
    }

    #[test]
    fn tree_differences_are_listed() {
        let a = tree(&[
            ("a", "x", 0o644, 0),
            ("b", "y", 0o644, 0),
            ("c", "z", 0o644, 0),
        ]);
        let b = tree(&[
            ("a", "x", 0o644, 0),
            ("b", "yy", 0o600, 1),
            ("d", "z", 0o644, 0),
        ]);
        let d = trees(&a, &b);
        assert_eq!(
            d,
            vec![
                "/b: content differs (1 vs 2 bytes)",
                "/b: mode 0644 vs 0600",
                "/b: owner 0:0 vs 1:0",
                "/c: file of 1 bytes vs missing",
                "/d: missing vs file of 1 bytes",
            ]
        );
        assert!(trees(&a, &a).is_empty());
    }

    #[test]
    fn config_differences_treat_missing_as_null() {
        let a = json!({"config": {"Env": ["A=1"], "Cmd": null}, "os": "linux", "rootfs": {"diff_ids": ["x"]}});
        let b = json!({"config": {"Env": ["A=1"]}, "os": "linux", "rootfs": {"diff_ids": ["y"]}});
        assert!(configs(&a, &b).is_empty());
        let c = json!({"config": {"Env": ["A=2"], "User": "1"}, "os": "linux", "rootfs": {"diff_ids": []}});
        assert_eq!(configs(&a, &c).len(), 3);
    }
}
