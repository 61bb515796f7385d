//! One build through the gateway: caps, Dockerfile, compile, solve, return.

use std::collections::{BTreeMap, BTreeSet};

use llb_gen::{Differ, MarshalOptions, OpOptions};
use mstage_proto::gateway::{self as gw, result::Result as RefKind};
use mstage_proto::{pb, prost, rpc, tonic};
use serde_json::json;

use super::errors::{self, SourceFile};
use super::options::FrontendOptions;
use super::request;
use super::resolver::{to_pb_platform, GatewayResolver};
use super::subrequests;
use super::transport::Client;
use super::GatewayError;
use mstage_compiler::image::Platform;
use mstage_compiler::lint::Finding;
use mstage_compiler::lower::{BuildRequest, Capabilities, CompileError, PlatformBuild};

/// What the running BuildKit supports (from `Ping`).
pub struct ServerCaps {
    pub gateway: BTreeSet<String>,
    pub llb: Capabilities,
    pub worker_platforms: Vec<Platform>,
}

/// Gateway caps assumed when `Ping` lists none (grpcclient's frozen defaults).
const DEFAULT_GATEWAY_CAPS: &[&str] = &[
    "solve.base",
    "solve.inlinereturn",
    "resolveimage",
    "readfile",
];

fn enabled(caps: &[mstage_proto::apicaps::ApiCap]) -> BTreeSet<String> {
    caps.iter()
        .filter(|c| c.enabled)
        .map(|c| c.id.clone())
        .collect()
}

/// Runs the build and sends exactly one `Return`.
pub async fn run(mut client: Client, opts: FrontendOptions) -> Result<(), GatewayError> {
    let pong = client
        .ping(gw::PingRequest {})
        .await
        .map_err(GatewayError::rpc("Ping"))?
        .into_inner();
    let mut gateway = enabled(&pong.frontend_api_caps);
    if gateway.is_empty() {
        gateway = DEFAULT_GATEWAY_CAPS.iter().map(|s| s.to_string()).collect();
    }
    let llb_ids = enabled(&pong.llb_caps);
    let llb = if llb_ids.is_empty() {
        Capabilities::legacy_defaults()
    } else {
        llb_ids.into_iter().collect()
    };
    let mut worker_platforms = opts.worker_platforms.clone();
    if worker_platforms.is_empty() {
        worker_platforms = pong
            .workers
            .iter()
            .flat_map(|w| w.platforms.iter())
            .map(|p| Platform::new(&p.os, &p.architecture, &p.variant))
            .collect();
    }
    let caps = ServerCaps {
        gateway,
        llb,
        worker_platforms,
    };
    tracing::debug!(gateway_caps = ?caps.gateway, "connected to BuildKit");

    let ret = match build(&mut client, &opts, &caps).await {
        Ok(result) => gw::ReturnRequest {
            result: Some(result),
            error: None,
        },
        Err(status) => gw::ReturnRequest {
            result: None,
            error: Some(status),
        },
    };
    client
        .r#return(ret)
        .await
        .map_err(GatewayError::rpc("Return"))?;
    Ok(())
}

/// A failed gateway call as a Return error: keep BuildKit's own status (with its details,
/// e.g. the source location of a failed RUN) when it has one.
fn passthrough(call: &'static str, s: tonic::Status) -> rpc::Status {
    if !s.details().is_empty() {
        if let Ok(st) = <rpc::Status as prost::Message>::decode(s.details()) {
            return st;
        }
    }
    errors::status(&format!("{call}: {}", s.message()), None, None)
}

/// The Dockerfile as read from the client.
pub struct LoadedDockerfile {
    pub name: String,
    pub data: Vec<u8>,
    /// Dockerfile-specific ignore file (`<name>.dockerignore`), if present.
    pub ignore: Option<Vec<u8>>,
    pub definition: pb::Definition,
}

