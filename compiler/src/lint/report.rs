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

/// A `pb.Location` in the Dockerfile (source 0, left out as a zero): one range per line,
/// as BuildKit gives an instruction's location.
fn per_line_location(lines: std::ops::RangeInclusive<usize>) -> Value {
    let ranges: Vec<Value> = lines
        .map(|l| json!({ "start": position(l), "end": position(l) }))
        .collect();
    json!({ "ranges": ranges })
}

/// `result.json`: the findings in the order they were found, the Dockerfile as the one
/// source, and the error that stopped the build, if any.
pub fn results_json(
    findings: &[Finding],
    filename: &str,
    dockerfile: &[u8],
    build_error: Option<(&str, Option<SourceRange>)>,
) -> Value {
    let warnings: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut w = json!({
                "ruleName": f.rule.name(),
                "description": f.rule.description(),
                "detail": f.detail,
                "location": per_line_location(f.lines()),
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
        "sources": [{
            "filename": filename,
            "language": "Dockerfile",
            "data": base64::engine::general_purpose::STANDARD.encode(dockerfile),
        }],
    });
    if let Some((message, range)) = build_error {
        out["buildError"] = json!({
            "message": message,
            "location": range.map_or_else(
                || json!({}),
                |r| per_line_location(r.start_line..=r.end_line.max(r.start_line)),
            ),
        });
    }
    out
}

/// `result.txt`: each finding by line, with the Dockerfile lines around it.
pub fn results_text(findings: &[Finding], filename: &str, dockerfile: &[u8]) -> String {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| f.range.start_line);
    let text = String::from_utf8_lossy(dockerfile);
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = String::new();
    for f in sorted {
        let _ = write!(out, "\nWARNING: {}", f.rule.name());
        if let Some(url) = f.rule.url() {
            let _ = write!(out, " - {url}");
        }
        let _ = writeln!(out, "\n{}", f.detail);
        snippet(&mut out, filename, &lines, f.range);
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
