//! How answers are made comparable: `check` embeds the client's random session ID (and the
//! digests that follow from it), and buildx lists warnings in no fixed order; both are
//! normalised before the two answers are compared.

use base64::Engine as _;
use llb_gen::op_digest as digest;
use serde_json::Value;

/// JSON stdout of buildx, after the empty line it prints first.
pub(crate) fn parse_json(s: &str) -> Option<Value> {
    serde_json::from_str(s.trim()).ok()
}

/// The one field that cannot match between two runs: `check`'s `sources[].definition` is
/// the LLB that loaded the Dockerfile from the client, and it embeds the client's session
/// ID (`local.session`, random per `docker buildx build`); the op digests, and so the
/// metadata keys, follow from it. The ID is replaced by zeros of the same length in each op,
/// and the digests are computed again, so the ops must still be the same byte for byte.
/// The rule names of a check violation are sorted (`sort_violation_rules`), and buildx's two
/// wrappings of an error read alike (`same_error_wrapping`). Everything else
/// (JSON layout included) is compared as printed.
pub(crate) fn normalise(stdout: &str) -> String {
    let stdout = &same_error_wrapping(&sort_violation_rules(stdout));
    let Some(v) = parse_json(stdout) else {
        return stdout.to_string();
    };
    let Some(sources) = v.get("sources").and_then(Value::as_array) else {
        return stdout.to_string();
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    // (old, new) digests and base64 ops; every replacement keeps the text's layout.
    let mut digests: Vec<(String, String)> = Vec::new();
    let mut ops: Vec<(String, String)> = Vec::new();
    for s in sources {
        let def = s["definition"]["def"].as_array();
        for op in def.into_iter().flatten().filter_map(Value::as_str) {
            let Ok(bytes) = b64.decode(op) else { continue };
            let mut new_bytes = blank_session(&bytes);
            for (from, to) in &digests {
                replace_all(&mut new_bytes, from.as_bytes(), to.as_bytes());
            }
            digests.push((digest(&bytes), digest(&new_bytes)));
            ops.push((op.to_string(), b64.encode(&new_bytes)));
        }
    }
    let mut text = stdout.to_string();
    for (from, to) in ops.iter().chain(&digests) {
        text = text.replace(from.as_str(), to);
    }
    // Go writes map keys sorted; with new digests, `metadata` and `locations` are sorted
    // again.
    let lines: Vec<&str> = text.split('\n').collect();
    sort_digest_maps(&lines).join("\n")
}

/// buildx reports a frontend's `--call` error as `failed to solve: ...` or as `failed to run
/// Build function: ...`, whichever of its paths sees it first: the built-in frontend gave
/// both on the same input in two runs. Both become the first.
pub(crate) fn same_error_wrapping(text: &str) -> String {
    text.replace("failed to run Build function: ", "failed to solve: ")
}

/// `lint violation found for rules: B, A` with the rule names sorted: BuildKit collects them
/// in a Go map, so the built-in frontend's order changes from run to run.
pub(crate) fn sort_violation_rules(text: &str) -> String {
    const PREFIX: &str = "lint violation found for rules: ";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(PREFIX) {
        let (before, from) = rest.split_at(at + PREFIX.len());
        out.push_str(before);
        let end = from
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == ',' || c == ' '))
            .unwrap_or(from.len());
        let mut rules: Vec<&str> = from[..end].split(", ").collect();
        rules.sort_unstable();
        out.push_str(&rules.join(", "));
        rest = &from[end..];
    }
    out.push_str(rest);
    out
}

