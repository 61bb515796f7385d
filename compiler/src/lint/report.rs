//! The `frontend.lint` answer: `result.json` in BuildKit's `LintResults` shape and the
//! `result.txt` that `docker buildx build --check` prints.

use std::fmt::Write as _;

use base64::Engine as _;
use serde_json::{json, Value};

use super::finding::Finding;
use mstage_syntax::parser::SourceRange;

/// A position as Go's JSON encoding writes a `pb.Position`: zero fields are left out.
fn position(line: usize) -> Value {
    if line == 0 {
        json!({})
    } else {
        json!({ "line": line })
    }
}

/// A `pb.Location`: one range per line, as BuildKit gives an instruction's location, in
/// the source of the range's file (the Dockerfile is source 0, left out as a zero; INCLUDE
/// fragments follow it).
fn per_line_location(range: SourceRange) -> Value {
    let lines = range.start_line..=range.end_line.max(range.start_line);
    let ranges: Vec<Value> = lines
        .map(|l| json!({ "start": position(l), "end": position(l) }))
        .collect();
    let mut loc = json!({ "ranges": ranges });
    if !range.file.is_main() {
        loc["sourceIndex"] = json!(range.file.0);
    }
    loc
}

/// A file findings can be in, by its [`FileId`](mstage_syntax::parser::FileId) index: the
/// Dockerfile first, then its INCLUDE fragments.
pub type SourceText<'a> = (String, &'a [u8]);

/// `result.json`: the findings in the order they were found, the Dockerfile as the one
/// source, and the error that stopped the build, if any.
pub fn results_json(
    findings: &[Finding],
    files: &[SourceText<'_>],
    build_error: Option<(&str, Option<SourceRange>)>,
) -> Value {
    let warnings: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut w = json!({
                "ruleName": f.rule.name(),
                "description": f.rule.description(),
                "detail": f.detail,
                "location": per_line_location(f.range),
            });
            if let Some(url) = f.rule.url() {
                w["url"] = json!(url);
            }
            w
        })
        .collect();
    let mut out = json!({
        // Go encodes an empty warning list as null.
        "warnings": if warnings.is_empty() { Value::Null } else { Value::Array(warnings) },
        "sources": files.iter().map(|(filename, data)| json!({
            "filename": filename,
            "language": "Dockerfile",
            "data": base64::engine::general_purpose::STANDARD.encode(data),
        })).collect::<Vec<_>>(),
    });
    if let Some((message, range)) = build_error {
        out["buildError"] = json!({
            "message": message,
            "location": range.map_or_else(
                || json!({}),
                per_line_location,
            ),
        });
    }
    out
}

/// `result.txt`: each finding by line, with the Dockerfile lines around it.
pub fn results_text(findings: &[Finding], files: &[SourceText<'_>]) -> String {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| (f.range.file, f.range.start_line));
    let texts: Vec<(&str, String)> = files
        .iter()
        .map(|(name, data)| (name.as_str(), String::from_utf8_lossy(data).into_owned()))
        .collect();
    let lines: Vec<(&str, Vec<&str>)> = texts
        .iter()
        .map(|(name, text)| (*name, text.split('\n').collect()))
        .collect();
    let mut out = String::new();
    for f in sorted {
        let _ = write!(out, "\nWARNING: {}", f.rule.name());
        if let Some(url) = f.rule.url() {
            let _ = write!(out, " - {url}");
        }
        let _ = writeln!(out, "\n{}", f.detail);
        if let Some((filename, lines)) = lines.get(f.range.file.0 as usize) {
            snippet(&mut out, filename, lines, f.range);
        }
    }
    out
}

/// BuildKit's `errdefs.Source.Print`: the range marked `>>>`, with a few lines of context.
pub fn snippet(out: &mut String, filename: &str, lines: &[&str], range: SourceRange) {
    let (first, last) = (range.start_line, range.end_line.max(range.start_line));
    if first < 1 || first > lines.len() {
        return;
    }
    let (mut start, mut end) = (first, last.min(lines.len()));
    // The padding loop as upstream writes it: up to two steps out (four for one line),
    // counting a step even when neither end can move.
    let pad = if end == start { 4 } else { 2 };
    let mut p = 0;
    while p < pad {
        if start > 1 {
            start -= 1;
            p += 1;
        }
        if end != lines.len() {
            end += 1;
            p += 1;
        }
        p += 1;
    }
    let _ = write!(out, "{filename}:{first}\n--------------------\n");
    for (i, line) in lines.iter().enumerate().take(end).skip(start - 1) {
        let n = i + 1;
        let marker = if (first..=last).contains(&n) {
            ">>>"
        } else {
            "   "
        };
        let _ = writeln!(out, " {n:>3} | {marker} {line}");
    }
    out.push_str("--------------------\n");
}
