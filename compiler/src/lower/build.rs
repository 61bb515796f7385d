//! The compile driver for one target platform: plan, resolve reachable bases concurrently,
//! run ONBUILD triggers, dispatch every reachable stage in Dockerfile order, finalize the
//! image config, and marshal.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use futures::future::join_all;
use llb_gen::{MarshalOptions, OpOptions, PathFilter, SourceMap, State};
use mstage_proto::pb;

use super::contexts::{find_context, load_context, ContextLoad};
use super::dispatch::state::{Ctx, DState, LState, SourceStates, COMMAND_KEY};
use super::dispatch::{dispatch, init_stage, join_path};
use super::request::{BuildRequest, LocalSession, NamedContext};
use super::resolve::{ImageResolver, ResolveError, ResolveRequest, ResolvedImage};
use super::words::Words;
use crate::error::{CompileError, ErrorKind};
use crate::image::{ImageConfig, ImageRef, Platform};
use crate::lint::LintSink;
use crate::plan::{Base, EnvList, Plan, PlanOptions, PlanStage, PlatformOpt, SCRATCH};
use mstage_syntax::instructions::{Instruction, Parsed};
use mstage_syntax::parser::SourceRange;

/// Hooks the driver needs from the parser layers (parsing ONBUILD trigger text).
pub trait TriggerParser {
    /// Parses one trigger expression into an instruction; `range` is the FROM line.
    fn parse_trigger(&self, text: &str, range: SourceRange) -> Result<Instruction, CompileError>;
}

/// The result for one target platform.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformBuild {
    /// The target platform (normalised); its `format_all()` is the key in multi-platform results.
    pub platform: Platform,
    /// The LLB of the target stage (with a terminal op), ready for `Solve`.
    pub definition: mstage_proto::pb::Definition,
    /// `containerimage.config`: the image config JSON of the target stage.
    pub image_config: Vec<u8>,
    /// `containerimage.base.config`: the config of the target stage's base image, if any.
    pub base_image_config: Option<Vec<u8>>,
}

/// Everything one platform's compilation returns, before conversion to [`PlatformBuild`].
pub struct Compiled {
    pub build: PlatformBuild,
    /// Per stage id: was it lowered?
    pub dispatched: Vec<bool>,
    /// References the resolver was asked for.
    pub resolved: Vec<String>,
    pub plan: Plan,
}

/// Compiles for one target platform (`None` = implicit: the build platform).
pub async fn compile_platform(
    req: &BuildRequest,
    parsed: &Parsed,
    target_platform: Option<&Platform>,
    resolver: &dyn ImageResolver,
    words: &dyn Words,
    triggers: &dyn TriggerParser,
    lint: Option<&LintSink>,
) -> Result<Compiled, CompileError> {
    let po = PlatformOpt::new(target_platform, &req.build_platforms);
    let has_ctx = |n: &str| find_context(req, n, &po.target).is_some();
    let expand = |w: &str, env: &EnvList| words.word(w, env);
    let plan_options = PlanOptions {
        target: req.target.as_deref(),
        build_args: &req.build_args,
        platforms: &po,
        has_named_context: &has_ctx,
        escape: words.escape(),
    };
    // The FROM checks come first: they still report when the plan then fails on a FROM.
    if let Some(lint) = lint {
        let global_args = Plan::global_args(parsed, plan_options, &expand)?;
        let args = crate::lint::checks::FromArgs::new(&global_args, parsed);
        let lexer = mstage_syntax::shell::Lexer::new(words.escape());
        for st in &parsed.stages {
            if !crate::lint::checks::from_line(lint, st, &args, &lexer) {
                break;
            }
        }
    }
    let mut plan = Plan::build(parsed, plan_options, &expand)?;
    super::utf8::check(&req.dockerfile, &plan)?;
    let global_args = plan.global_args.clone();
    let mut ctx = new_ctx(req, words, &global_args, &po, lint)?;
    let mut states = Vec::with_capacity(plan.stages.len());
    let resolved = prepare_bases(&mut ctx, &mut plan, &mut states, &po, resolver, triggers).await?;
    let dispatched = dispatch_stages(&mut ctx, &plan, &mut states)?;
    set_local_paths(&ctx, &plan);
    let target = &states[plan.target];
    let definition = marshal(req, &target.state.fs, &po)?;
    check_caps(&definition, &req.caps)?;
    super::limits::check_definition_size(&definition)?;
    let build = PlatformBuild {
        platform: po.target.normalize(),
        definition,
        image_config: target_image(req, &po, target.image.clone()).to_json(),
        base_image_config: target.base_img.as_ref().map(|b| b.to_json()),
    };
    Ok(Compiled {
        build,
        dispatched,
        resolved,
        plan,
    })
}

