//! Named contexts (`context:<name>` opts, BuildKit's `dockerui` `NamedContext`): they
//! replace a stage by name, a base image, or the source of `COPY --from`/`--mount from`.

use llb_gen::{LocalPaths, OpOptions};

use super::dispatch::state::{Ctx, LState};
use super::request::client_local;
use super::request::{BuildRequest, NamedContext};
use crate::image::Platform;
use crate::plan::SCRATCH;

/// `name` as BuildKit keys named contexts: the familiar image name without `:latest`
/// (`docker.io/library/alpine:latest` -> `alpine`); names that are not image refs as given.
pub fn context_key(name: &str) -> String {
    match crate::image::ImageRef::parse_normalized(name) {
        Ok(r) => r.familiar().trim_end_matches(":latest").to_string(),
        Err(_) => name.to_string(),
    }
}

/// The named context for `name` (`name::platform` first, then `name`).
pub(super) fn find_context<'r>(
    req: &'r BuildRequest,
    name: &str,
    platform: &Platform,
) -> Option<(String, &'r NamedContext)> {
    if req.named_contexts.is_empty() {
        return None;
    }
    let key = context_key(name);
    let with_platform = format!("{key}::{}", platform.normalize().format_all());
    req.named_contexts
        .iter()
        .find(|(k, _)| **k == with_platform)
        .or_else(|| {
            req.named_contexts
                .iter()
                .find(|(k, _)| context_key(k) == key)
        })
        .map(|(k, v)| (k.clone(), v))
}

// Transient, one per named context: size does not matter.
#[allow(clippy::large_enum_variant)]
pub(super) enum ContextLoad {
    /// A state available now (none of these contexts has an image config).
    Ready(LState),
    /// An image to resolve first.
    Image(String),
    Unsupported(&'static str),
}

/// Loads the named context of stage `stage` (`dockerui` `NamedContext.Load`) except images,
/// which need the resolver.
pub(super) fn load_context(
    ctx: &mut Ctx<'_>,
    stage: usize,
    key: &str,
    nc: &NamedContext,
) -> ContextLoad {
    let req = ctx.req;
    let state = match nc {
        NamedContext::Image { reference } => {
            let r = reference.trim_start_matches("//");
            if r != SCRATCH {
                return ContextLoad::Image(r.to_string());
            }
            llb_gen::scratch()
        }
        NamedContext::Local {
            name,
            exclude_patterns,
        } => {
            let paths = LocalPaths::default();
            ctx.named_locals.push((paths.clone(), stage));
            let hint = format!("context:{key}-");
            client_local(req, name, hint, exclude_patterns.clone(), &paths)
                .custom_name(format!("[context {key}] load from client"))
                .build()
        }
        NamedContext::Git { url } => {
            let Some(g) = super::sources::parse_git(url) else {
                return ContextLoad::Unsupported("this git URL");
            };
            let keep = req
                .build_args
                .get("BUILDKIT_CONTEXT_KEEP_GIT_DIR")
                .is_some_and(|v| matches!(v.as_str(), "1" | "true" | "TRUE" | "True"));
            super::sources::git_source(&g, keep, g.checksum.as_deref())
                .custom_name(format!("[context {key}] {url}"))
                .build()
        }
        NamedContext::Http { url } => llb_gen::http(url.clone())
            .filename("context")
            .custom_name(format!("[context {key}] {url}"))
            .build(),
        NamedContext::OciLayout { .. } => return ContextLoad::Unsupported("oci-layout"),
    };
    ContextLoad::Ready(LState::on(state))
}