async fn build(
    client: &mut Client,
    opts: &FrontendOptions,
    caps: &ServerCaps,
) -> Result<gw::Result, rpc::Status> {
    let context_name = opts
        .get("contextkey")
        .filter(|s| !s.is_empty())
        .unwrap_or("context");
    // Both reads wait for a transfer from the client, so they run side by side, as in
    // BuildKit's own frontend. The context's `.dockerignore` is read even when a
    // Dockerfile-specific one turns up and wins: one small file, against a round trip.
    let mut ignore_client = client.clone();
    let (df, context_ignore) = tokio::join!(
        load_dockerfile(client, opts, caps),
        context_dockerignore(&mut ignore_client, opts, caps, context_name),
    );
    let df = df?;
    let file = SourceFile {
        filename: &df.name,
        data: &df.data,
        definition: Some(&df.definition),
    };
    let dockerignore = match &df.ignore {
        Some(own) => Ok(own.as_slice()),
        None => context_ignore
            .as_deref()
            .map_err(|s| CompileError::request(s.message.clone())),
    };
    let mut request = dockerignore
        .and_then(|ignore| build_request(opts, caps, &df, context_name, ignore))
        .map_err(|e| compile_status(e, &file))?;

    let subrequest = opts.get("requestid").filter(|s| !s.is_empty());
    // BuildKit's frontend answers `--call` errors without the Dockerfile snippet.
    let plain = |e: CompileError| errors::status(&e.message, None, None);
    let compiled_subrequest = [
        subrequests::CONVERT_LLB,
        subrequests::LINT,
        subrequests::OUTLINE,
    ];
    if let Some(id) = subrequest.filter(|id| !compiled_subrequest.contains(id)) {
        return subrequests::handle(id, &request).map_err(plain);
    }
    let lint = subrequest == Some(subrequests::LINT);
    // Warnings are worth finding only where someone sees them.
    request.checks = lint || caps.gateway.contains(WARNINGS_CAP);
    // Without a target, `frontend.lint` checks every stage.
    request.all_stages = lint && request.target.is_none();

    let resolver = GatewayResolver::new(client.clone(), opts.session_id.clone());
    let checked = mstage_compiler::lower::compile_checked(&request, &resolver).await;
    if lint {
        return Ok(subrequests::lint(&request, &checked, Some(&df.definition)));
    }
    if caps.gateway.contains(WARNINGS_CAP) {
        send_warnings(client, &df, &checked.findings).await;
    }
    if subrequest == Some(subrequests::OUTLINE) {
        // The outline is made after a full compile, as in BuildKit: the base images are
        // resolved (a missing one fails it), the build checks warn as in a build, and a
        // check violation (`error=true`) fails it.
        checked.into_result().map_err(plain)?;
        return subrequests::handle(subrequests::OUTLINE, &request).map_err(plain);
    }
    let builds: Vec<PlatformBuild> = checked
        .into_result()
        .map_err(|e| compile_status(e, &file))?
        .into_iter()
        .map(|c| c.build)
        .collect();
    if subrequest.is_some() {
        return Ok(subrequests::convert_llb(&builds));
    }
    solve_and_collect(client, caps, &request, builds).await
}

/// The gateway capability for build warnings (`Warn`); BuildKit v0.8 does not have it.
const WARNINGS_CAP: &str = "gateway.warnings";
/// Results may hold arrays of references (one per platform).
const REFARRAY_CAP: &str = "proto.refarray";
/// The gateway caps the build decides by: each must be one BuildKit registers
/// (`frontend/gateway/pb/caps.go`), or no `Ping` could list it.
#[cfg(test)]
const GATED_GATEWAY_CAPS: &[&str] = &[WARNINGS_CAP, REFARRAY_CAP];

/// Sends each finding as a build warning, as BuildKit's frontend does: `Rule: detail (line
/// N)`, the rule's description and link, the Dockerfile and the lines. A warning that cannot
/// be sent is only logged: it must not fail the build.
async fn send_warnings(client: &mut Client, df: &LoadedDockerfile, findings: &[Finding]) {
    // The vertex of the Dockerfile's local source (the op before the terminal one).
    let digest = df
        .definition
        .def
        .iter()
        .rev()
        .nth(1)
        .map(|op| llb_gen::op_digest(op))
        .unwrap_or_default();
    let info = pb::SourceInfo {
        filename: df.name.clone(),
        data: df.data.clone(),
        definition: Some(df.definition.clone()),
        language: "Dockerfile".into(),
    };
    for f in findings {
        let line = |l: usize| pb::Position {
            line: l as i32,
            character: 0,
        };
        let request = gw::WarnRequest {
            digest: digest.clone(),
            level: 1,
            short: f.short().into_bytes(),
            detail: vec![f.rule.description().as_bytes().to_vec()],
            url: f.rule.url().unwrap_or_default(),
            info: Some(info.clone()),
            ranges: f
                .lines()
                .map(|l| pb::Range {
                    start: Some(line(l)),
                    end: Some(line(l)),
                })
                .collect(),
        };
        if let Err(e) = client.warn(request).await {
            tracing::warn!(error = %e.message(), "could not send a build warning");
        }
    }
}

fn compile_status(e: CompileError, file: &SourceFile<'_>) -> rpc::Status {
    errors::status(&e.message, e.range, Some(file))
}

