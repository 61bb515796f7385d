//! The build's inputs read through the bridge: the server's caps, the Dockerfile and the
//! `.dockerignore` files from their locals, and the solve and file reads that fetch them
//! (INCLUDE fragments use the same calls, `fragments`).

use std::collections::BTreeSet;

use llb_gen::{Differ, MarshalOptions, OpOptions};
use mstage_proto::gateway::{self as gw, result::Result as RefKind};
use mstage_proto::{pb, prost, rpc, tonic};

use super::errors;
use super::options::FrontendOptions;
use super::transport::Client;
use mstage_compiler::image::Platform;
use mstage_compiler::lower::Capabilities;

/// What the running BuildKit supports (from `Ping`).
pub struct ServerCaps {
    pub gateway: BTreeSet<String>,
    pub llb: Capabilities,
    pub worker_platforms: Vec<Platform>,
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
    /// The local it was read from (`dockerfile`), where INCLUDE fragments are read too.
    pub local_name: String,
}

/// Results may hold arrays of references (one per platform).
pub(super) const REFARRAY_CAP: &str = "proto.refarray";

/// Solves a Definition lazily and returns the ref it becomes.
pub(super) async fn solve(
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

pub(super) async fn read_file(
    client: &mut Client,
    r: &RefKind,
    path: &str,
) -> Result<Vec<u8>, tonic::Status> {
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
pub(super) fn small_local(
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

pub(super) async fn load_dockerfile(
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
        local_name: local_name.to_string(),
    })
}

/// The context's `.dockerignore` (missing = no patterns).
pub(super) async fn context_dockerignore(
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
