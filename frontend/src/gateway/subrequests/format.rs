//! Shared pieces of the subrequest answers: locations, doc comments and the text tables,
//! as BuildKit's Go code writes them.

use mstage_compiler::lower::BuildRequest;
use mstage_syntax::parser::SourceRange;
use serde_json::json;

/// BuildKit's location of an instruction: one range per line it spans. Lines in an
/// INCLUDE fragment name it by its index in [`sources`] (Go leaves out a zero index).
pub(super) fn location(range: SourceRange) -> serde_json::Value {
    let lines = range.start_line..=range.end_line.max(range.start_line);
    let mut loc = json!({"ranges": lines.map(|l| json!({"start": {"line": l}, "end": {"line": l}})).collect::<Vec<_>>()});
    if !range.file.is_main() {
        loc["sourceIndex"] = json!(range.file.0);
    }
    loc
}

/// The `sources` of an outline or targets answer: the Dockerfile, then its INCLUDE
/// fragments, in the order of their file ids.
pub(super) fn sources(request: &BuildRequest) -> serde_json::Value {
    use base64::Engine as _;
    let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
    request
        .source_files()
        .map(|(_, _, data)| json!(b64(data)))
        .collect()
}

/// BuildKit's `getComment`: the first comment line above the instruction that starts with
/// `name` and a space describes it (`# build compiles the app`).
pub(super) fn doc_comment(comments: &[String], name: &str) -> Option<String> {
    if name.is_empty() {
        return None;
    }
    let prefix = format!("{name} ");
    comments
        .iter()
        .find_map(|c| c.strip_prefix(&prefix).map(str::to_string))
        .filter(|c| !c.is_empty())
}

/// Columns as Go's `tabwriter` aligns them: each cell padded to the widest in its column
/// plus `pad`; the last cell of a line as it is.
pub(super) fn table(rows: &[Vec<String>], pad: usize) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate().take(r.len().saturating_sub(1)) {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            out.push_str(c);
            if i + 1 < r.len() {
                let w = widths[i] + pad - c.chars().count();
                out.push_str(&" ".repeat(w));
            }
        }
        out.push('\n');
    }
    out
}