/// Solves a Definition lazily and returns the ref it becomes.
async fn solve(
    client: &mut Client,
    caps: &ServerCaps,
    def: pb::Definition,
) -> Result<RefKind, rpc::Status> {
    let request = gw::SolveRequest {
        definition: Some(def),
        allow_result_return: true,
        allow_result_array_ref: caps.gateway.contains(REFARRAY_CAP),
        ..Default::default()
    };
    // The compile refuses an oversized Definition already; this also covers the request
    // around it, so that the user never sees buildkitd's ResourceExhausted instead.
    let size = prost::Message::encoded_len(&request);
    if size > mstage_compiler::lower::MAX_MESSAGE_BYTES {
        return Err(errors::status(
            &mstage_compiler::lower::too_large("the Solve request", size),
            None,
            None,
        ));
    }
    let resp = client
        .solve(request)
        .await
        .map_err(|s| passthrough("solve", s))?
        .into_inner();
    match resp.result.and_then(|r| r.result) {
        Some(r) => Ok(r),
        None if !resp.r#ref.is_empty() => Ok(RefKind::RefDeprecated(resp.r#ref)),
        None => Err(errors::status(
            "BuildKit returned no result for a solve",
            None,
            None,
        )),
    }
}

fn ref_id(r: &RefKind) -> Option<&str> {
    match r {
        RefKind::RefDeprecated(id) => Some(id),
        RefKind::Ref(r) => Some(&r.id),
        _ => None,
    }
}

async fn read_file(client: &mut Client, r: &RefKind, path: &str) -> Result<Vec<u8>, tonic::Status> {
    let id = ref_id(r).unwrap_or_default().to_string();
    Ok(client
        .read_file(gw::ReadFileRequest {
            r#ref: id,
            file_path: path.to_string(),
            ..Default::default()
        })
        .await?
        .into_inner()
        .data)
}

/// A local source for a small file read (the Dockerfile, `.dockerignore`).
fn small_local(
    name: &str,
    follow: Vec<String>,
    key_hint: &str,
    custom_name: String,
    opts: &FrontendOptions,
    caps: &ServerCaps,
) -> Result<pb::Definition, rpc::Status> {
    let mut l = llb_gen::local(name);
    l = match &opts.session_id {
        Some(sid) => l.session_id(sid.clone()),
        None => l.unique_id("mstage"),
    };
    l = l.follow_paths(follow).shared_key_hint(key_hint);
    if caps.llb.allows(mstage_compiler::lower::Gate::LocalDiffer) {
        // Not required, as BuildKit's own frontend asks (so the op declares no cap; the
        // `frontend.lint` answer lists this Definition).
        l = l.differ(Differ::None, false);
    }
    let st = l.custom_name(custom_name).build();
    let platform = caps
        .worker_platforms
        .first()
        .cloned()
        .unwrap_or_else(Platform::host);
    let mopts = MarshalOptions::new(llb_gen::Platform::new(
        platform.os.clone(),
        platform.architecture.clone(),
    ))
    .llb_caps(caps.llb.iter());
    st.marshal(&mopts)
        .map_err(|e| errors::status(&format!("internal error: {e}"), None, None))
}

async fn load_dockerfile(
    client: &mut Client,
    opts: &FrontendOptions,
    caps: &ServerCaps,
) -> Result<LoadedDockerfile, rpc::Status> {
    let mut name = opts
        .get("filename")
        .filter(|s| !s.is_empty())
        .unwrap_or("Dockerfile")
        .to_string();
    if let Some(sub) = opts.get("contextsubdir").filter(|s| !s.is_empty()) {
        name = format!("{}/{}", sub.trim_end_matches('/'), name);
    }
    let local_name = opts
        .get("dockerfilekey")
        .filter(|s| !s.is_empty())
        .unwrap_or("dockerfile");
    let ignore_name = format!("{name}.dockerignore");
    let mut follow = vec![name.clone(), ignore_name.clone()];
    if name == "Dockerfile" {
        follow.push("dockerfile".into());
    }
    let def = small_local(
        local_name,
        follow,
        local_name,
        format!("[internal] load build definition from {name}"),
        opts,
        caps,
    )?;
    let r = solve(client, caps, def.clone()).await?;
    let mut ignore_client = client.clone();
    let (data, ignore) = tokio::join!(
        read_file(client, &r, &name),
        read_file(&mut ignore_client, &r, &ignore_name),
    );
    let data = match data {
        Ok(d) => d,
        Err(first) if name == "Dockerfile" => {
            read_file(client, &r, "dockerfile").await.map_err(|_| {
                errors::status(
                    &format!("failed to read dockerfile: {}", first.message()),
                    None,
                    None,
                )
            })?
        }
        Err(e) => {
            return Err(errors::status(
                &format!("failed to read dockerfile: {}", e.message()),
                None,
                None,
            ))
        }
    };
    Ok(LoadedDockerfile {
        name,
        data,
        ignore: ignore.ok(),
        definition: def,
    })
}