/// What every stage of the build shares.
fn new_ctx<'a>(
    req: &'a BuildRequest,
    words: &'a dyn Words,
    global_args: &'a EnvList,
    po: &PlatformOpt,
    lint: Option<&'a LintSink>,
) -> Result<Ctx<'a>, CompileError> {
    let epoch = req
        .build_args
        .get("SOURCE_DATE_EPOCH")
        .map(String::as_str)
        .or_else(|| {
            global_args
                .get("SOURCE_DATE_EPOCH")
                .filter(|v| !v.is_empty())
        });
    let epoch = epoch
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| CompileError::request(format!("invalid SOURCE_DATE_EPOCH: {v}")))
        })
        .transpose()?;
    // One map per file (the Dockerfile, then each INCLUDE fragment), so that the
    // Definition carries each file once, however many ops point into it.
    let source_map = req.source_map.then(|| {
        req.source_files()
            .map(|(_, name, data)| {
                let map = SourceMap::new(&name, "Dockerfile", data.to_vec());
                match &req.dockerfile_definition {
                    Some(d) => map.with_definition(d.clone()),
                    None => map,
                }
            })
            .collect()
    });
    Ok(Ctx {
        req,
        words,
        caps: &req.caps,
        global_args,
        target_platform: po.target.clone(),
        multi_platform: req.multi_platform || req.target_platforms.len() > 1,
        proxy: proxy_from_args(&req.build_args),
        context: None,
        ctx_paths: Default::default(),
        path_uses: Vec::new(),
        named_locals: Vec::new(),
        epoch,
        lint,
        source_map,
    })
}

/// The proxy build args (any case), which RUN passes on without making them cache keys.
fn proxy_from_args(args: &BTreeMap<String, String>) -> Option<pb::ProxyEnv> {
    let mut p = pb::ProxyEnv::default();
    let mut set = false;
    for (k, v) in args {
        let slot = match k.to_ascii_lowercase().as_str() {
            "http_proxy" => &mut p.http_proxy,
            "https_proxy" => &mut p.https_proxy,
            "ftp_proxy" => &mut p.ftp_proxy,
            "no_proxy" => &mut p.no_proxy,
            "all_proxy" => &mut p.all_proxy,
            _ => continue,
        };
        *slot = v.clone();
        set = true;
    }
    set.then_some(p)
}

/// The stages to lower: those the target needs, or all of them (`frontend.lint` without a
/// target).
fn reachable(plan: &Plan, req: &BuildRequest) -> Vec<bool> {
    if req.all_stages {
        vec![true; plan.stages.len()]
    } else {
        plan.reachable()
    }
}

fn new_stage(plan: &Plan, req: &BuildRequest, id: usize) -> DState {
    let st = &plan.stages[id];
    DState {
        id,
        display_name: st.display_name.clone(),
        cmd_total: st.cmd_total,
        ignore_cache: !st.unregistered && req.no_cache.applies_to(st.name.as_deref()),
        ..Default::default()
    }
}

