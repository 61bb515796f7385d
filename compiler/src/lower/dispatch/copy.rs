//! COPY and ADD: build context, other stages, images, URLs, git; `--chown`, `--chmod`,
//! `--link`, `--parents`, `--exclude`, heredocs (`dispatchCopy`).

use super::gofmt::*;
use super::*;
use crate::lower::Gate;

pub(super) struct CopyCfg<'a> {
    pub(super) files: &'a SourcesAndDest,
    pub(super) excludes: &'a [String],
    pub(super) source: Option<Out>,
    pub(super) is_add: bool,
    pub(super) original: &'a str,
    pub(super) chown: Option<&'a str>,
    pub(super) chmod: Option<Chmod>,
    pub(super) chmod_raw: &'a str,
    pub(super) link: bool,
    pub(super) keep_git_dir: Option<bool>,
    pub(super) checksum: Option<&'a str>,
    pub(super) parents: bool,
    pub(super) unpack: Option<bool>,
    pub(super) range: SourceRange,
    /// The sources are paths in the main build context (the `CopyIgnoredFile` check).
    pub(super) from_context: bool,
    /// Comment lines above the instruction (per-instruction check settings).
    pub(super) comments: &'a [String],
}

pub(super) fn contains_wildcards(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'*' | b'?' | b'[' => return true,
            b'\\' => i += 1,
            _ => {}
        }
        i += 1;
    }
    false
}