/// The context's `.dockerignore` (missing = no patterns).
async fn context_dockerignore(
    client: &mut Client,
    opts: &FrontendOptions,
    caps: &ServerCaps,
    context_name: &str,
) -> Result<Vec<u8>, rpc::Status> {
    let def = small_local(
        context_name,
        vec![".dockerignore".into()],
        &format!("{context_name}-.dockerignore"),
        "[internal] load .dockerignore".into(),
        opts,
        caps,
    )?;
    let r = solve(client, caps, def).await?;
    Ok(read_file(client, &r, ".dockerignore")
        .await
        .unwrap_or_default())
}

/// The compile request: the options' part from [`request::from_options`], the rest from
/// the Dockerfile and the server's caps.
fn build_request(
    opts: &FrontendOptions,
    caps: &ServerCaps,
    df: &LoadedDockerfile,
    context_name: &str,
    dockerignore: &[u8],
) -> Result<BuildRequest, CompileError> {
    Ok(BuildRequest {
        dockerfile: df.data.clone(),
        dockerfile_name: df.name.clone(),
        build_platforms: caps.worker_platforms.clone(),
        context_name: context_name.to_string(),
        caps: caps.llb.clone(),
        source_map: true,
        dockerfile_definition: Some(df.definition.clone()),
        ..request::from_options(opts, dockerignore)?
    })
}

/// Solves each platform's Definition and assembles the `Return` result.
async fn solve_and_collect(
    client: &mut Client,
    caps: &ServerCaps,
    request: &BuildRequest,
    builds: Vec<PlatformBuild>,
) -> Result<gw::Result, rpc::Status> {
    let mut metadata = BTreeMap::new();
    let mut platforms = Vec::new();
    let single = builds.len() == 1 && !request.multi_platform;
    let mut refs = BTreeMap::new();
    let mut only = None;
    for b in builds {
        let id = b.platform.format_all();
        let r = solve(client, caps, b.definition.clone()).await?;
        let r = match r {
            RefKind::Ref(r) => r,
            RefKind::RefDeprecated(id) => gw::Ref { id, def: None },
            _ => {
                return Err(errors::status(
                    "BuildKit returned several refs for one solve",
                    None,
                    None,
                ))
            }
        };
        let suffix = if single {
            String::new()
        } else {
            format!("/{id}")
        };
        metadata.insert(
            format!("containerimage.config{suffix}"),
            b.image_config.clone(),
        );
        if let Some(base) = &b.base_image_config {
            metadata.insert(format!("containerimage.base.config{suffix}"), base.clone());
        }
        platforms.push(json!({"ID": id, "Platform": to_platform_json(&b.platform)}));
        if single {
            only = Some(r);
        } else {
            refs.insert(id, r);
        }
    }
    metadata.insert(
        "refs.platforms".into(),
        json!({ "Platforms": platforms }).to_string().into_bytes(),
    );
    let refarray = caps.gateway.contains(REFARRAY_CAP);
    let result = match (only, refarray) {
        (Some(r), true) => RefKind::Ref(r),
        (Some(r), false) => RefKind::RefDeprecated(r.id),
        (None, true) => RefKind::Refs(gw::RefMap { refs }),
        (None, false) => RefKind::RefsDeprecated(gw::RefMapDeprecated {
            refs: refs.into_iter().map(|(k, v)| (k, v.id)).collect(),
        }),
    };
    Ok(gw::Result {
        metadata,
        result: Some(result),
        ..Default::default()
    })
}

fn to_platform_json(p: &Platform) -> serde_json::Value {
    let pb = to_pb_platform(p);
    let mut v = json!({"architecture": pb.architecture, "os": pb.os});
    if !pb.variant.is_empty() {
        v["variant"] = json!(pb.variant);
    }
    v
}

#[cfg(test)]
mod tests {
    /// The gateway caps a current BuildKit registers (v0.32): what its `Ping` lists.
    const REGISTERED_GATEWAY_CAPS: &[&str] = &[
        "frontend.caps",
        "frontend.inputs",
        "gateway.evaluate",
        "gateway.exec",
        "gateway.exec.extrahosts",
        "gateway.exec.filesystem",
        "gateway.exec.secretenv",
        "gateway.exec.signals",
        "gateway.solve.evaluate",
        "gateway.solve.metadata",
        "gateway.warnings",
        "importcaches",
        "proto.refarray",
        "readdir",
        "readfile",
        "reference.attestations",
        "reference.output",
        "resolveimage",
        "resolveimage.resolvemode",
        "return",
        "returnmap",
        "solve.base",
        "solve.inlinereturn",
        "source.metaresolver",
        "source.metaresolver.http.checksumrequest",
        "source.metaresolver.image.attestations",
        "statfile",
    ];

    #[test]
    fn every_gateway_cap_decided_on_is_registered() {
        for cap in super::GATED_GATEWAY_CAPS
            .iter()
            .chain(super::DEFAULT_GATEWAY_CAPS)
        {
            assert!(
                REGISTERED_GATEWAY_CAPS.contains(cap),
                "{cap} is not a registered gateway cap"
            );
        }
    }
}
