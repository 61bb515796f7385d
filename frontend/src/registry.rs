//! A resolver that asks an OCI registry directly (`mstage llb --resolve registry`), with
//! `oci-client`: HTTPS, plain HTTP for localhost / 127.0.0.1, multi-platform indexes
//! (picking the requested platform, pinning the index digest as BuildKit does), and
//! credentials from `~/.docker/config.json` where present.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::manifest::ImageIndexEntry;
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};

use mstage_compiler::image::Platform;
use mstage_compiler::lower::{
    BoxFuture, ImageResolver, ResolveError, ResolveRequest, ResolvedImage,
};

/// Resolves through the registry named in each reference. Needs a Tokio runtime.
pub struct RegistryResolver {
    /// Registries spoken to over plain HTTP (besides localhost and 127.0.0.1).
    insecure: Vec<String>,
    clients: Mutex<HashMap<String, Arc<Client>>>,
    auths: HashMap<String, (String, String)>,
}

impl Default for RegistryResolver {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

fn is_local(host: &str) -> bool {
    let h = host.split(':').next().unwrap_or(host);
    h == "localhost" || h == "127.0.0.1" || h == "[::1]"
}

/// Reads `auths` of the Docker client config (`$DOCKER_CONFIG/config.json` or
/// `~/.docker/config.json`): registry -> (user, password).
fn docker_auths() -> HashMap<String, (String, String)> {
    let dir = std::env::var_os("DOCKER_CONFIG")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".docker")));
    let Some(dir) = dir else {
        return HashMap::new();
    };
    let Ok(text) = std::fs::read(dir.join("config.json")) else {
        return HashMap::new();
    };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&text) else {
        return HashMap::new();
    };
    let mut out = HashMap::new();
    if let Some(auths) = v.get("auths").and_then(|a| a.as_object()) {
        for (reg, entry) in auths {
            let Some(enc) = entry.get("auth").and_then(|a| a.as_str()) else {
                continue;
            };
            let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(enc) else {
                continue;
            };
            let s = String::from_utf8_lossy(&raw).to_string();
            if let Some((u, p)) = s.split_once(':') {
                let host = reg
                    .trim_start_matches("https://")
                    .trim_start_matches("http://")
                    .split('/')
                    .next()
                    .unwrap_or(reg)
                    .to_string();
                let host = if host == "index.docker.io" {
                    "docker.io".into()
                } else {
                    host
                };
                out.insert(host, (u.to_string(), p.to_string()));
            }
        }
    }
    out
}

fn matches(entry: &ImageIndexEntry, p: &Platform) -> bool {
    let Some(ep) = &entry.platform else {
        return false;
    };
    let ep = Platform {
        os: ep.os.to_string(),
        architecture: ep.architecture.to_string(),
        variant: ep.variant.clone().unwrap_or_default(),
        ..Default::default()
    }
    .normalize();
    let want = p.normalize();
    ep.os == want.os
        && ep.architecture == want.architecture
        && (want.variant.is_empty() || ep.variant == want.variant)
}

impl RegistryResolver {
    /// `insecure`: extra registries (host[:port]) to use plain HTTP with.
    pub fn new(insecure: Vec<String>) -> Self {
        RegistryResolver {
            insecure,
            clients: Mutex::new(HashMap::new()),
            auths: docker_auths(),
        }
    }

    fn client(&self, host: &str, platform: &Platform) -> Arc<Client> {
        let key = format!("{host}|{}", platform.format_all());
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = clients.get(&key) {
            return c.clone();
        }
        let mut insecure = self.insecure.clone();
        if is_local(host) {
            insecure.push(host.to_string());
        }
        let want = platform.clone();
        let resolver = move |entries: &[ImageIndexEntry]| -> Option<String> {
            entries
                .iter()
                .find(|e| matches(e, &want))
                .map(|e| e.digest.clone())
        };
        let config = ClientConfig {
            protocol: ClientProtocol::HttpsExcept(insecure),
            platform_resolver: Some(Box::new(resolver)),
            ..Default::default()
        };
        let c = Arc::new(Client::new(config));
        clients.insert(key, c.clone());
        c
    }
}

impl ImageResolver for RegistryResolver {
    fn resolve<'a>(
        &'a self,
        request: &'a ResolveRequest,
    ) -> BoxFuture<'a, Result<ResolvedImage, ResolveError>> {
        Box::pin(async move {
            let reference: Reference = request
                .reference
                .parse()
                .map_err(|e| ResolveError::new(format!("invalid reference: {e}")))?;
            let host = reference.registry().to_string();
            let auth = match self.auths.get(&host) {
                Some((u, p)) => RegistryAuth::Basic(u.clone(), p.clone()),
                None => RegistryAuth::Anonymous,
            };
            let client = self.client(&host, &request.platform);
            let (_manifest, digest, config, list_digest) = client
                .pull_manifest_and_config_and_list_digest(&reference, &auth)
                .await
                .map_err(|e| {
                    ResolveError::new(format!(
                        "failed to resolve source metadata for {}: {e}",
                        request.reference
                    ))
                })?;
            Ok(ResolvedImage {
                reference: request.reference.clone(),
                digest: Some(list_digest.unwrap_or(digest)),
                config: config.into_bytes(),
            })
        })
    }
}