/// Resolves the bases of the stages to lower, then adds their ONBUILD triggers, until the
/// triggers need no further stage. Returns the references resolved, in order.
async fn prepare_bases(
    ctx: &mut Ctx<'_>,
    plan: &mut Plan,
    states: &mut Vec<DState>,
    po: &PlatformOpt,
    resolver: &dyn ImageResolver,
    triggers: &dyn TriggerParser,
) -> Result<Vec<String>, CompileError> {
    let mut resolved = Vec::new();
    let mut images = BaseImages::default();
    loop {
        let reach = reachable(plan, ctx.req);
        while states.len() < plan.stages.len() {
            states.push(new_stage(plan, ctx.req, states.len()));
        }
        let contexts = start_bases(ctx, plan, states, &reach, po, &mut images)?;
        let (context_images, ()) = futures::join!(
            join_all(contexts.iter().map(|c| resolver.resolve(&c.request))),
            images.resolve(resolver)
        );
        for (c, res) in contexts.into_iter().zip(context_images) {
            resolved.push(c.request.reference.clone());
            set_context_image(ctx, plan, states, c, res)?;
        }
        for (id, slot, r) in std::mem::take(&mut images.waiting) {
            resolved.push(images.images[slot].request.reference.clone());
            set_base_image(ctx, plan, &mut states[id], po, &mut images.images[slot], r)?;
        }
        // Only stages the target needs get triggers, even when every stage is lowered (as
        // BuildKit's lint does).
        let needed = if ctx.req.all_stages {
            plan.reachable()
        } else {
            reach
        };
        if !add_onbuild_triggers(plan, states, &needed, triggers)? {
            return Ok(resolved);
        }
    }
}

/// A named context that is an image, to resolve.
struct ContextImage {
    stage: usize,
    key: String,
    request: ResolveRequest,
}

/// Puts every stage to lower on its base where that needs no resolver (named contexts,
/// scratch), and asks `images` for the others. Returns the named-context images to resolve.
fn start_bases(
    ctx: &mut Ctx<'_>,
    plan: &Plan,
    states: &mut [DState],
    reach: &[bool],
    po: &PlatformOpt,
    images: &mut BaseImages,
) -> Result<Vec<ContextImage>, CompileError> {
    let mut contexts = Vec::new();
    for (id, st) in plan.stages.iter().enumerate() {
        if states[id].resolved || states[id].dispatched {
            continue;
        }
        let on_image = !matches!(st.base, Base::Stage(_)) && st.base_name != SCRATCH;
        if !reach[id] {
            // BuildKit parses the base of every stage on an image, needed or not: a
            // malformed one fails the build even when the target does not use it.
            if on_image {
                Plan::normalize_image(&st.base_name).map_err(|m| CompileError::at(st.range, m))?;
            }
            continue;
        }
        if matches!(st.base, Base::Stage(_)) {
            continue;
        }
        states[id].resolved = true;
        let platform = st.platform.clone().unwrap_or_else(|| po.target.clone());
        // A named context for the stage's own name replaces the stage; one for its base
        // name replaces the base image.
        let ctx_name = if st.replaced_by_context {
            st.name.as_deref()
        } else {
            Some(st.base_name.as_str()).filter(|_| on_image)
        };
        if let Some((key, nc)) = ctx_name.and_then(|n| find_context(ctx.req, n, &platform)) {
            let d = &mut states[id];
            contexts.extend(start_from_context(ctx, st, d, key, nc, platform)?);
        } else if on_image {
            let r =
                Plan::normalize_image(&st.base_name).map_err(|m| CompileError::at(st.range, m))?;
            images.request(ctx, id, r, platform);
        } else {
            let (image, platform) = (ImageConfig::empty(&po.target), po.target.clone());
            let d = &mut states[id];
            set_base(d, LState::scratch(), image, None, platform, st.unregistered);
        }
    }
    Ok(contexts)
}

/// A stage (or its base) a named context replaces: put on it now, or an image to resolve.
fn start_from_context(
    ctx: &mut Ctx<'_>,
    st: &PlanStage,
    d: &mut DState,
    key: String,
    nc: &NamedContext,
    platform: Platform,
) -> Result<Option<ContextImage>, CompileError> {
    let request = match load_context(ctx, st.id, &key, nc) {
        ContextLoad::Ready(state) => {
            let done = st.replaced_by_context || st.unregistered;
            let (image, base) = if st.replaced_by_context {
                (ImageConfig::default(), None)
            } else {
                let image = ImageConfig::empty(&platform);
                (image.clone(), Some(Arc::new(image)))
            };
            set_base(d, state, image, base, platform, done);
            return Ok(None);
        }
        ContextLoad::Image(reference) => {
            let r = Plan::normalize_image(&reference)
                .map_err(|m| CompileError::at(st.range, m))?
                .to_string();
            let log_name = format!("[context {key}] load metadata for {r}");
            resolve_request(ctx.req, r, platform, log_name)
        }
        ContextLoad::Unsupported(what) => {
            return Err(CompileError::new(
                ErrorKind::Unsupported,
                Some(st.range),
                format!("named context {key}: {what} is not supported by mstage yet"),
            ))
        }
    };
    Ok(Some(ContextImage {
        stage: st.id,
        key,
        request,
    }))
}

