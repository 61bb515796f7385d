//! Behaviour of the lowering that users rely on: unreachable stages cost nothing,
//! independent stages share no ops (so BuildKit runs them in parallel), secrets never
//! reach the Definition or image config, and a build arg changes exactly the ops that use it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use llb_gen::op_digest;
use mstage_compiler::lower::{
    compile_blocking, BoxFuture, BuildRequest, ImageResolver, NoneResolver, ResolveError,
    ResolveRequest, ResolvedImage,
};
use mstage_proto::pb;
use mstage_proto::prost::Message;

/// Records what it was asked, answers like [`NoneResolver`].
#[derive(Default)]
struct Recorder {
    asked: Mutex<Vec<String>>,
}

impl ImageResolver for Recorder {
    fn resolve<'a>(
        &'a self,
        request: &'a ResolveRequest,
    ) -> BoxFuture<'a, Result<ResolvedImage, ResolveError>> {
        self.asked.lock().unwrap().push(request.reference.clone());
        NoneResolver.resolve(request)
    }
}

fn ops(def: &pb::Definition) -> HashMap<String, pb::Op> {
    def.def
        .iter()
        .map(|b| (op_digest(b), pb::Op::decode(b.as_slice()).unwrap()))
        .collect()
}

fn names(def: &pb::Definition) -> Vec<String> {
    def.metadata
        .values()
        .filter_map(|m| m.description.get("llb.customname").cloned())
        .collect()
}

/// Every op `start` depends on, itself included.
fn ancestors(all: &HashMap<String, pb::Op>, start: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![start.to_string()];
    while let Some(d) = stack.pop() {
        if !seen.insert(d.clone()) {
            continue;
        }
        if let Some(op) = all.get(&d) {
            stack.extend(op.inputs.iter().map(|i| i.digest.clone()));
        }
    }
    seen
}

#[test]
fn unreachable_stages_produce_no_ops_and_resolve_no_images() {
    let df = "FROM alpine AS used\nRUN echo used\n\nFROM debian:12 AS unused\nRUN echo never\n\nFROM used\nRUN echo final\n";
    let rec = Recorder::default();
    let b = compile_blocking(&BuildRequest::golden(df), &rec).unwrap();
    let asked = rec.asked.lock().unwrap().clone();
    assert_eq!(asked, vec!["docker.io/library/alpine:latest".to_string()]);
    let def = &b[0].build.definition;
    assert!(names(def).iter().all(|n| !n.contains("unused")));
    let bytes = def.encode_to_vec();
    assert!(!String::from_utf8_lossy(&bytes).contains("echo never"));
    assert!(!b[0].dispatched[1], "the unused stage must not be lowered");
}

#[test]
fn independent_stages_have_disjoint_op_sets() {
    let df = "FROM alpine AS a\nRUN echo a > /a\n\nFROM debian AS b\nRUN echo b > /b\n\nFROM busybox\nCOPY --from=a /a /a\nCOPY --from=b /b /b\n";
    let b = compile_blocking(&BuildRequest::golden(df), &NoneResolver).unwrap();
    let def = &b[0].build.definition;
    let all = ops(def);
    // The two COPY ops: their second input is the stage they copy from.
    let mut stage_heads = Vec::new();
    for op in all.values() {
        if let Some(pb::op::Op::File(f)) = &op.op {
            let a = &f.actions[0];
            if a.secondary_input >= 0 {
                stage_heads.push(op.inputs[a.secondary_input as usize].digest.clone());
            }
        }
    }
    assert_eq!(stage_heads.len(), 2);
    let x = ancestors(&all, &stage_heads[0]);
    let y = ancestors(&all, &stage_heads[1]);
    assert!(
        x.is_disjoint(&y),
        "stages a and b share ops: {:?}",
        x.intersection(&y).collect::<Vec<_>>()
    );
}

