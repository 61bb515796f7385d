//! The compile driver for one target platform: plan, resolve reachable bases concurrently,
//! run ONBUILD triggers, dispatch every reachable stage in Dockerfile order, finalize the
//! image config, and marshal.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::future::join_all;

use super::contexts::{find_context, load_context, ContextLoad};
use super::dispatch::{dispatch, init_stage, Ctx, DState, LState, SourceStates};
use super::graph::{Graph, NodeKind, OpMeta, ProxyEnv, Source};
use super::request::{BuildRequest, LocalSession, NamedContext};
use super::to_llb::{marshal, SourceMapInfo};
use super::words::Words;
use super::{CompileError, ErrorKind, ImageResolver, PlatformBuild, ResolveRequest};
use crate::image::{ImageConfig, Platform};
use crate::lint::LintSink;
use crate::plan::{Base, Plan, PlanOptions, PlatformOpt, SCRATCH};
use mstage_syntax::instructions::{Instruction, Parsed};
use mstage_syntax::parser::SourceRange;

/// Hooks the driver needs from the parser layers (parsing ONBUILD trigger text).
pub trait TriggerParser {
    /// Parses one trigger expression into an instruction; `range` is the FROM line.
    fn parse_trigger(&self, text: &str, range: SourceRange) -> Result<Instruction, CompileError>;
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

/// For requests in order: the indices of the first of each distinct request, and for every
/// request the position of its distinct request in that list.
fn dedup_requests<'a>(
    requests: impl Iterator<Item = &'a ResolveRequest>,
) -> (Vec<usize>, Vec<usize>) {
    let mut first: Vec<usize> = Vec::new();
    let mut distinct: std::collections::HashMap<&ResolveRequest, usize> = Default::default();
    let mut slot = Vec::new();
    for (i, rq) in requests.enumerate() {
        let next = first.len();
        let s = *distinct.entry(rq).or_insert(next);
        if s == next {
            first.push(i);
        }
        slot.push(s);
    }
    (first, slot)
}

