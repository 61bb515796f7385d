//! Base images resolved by BuildKit itself (`ResolveImageConfig`), so the build sees the
//! same registries, credentials and local images as `docker build`.

use mstage_proto::pb;

use super::transport::Client;
use mstage_compiler::image::Platform;
use mstage_compiler::lower::{
    BoxFuture, ImageResolver, ResolveError, ResolveRequest, ResolvedImage,
};

/// Asks the bridge; safe to use concurrently (each call clones the client handle).
pub struct GatewayResolver {
    client: Client,
    session_id: String,
}

impl GatewayResolver {
    pub fn new(client: Client, session_id: Option<String>) -> Self {
        GatewayResolver {
            client,
            session_id: session_id.unwrap_or_default(),
        }
    }
}

pub(crate) fn to_pb_platform(p: &Platform) -> pb::Platform {
    pb::Platform {
        architecture: p.architecture.clone(),
        os: p.os.clone(),
        variant: p.variant.clone(),
        os_version: p.os_version.clone(),
        os_features: p.os_features.clone(),
    }
}

impl ImageResolver for GatewayResolver {
    fn resolve<'a>(
        &'a self,
        request: &'a ResolveRequest,
    ) -> BoxFuture<'a, Result<ResolvedImage, ResolveError>> {
        Box::pin(async move {
            let mut client = self.client.clone();
            let resp = client
                .resolve_image_config(mstage_proto::gateway::ResolveImageConfigRequest {
                    r#ref: request.reference.clone(),
                    platform: Some(to_pb_platform(&request.platform)),
                    resolve_mode: request.mode.as_str().to_string(),
                    log_name: request.log_name.clone(),
                    session_id: self.session_id.clone(),
                    ..Default::default()
                })
                .await
                .map_err(|s| {
                    // BuildKit's message already says what failed to resolve.
                    let prefix = format!(
                        "failed to resolve source metadata for {}",
                        request.reference
                    );
                    if s.message().starts_with(&prefix) {
                        ResolveError::new(s.message().to_string())
                    } else {
                        ResolveError::new(format!("{prefix}: {}", s.message()))
                    }
                })?
                .into_inner();
            Ok(ResolvedImage {
                reference: if resp.r#ref.is_empty() {
                    request.reference.clone()
                } else {
                    resp.r#ref
                },
                digest: (!resp.digest.is_empty()).then_some(resp.digest),
                config: resp.config,
            })
        })
    }
}
