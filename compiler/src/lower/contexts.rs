//! Named contexts (`context:<name>` opts, BuildKit's `dockerui` `NamedContext`): they
//! replace a stage by name, a base image, or the source of `COPY --from`/`--mount from`.

use super::dispatch::{Ctx, LState};
use super::graph::{NodeKind, OpMeta, Source};
use super::request::{BuildRequest, NamedContext};
use crate::image::{ImageConfig, Platform};
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
    /// A state (and maybe an image config) available now.
    Ready(LState, Option<Box<ImageConfig>>),
    /// An image to resolve first.
    Image(String),
    Unsupported(&'static str),
}

/// Loads a named context (`dockerui` `NamedContext.Load`) except images, which need the
/// resolver.
pub(super) fn load_context(
    ctx: &mut Ctx<'_>,
    req: &BuildRequest,
    key: &str,
    nc: &NamedContext,
) -> ContextLoad {
    let add = |ctx: &mut Ctx<'_>, src: Source, name: String| {
        let out = ctx.graph.add(
            NodeKind::Source(src),
            None,
            OpMeta {
                custom_name: Some(name),
                ..Default::default()
            },
        );
        LState::scratch().with_output(out)
    };
    match nc {
        NamedContext::Image { reference } => {
            let r = reference.trim_start_matches("//");
            if r == SCRATCH {
                ContextLoad::Ready(LState::scratch(), None)
            } else {
                ContextLoad::Image(r.to_string())
            }
        }
        NamedContext::Local {
            name,
            exclude_patterns,
        } => {
            let st = add(
                ctx,
                Source::Local {
                    name: name.clone(),
                    session: req.session.clone(),
                    shared_key_hint: format!("context:{key}-"),
                    follow_paths: Vec::new(),
                    exclude_patterns: exclude_patterns.clone(),
                },
                format!("[context {key}] load from client"),
            );
            ContextLoad::Ready(st, None)
        }
        NamedContext::Git { url } => match super::sources::parse_git(url) {
            Some(g) => {
                let keep = req
                    .build_args
                    .get("BUILDKIT_CONTEXT_KEEP_GIT_DIR")
                    .is_some_and(|v| matches!(v.as_str(), "1" | "true" | "TRUE" | "True"));
                let src = super::sources::git_source(&g, keep, g.checksum.as_deref());
                ContextLoad::Ready(add(ctx, src, format!("[context {key}] {url}")), None)
            }
            None => ContextLoad::Unsupported("this git URL"),
        },
        NamedContext::Http { url } => {
            let st = add(
                ctx,
                Source::Http {
                    url: url.clone(),
                    filename: "context".into(),
                    checksum: None,
                },
                format!("[context {key}] {url}"),
            );
            ContextLoad::Ready(st, None)
        }
        NamedContext::OciLayout { .. } => ContextLoad::Unsupported("oci-layout"),
    }
}