fn resolve_request(
    req: &BuildRequest,
    reference: String,
    platform: Platform,
    log_name: String,
) -> ResolveRequest {
    ResolveRequest {
        reference,
        platform,
        mode: req.image_resolve_mode,
        log_name,
    }
}

/// The base images of the build, each resolved once per (reference, platform) and its
/// config parsed once: the stages on one base share it (a 200-stage file on one image
/// makes one call).
#[derive(Default)]
struct BaseImages {
    slots: HashMap<(String, Platform), usize>,
    images: Vec<BaseImage>,
    /// Stages waiting for their image: stage id, slot, normalised reference.
    waiting: Vec<(usize, usize, ImageRef)>,
}

struct BaseImage {
    request: ResolveRequest,
    /// `None` until resolved.
    result: Option<Result<ResolvedImage, ResolveError>>,
    /// The config, parsed on first use.
    config: Option<Arc<ImageConfig>>,
}

impl BaseImages {
    /// Stage `stage` needs image `r` for `platform`.
    fn request(&mut self, ctx: &Ctx<'_>, stage: usize, r: ImageRef, platform: Platform) {
        let key = (r.to_string(), platform);
        let slot = match self.slots.get(&key) {
            Some(&slot) => slot,
            None => {
                let (reference, platform) = key;
                let prefix = if ctx.multi_platform {
                    ["[", &platform.format_all(), " internal]"].concat()
                } else {
                    "[internal]".to_string()
                };
                let log_name = [&prefix, " load metadata for ", &reference].concat();
                let request = resolve_request(ctx.req, reference, platform, log_name);
                let key = (request.reference.clone(), request.platform.clone());
                self.slots.insert(key, self.images.len());
                self.images.push(BaseImage {
                    request,
                    result: None,
                    config: None,
                });
                self.images.len() - 1
            }
        };
        self.waiting.push((stage, slot, r));
    }

    /// Resolves the images not resolved yet, concurrently.
    async fn resolve(&mut self, resolver: &dyn ImageResolver) {
        let todo: Vec<&mut BaseImage> = self
            .images
            .iter_mut()
            .filter(|i| i.result.is_none())
            .collect();
        let results = join_all(todo.iter().map(|i| resolver.resolve(&i.request))).await;
        for (image, res) in todo.into_iter().zip(results) {
            image.result = Some(res);
        }
    }
}

impl BaseImage {
    /// The resolved image, or the error for the FROM of `stage` that needs it.
    fn resolved(&self, stage: &PlanStage) -> Result<&ResolvedImage, CompileError> {
        let res = self.result.as_ref().expect("resolved before use");
        res.as_ref().map_err(|e| {
            let msg = format!("{}: {}", stage.base_name, e.message);
            CompileError::new(ErrorKind::Resolve, Some(stage.range), msg)
        })
    }

    /// The config, parsed once.
    fn config(&mut self, range: SourceRange) -> Result<Arc<ImageConfig>, CompileError> {
        if let Some(config) = &self.config {
            return Ok(config.clone());
        }
        let res = self.result.as_ref().and_then(|r| r.as_ref().ok());
        let config = parse_config(res.map_or(&[][..], |r| &r.config), range)?;
        let config = Arc::new(config);
        self.config = Some(config.clone());
        Ok(config)
    }
}

fn parse_config(json: &[u8], range: SourceRange) -> Result<ImageConfig, CompileError> {
    ImageConfig::from_json(json).map_err(|e| {
        let msg = format!("failed to parse image config: {e}");
        CompileError::new(ErrorKind::Resolve, Some(range), msg)
    })
}

/// Puts stage `d` on its base: the state its ops start from, its image config and the
/// base's as resolved, its platform. `done`: nothing of the stage is left to lower (a
/// stage a named context replaces, or an unregistered one).
fn set_base(
    d: &mut DState,
    state: LState,
    image: ImageConfig,
    base: Option<Arc<ImageConfig>>,
    platform: Platform,
    done: bool,
) {
    d.state = state;
    d.image = image;
    d.base_img = base;
    d.platform = Some(platform);
    if done {
        d.dispatched = true;
    }
}