#[test]
fn secret_values_never_reach_definition_or_config() {
    let secret = "hunter2-s3cr3t";
    let df = "FROM alpine\nRUN --mount=type=secret,id=token,env=TOKEN --mount=type=secret,id=npmrc,target=/root/.npmrc echo \"$TOKEN\"\n";
    let mut req = BuildRequest::golden(df);
    // A build arg of the same name that the Dockerfile never declares must not leak either.
    req.build_args = BTreeMap::from([("TOKEN".to_string(), secret.to_string())]);
    let b = compile_blocking(&req, &NoneResolver).unwrap();
    let def_bytes = b[0].build.definition.encode_to_vec();
    assert!(!String::from_utf8_lossy(&def_bytes).contains(secret));
    assert!(!String::from_utf8_lossy(&b[0].build.image_config).contains(secret));
    // The mounts reference the secret by id only.
    let exec = ops(&b[0].build.definition)
        .into_values()
        .find_map(|o| match o.op {
            Some(pb::op::Op::Exec(e)) => Some(e),
            _ => None,
        })
        .unwrap();
    assert_eq!(exec.secretenv[0].id, "token");
    assert_eq!(exec.secretenv[0].name, "TOKEN");
    assert!(exec.mounts.iter().any(
        |m| m.dest == "/root/.npmrc" && m.secret_opt.as_ref().is_some_and(|s| s.id == "npmrc")
    ));
}

#[test]
fn build_arg_changes_exactly_the_ops_that_use_it() {
    let df = "FROM alpine AS uses\nARG V=1\nRUN echo $V > /v\nRUN echo after\n\nFROM debian AS other\nRUN echo other > /o\n\nFROM busybox\nCOPY --from=other /o /o\nCOPY --from=uses /v /v\n";
    let compile = |v: &str| {
        let mut req = BuildRequest::golden(df);
        req.build_args = BTreeMap::from([("V".to_string(), v.to_string())]);
        let b = compile_blocking(&req, &NoneResolver).unwrap();
        let def = b[0].build.definition.clone();
        let md = def.metadata.clone();
        ops(&def)
            .into_keys()
            .map(|d| {
                let name = md
                    .get(&d)
                    .and_then(|m| m.description.get("llb.customname").cloned())
                    .unwrap_or_default();
                (d, name)
            })
            .collect::<BTreeMap<String, String>>()
    };
    let one = compile("1");
    let two = compile("2");
    let changed: BTreeSet<String> = one
        .iter()
        .filter(|(d, _)| !two.contains_key(*d))
        .map(|(_, n)| n.clone())
        .collect();
    let expected: BTreeSet<String> = [
        "[uses 2/3] RUN echo 1 > /v",
        "[uses 3/3] RUN echo after",
        "[stage-2 3/3] COPY --from=uses /v /v",
        "",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(changed, expected);
}

/// Answers every image with a config carrying ONBUILD triggers.
struct WithOnbuild;

impl ImageResolver for WithOnbuild {
    fn resolve<'a>(
        &'a self,
        request: &'a ResolveRequest,
    ) -> BoxFuture<'a, Result<ResolvedImage, ResolveError>> {
        Box::pin(async move {
            let onbuild: Vec<&str> = if request.reference.contains("onbuild-base") {
                vec!["RUN echo triggered", "COPY --from=helper /h /h"]
            } else {
                vec![]
            };
            let cfg = serde_json::json!({
                "architecture": "amd64", "os": "linux",
                "rootfs": {"type": "layers", "diff_ids": ["sha256:aa"]},
                "config": {"Env": ["PATH=/bin"], "OnBuild": onbuild}
            });
            Ok(ResolvedImage {
                reference: request.reference.clone(),
                digest: Some(format!("sha256:{}", "1".repeat(64))),
                config: serde_json::to_vec(&cfg).unwrap(),
            })
        })
    }
}

