//! Subrequests (`requestid`): metadata-only answers for `docker buildx build --call=...`.

use std::collections::BTreeMap;

use mstage_proto::gateway as gw;
use serde_json::json;

use base64::Engine as _;

use format::{doc_comment, location, table};
use mstage_compiler::lower::{BuildRequest, Checked, CompileError, PlatformBuild};

mod format;
mod outline;

const DESCRIBE: &str = "frontend.subrequests.describe";
/// Answered after compiling (for its warnings and errors), see [`handle`].
pub const OUTLINE: &str = "frontend.outline";
const TARGETS: &str = "frontend.targets";
/// Answered after compiling (it needs the resolved base images), see [`convert_llb`].
pub const CONVERT_LLB: &str = "frontend.convertllb";
/// Answered after compiling with the build checks on, see [`lint`].
pub const LINT: &str = "frontend.lint";

/// Every subrequest mstage answers, with its version and description.
const SUPPORTED: [(&str, &str, &str); 5] = [
    (DESCRIBE, "1.0.0", "List available subrequest types"),
    (
        OUTLINE,
        "1.0.0",
        "List all parameters current build target supports",
    ),
    (TARGETS, "1.0.0", "List all targets current build supports"),
    (LINT, "1.0.0", "Lint a Dockerfile"),
    (
        CONVERT_LLB,
        "0.1.0",
        "Convert the build to LLB and return it as JSON",
    ),
];

/// Answers subrequest `id`; unknown ones are an error naming what is supported.
pub fn handle(id: &str, request: &BuildRequest) -> Result<gw::Result, CompileError> {
    let (value, text) = match id {
        DESCRIBE => describe(),
        OUTLINE => outline::outline(request)?,
        TARGETS => targets(request)?,
        other => {
            let names: Vec<&str> = SUPPORTED.iter().map(|s| s.0).collect();
            return Err(CompileError::request(format!(
                "unsupported request {other}: mstage answers {}",
                names.join(", ")
            )));
        }
    };
    Ok(metadata_result(value, Some(text), version_of(id)))
}

/// The version `SUPPORTED` gives subrequest `id`.
fn version_of(id: &str) -> &'static str {
    SUPPORTED
        .iter()
        .find(|s| s.0 == id)
        .map_or("1.0.0", |s| s.1)
}

fn metadata_result(value: serde_json::Value, text: Option<String>, version: &str) -> gw::Result {
    let mut metadata = BTreeMap::new();
    metadata.insert("result.json".to_string(), go_json(&value).into_bytes());
    if let Some(text) = text {
        metadata.insert("result.txt".to_string(), text.into_bytes());
    }
    metadata.insert("version".to_string(), version.as_bytes().to_vec());
    gw::Result {
        metadata,
        ..Default::default()
    }
}

/// `frontend.lint`: what the build checks found, and the error that stopped the compile
/// (or the check violation, with `error=true`). Status code 1 when either is there.
pub fn lint(
    request: &BuildRequest,
    checked: &Checked,
    definition: Option<&mstage_proto::pb::Definition>,
) -> gw::Result {
    let files = request.source_texts();
    let error = checked.error();
    let mut value = mstage_compiler::lint::results_json(&checked.findings, &files, error);
    if let Some(def) = definition {
        // The LLB that loaded the Dockerfile, as BuildKit lists its sources.
        value["sources"][0]["definition"] = definition_json(def);
    }
    let mut text = mstage_compiler::lint::results_text(&checked.findings, &files);
    if let Some((message, range)) = error {
        text.push_str(message);
        text.push('\n');
        if let Some((r, (name, data))) =
            range.and_then(|r| Some((r, files.get(r.file.0 as usize)?)))
        {
            let data = String::from_utf8_lossy(data);
            let lines: Vec<&str> = data.split('\n').collect();
            mstage_compiler::lint::snippet(&mut text, name, &lines, r);
        }
    }
    let status = u8::from(!checked.findings.is_empty() || error.is_some());
    let mut result = metadata_result(value, Some(text), version_of(LINT));
    result
        .metadata
        .insert("result.statuscode".into(), status.to_string().into_bytes());
    result
}

