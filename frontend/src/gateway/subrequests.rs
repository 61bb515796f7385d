//! Subrequests (`requestid`): metadata-only answers for `docker buildx build --call=...`.

use std::collections::BTreeMap;

use mstage_proto::gateway as gw;
use serde_json::json;

use crate::lower::{BuildRequest, CompileError};

const DESCRIBE: &str = "frontend.subrequests.describe";
const TARGETS: &str = "frontend.targets";

/// Answers subrequest `id`; unknown ones are an error naming what is supported.
pub fn handle(id: &str, request: &BuildRequest) -> Result<gw::Result, CompileError> {
    let (value, text) = match id {
        DESCRIBE => describe(),
        TARGETS => targets(request)?,
        other => {
            return Err(CompileError::request(format!(
                "unsupported request {other}: mstage answers {DESCRIBE} and {TARGETS}"
            )))
        }
    };
    let mut metadata = BTreeMap::new();
    metadata.insert("result.json".to_string(), value.to_string().into_bytes());
    metadata.insert("result.txt".to_string(), text.into_bytes());
    metadata.insert("version".to_string(), b"1.0.0".to_vec());
    Ok(gw::Result {
        metadata,
        ..Default::default()
    })
}

fn describe() -> (serde_json::Value, String) {
    let list = [
        (DESCRIBE, "List available subrequest types"),
        (TARGETS, "List all targets current build supports"),
    ];
    let v = json!(list
        .iter()
        .map(|(n, d)| json!({"name": n, "version": "1.0.0", "type": "rpc", "description": d}))
        .collect::<Vec<_>>());
    let text = list.iter().map(|(n, d)| format!("{n:<32}{d}\n")).collect();
    (v, text)
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
            "location": {"ranges": [{"start": {"line": s.range.start_line}, "end": {"line": s.range.end_line}}]},
        }));
        text.push_str(&format!(
            "{name}{}\n",
            if default { " (default)" } else { "" }
        ));
    }
    Ok((json!({ "targets": list }), text))
}
