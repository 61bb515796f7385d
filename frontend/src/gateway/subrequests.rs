//! Subrequests (`requestid`): metadata-only answers for `docker buildx build --call=...`.

use std::collections::BTreeMap;

use mstage_proto::gateway as gw;
use serde_json::json;

use base64::Engine as _;

use crate::instructions::{ArgDef, Instruction, MountType};
use crate::lower::{BuildRequest, Checked, CompileError, PlatformBuild};
use crate::syntax::SourceRange;

const DESCRIBE: &str = "frontend.subrequests.describe";
const OUTLINE: &str = "frontend.outline";
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
        OUTLINE => outline(request)?,
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
    metadata.insert("result.json".to_string(), value.to_string().into_bytes());
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
pub fn lint(request: &BuildRequest, checked: &Checked) -> gw::Result {
    let name = &request.dockerfile_name;
    let error = checked.error();
    let value = crate::lint::results_json(&checked.findings, name, &request.dockerfile, error);
    let mut text = crate::lint::results_text(&checked.findings, name, &request.dockerfile);
    if let Some((message, range)) = error {
        text.push_str(message);
        text.push('\n');
        if let Some(r) = range {
            let data = String::from_utf8_lossy(&request.dockerfile);
            let lines: Vec<&str> = data.split('\n').collect();
            crate::lint::snippet(&mut text, name, &lines, r);
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
        let dumped = crate::lower::definition_json(&b.definition);
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

fn location(range: SourceRange) -> serde_json::Value {
    json!({"ranges": [{"start": {"line": range.start_line}, "end": {"line": range.end_line}}]})
}

/// `frontend.outline`: the build args, secrets, SSH sockets and cache mounts the target
/// stage and the stages it needs use.
/// A secret or SSH socket the build asks for.
struct Need {
    id: String,
    required: bool,
    range: SourceRange,
}

impl Need {
    /// Adds `self` unless a need with the same id is already listed (the first use wins).
    fn add_to(self, list: &mut Vec<Need>) {
        if !list.iter().any(|n| n.id == self.id) {
            list.push(self);
        }
    }
}

fn needs_json(list: &[Need]) -> serde_json::Value {
    json!(list
        .iter()
        .map(|n| json!({"name": n.id, "required": n.required, "location": location(n.range)}))
        .collect::<Vec<_>>())
}

fn needs_text(out: &mut String, title: &str, list: &[Need]) {
    if list.is_empty() {
        return;
    }
    out.push_str(&format!("\n{title}\tREQUIRED\n"));
    for n in list {
        out.push_str(&format!(
            "{}\t{}\n",
            n.id,
            if n.required { "true" } else { "" }
        ));
    }
}

/// `frontend.outline`: the build args, secrets, SSH sockets and cache mounts the target
/// stage and the stages it needs use.
fn outline(request: &BuildRequest) -> Result<(serde_json::Value, String), CompileError> {
    let (plan, parsed) = crate::lower::plan_with_instructions(request)?;
    let reachable = plan.reachable();

    let mut args: Vec<(String, Option<String>, SourceRange)> = Vec::new();
    let mut add_arg = |def: &ArgDef, range: SourceRange| {
        if !args.iter().any(|a| a.0 == def.key) {
            args.push((def.key.clone(), def.value.clone(), range));
        }
    };
    for cmd in &parsed.meta_args {
        for def in &cmd.args {
            add_arg(def, cmd.origin.range);
        }
    }
    let mut secrets: Vec<Need> = Vec::new();
    let mut ssh: Vec<Need> = Vec::new();
    let mut caches: Vec<(String, SourceRange)> = Vec::new();
    for stage in plan.stages.iter().filter(|s| reachable[s.id]) {
        for cmd in &stage.commands {
            match &*cmd.instruction {
                Instruction::Arg(a) => {
                    for def in &a.args {
                        add_arg(def, a.origin.range);
                    }
                }
                Instruction::Run(run) => {
                    // Unexpanded: the outline shows what the Dockerfile asks for.
                    let mut keep = |w: &str| Ok::<_, std::convert::Infallible>(w.to_string());
                    let Ok(mounts) = run.expand_mounts(&mut keep) else {
                        continue;
                    };
                    let range = run.origin.range;
                    for m in mounts {
                        let target_name = || {
                            m.target
                                .as_deref()
                                .map(|t| t.rsplit('/').next().unwrap_or(t).to_string())
                        };
                        let need = |id: String| Need {
                            id,
                            required: m.required,
                            range,
                        };
                        match m.mount_type {
                            MountType::Secret => {
                                need(m.id.clone().or_else(target_name).unwrap_or_default())
                                    .add_to(&mut secrets)
                            }
                            MountType::Ssh => {
                                need(m.id.clone().unwrap_or_else(|| "default".to_string()))
                                    .add_to(&mut ssh)
                            }
                            MountType::Cache => {
                                let id =
                                    m.id.clone()
                                        .or_else(|| m.target.clone())
                                        .unwrap_or_default();
                                caches.push((id, range));
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }

    let target = &plan.stages[plan.target];
    let mut text = format!(
        "TARGET: {}\n",
        target
            .name
            .clone()
            .unwrap_or_else(|| format!("stage-{}", target.id))
    );
    if !args.is_empty() {
        text.push_str("\nBUILD ARG\tVALUE\n");
        for (k, v, _) in &args {
            text.push_str(&format!("{k}\t{}\n", v.as_deref().unwrap_or("<UNSET>")));
        }
    }
    needs_text(&mut text, "SECRET", &secrets);
    needs_text(&mut text, "SSH", &ssh);
    let value = json!({
        "name": target.name,
        "args": args.iter().map(|(k, v, r)| {
            let mut a = json!({"name": k, "location": location(*r)});
            if let Some(v) = v { a["value"] = json!(v); }
            a
        }).collect::<Vec<_>>(),
        "secrets": needs_json(&secrets),
        "ssh": needs_json(&ssh),
        "cache": caches.iter().map(|(id, r)| json!({"ID": id, "location": location(*r)})).collect::<Vec<_>>(),
        "sources": [base64::engine::general_purpose::STANDARD.encode(&request.dockerfile)],
    });
    Ok((value, text))
}

fn targets(request: &BuildRequest) -> Result<(serde_json::Value, String), CompileError> {
    let plan = crate::lower::plan(request)?;
    let registered = plan.stages.iter().take(plan.registered);
    let mut list = Vec::new();
    let mut text = String::from("TARGET\tDESCRIPTION\n");
    let last = plan.registered.saturating_sub(1);
    for s in registered {
        let name = s.name.clone().unwrap_or_else(|| format!("stage-{}", s.id));
        let default = s.id == last;
        list.push(json!({
            "name": name,
            "default": default,
            "base": s.base_name,
            "location": location(s.range),
        }));
        text.push_str(&format!(
            "{name}{}\n",
            if default { " (default)" } else { "" }
        ));
    }
    Ok((json!({ "targets": list }), text))
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn outline_lists_what_the_target_needs_only() {
        let v = outline_of(None);
        assert_eq!(v["name"], "app");
        let args: Vec<&str> = v["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        assert_eq!(args, ["VERSION", "MIRROR"]);
        assert_eq!(v["args"][0]["value"], "1.2");
        assert_eq!(v["secrets"].as_array().unwrap().len(), 1, "{v}");
        assert_eq!(v["secrets"][0]["name"], "npmrc");
        assert_eq!(v["secrets"][0]["required"], true);
        assert_eq!(v["secrets"][0]["location"]["ranges"][0]["start"]["line"], 4);
        assert_eq!(v["ssh"][0]["name"], "default");
        assert_eq!(v["cache"][0]["ID"], "/root/.npm");
    }

    #[test]
    fn outline_follows_the_target() {
        let v = outline_of(Some("unused"));
        assert_eq!(v["secrets"][0]["name"], "other");
        assert!(v["ssh"].as_array().unwrap().is_empty());
    }

    fn lint_of(dockerfile: &str) -> gw::Result {
        let mut req = request(dockerfile, None);
        req.all_stages = true;
        let checked = crate::lower::check_blocking(&req, &crate::lower::NoneResolver);
        lint(&req, &checked)
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
    fn unknown_subrequests_name_the_supported_ones() {
        let e = handle("frontend.nope", &request(DOCKERFILE, None)).unwrap_err();
        assert!(e.to_string().contains(OUTLINE), "{e}");
    }
}