/// `frontend.convertllb`: the Definition mstage would solve (first platform), as JSON: every
/// op by digest, with its metadata.
pub fn convert_llb(builds: &[PlatformBuild]) -> gw::Result {
    let mut def = serde_json::Map::new();
    let mut metadata = serde_json::Map::new();
    if let Some(b) = builds.first() {
        let dumped = mstage_compiler::lower::definition_json(&b.definition);
        for op in dumped["ops"].as_array().into_iter().flatten() {
            let digest = op["digest"].as_str().unwrap_or_default().to_string();
            let mut body = op.clone();
            if let Some(o) = body.as_object_mut() {
                o.remove("digest");
                if let Some(name) = o.remove("name") {
                    metadata.insert(
                        digest.clone(),
                        json!({ "description": { "llb.customname": name } }),
                    );
                }
            }
            def.insert(digest, body);
        }
    }
    metadata_result(
        json!({ "def": def, "metadata": metadata }),
        None,
        version_of(CONVERT_LLB),
    )
}

/// A `pb.Definition` as Go's JSON encoder writes it: ops base64, metadata by digest.
fn definition_json(def: &mstage_proto::pb::Definition) -> serde_json::Value {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut v = serde_json::Map::new();
    if !def.def.is_empty() {
        v.insert(
            "def".into(),
            json!(def.def.iter().map(|op| b64.encode(op)).collect::<Vec<_>>()),
        );
    }
    if !def.metadata.is_empty() {
        let mut metadata = serde_json::Map::new();
        for (digest, m) in &def.metadata {
            let mut o = serde_json::Map::new();
            if m.ignore_cache {
                o.insert("ignore_cache".into(), json!(true));
            }
            if !m.description.is_empty() {
                o.insert("description".into(), json!(m.description));
            }
            if !m.caps.is_empty() {
                o.insert("caps".into(), json!(m.caps));
            }
            metadata.insert(digest.clone(), serde_json::Value::Object(o));
        }
        v.insert("metadata".into(), serde_json::Value::Object(metadata));
    }
    if let Some(source) = &def.source {
        let mut locations = serde_json::Map::new();
        for (digest, l) in &source.locations {
            let list: Vec<serde_json::Value> = l
                .locations
                .iter()
                .map(|loc| {
                    let mut o = json!({});
                    if loc.source_index != 0 {
                        o["sourceIndex"] = json!(loc.source_index);
                    }
                    let ranges: Vec<serde_json::Value> = loc
                        .ranges
                        .iter()
                        .map(|r| {
                            let pos = |p: &Option<mstage_proto::pb::Position>| {
                                let mut o = json!({});
                                if let Some(p) = p {
                                    if p.line != 0 {
                                        o["line"] = json!(p.line);
                                    }
                                    if p.character != 0 {
                                        o["character"] = json!(p.character);
                                    }
                                }
                                o
                            };
                            json!({"start": pos(&r.start), "end": pos(&r.end)})
                        })
                        .collect();
                    if !ranges.is_empty() {
                        o["ranges"] = json!(ranges);
                    }
                    o
                })
                .collect();
            let mut o = json!({});
            if !list.is_empty() {
                o["locations"] = json!(list);
            }
            locations.insert(digest.clone(), o);
        }
        let mut src = serde_json::Map::new();
        if !locations.is_empty() {
            src.insert("locations".into(), serde_json::Value::Object(locations));
        }
        v.insert("Source".into(), serde_json::Value::Object(src));
    }
    serde_json::Value::Object(v)
}

fn describe() -> (serde_json::Value, String) {
    let v = json!(SUPPORTED
        .iter()
        .map(|(n, v, d)| json!({"name": n, "version": v, "type": "rpc", "description": d}))
        .collect::<Vec<_>>());
    let text = SUPPORTED
        .iter()
        .map(|(n, _, d)| format!("{n:<32}{d}\n"))
        .collect();
    (v, text)
}