/// A stage on a named context that is an image (`WithImageConfig`: the env, working dir
/// and platform come from its config).
fn set_context_image(
    ctx: &Ctx<'_>,
    plan: &Plan,
    states: &mut [DState],
    c: ContextImage,
    res: Result<ResolvedImage, ResolveError>,
) -> Result<(), CompileError> {
    let st = &plan.stages[c.stage];
    let res = res.map_err(|e| CompileError::new(ErrorKind::Resolve, Some(st.range), e.message))?;
    let mut img = parse_config(&res.config, st.range)?;
    img.created = None;
    let platform = c.request.platform;
    let source = llb_gen::image(res.reference.clone())
        .resolve_mode(ctx.req.image_resolve_mode.to_llb())
        .platform((&platform).into())
        .custom_name(format!("[context {}] {}", c.key, res.reference))
        .build();
    let mut state = LState::on(source);
    state.apply_image_config(&img);
    state.platform = Some(platform.clone());
    let base = Some(Arc::new(img.clone()));
    let done = st.replaced_by_context || st.unregistered;
    set_base(&mut states[c.stage], state, img, base, platform, done);
    Ok(())
}

/// A stage on a resolved base image: pinned to the digest found, on the platform the image
/// has when the target is implicit, and on scratch when the image has no layers.
fn set_base_image(
    ctx: &Ctx<'_>,
    plan: &Plan,
    d: &mut DState,
    po: &PlatformOpt,
    image: &mut BaseImage,
    mut r: ImageRef,
) -> Result<(), CompileError> {
    let st = &plan.stages[d.id];
    let range = st.range;
    image.resolved(st)?;
    let base = image.config(range)?;
    let res = image.resolved(st)?;
    if res.reference != image.request.reference {
        r = ImageRef::parse_normalized(&res.reference).map_err(|e| {
            CompileError::at(
                range,
                format!("failed to parse ref {:?}: {e}", res.reference),
            )
        })?;
    }
    if let Some(dg) = &res.digest {
        r = r.with_digest(dg);
    }
    let reference = r.to_string();
    let mut img = (*base).clone();
    img.created = None;
    let mut platform = image.request.platform.clone();
    if st.platform.is_none() && po.implicit_target {
        platform = auto_detect(&img, &platform, &po.build);
    }
    let state = if img.is_layerless() {
        LState::scratch()
    } else {
        base_platform_check(ctx.lint, &st.base_name, &platform, &img, range);
        let name = d.prefix(ctx, &["FROM ", &reference].concat(), Some(&platform));
        let source = llb_gen::image(reference)
            .resolve_mode(ctx.req.image_resolve_mode.to_llb())
            .platform((&platform).into())
            .custom_name(name)
            .description(COMMAND_KEY, st.from_text.clone());
        let source = if st.unregistered {
            source
        } else {
            ctx.at(source, range)
        };
        LState {
            platform: Some(platform.clone()),
            ..LState::on(source.build())
        }
    };
    set_base(d, state, img, Some(base), platform, st.unregistered);
    Ok(())
}

/// `autoDetectPlatform`: with an implicit target, follow the base image's platform when a
/// build platform matches it.
fn auto_detect(img: &ImageConfig, target: &Platform, build: &[Platform]) -> Platform {
    if target.os == img.os && target.architecture == img.architecture {
        return target.clone();
    }
    build
        .iter()
        .find(|p| p.os == img.os && p.architecture == img.architecture)
        .cloned()
        .unwrap_or_else(|| target.clone())
}

/// A base image whose platform is not the one the stage builds for.
fn base_platform_check(
    lint: Option<&LintSink>,
    name: &str,
    expected: &Platform,
    img: &ImageConfig,
    range: SourceRange,
) {
    if img.os == expected.os && img.architecture == expected.architecture {
        return;
    }
    let actual = Platform::new(&img.os, &img.architecture, &img.variant).normalize();
    let expected = expected.clone().normalize();
    crate::lint::report(
        lint,
        &[],
        crate::lint::Rule::InvalidBaseImagePlatform,
        range,
        || {
            format!(
                "Base image {name} was pulled with platform {:?}, expected {:?} for current build",
                actual.format_all(),
                expected.format_all()
            )
        },
    );
}