/// The entries of every JSON object (in Go's indented layout) whose keys are digests, sorted
/// by key.
fn sort_digest_maps(lines: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        out.push(line.to_string());
        i += 1;
        if !line.ends_with('{') {
            continue;
        }
        let depth = line.len() - line.trim_start().len();
        let entry_indent = " ".repeat(depth + 2);
        let is_entry = |l: &str| l.starts_with(&format!("{entry_indent}\"sha256:"));
        if i >= lines.len() || !is_entry(lines[i]) {
            continue;
        }
        // Entries until the closing brace at `depth`.
        let close = format!("{}}}", " ".repeat(depth));
        let mut entries: Vec<Vec<String>> = Vec::new();
        while i < lines.len() && !lines[i].starts_with(&close) {
            if is_entry(lines[i]) {
                entries.push(Vec::new());
            }
            if let Some(e) = entries.last_mut() {
                e.push(lines[i].to_string());
            }
            i += 1;
        }
        for e in &mut entries {
            if let Some(last) = e.last_mut() {
                if last.ends_with(',') {
                    last.pop();
                }
            }
        }
        entries.sort();
        let n = entries.len();
        for (k, mut e) in entries.into_iter().enumerate() {
            if k + 1 < n {
                if let Some(last) = e.last_mut() {
                    last.push(',');
                }
            }
            out.extend(e);
        }
    }
    out
}

/// buildx lists build warnings (` - Rule: detail (line N)`) in no fixed order (the built-in
/// frontend's own order changes from run to run): each run of them is sorted.
pub(crate) fn sort_warnings(lines: &[&str]) -> Vec<String> {
    let clean = |l: &str| l.replace("\x1b[0m", "").replace("\x1b[33m", "");
    let mut out: Vec<String> = Vec::new();
    let mut run: Vec<String> = Vec::new();
    for l in lines {
        let c = clean(l);
        if c.starts_with(" - ") {
            run.push(c);
            continue;
        }
        run.sort();
        out.append(&mut run);
        out.push(c);
    }
    run.sort();
    out.append(&mut run);
    out
}

/// The value of attribute `local.session` (a protobuf map entry: key, then field 2 with a
/// one-byte length) replaced by `0`s.
fn blank_session(op: &[u8]) -> Vec<u8> {
    let mut out = op.to_vec();
    let key = b"local.session";
    let mut from = 0;
    while let Some(pos) = find(&out[from..], key) {
        let at = from + pos + key.len();
        if out.get(at) == Some(&0x12) {
            if let Some(&len) = out.get(at + 1) {
                let (start, end) = (at + 2, at + 2 + len as usize);
                if len < 0x80 && end <= out.len() {
                    out[start..end].fill(b'0');
                }
            }
        }
        from = at;
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn replace_all(hay: &mut [u8], from: &[u8], to: &[u8]) {
    debug_assert_eq!(from.len(), to.len());
    let mut i = 0;
    while let Some(p) = find(&hay[i..], from) {
        hay[i + p..i + p + to.len()].copy_from_slice(to);
        i += p + to.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_error_wrappings_read_alike() {
        assert_eq!(
            same_error_wrapping("ERROR: failed to build: failed to run Build function: base name"),
            "ERROR: failed to build: failed to solve: base name"
        );
    }

    #[test]
    fn violation_rules_are_compared_in_any_order() {
        assert_eq!(
            sort_violation_rules(
                "\"lint violation found for rules: StageNameCasing, FromAsCasing\"\n"
            ),
            "\"lint violation found for rules: FromAsCasing, StageNameCasing\"\n"
        );
        assert_eq!(sort_violation_rules("no violation"), "no violation");
    }

    #[test]
    fn session_ids_are_blanked() {
        let mut op = b"\x0a\x0dlocal.session\x12\x05abcde\x0a\x01x".to_vec();
        op = blank_session(&op);
        assert_eq!(op, b"\x0a\x0dlocal.session\x12\x0500000\x0a\x01x");
    }

    #[test]
    fn digest_maps_are_sorted_again() {
        let text = "{\n  \"metadata\": {\n    \"sha256:b\": {\n      \"x\": 1\n    },\n    \"sha256:a\": {}\n  }\n}";
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(
            sort_digest_maps(&lines).join("\n"),
            "{\n  \"metadata\": {\n    \"sha256:a\": {},\n    \"sha256:b\": {\n      \"x\": 1\n    }\n  }\n}"
        );
    }

    #[test]
    fn warnings_are_compared_in_any_order() {
        let a = sort_warnings(&[
            "3 warnings found:",
            " - B (line 1)",
            " - A (line 2)",
            "ERROR: x",
        ]);
        assert_eq!(
            a,
            [
                "3 warnings found:",
                " - A (line 2)",
                " - B (line 1)",
                "ERROR: x"
            ]
        );
    }
}