/// Key order of the Go structs BuildKit marshals (`outline.Outline`, `targets.Target`,
/// `lint.LintResults`, `pb.Definition`, ...): one order fits them all. An object whose keys
/// are not all listed here is a Go map, whose keys Go sorts.
const GO_FIELD_ORDER: &[&str] = &[
    "targets",
    "warnings",
    "ignore_cache",
    "ruleName",
    "name",
    "default",
    "description",
    "url",
    "detail",
    "value",
    "base",
    "platform",
    "required",
    "args",
    "secrets",
    "ssh",
    "cache",
    "ID",
    "sources",
    "filename",
    "data",
    "definition",
    "language",
    "buildError",
    "message",
    "location",
    "sourceIndex",
    "ranges",
    "start",
    "end",
    "line",
    "character",
    "def",
    "metadata",
    "export_cache",
    "caps",
    "progress_group",
    "Source",
    "locations",
    "infos",
];

/// `value` as Go's `json.MarshalIndent(v, "", "  ")` prints the struct it stands for: struct
/// fields in declaration order, map keys sorted, `<`, `>` and `&` escaped. buildx prints a
/// subrequest's `result.json` as it is.
pub(crate) fn go_json(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_go_json(&mut out, value, 0);
    out
}

fn write_go_json(out: &mut String, value: &serde_json::Value, depth: usize) {
    use serde_json::Value;
    let indent = |out: &mut String, d: usize| {
        out.push('\n');
        for _ in 0..d {
            out.push_str("  ");
        }
    };
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, depth + 1);
                write_go_json(out, item, depth + 1);
            }
            indent(out, depth);
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            let mut keys: Vec<&String> = map.keys().collect();
            let rank = |k: &str| GO_FIELD_ORDER.iter().position(|f| *f == k);
            if keys.iter().all(|k| rank(k).is_some()) {
                keys.sort_by_key(|k| rank(k));
            }
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, depth + 1);
                out.push_str(&go_string(k));
                out.push_str(": ");
                write_go_json(out, &map[k.as_str()], depth + 1);
            }
            indent(out, depth);
            out.push('}');
        }
        Value::String(s) => out.push_str(&go_string(s)),
        other => out.push_str(&other.to_string()),
    }
}