/// ONBUILD triggers of image bases and of base stages, for the stages in `needed`. True
/// when they made the plan need stages it did not before.
fn add_onbuild_triggers(
    plan: &mut Plan,
    states: &mut [DState],
    needed: &[bool],
    triggers: &dyn TriggerParser,
) -> Result<bool, CompileError> {
    let mut new_deps = false;
    for id in 0..plan.stages.len() {
        let st = &plan.stages[id];
        if !needed[id] || st.onbuild_done || st.unregistered {
            continue;
        }
        let range = st.range;
        let exprs: Vec<String> = match st.base {
            Base::Stage(b) => plan.stages[b]
                .commands
                .iter()
                .filter_map(|c| match &*c.instruction {
                    Instruction::Onbuild(o) => Some(o.expression.clone()),
                    _ => None,
                })
                .collect(),
            _ => std::mem::take(&mut states[id].image.config.on_build),
        };
        plan.stages[id].onbuild_done = true;
        if exprs.is_empty() {
            continue;
        }
        let insts = exprs
            .iter()
            .map(|e| {
                triggers
                    .parse_trigger(e, range)
                    .map_err(|e| e.with_range(range))
            })
            .collect::<Result<Vec<_>, _>>()?;
        new_deps |= plan.add_triggers(id, insts)?;
        states[id].cmd_total = plan.stages[id].cmd_total;
    }
    Ok(new_deps)
}

/// Lowers the stages to lower in Dockerfile order. Returns, per stage, whether it was.
fn dispatch_stages(
    ctx: &mut Ctx<'_>,
    plan: &Plan,
    states: &mut [DState],
) -> Result<Vec<bool>, CompileError> {
    let reach = reachable(plan, ctx.req);
    let mut dispatched = vec![false; plan.stages.len()];
    // How many stages still start from each stage: the last one may take the base's image
    // (history grows along a chain; cloning it per stage would be quadratic).
    let mut children = vec![0usize; plan.stages.len()];
    for (st, _) in plan.stages.iter().zip(&reach).filter(|(_, r)| **r) {
        if let Base::Stage(b) = st.base {
            children[b] += 1;
        }
    }
    for (id, st) in plan.stages.iter().enumerate() {
        if !reach[id] || states[id].dispatched {
            continue;
        }
        let mut d = std::mem::take(&mut states[id]);
        if let Base::Stage(b) = st.base {
            children[b] -= 1;
            let last = children[b] == 0 && b != plan.target;
            inherit_stage(&mut d, &mut states[b], last);
        }
        d.dispatched = true;
        init_stage(ctx, &mut d, st.range)?;
        for cmd in &st.commands {
            let srcs = SourceStates {
                states: cmd.sources.iter().map(|&s| &states[s]).collect(),
                ids: cmd.sources.clone(),
            };
            let r = cmd.instruction.range();
            dispatch(ctx, &mut d, &cmd.instruction, &srcs, cmd.on_build)
                .map_err(|e| e.with_range(r))?;
        }
        states[id] = d;
        dispatched[id] = true;
    }
    Ok(dispatched)
}

/// A stage on another stage starts from its state, platform, image config and ARGs;
/// `last`: no other stage needs the base's any more, so they move instead of being copied.
fn inherit_stage(d: &mut DState, base: &mut DState, last: bool) {
    d.state = base.state.clone();
    d.platform = base.platform.clone();
    if last {
        d.image = std::mem::take(&mut base.image);
        d.base_img = base.base_img.take();
        let mut args = std::mem::take(&mut base.build_args);
        args.append(&mut d.build_args);
        d.build_args = args;
    } else {
        d.image = base.image.clone();
        d.base_img = base.base_img.clone();
        d.build_args.extend(base.build_args.iter().cloned());
    }
    d.image.config.on_build.clear();
    d.workdir_set = base.workdir_set;
}