fn proxy_from_args(args: &BTreeMap<String, String>) -> Option<ProxyEnv> {
    let mut p = ProxyEnv::default();
    let mut set = false;
    for (k, v) in args {
        let slot = match k.to_ascii_lowercase().as_str() {
            "http_proxy" => &mut p.http,
            "https_proxy" => &mut p.https,
            "ftp_proxy" => &mut p.ftp,
            "no_proxy" => &mut p.no,
            "all_proxy" => &mut p.all,
            _ => continue,
        };
        *slot = v.clone();
        set = true;
    }
    set.then_some(p)
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
    let expand = |w: &str, env: &crate::plan::EnvList| words.word(w, env);
    let plan_options = PlanOptions {
        target: req.target.as_deref(),
        build_args: &req.build_args,
        platforms: &po,
        has_named_context: &has_ctx,
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
    let multi_platform = req.multi_platform || req.target_platforms.len() > 1;
    // `frontend.lint` without a target lowers every stage.
    let reachable = |plan: &Plan| {
        if req.all_stages {
            vec![true; plan.stages.len()]
        } else {
            plan.reachable()
        }
    };

    let mut states: Vec<DState> = Vec::with_capacity(plan.stages.len());
    let new_state = |plan: &Plan, id: usize| DState {
        id,
        state: LState::scratch(),
        display_name: plan.stages[id].display_name.clone(),
        cmd_total: plan.stages[id].cmd_total,
        ignore_cache: !plan.stages[id].unregistered
            && req.no_cache.applies_to(plan.stages[id].name.as_deref()),
        ..Default::default()
    };
    for id in 0..plan.stages.len() {
        states.push(new_state(&plan, id));
    }

    let global_args = plan.global_args.clone();
    let mut ctx = Ctx {
        req,
        words,
        // About one op per instruction; growing a vector of large nodes copies them.
        graph: Graph {
            nodes: Vec::with_capacity(plan.stages.iter().map(|s| s.commands.len() + 2).sum()),
        },
        caps: &req.caps,
        global_args: &global_args,
        target_platform: po.target.clone(),
        multi_platform,
        proxy: proxy_from_args(&req.build_args),
        context: None,
        ctx_paths: Default::default(),
        path_uses: Vec::new(),
        epoch: None,
        lint,
    };
    if let Some(v) = req
        .build_args
        .get("SOURCE_DATE_EPOCH")
        .map(String::as_str)
        .or_else(|| {
            global_args
                .get("SOURCE_DATE_EPOCH")
                .filter(|v| !v.is_empty())
        })
    {
        ctx.epoch = Some(
            v.parse::<i64>()
                .map_err(|_| CompileError::request(format!("invalid SOURCE_DATE_EPOCH: {v}")))?,
        );
    }

    let mut resolved_refs = Vec::new();
    // Local named contexts and the stage they stand for (their follow paths come last).
    let mut local_contexts: Vec<(usize, usize)> = Vec::new();
    loop {
        let reach = reachable(&plan);
        while states.len() < plan.stages.len() {
            let id = states.len();
            states.push(new_state(&plan, id));
        }
        // Resolve every reachable image base not resolved yet, concurrently.
        let mut jobs = Vec::new();
        let mut ctx_jobs: Vec<(usize, String, ResolveRequest)> = Vec::new();
        // Base name -> normalised reference and its text (many stages share a base).
        let mut normalized: std::collections::HashMap<&str, (crate::image::ImageRef, String)> =
            Default::default();
        for id in 0..plan.stages.len() {
            if states[id].resolved || states[id].dispatched {
                continue;
            }
            if !reach[id] {
                // BuildKit parses the base of every stage on an image, needed or not: a
                // malformed one fails the build even when the target does not use it.
                let st = &plan.stages[id];
                if !matches!(st.base, Base::Stage(_)) && st.base_name != SCRATCH {
                    Plan::normalize_image(&st.base_name)
                        .map_err(|m| CompileError::at(st.range, m))?;
                }
                continue;
            }
            let st = &plan.stages[id];
            if matches!(st.base, Base::Stage(_)) {
                continue;
            }
            states[id].resolved = true;
            let platform = st.platform.clone().unwrap_or_else(|| po.target.clone());
            // A named context for the stage's own name replaces the stage; one for its base
            // name replaces the base image.
            let ctx_name = if st.replaced_by_context {
                st.name.clone()
            } else if st.base_name != SCRATCH {
                Some(st.base_name.clone())
            } else {
                None
            };
            if let Some((key, nc)) = ctx_name
                .as_deref()
                .and_then(|n| find_context(req, n, &platform))
            {
                match load_context(&mut ctx, req, &key, nc) {
                    ContextLoad::Ready(state, image) => {
                        if matches!(nc, NamedContext::Local { .. }) {
                            if let Some(o) = state.out {
                                local_contexts.push((o.node, id));
                            }
                        }
                        let d = &mut states[id];
                        d.state = state;
                        d.platform = Some(platform.clone());
                        if st.replaced_by_context {
                            d.image = image.map(|i| *i).unwrap_or_default();
                            d.dispatched = true;
                        } else {
                            d.image = image.map_or_else(|| ImageConfig::empty(&platform), |i| *i);
                            d.base_img = Some(Arc::new(d.image.clone()));
                            if st.unregistered {
                                d.dispatched = true;
                            }
                        }
                    }
                    ContextLoad::Image(reference) => {
                        let r = Plan::normalize_image(&reference)
                            .map_err(|m| CompileError::at(st.range, m))?;
                        let reference = r.to_string();
                        ctx_jobs.push((
                            id,
                            key.clone(),
                            ResolveRequest {
                                reference: reference.clone(),
                                platform,
                                mode: req.image_resolve_mode,
                                log_name: format!("[context {key}] load metadata for {reference}"),
                            },
                        ));
                    }
                    ContextLoad::Unsupported(what) => {
                        return Err(CompileError::new(
                            ErrorKind::Unsupported,
                            Some(st.range),
                            format!("named context {key}: {what} is not supported by mstage yet"),
                        ))
                    }
                }
                continue;
            }
            if st.base_name == SCRATCH {
                let d = &mut states[id];
                d.state = LState::scratch();
                d.image = ImageConfig::empty(&po.target);
                d.platform = Some(po.target.clone());
                if st.unregistered {
                    d.dispatched = true;
                }
                continue;
            }
            let (r, reference) = match normalized.get(st.base_name.as_str()) {
                Some(known) => known.clone(),
                None => {
                    let r = Plan::normalize_image(&st.base_name)
                        .map_err(|m| CompileError::at(st.range, m))?;
                    let reference = r.to_string();
                    normalized.insert(&st.base_name, (r.clone(), reference.clone()));
                    (r, reference)
                }
            };
            let prefix = if multi_platform {
                ["[", &platform.format_all(), " internal]"].concat()
            } else {
                "[internal]".to_string()
            };
            jobs.push((
                id,
                r,
                ResolveRequest {
                    reference: reference.clone(),
                    platform,
                    mode: req.image_resolve_mode,
                    log_name: [&prefix, " load metadata for ", &reference].concat(),
                },
            ));
        }
        // Stages on the same base ask once (a 200-stage file on one image makes one call).
        let (first, slot) = dedup_requests(jobs.iter().map(|(_, _, rq)| rq));
        let (unique_results, ctx_results) = futures::join!(
            join_all(first.iter().map(|&i| resolver.resolve(&jobs[i].2))),
            join_all(ctx_jobs.iter().map(|(_, _, rq)| resolver.resolve(rq)))
        );
        for ((id, key, rq), res) in ctx_jobs.into_iter().zip(ctx_results) {
            let st = &plan.stages[id];
            let res =
                res.map_err(|e| CompileError::new(ErrorKind::Resolve, Some(st.range), e.message))?;
            resolved_refs.push(rq.reference.clone());
            let mut img = ImageConfig::from_json(&res.config).map_err(|e| {
                CompileError::new(
                    ErrorKind::Resolve,
                    Some(st.range),
                    format!("failed to parse image config: {e}"),
                )
            })?;
            img.created = None;
            let out = ctx.graph.add(
                NodeKind::Source(Source::Image {
                    reference: res.reference.clone(),
                    resolve_mode: req.image_resolve_mode,
                }),
                Some(rq.platform.clone()),
                OpMeta {
                    custom_name: Some(format!("[context {key}] {}", res.reference)),
                    ..Default::default()
                },
            );
            // `WithImageConfig`: env, working dir and platform come from the config.
            let mut state = LState::scratch().with_output(out);
            for e in &img.config.env {
                let (k, v) = e.split_once('=').unwrap_or((e.as_str(), ""));
                state.env.add_or_replace(k, v);
            }
            if !img.config.working_dir.is_empty() {
                state.dir = img.config.working_dir.clone();
            }
            state.platform = Some(rq.platform.clone());
            let d = &mut states[id];
            d.state = state;
            d.platform = Some(rq.platform.clone());
            d.base_img = Some(Arc::new(img.clone()));
            d.image = img;
            if st.replaced_by_context || st.unregistered {
                d.dispatched = true;
            }
        }
        // Each distinct image config is parsed once and shared as the base config of the
        // stages on it; each stage's own config starts as a copy.
        let mut configs: Vec<Option<Arc<ImageConfig>>> = vec![None; unique_results.len()];
        for ((id, r, rq), &s) in jobs.into_iter().zip(&slot) {
            let range = plan.stages[id].range;
            let res = unique_results[s].as_ref().map_err(|e| {
                CompileError::new(
                    ErrorKind::Resolve,
                    Some(range),
                    format!("{}: {}", plan.stages[id].base_name, e.message),
                )
            })?;
            resolved_refs.push(rq.reference.clone());
            let base = match &configs[s] {
                Some(img) => img.clone(),
                None => {
                    let img = ImageConfig::from_json(&res.config).map_err(|e| {
                        CompileError::new(
                            ErrorKind::Resolve,
                            Some(range),
                            format!("failed to parse image config: {e}"),
                        )
                    })?;
                    let img = Arc::new(img);
                    configs[s] = Some(img.clone());
                    img
                }
            };
            let mut img = (*base).clone();
            let mut r = r;
            let orig_name = plan.stages[id].base_name.clone();
            if res.reference != rq.reference {
                r = crate::image::ImageRef::parse_normalized(&res.reference).map_err(|e| {
                    CompileError::at(
                        range,
                        format!("failed to parse ref {:?}: {e}", res.reference),
                    )
                })?;
            }
            img.created = None;
            let mut platform = rq.platform.clone();
            if plan.stages[id].platform.is_none() && po.implicit_target {
                platform = auto_detect(&img, &platform, &po.build);
            }
            if let Some(dg) = &res.digest {
                r = r.with_digest(dg);
            }
            let reference = r.to_string();
            let layerless = img.is_layerless();
            if !layerless {
                base_platform_check(lint, &orig_name, &platform, &img, range);
            }
            let d = &mut states[id];
            d.image = img;
            d.base_img = Some(base);
            if layerless {
                d.state = LState::scratch();
            } else {
                let name = d.prefix(&ctx, &["FROM ", &reference].concat(), Some(&platform));
                let mut description = BTreeMap::new();
                description.insert(
                    "com.docker.dockerfile.v1.command".to_string(),
                    plan.stages[id].from_text.clone(),
                );
                let out = ctx.graph.add(
                    NodeKind::Source(Source::Image {
                        reference,
                        resolve_mode: req.image_resolve_mode,
                    }),
                    Some(platform.clone()),
                    OpMeta {
                        custom_name: Some(name),
                        description,
                        locations: if plan.stages[id].unregistered {
                            vec![]
                        } else {
                            vec![range]
                        },
                        ..Default::default()
                    },
                );
                let mut st = LState::scratch().with_output(out);
                st.platform = Some(platform.clone());
                d.state = st;
            }
            d.platform = Some(platform);
            if plan.stages[id].unregistered {
                d.dispatched = true;
            }
        }

        // ONBUILD triggers of image bases and of base stages. Only stages the target needs
        // get them, even when every stage is lowered (as BuildKit's lint does).
        let needed = if req.all_stages {
            plan.reachable()
        } else {
            reach
        };
        let mut new_deps = false;
        for id in 0..plan.stages.len() {
            if !needed[id] || plan.stages[id].onbuild_done || plan.stages[id].unregistered {
                continue;
            }
            plan.stages[id].onbuild_done = true;
            let range = plan.stages[id].range;
            let mut exprs: Vec<String> = Vec::new();
            match plan.stages[id].base {
                Base::Stage(b) => {
                    for c in &plan.stages[b].commands {
                        if let Instruction::Onbuild(o) = &*c.instruction {
                            exprs.push(o.expression.clone());
                        }
                    }
                }
                _ => exprs.append(&mut states[id].image.config.on_build),
            }
            if exprs.is_empty() {
                continue;
            }
            let mut insts = Vec::with_capacity(exprs.len());
            for e in &exprs {
                insts.push(
                    triggers
                        .parse_trigger(e, range)
                        .map_err(|e| e.with_range(range))?,
                );
            }
            if plan.add_triggers(id, insts)? {
                new_deps = true;
            }
            states[id].cmd_total = plan.stages[id].cmd_total;
        }
        if !new_deps {
            break;
        }
    }

    // Dispatch reachable stages in Dockerfile order.
    let reach = reachable(&plan);
    let mut dispatched = vec![false; plan.stages.len()];
    // How many stages still start from each stage: the last one may take the base's image
    // (history grows along a chain; cloning it per stage would be quadratic).
    let mut children = vec![0usize; plan.stages.len()];
    for (st, _) in plan.stages.iter().zip(&reach).filter(|(_, r)| **r) {
        if let Base::Stage(b) = st.base {
            children[b] += 1;
        }
    }
    for id in 0..plan.stages.len() {
        if !reach[id] || states[id].dispatched {
            continue;
        }
        let mut d = std::mem::take(&mut states[id]);
        if let Base::Stage(b) = plan.stages[id].base {
            children[b] -= 1;
            let last = children[b] == 0 && b != plan.target;
            let base = &mut states[b];
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
        d.dispatched = true;
        let range = plan.stages[id].range;
        init_stage(&mut ctx, &mut d, range)?;
        for cmd in &plan.stages[id].commands {
            let srcs = SourceStates {
                states: cmd.sources.iter().map(|&s| &states[s]).collect(),
                ids: cmd.sources.clone(),
            };
            let r = cmd.instruction.range();
            dispatch(&mut ctx, &mut d, &cmd.instruction, &srcs, cmd.on_build)
                .map_err(|e| e.with_range(r))?;
        }
        states[id] = d;
        dispatched[id] = true;
    }

    // Finalize the target.
    let target = plan.target;
    let mut image = states[target].image.clone();
    if !req.labels.is_empty() {
        let labels = image.config.labels.get_or_insert_with(Default::default);
        for (k, v) in &req.labels {
            labels.insert(k.clone(), v.clone());
        }
    }
    if let Some(ctx_out) = ctx.context {
        if let NodeKind::Source(Source::Local { follow_paths, .. }) =
            &mut ctx.graph.nodes[ctx_out.node].kind
        {
            // Only the paths COPY/ADD/bind mounts use are sent, unless one is the root.
            if !ctx.ctx_paths.contains("/") {
                let mut paths: Vec<String> = ctx
                    .ctx_paths
                    .iter()
                    .map(|p| super::dispatch::join_path(&[".", p]))
                    .collect();
                paths.sort();
                *follow_paths = paths;
            }
        }
    }
    if !local_contexts.is_empty() {
        set_context_follow_paths(&mut ctx, &plan, &local_contexts);
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

    let sm = req.source_map.then(|| SourceMapInfo {
        filename: &req.dockerfile_name,
        data: &req.dockerfile,
        definition: req.dockerfile_definition.as_ref(),
    });
    let local_unique = match &req.session {
        LocalSession::Unique(u) => u.as_str(),
        LocalSession::Session(_) => "mstage",
    };
    let definition = marshal(
        std::mem::take(&mut ctx.graph),
        states[target].state.out,
        &req.caps,
        &po.target,
        local_unique,
        sm,
    )?;
    check_caps(&definition, &req.caps)?;
    let build = PlatformBuild {
        platform: po.target.normalize(),
        definition,
        image_config: image.to_json(),
        base_image_config: states[target].base_img.as_ref().map(|b| b.to_json()),
    };
    Ok(Compiled {
        build,
        dispatched,
        resolved: resolved_refs,
        plan,
    })
}

/// Refuses a Definition that needs an LLB capability the target BuildKit lacks (the Go
/// client refuses such a `Solve` too), naming the feature and the instruction.
fn check_caps(
    def: &mstage_proto::pb::Definition,
    caps: &super::Capabilities,
) -> Result<(), CompileError> {
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
                    .get("llb.customname")
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

/// Named local contexts send only the paths read from their stage (and from stages built
/// on it, which share its path set as upstream), unless one of them is `/` or the stage is
/// the target (BuildKit's `asyncLocalOpts` + `filterPaths`).
fn set_context_follow_paths(ctx: &mut Ctx<'_>, plan: &Plan, locals: &[(usize, usize)]) {
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
    for &(node, stage) in locals {
        let paths: std::collections::BTreeSet<&str> = uses
            .iter()
            .filter(|(o, _)| *o == stage)
            .map(|(_, p)| *p)
            .collect();
        if paths.contains("/") {
            continue;
        }
        let list: Vec<String> = paths
            .iter()
            .map(|p| super::dispatch::join_path(&[".", p]))
            .collect();
        if let NodeKind::Source(Source::Local { follow_paths, .. }) =
            &mut ctx.graph.nodes[node].kind
        {
            *follow_paths = list;
        }
    }
}
