//! Base-image resolution: a reference and platform in, the image's digest and config out.
//! The lowering asks for every reachable stage's base concurrently.

use std::future::Future;
use std::pin::Pin;

use thiserror::Error;

use crate::image::{ImageConfig, Platform, DEFAULT_PATH_ENV};

/// A boxed `Send` future, so resolvers can be used as `&dyn ImageResolver`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// `image-resolve-mode` / the `image.resolvemode` attr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum ResolveMode {
    /// Use a local copy if there is one, else pull (attr omitted).
    #[default]
    Default,
    /// Always ask the registry.
    Pull,
    /// Only use what the BuildKit host already has.
    Local,
}

impl ResolveMode {
    /// Parses the frontend opt value (`default`, `pull`, `local`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "" | "default" => Some(ResolveMode::Default),
            "pull" => Some(ResolveMode::Pull),
            "local" => Some(ResolveMode::Local),
            _ => None,
        }
    }

    /// The attr / gateway value.
    pub fn as_str(self) -> &'static str {
        match self {
            ResolveMode::Default => "default",
            ResolveMode::Pull => "pull",
            ResolveMode::Local => "local",
        }
    }

    /// How llb-gen spells it on an image source.
    pub fn to_llb(self) -> llb_gen::ResolveMode {
        match self {
            ResolveMode::Default => llb_gen::ResolveMode::Default,
            ResolveMode::Pull => llb_gen::ResolveMode::ForcePull,
            ResolveMode::Local => llb_gen::ResolveMode::PreferLocal,
        }
    }
}

/// One resolution request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResolveRequest {
    /// Normalised reference with tag or digest, e.g. `docker.io/library/alpine:3.20`.
    pub reference: String,
    pub platform: Platform,
    pub mode: ResolveMode,
    /// Progress name the stock frontend uses: `[internal] load metadata for <ref>`.
    pub log_name: String,
}

/// What a resolver found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedImage {
    /// The reference after any source policy rewrite (usually the requested one).
    pub reference: String,
    /// Manifest digest to pin (`sha256:...`), `None` to leave the reference unpinned.
    pub digest: Option<String>,
    /// The image config JSON.
    pub config: Vec<u8>,
}

/// A resolution failure, reported against the FROM line that needed it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct ResolveError {
    pub message: String,
}

impl ResolveError {
    pub fn new(message: impl Into<String>) -> Self {
        ResolveError {
            message: message.into(),
        }
    }
}

/// Finds a base image's digest and config. Implementations: [`NoneResolver`] (offline),
/// the gateway resolver (asks BuildKit), a registry resolver.
pub trait ImageResolver: Send + Sync {
    fn resolve<'a>(
        &'a self,
        request: &'a ResolveRequest,
    ) -> BoxFuture<'a, Result<ResolvedImage, ResolveError>>;
}

/// `--resolve none`: every image resolves, unpinned, to a non-empty image of the requested
/// platform whose config holds only the default `PATH` (the llb-golden conditions).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoneResolver;

impl NoneResolver {
    /// The config every image gets.
    pub fn config_for(platform: &Platform) -> ImageConfig {
        let mut img = ImageConfig {
            architecture: platform.architecture.clone(),
            os: platform.os.clone(),
            variant: platform.variant.clone(),
            os_version: platform.os_version.clone(),
            ..Default::default()
        };
        img.rootfs.fs_type = "layers".into();
        // One (fake) layer, so the image is not taken for scratch.
        img.rootfs.diff_ids = Some(vec![format!("sha256:{}", "0".repeat(64))]);
        img.config.env = vec![format!("PATH={DEFAULT_PATH_ENV}")];
        img
    }
}

impl ImageResolver for NoneResolver {
    fn resolve<'a>(
        &'a self,
        request: &'a ResolveRequest,
    ) -> BoxFuture<'a, Result<ResolvedImage, ResolveError>> {
        Box::pin(async move {
            Ok(ResolvedImage {
                reference: request.reference.clone(),
                digest: None,
                config: Self::config_for(&request.platform).to_json(),
            })
        })
    }
}