/// The paths each local source sends, now that every stage is lowered: only those COPY,
/// ADD and bind mounts read, unless one of them is the root (BuildKit's `asyncLocalOpts`
/// and `filterPaths`). Named local contexts count the paths read from their stage and from
/// stages built on it, which share its path set, and the whole of it for the target.
fn set_local_paths(ctx: &Ctx<'_>, plan: &Plan) {
    let follow = |paths: Vec<&str>| {
        let all = paths.contains(&"/");
        let follow_paths = paths.iter().filter(|_| !all).map(|p| join_path(&[".", p]));
        PathFilter {
            follow_paths: follow_paths.collect(),
            include_patterns: Vec::new(),
        }
    };
    // Each handle is set here and only here, so `set` cannot find one set already.
    if let Some((_, paths)) = &ctx.context {
        let mut filter = follow(ctx.ctx_paths.iter().map(String::as_str).collect());
        filter.follow_paths.sort();
        let _ = paths.set(filter);
    }
    if ctx.named_locals.is_empty() {
        return;
    }
    let owner = |mut id: usize| {
        while let Base::Stage(b) = plan.stages[id].base {
            id = b;
        }
        id
    };
    let mut uses: Vec<(usize, &str)> = ctx
        .path_uses
        .iter()
        .map(|(id, p)| (owner(*id), p.as_str()))
        .collect();
    uses.push((owner(plan.target), "/"));
    for (paths, stage) in &ctx.named_locals {
        let used: std::collections::BTreeSet<&str> = uses
            .iter()
            .filter(|(o, _)| o == stage)
            .map(|(_, p)| *p)
            .collect();
        let _ = paths.set(follow(used.into_iter().collect()));
    }
}

/// The target stage's image config with the request's labels and the target platform.
fn target_image(req: &BuildRequest, po: &PlatformOpt, mut image: ImageConfig) -> ImageConfig {
    if !req.labels.is_empty() {
        let labels = image.config.labels.get_or_insert_with(Default::default);
        for (k, v) in &req.labels {
            labels.insert(k.clone(), v.clone());
        }
    }
    if !po.implicit_target {
        let tp = &po.target;
        let same = tp.os == image.os && tp.architecture == image.architecture;
        image.os = tp.os.clone();
        image.architecture = tp.architecture.clone();
        if !tp.variant.is_empty() || !same {
            image.variant = tp.variant.clone();
        }
        if !tp.os_version.is_empty() || !same {
            image.os_version = tp.os_version.clone();
        }
        if !tp.os_features.is_empty() {
            image.os_features = tp.os_features.clone();
        }
    }
    let normalized = image.platform().normalize();
    image.set_platform(&normalized);
    image
}

/// The Definition of the target's filesystem.
fn marshal(
    req: &BuildRequest,
    target: &State,
    po: &PlatformOpt,
) -> Result<pb::Definition, CompileError> {
    let local_unique = match &req.session {
        LocalSession::Unique(u) => u.as_str(),
        LocalSession::Session(_) => "mstage",
    };
    let opts = MarshalOptions::new((&po.target).into())
        .local_unique_id(local_unique)
        .llb_caps(req.caps.iter());
    target.marshal(&opts).map_err(|e| {
        let msg = format!("marshalling LLB: {e}");
        CompileError::new(ErrorKind::Unsupported, None, msg)
    })
}

/// Refuses a Definition that needs an LLB capability the target BuildKit lacks (the Go
/// client refuses such a `Solve` too), naming the feature and the instruction.
fn check_caps(def: &pb::Definition, caps: &super::caps::Capabilities) -> Result<(), CompileError> {
    if caps.iter().next().is_none() {
        return Ok(());
    }
    // Most ops declare the same few caps: look each up once.
    let mut checked: Vec<&str> = Vec::new();
    for md in def.metadata.values() {
        for (cap, on) in &md.caps {
            if !*on || checked.contains(&cap.as_str()) {
                continue;
            }
            checked.push(cap);
            if !caps.accepts_declared(cap) {
                let what = md
                    .description
                    .get(llb_gen::CUSTOM_NAME_KEY)
                    .map(|n| format!(" by {n}"))
                    .unwrap_or_default();
                return Err(CompileError::new(
                    ErrorKind::Unsupported,
                    None,
                    format!(
                        "the LLB capability {cap:?} is needed{what}, but this BuildKit does not support it; upgrade BuildKit"
                    ),
                ));
            }
        }
    }
    Ok(())
}