#[test]
fn onbuild_triggers_of_base_images_and_stages_run() {
    // Image triggers run first in the stage, may read other stages, and do not carry on.
    let df = "FROM alpine AS helper\nRUN touch /h\n\nFROM onbuild-base AS app\nRUN echo app\n";
    let b = compile_blocking(&BuildRequest::golden(df), &WithOnbuild).unwrap();
    let found = names(&b[0].build.definition);
    assert!(
        found.contains(&"[app 2/4] ONBUILD RUN echo triggered".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"[app 3/4] ONBUILD COPY --from=helper /h /h".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"[app 4/4] RUN echo app".to_string()),
        "{found:?}"
    );
    // The resolved digest is pinned.
    assert!(
        found
            .iter()
            .any(|n| n.contains("onbuild-base:latest@sha256:111")),
        "{found:?}"
    );
    let cfg: serde_json::Value = serde_json::from_slice(&b[0].build.image_config).unwrap();
    assert!(cfg["config"].get("OnBuild").is_none());

    // A stage's own ONBUILD runs in stages built FROM it.
    let df = "FROM alpine AS base\nONBUILD RUN echo from-base\n\nFROM base\nRUN echo child\n";
    let b = compile_blocking(&BuildRequest::golden(df), &NoneResolver).unwrap();
    let found = names(&b[0].build.definition);
    assert!(
        found
            .iter()
            .any(|n| n.ends_with("ONBUILD RUN echo from-base")),
        "{found:?}"
    );
}