pub(super) fn dispatch_copy(
    ctx: &mut Ctx<'_>,
    d: &mut DState,
    cfg: CopyCfg<'_>,
) -> Result<(), CompileError> {
    let range = cfg.range;
    let dest = path_relative_to_workdir(&d.state.dir, &cfg.files.dest);
    let owner = cfg.chown.map(parse_chown);
    let (mode, mode_str) = match &cfg.chmod {
        None => (None, String::new()),
        Some(Chmod::Octal(m)) => (Some(*m as i32), String::new()),
        Some(Chmod::Symbolic(s)) => (None, s.clone()),
    };
    if cfg.checksum.is_some() {
        if !cfg.is_add {
            return Err(err(range, "checksum can't be specified for COPY"));
        }
        if cfg.files.sources.len() != 1 {
            return Err(err(
                range,
                "checksum can't be specified for multiple sources",
            ));
        }
        let s = &cfg.files.sources[0];
        if crate::lower::sources::parse_git(s).is_none() && !is_http(s) {
            return Err(err(range, "checksum requires HTTP(S) or Git sources"));
        }
    }
    // The Go client never declares these caps on file ops, so an older BuildKit would
    // silently ignore the fields. `--exclude` is refused there (ignoring it could put files
    // the user meant to keep out, such as credentials, into the image). `--parents` degrades
    // as with BuildKit's own frontend: the engine copies the whole pivot directory.
    if cfg.parents && !ctx.caps.allows(Gate::CopyPatterns) {
        tracing::warn!(
            "line {}: this BuildKit lacks include patterns; COPY --parents copies the whole source directory, as BuildKit's own frontend does here",
            range.start_line
        );
    }
    let needs: [(bool, Gate, &str); 2] = [
        (!cfg.excludes.is_empty(), Gate::CopyPatterns, "--exclude"),
        (
            matches!(cfg.chmod, Some(Chmod::Symbolic(_))),
            Gate::SymbolicChmod,
            "a symbolic --chmod",
        ),
    ];
    for (used, gate, what) in needs {
        if used && !ctx.caps.allows(gate) {
            return Err(CompileError::new(
                crate::lower::ErrorKind::Unsupported,
                Some(range),
                format!(
                    "{what} needs BuildKit {}: this one lacks the LLB capability {:?}",
                    gate.since(),
                    gate.cap()
                ),
            ));
        }
    }
    // The history line: about the instruction's length.
    let mut msg = String::with_capacity(cfg.original.len() + 16);
    msg.push_str(if cfg.is_add { "ADD" } else { "COPY" });
    if cfg.parents {
        msg.push_str(" --parents");
    }
    if let Some(c) = cfg.chown {
        msg.push_str(&format!(" --chown={c}"));
    }
    if !cfg.chmod_raw.is_empty() {
        msg.push_str(" --chmod=");
        msg.push_str(cfg.chmod_raw);
    }
    let platform = d.platform(ctx);
    let env = d.state.env.clone();
    let name = uppercase_cmd(ctx.words.name(cfg.original, &env));
    let pg_name = d.prefix(ctx, &name, Some(&platform));

    // One copy per source (plus one per heredoc): sized up front, as actions are large.
    let mut actions: Vec<FileAction> =
        Vec::with_capacity(cfg.files.sources.len() + cfg.files.contents.len());
    let excludes: Vec<String> = cfg.excludes.to_vec();
    let base_input = |actions: &Vec<FileAction>| -> Option<usize> {
        (!actions.is_empty()).then(|| actions.len() - 1)
    };
    let push = |actions: &mut Vec<FileAction>, src: ActionInput, spec: CopySpec| {
        let input = match base_input(actions) {
            Some(k) => ActionInput::Action(k),
            None => ActionInput::Scratch, // replaced by the stage state below
        };
        actions.push(FileAction {
            input,
            secondary: src,
            kind: ActionKind::Copy(spec),
        });
    };
    let as_input = |o: Option<Out>| match o {
        Some(o) => ActionInput::State(o),
        None => ActionInput::Scratch,
    };

    for src in &cfg.files.sources {
        msg.push(' ');
        msg.push_str(src);
        if let Some(git) = crate::lower::sources::parse_git(src) {
            if !cfg.is_add {
                return Err(err(range, "source can't be a git ref for COPY"));
            }
            let mut keep = cfg.keep_git_dir;
            if let (Some(a), Some(b)) = (keep, git.keep_git_dir) {
                if a != b {
                    return Err(err(range, "inconsistent keep-git-dir configuration"));
                }
            }
            if git.keep_git_dir.is_some() {
                keep = git.keep_git_dir;
            }
            let mut checksum = cfg.checksum.map(str::to_string);
            if let (Some(a), Some(b)) = (&checksum, &git.checksum) {
                if a != b {
                    return Err(err(range, format!("checksum mismatch {a:?} != {b:?}")));
                }
            }
            if git.checksum.is_some() {
                checksum = git.checksum.clone();
            }
            let node =
                crate::lower::sources::git_source(&git, keep.unwrap_or(false), checksum.as_deref());
            let o = ctx.graph.add(
                NodeKind::Source(node),
                None,
                OpMeta {
                    custom_name: Some(pg_name.clone()),
                    ..Default::default()
                },
            );
            push(
                &mut actions,
                ActionInput::State(o),
                CopySpec {
                    src: "/".into(),
                    dest: dest.clone(),
                    owner: owner.clone(),
                    mode,
                    mode_str: mode_str.clone(),
                    create_dest_path: true,
                    exclude_patterns: excludes.clone(),
                    timestamp: None, // COPY/ADD keep source times (SOURCE_DATE_EPOCH only affects WORKDIR and history)
                    ..Default::default()
                },
            );
        } else if is_http(src) {
            if !cfg.is_add {
                return Err(err(range, "source can't be a URL for COPY"));
            }
            let filename = crate::lower::sources::url_filename(src);
            if let Some(sum) = cfg.checksum {
                if !sum.contains(':') {
                    return Err(err(range, "invalid checksum digest format"));
                }
            }
            let mut description = std::collections::BTreeMap::new();
            description.insert(
                "com.docker.dockerfile.v1.command".to_string(),
                String::new(),
            );
            let o = ctx.graph.add(
                NodeKind::Source(Source::Http {
                    url: src.clone(),
                    filename: filename.clone(),
                    checksum: cfg.checksum.map(str::to_string),
                }),
                None,
                OpMeta {
                    custom_name: Some(pg_name.clone()),
                    description,
                    ..Default::default()
                },
            );
            push(
                &mut actions,
                ActionInput::State(o),
                CopySpec {
                    src: filename,
                    dest: dest.clone(),
                    owner: owner.clone(),
                    mode,
                    mode_str: mode_str.clone(),
                    create_dest_path: true,
                    attempt_unpack: cfg.unpack.unwrap_or(false),
                    exclude_patterns: excludes.clone(),
                    timestamp: None, // COPY/ADD keep source times (SOURCE_DATE_EPOCH only affects WORKDIR and history)
                    ..Default::default()
                },
            );
        } else {
            if cfg.from_context {
                crate::lint::checks::copy_source(ctx.lint, cfg.comments, range, cfg.is_add, src);
            }
            let mut src_path = src.clone();
            let mut patterns = Vec::new();
            let mut required = Vec::new();
            if cfg.parents {
                let (parent, pattern) = match src.split_once("/./") {
                    Some((p, pat)) => (p.to_string(), pat.to_string()),
                    None => ("/".to_string(), src.clone()),
                };
                src_path = parent;
                let pattern = normalize_path("/", &pattern, false);
                patterns.push(pattern.trim_start_matches('/').to_string());
                if !contains_wildcards(&src_path) && !contains_wildcards(&pattern) {
                    required.push(normalize_path(
                        "/",
                        &join_path(&[&src_path, &pattern]),
                        false,
                    ));
                }
            }
            let src_path = normalize_path("/", &src_path, false);
            push(
                &mut actions,
                as_input(cfg.source),
                CopySpec {
                    src: src_path,
                    dest: dest.clone(),
                    owner: owner.clone(),
                    mode,
                    mode_str: mode_str.clone(),
                    follow_symlink: true,
                    dir_copy_contents: true,
                    attempt_unpack: cfg.unpack.unwrap_or(cfg.is_add),
                    create_dest_path: true,
                    allow_wildcard: true,
                    allow_empty_wildcard: true,
                    timestamp: None, // COPY/ADD keep source times (SOURCE_DATE_EPOCH only affects WORKDIR and history)
                    include_patterns: patterns,
                    exclude_patterns: excludes.clone(),
                    required_paths: required,
                },
            );
        }
    }

    let mut raw = |w: &str| ctx.words.keep_quotes(w, &env);
    let contents = cfg
        .files
        .expand_contents(range, &mut raw as &mut WordExpander<'_, String>)
        .map_err(|e| expand_err(e, range))?;
    for sc in &contents {
        msg.push_str(&format!(" <<{}", sc.path));
        let o = ctx.graph.add(
            NodeKind::File(vec![FileAction {
                input: ActionInput::Scratch,
                secondary: ActionInput::Scratch,
                kind: ActionKind::Mkfile {
                    path: normalize_path("/", &sc.path, false),
                    mode: 0o644,
                    data: sc.data.clone().into_bytes(),
                    owner: None,
                    timestamp: None,
                },
            }]),
            Some(platform.clone()),
            OpMeta {
                custom_name: Some("[internal] preparing inline document".into()),
                ..Default::default()
            },
        );
        push(
            &mut actions,
            ActionInput::State(o),
            CopySpec {
                src: normalize_path("/", &sc.path, false),
                dest: dest.clone(),
                owner: owner.clone(),
                mode,
                mode_str: mode_str.clone(),
                create_dest_path: true,
                exclude_patterns: excludes.clone(),
                timestamp: None, // COPY/ADD keep source times (SOURCE_DATE_EPOCH only affects WORKDIR and history)
                ..Default::default()
            },
        );
    }
    msg.push(' ');
    msg.push_str(&cfg.files.dest);

    let use_merge = ctx.caps.allows(Gate::MergeOp) && cfg.link && cfg.chmod_raw.is_empty();
    let base = if use_merge { None } else { d.state.out };
    if let Some(first) = actions.first_mut() {
        first.input = as_input(base);
    }
    let meta = OpMeta {
        custom_name: Some(pg_name.clone()),
        ignore_cache: d.ignore_cache,
        locations: vec![range],
        ..Default::default()
    };
    if use_merge {
        let pg_id = progress_group_id(range, &pg_name);
        let mut copy_meta = meta.clone();
        copy_meta.progress_group = Some((pg_id.clone(), pg_name.clone(), true));
        let copy = ctx
            .graph
            .add(NodeKind::File(actions), Some(platform.clone()), copy_meta);
        d.cmd_index -= 1;
        let link_name = d.prefix(ctx, &format!("LINK {name}"), Some(&platform));
        match d.state.out {
            None => d.state.out = Some(copy),
            Some(base_out) => {
                let mut merge_meta = meta;
                merge_meta.progress_group = Some((pg_id, pg_name, false));
                merge_meta.custom_name = Some(link_name);
                let m = ctx
                    .graph
                    .add(NodeKind::Merge(vec![base_out, copy]), None, merge_meta);
                d.state.out = Some(m);
            }
        }
    } else {
        let o = ctx.graph.add(NodeKind::File(actions), Some(platform), meta);
        d.state.out = Some(o);
    }
    d.commit(msg, true, true, ctx);
    Ok(())
}

/// Progress-group id of a `--link` copy. Upstream uses a random id; a stable one keeps
/// the Definition reproducible (metadata only, not part of the op digests).
pub(super) fn progress_group_id(range: SourceRange, name: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (range.start_line, range.end_line, name).hash(&mut h);
    format!("mstage-{:016x}", h.finish())
}

pub(super) fn is_http(s: &str) -> bool {
    (s.starts_with("http://") || s.starts_with("https://"))
        && crate::lower::sources::parse_git(s).is_none()
}