fn go_string(s: &str) -> String {
    serde_json::Value::from(s)
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// `frontend.targets`: every stage as written (BuildKit parses only, expands nothing): its
/// name (none for an unnamed stage), the last one as the default, the base and `--platform`
/// text, the doc comment.
fn targets(request: &BuildRequest) -> Result<(serde_json::Value, String), CompileError> {
    let parsed = mstage_compiler::lower::parse_instructions(request)?;
    let last = parsed.stages.len().saturating_sub(1);
    let mut list = Vec::new();
    let mut rows = vec![vec!["TARGET".to_string(), "DESCRIPTION".to_string()]];
    for (i, st) in parsed.stages.iter().enumerate() {
        let name = st.name.clone().unwrap_or_default();
        let default = i == last;
        let description = doc_comment(&st.from.origin.comments, &name);
        let mut t = serde_json::Map::new();
        if !name.is_empty() {
            t.insert("name".into(), json!(name));
        }
        if default {
            t.insert("default".into(), json!(true));
        }
        if let Some(d) = &description {
            t.insert("description".into(), json!(d));
        }
        if !st.base_name.is_empty() {
            t.insert("base".into(), json!(st.base_name));
        }
        if let Some(p) = st.platform.as_ref().filter(|p| !p.is_empty()) {
            t.insert("platform".into(), json!(p));
        }
        t.insert("location".into(), location(st.from.origin.range));
        list.push(serde_json::Value::Object(t));
        let shown = match (name.is_empty(), default) {
            (true, true) => "(default)".to_string(),
            (false, true) => format!("{name} (default)"),
            _ => name.clone(),
        };
        rows.push(vec![shown, description.unwrap_or_default()]);
    }
    let value = json!({
        "targets": list,
        "sources": format::sources(request),
    });
    Ok((value, table(&rows, 1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mstage_syntax::parser::SourceRange;

    fn request(dockerfile: &str, target: Option<&str>) -> BuildRequest {
        BuildRequest {
            target: target.map(str::to_string),
            ..BuildRequest::golden(dockerfile.as_bytes().to_vec())
        }
    }

    const DOCKERFILE: &str = "ARG VERSION=1.2\n\
        FROM busybox AS deps\n\
        ARG MIRROR\n\
        RUN --mount=type=secret,id=npmrc,required --mount=type=cache,target=/root/.npm true\n\
        FROM busybox AS unused\n\
        RUN --mount=type=secret,id=other true\n\
        FROM busybox AS app\n\
        COPY --from=deps /x /x\n\
        RUN --mount=type=ssh true\n";

    fn outline_of(target: Option<&str>) -> serde_json::Value {
        let r = handle(OUTLINE, &request(DOCKERFILE, target)).unwrap();
        serde_json::from_slice(&r.metadata["result.json"]).unwrap()
    }

    fn answer(id: &str, req: &BuildRequest) -> (serde_json::Value, String) {
        let r = handle(id, req).unwrap();
        let json = String::from_utf8(r.metadata["result.json"].clone()).unwrap();
        (serde_json::from_str(&json).unwrap(), json)
    }

    #[test]
    fn outline_lists_what_the_target_needs_only() {
        let v = outline_of(None);
        assert_eq!(v["name"], "app");
        // VERSION is used by no FROM and declared in no needed stage: not listed.
        assert_eq!(
            v["args"],
            json!([{"name": "MIRROR", "location": location(SourceRange { start_line: 3, end_line: 3, ..Default::default() })}])
        );
        assert_eq!(v["secrets"].as_array().unwrap().len(), 1, "{v}");
        assert_eq!(v["secrets"][0]["name"], "npmrc");
        assert_eq!(v["secrets"][0]["required"], true);
        assert_eq!(v["secrets"][0]["location"]["ranges"][0]["start"]["line"], 4);
        assert_eq!(v["ssh"][0]["name"], "default");
        // BuildKit omits a false `required`, and lists no cache mounts.
        assert!(v["ssh"][0].get("required").is_none(), "{v}");
        assert!(v.get("cache").is_none(), "{v}");
    }

    #[test]
    fn outline_follows_the_target() {
        let v = outline_of(Some("unused"));
        assert_eq!(v["secrets"][0]["name"], "other");
        assert!(v.get("ssh").is_none(), "{v}");
    }

    #[test]
    fn outline_shows_values_as_the_build_gets_them() {
        let df = "ARG BASE=busybox\n\
            ARG TAG=latest\n\
            # A is the first arg\n\
            ARG A=1\n\
            ARG UNUSED=x\n\
            FROM --platform=$BUILDPLATFORM ${BASE}:${TAG} AS build\n\
            ARG A\n\
            ARG B=${A}-two\n\
            ARG TARGETARCH\n\
            RUN --mount=type=cache,id=c-${A},target=/c --mount=type=secret,id=s-${B} true\n\
            FROM busybox\n\
            ARG OVER=default\n\
            COPY --from=build /x /x\n";
        let mut req = request(df, None);
        req.build_args.insert("OVER".into(), "given".into());
        let (v, _) = answer(OUTLINE, &req);
        let args: Vec<(String, String)> = v["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["name"].as_str().unwrap().into(),
                    a["value"].as_str().unwrap_or("").into(),
                )
            })
            .collect();
        let want = [
            ("BASE", "busybox"),
            ("TAG", "latest"),
            ("A", "1"),
            ("B", "1-two"),
            ("OVER", "given"),
        ];
        assert_eq!(
            args,
            want.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>(),
            "{v}"
        );
        assert_eq!(v["args"][2]["description"], "is the first arg");
        assert_eq!(v["secrets"][0]["name"], "s-1-two");
        // The default (unnamed) target has no name field.
        assert!(v.get("name").is_none(), "{v}");
        assert!(v.get("cache").is_none(), "{v}");
    }

    #[test]
    fn targets_and_outline_point_into_include_fragments() {
        let mut req = request(
            "ARG BASE=busybox\nINCLUDE stages/build.Dockerfile\nFROM build\n",
            Some("build"),
        );
        req.fragments.insert(
            "stages/build.Dockerfile".into(),
            b"# build compiles\nFROM ${BASE} AS build\nARG MODE=fast\n".to_vec(),
        );
        let (v, _) = answer(TARGETS, &req);
        assert_eq!(
            v["targets"][0]["location"],
            json!({"ranges": [{"start": {"line": 2}, "end": {"line": 2}}], "sourceIndex": 1})
        );
        assert_eq!(v["targets"][1]["location"]["ranges"][0]["start"]["line"], 3);
        assert!(v["targets"][1]["location"].get("sourceIndex").is_none());
        assert_eq!(v["sources"].as_array().unwrap().len(), 2, "{v}");
        let (v, _) = answer(OUTLINE, &req);
        let args = v["args"].as_array().unwrap();
        let base = args.iter().find(|a| a["name"] == "BASE").unwrap();
        assert!(base["location"].get("sourceIndex").is_none(), "{v}");
        let mode = args.iter().find(|a| a["name"] == "MODE").unwrap();
        assert_eq!(mode["location"]["sourceIndex"], 1, "{v}");
        assert_eq!(mode["location"]["ranges"][0]["start"]["line"], 3);
    }

    #[test]
    fn targets_show_stages_as_written() {
        let df = "ARG BASE=busybox\n\
            ARG TAG=latest\n\
            # build compiles the app\n\
            FROM --platform=$BUILDPLATFORM ${BASE}:${TAG} AS build\n\
            FROM busybox\n";
        let (v, json) = answer(TARGETS, &request(df, None));
        assert_eq!(
            v["targets"],
            json!([
                {"name": "build", "description": "compiles the app", "base": "${BASE}:${TAG}",
                 "platform": "$BUILDPLATFORM", "location": location(SourceRange { start_line: 4, end_line: 4, ..Default::default() })},
                {"default": true, "base": "busybox", "location": location(SourceRange { start_line: 5, end_line: 5, ..Default::default() })},
            ])
        );
        assert!(v["sources"][0].is_string());
        // Printed as Go's MarshalIndent prints the struct: fields in declaration order.
        assert!(
            json.starts_with(
                "{\n  \"targets\": [\n    {\n      \"name\": \"build\",\n      \"description\""
            ),
            "{json}"
        );
        let r = handle(TARGETS, &request(df, None)).unwrap();
        assert_eq!(
            String::from_utf8(r.metadata["result.txt"].clone()).unwrap(),
            "TARGET    DESCRIPTION\nbuild     compiles the app\n(default) \n"
        );
    }

    #[test]
    fn json_is_written_the_way_go_writes_it() {
        let v = json!({"location": {}, "name": "a<b&c>", "args": [], "zeta": 1, "alpha": [1]});
        // Not all keys are struct fields: a map, keys sorted.
        assert_eq!(
            go_json(&v),
            "{\n  \"alpha\": [\n    1\n  ],\n  \"args\": [],\n  \"location\": {},\n  \"name\": \"a\\u003cb\\u0026c\\u003e\",\n  \"zeta\": 1\n}"
        );
        let w = json!({"location": 1, "name": "x", "default": true});
        assert_eq!(
            go_json(&w),
            "{\n  \"name\": \"x\",\n  \"default\": true,\n  \"location\": 1\n}"
        );
    }

    fn lint_of(dockerfile: &str) -> gw::Result {
        let mut req = request(dockerfile, None);
        req.all_stages = true;
        let checked =
            mstage_compiler::lower::check_blocking(&req, &mstage_compiler::lower::NoneResolver);
        lint(&req, &checked, None)
    }

    #[test]
    fn lint_answers_in_buildkits_shape() {
        let r = lint_of("FROM busybox\nCMD echo a \\\n  b\n");
        let v: serde_json::Value = serde_json::from_slice(&r.metadata["result.json"]).unwrap();
        let w = &v["warnings"][0];
        assert_eq!(w["ruleName"], "JSONArgsRecommended");
        // One range per line of the instruction, no zero fields.
        assert_eq!(
            w["location"],
            serde_json::json!({"ranges": [
                {"start": {"line": 2}, "end": {"line": 2}},
                {"start": {"line": 3}, "end": {"line": 3}},
            ]})
        );
        assert_eq!(v["sources"][0]["language"], "Dockerfile");
        assert!(v.get("buildError").is_none());
        assert_eq!(r.metadata["result.statuscode"], b"1");
        let text = String::from_utf8(r.metadata["result.txt"].clone()).unwrap();
        assert!(text.contains("WARNING: JSONArgsRecommended"), "{text}");
    }

    #[test]
    fn lint_reports_a_violation_and_a_clean_file() {
        let r = lint_of("# check=error=true\nFROM busybox\nMAINTAINER x\n");
        let v: serde_json::Value = serde_json::from_slice(&r.metadata["result.json"]).unwrap();
        assert_eq!(
            v["buildError"],
            serde_json::json!({"message": "lint violation found for rules: MaintainerDeprecated", "location": {}})
        );
        let clean = lint_of("FROM busybox\nCMD [\"true\"]\n");
        let v: serde_json::Value = serde_json::from_slice(&clean.metadata["result.json"]).unwrap();
        assert!(v["warnings"].is_null(), "{v}");
        assert_eq!(clean.metadata["result.statuscode"], b"0");
    }

    #[test]
    fn lint_lists_the_definition_that_loaded_the_dockerfile() {
        use mstage_proto::pb;
        let mut req = request("FROM busybox\nCMD [\"true\"]\n", None);
        req.all_stages = true;
        let checked =
            mstage_compiler::lower::check_blocking(&req, &mstage_compiler::lower::NoneResolver);
        let mut def = pb::Definition {
            def: vec![b"op".to_vec()],
            ..Default::default()
        };
        let meta = pb::OpMetadata {
            description: [("llb.customname".to_string(), "load".to_string())].into(),
            caps: [("source.local".to_string(), true)].into(),
            ..Default::default()
        };
        def.metadata.insert("sha256:ab".into(), meta);
        def.source = Some(pb::Source {
            locations: [("sha256:ab".to_string(), pb::Locations::default())].into(),
            ..Default::default()
        });
        let r = lint(&req, &checked, Some(&def));
        let text = String::from_utf8(r.metadata["result.json"].clone()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            v["sources"][0]["definition"],
            json!({
                "def": ["b3A="],
                "metadata": {"sha256:ab": {"description": {"llb.customname": "load"}, "caps": {"source.local": true}}},
                "Source": {"locations": {"sha256:ab": {}}},
            })
        );
        // In the order of Go's pb.SourceInfo: filename, data, definition, language.
        let at = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
        assert!(
            at("filename") < at("data") && at("data") < at("definition"),
            "{text}"
        );
        assert!(
            at("definition") < at("language") && at("description") < at("caps"),
            "{text}"
        );
    }

    #[test]
    fn outline_text_is_laid_out_as_buildkit_prints_it() {
        let df = "FROM busybox AS app\nARG LONGER_NAME=v\nARG B\nRUN --mount=type=secret,id=tok,required true\n";
        let r = handle(OUTLINE, &request(df, None)).unwrap();
        assert_eq!(
            String::from_utf8(r.metadata["result.txt"].clone()).unwrap(),
            "TARGET: app\n\n\
             BUILD ARG     VALUE   DESCRIPTION\n\
             LONGER_NAME   v       \n\
             B                     \n\n\
             SECRET   REQUIRED\n\
             tok      true\n\n"
        );
    }

    #[test]
    fn unknown_subrequests_name_the_supported_ones() {
        let e = handle("frontend.nope", &request(DOCKERFILE, None)).unwrap_err();
        assert!(e.to_string().contains(OUTLINE), "{e}");
    }
}