#[test]
fn capabilities_drive_degradation_like_the_stock_frontend() {
    let df = "FROM alpine\nCOPY --link a /a\nRUN --mount=type=bind,target=/src,rw ls\n";
    let full = compile_blocking(&BuildRequest::golden(df), &NoneResolver).unwrap();
    let kinds = |def: &pb::Definition| {
        ops(def)
            .into_values()
            .filter_map(|o| match o.op {
                Some(pb::op::Op::Merge(_)) => Some("merge"),
                Some(pb::op::Op::File(_)) => Some("file"),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert!(kinds(&full[0].build.definition).contains(&"merge"));
    let rw_output = |def: &pb::Definition| {
        ops(def).into_values().find_map(|o| match o.op {
            Some(pb::op::Op::Exec(e)) => {
                e.mounts.iter().find(|m| m.dest == "/src").map(|m| m.output)
            }
            _ => None,
        })
    };
    assert_eq!(rw_output(&full[0].build.definition), Some(-1));

    let mut old = BuildRequest::golden(df);
    old.caps.remove("mergeop");
    old.caps.remove("exec.mount.bind.readwrite-nooutput");
    old.caps.remove("exec.meta.setsdefaultpath");
    let b = compile_blocking(&old, &NoneResolver).unwrap();
    let def = &b[0].build.definition;
    assert!(
        !kinds(def).contains(&"merge"),
        "--link must fall back to a plain copy"
    );
    assert_eq!(
        rw_output(def),
        Some(1),
        "rw bind keeps a (discarded) output"
    );
    assert!(def
        .metadata
        .values()
        .all(|m| !m.caps.contains_key("exec.meta.setsdefaultpath")));

    // A feature that cannot degrade is refused with its cap named.
    let mut ancient = BuildRequest::golden("FROM alpine\nCOPY --exclude=*.md . /src\n");
    ancient.caps.remove("file.copy.includeexcludepatterns");
    let Err(e) = compile_blocking(&ancient, &NoneResolver) else {
        panic!("a BuildKit without exclude patterns must be refused");
    };
    assert!(
        e.message.contains("file.copy.includeexcludepatterns"),
        "{e}"
    );
}

#[test]
fn source_map_points_ops_at_their_dockerfile_lines() {
    let df = "FROM alpine\n\nRUN echo one \\\n    two\nCOPY a /a\n";
    let mut req = BuildRequest::golden(df);
    req.source_map = true;
    let b = compile_blocking(&req, &NoneResolver).unwrap();
    let def = &b[0].build.definition;
    let src = def.source.as_ref().expect("source map");
    assert_eq!(src.infos[0].filename, "Dockerfile");
    assert_eq!(src.infos[0].language, "Dockerfile");
    assert_eq!(src.infos[0].data, df.as_bytes());
    let lines_of = |name_prefix: &str| {
        let (digest, _) = def
            .metadata
            .iter()
            .find(|(_, m)| {
                m.description
                    .get("llb.customname")
                    .is_some_and(|n| n.starts_with(name_prefix))
            })
            .unwrap();
        let loc = &src.locations[digest].locations[0].ranges[0];
        (loc.start.unwrap().line, loc.end.unwrap().line)
    };
    assert_eq!(lines_of("[1/3] FROM"), (1, 1));
    assert_eq!(lines_of("[2/3] RUN"), (3, 4));
    assert_eq!(lines_of("[3/3] COPY"), (5, 5));
}

#[test]
fn proxy_build_args_reach_runs_but_not_env_or_history() {
    let mut req = BuildRequest::golden("FROM alpine\nRUN apk add curl\n");
    req.build_args = BTreeMap::from([
        (
            "HTTP_PROXY".to_string(),
            "http://proxy.example:3128".to_string(),
        ),
        ("no_proxy".to_string(), "localhost".to_string()),
    ]);
    let b = compile_blocking(&req, &NoneResolver).unwrap();
    let exec = ops(&b[0].build.definition)
        .into_values()
        .find_map(|o| match o.op {
            Some(pb::op::Op::Exec(e)) => Some(e),
            _ => None,
        })
        .unwrap();
    let meta = exec.meta.unwrap();
    let proxy = meta.proxy_env.expect("proxy env");
    assert_eq!(proxy.http_proxy, "http://proxy.example:3128");
    assert_eq!(proxy.no_proxy, "localhost");
    assert!(meta.env.iter().all(|e| !e.to_lowercase().contains("proxy")));
    let cfg = String::from_utf8(b[0].build.image_config.clone()).unwrap();
    assert!(!cfg.contains("proxy.example"), "{cfg}");
}

#[test]
fn named_local_context_sends_only_the_paths_used() {
    let df =
        "FROM alpine\nCOPY --from=assets /img/logo.png /srv/\nCOPY --from=assets css /srv/css\n";
    let mut req = BuildRequest::golden(df);
    req.named_contexts.insert(
        "assets".into(),
        mstage_compiler::lower::NamedContext::Local {
            name: "assets-dir".into(),
            exclude_patterns: vec!["*.tmp".into()],
        },
    );
    let b = compile_blocking(&req, &NoneResolver).unwrap();
    // As upstream, each `--from` use of a context is its own source, sending what it reads.
    let sources: Vec<pb::SourceOp> = ops(&b[0].build.definition)
        .into_values()
        .filter_map(|o| match o.op {
            Some(pb::op::Op::Source(s)) if s.identifier == "local://assets-dir" => Some(s),
            _ => None,
        })
        .collect();
    let follow: BTreeSet<&str> = sources
        .iter()
        .map(|s| s.attrs["local.followpaths"].as_str())
        .collect();
    assert_eq!(
        follow,
        BTreeSet::from([r#"["css"]"#, r#"["img/logo.png"]"#])
    );
    assert!(sources
        .iter()
        .all(|s| s.attrs["local.excludepatterns"] == r#"["*.tmp"]"#));
}

#[test]
fn stages_on_the_same_base_resolve_it_once() {
    let df = "FROM alpine AS a\nRUN echo a\nFROM alpine AS b\nRUN echo b\nFROM debian:12\nCOPY --from=a /a /a\nCOPY --from=b /b /b\n";
    let rec = Recorder::default();
    let b = compile_blocking(&BuildRequest::golden(df), &rec).unwrap();
    let asked = rec.asked.lock().unwrap().clone();
    assert_eq!(
        asked,
        vec![
            "docker.io/library/alpine:latest".to_string(),
            "docker.io/library/debian:12".to_string()
        ]
    );
    // Every stage still records its base.
    assert_eq!(b[0].resolved.len(), 3);
}
