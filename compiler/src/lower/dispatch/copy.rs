//! COPY and ADD: build context, other stages, images, URLs, git; `--chown`, `--chmod`,
//! `--link`, `--parents`, `--exclude`, heredocs (`dispatchCopy`).

use llb_gen::{Copy, Mkfile};
use mstage_syntax::instructions::CopyCommand;

use super::gofmt::*;
use super::state::*;
use crate::error::CompileError;
use crate::image::Platform;
use crate::lower::caps::Gate;
use crate::lower::sources::{git_source, parse_git, url_filename, GitRef};
use llb_gen::{FileActions, OpOptions, Owner, State};
use mstage_syntax::instructions::{AddCommand, Chmod, SourcesAndDest, WordExpander};
use mstage_syntax::parser::SourceRange;

/// One COPY or ADD, expanded.
struct CopyCfg<'a> {
    files: &'a SourcesAndDest,
    excludes: &'a [String],
    /// Where local paths are copied from: the build context or another stage.
    source: State,
    is_add: bool,
    original: &'a str,
    chown: Option<&'a str>,
    chmod: Option<Chmod>,
    chmod_raw: &'a str,
    link: bool,
    keep_git_dir: Option<bool>,
    checksum: Option<&'a str>,
    parents: bool,
    unpack: Option<bool>,
    range: SourceRange,
    /// The sources are paths in the main build context (the `CopyIgnoredFile` check).
    from_context: bool,
    /// Comment lines above the instruction (per-instruction check settings).
    comments: &'a [String],
}

/// COPY: from the build context, or `--from` a stage, named context or image.
pub(super) fn dispatch_copy(
    ctx: &mut Ctx<'_>,
    d: &mut DState,
    c: &CopyCommand,
    sources: &SourceStates<'_>,
) -> Result<(), CompileError> {
    let range = c.origin.range;
    let c = expand(ctx.words, &d.state.env, range, |ex| c.expand(ex))?;
    let (source, from_context) = match sources.states.first() {
        Some(src) if !src.dispatched => {
            return Err(err(
                range,
                format!(
                    "cannot copy from stage {:?}, it needs to be defined before current stage {:?}",
                    c.from.clone().unwrap_or_default(),
                    d.display_name
                ),
            ));
        }
        Some(src) => (src.state.fs.clone(), false),
        None => (ctx.context(), true),
    };
    let cfg = CopyCfg {
        files: &c.files,
        excludes: &c.excludes,
        source,
        is_add: false,
        original: &c.origin.original,
        chown: c.chown.as_deref().filter(|s| !s.is_empty()),
        chmod: c.chmod_mode().map_err(CompileError::from)?,
        chmod_raw: c.chmod.as_deref().unwrap_or(""),
        link: c.link,
        keep_git_dir: None,
        checksum: None,
        parents: c.parents,
        unpack: None,
        range,
        from_context,
        comments: &c.origin.comments,
    };
    copy_files(ctx, d, cfg)?;
    for s in &c.files.sources {
        let p = join_path(&["/", s]);
        match sources.ids.first() {
            Some(&id) => ctx.path_uses.push((id, p)),
            None => {
                ctx.ctx_paths.insert(p);
            }
        }
    }
    Ok(())
}

/// ADD: from the build context, URLs and git repositories.
pub(super) fn dispatch_add(
    ctx: &mut Ctx<'_>,
    d: &mut DState,
    c: &AddCommand,
) -> Result<(), CompileError> {
    let range = c.origin.range;
    let c = expand(ctx.words, &d.state.env, range, |ex| c.expand(ex))?;
    let cfg = CopyCfg {
        files: &c.files,
        excludes: &c.excludes,
        source: ctx.context(),
        is_add: true,
        original: &c.origin.original,
        chown: c.chown.as_deref().filter(|s| !s.is_empty()),
        chmod: c.chmod_mode().map_err(CompileError::from)?,
        chmod_raw: c.chmod.as_deref().unwrap_or(""),
        link: c.link,
        keep_git_dir: c.keep_git_dir,
        checksum: c.checksum.as_deref().filter(|s| !s.is_empty()),
        parents: false,
        unpack: c.unpack,
        range,
        from_context: true,
        comments: &c.origin.comments,
    };
    copy_files(ctx, d, cfg)?;
    for s in &c.files.sources {
        if !s.starts_with("http://") && !s.starts_with("https://") {
            ctx.ctx_paths.insert(join_path(&["/", s]));
        }
    }
    Ok(())
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

/// What every copy of one COPY/ADD shares: destination, owner, mode and excludes.
struct CopyInto {
    dest: String,
    owner: Option<Owner>,
    chmod: Option<llb_gen::Chmod>,
    excludes: Vec<String>,
}

impl CopyInto {
    /// A copy of `src` of `from`. COPY and ADD keep the source's times: `SOURCE_DATE_EPOCH`
    /// only affects WORKDIR and history.
    fn copy(&self, from: &State, src: impl Into<String>) -> Copy {
        let mut copy = Copy::new(from, src, self.dest.clone())
            .create_dest_path(true)
            .exclude_patterns(self.excludes.clone());
        if let Some(o) = &self.owner {
            copy = copy.owner(o.clone());
        }
        if let Some(m) = &self.chmod {
            copy = copy.chmod(m.clone());
        }
        copy
    }
}

/// The copies of one COPY/ADD: one per source, one per heredoc; then the history entry.
fn copy_files(ctx: &mut Ctx<'_>, d: &mut DState, cfg: CopyCfg<'_>) -> Result<(), CompileError> {
    check_copy(ctx, &cfg)?;
    let range = cfg.range;
    let into = CopyInto {
        dest: path_relative_to_workdir(&d.state.dir, &cfg.files.dest),
        owner: cfg.chown.map(Owner::parse),
        chmod: match &cfg.chmod {
            None => None,
            Some(Chmod::Octal(m)) => Some(llb_gen::Chmod::Mode(*m)),
            Some(Chmod::Symbolic(s)) => {
                (!s.is_empty()).then(|| llb_gen::Chmod::Symbolic(s.clone()))
            }
        },
        excludes: cfg.excludes.to_vec(),
    };
    let mut msg = copy_history_start(&cfg);
    let platform = d.platform(ctx);
    let env = d.state.env.clone();
    let name = uppercase_cmd(ctx.words.name(cfg.original, &env));
    let pg_name = d.prefix(ctx, &name, Some(&platform));

    let mut actions = FileActions::new();
    for src in &cfg.files.sources {
        msg.push(' ');
        msg.push_str(src);
        let copy = if let Some(git) = parse_git(src) {
            copy_git(&cfg, &into, &git, &pg_name)?
        } else if is_http(src) {
            copy_url(&cfg, &into, src, &pg_name)?
        } else {
            if cfg.from_context {
                crate::lint::checks::copy_source(ctx.lint, cfg.comments, range, cfg.is_add, src);
            }
            copy_path(&cfg, &into, src)
        };
        actions = actions.copy(copy);
    }
    let mut raw = |w: &str| ctx.words.keep_quotes(w, &env);
    let contents = cfg
        .files
        .expand_contents(range, &mut raw as &mut WordExpander<'_, String>)
        .map_err(|e| expand_err(e, range))?;
    for sc in &contents {
        msg.push_str(&format!(" <<{}", sc.path));
        let path = normalize_path("/", &sc.path, false);
        let doc = inline_document(Mkfile::new(path.clone(), 0o644, sc.data.as_bytes()));
        actions = actions.copy(into.copy(&doc, path));
    }
    msg.push(' ');
    msg.push_str(&cfg.files.dest);
    apply_copies(ctx, d, &cfg, actions, (name, pg_name), &platform);
    d.commit(msg, true, true, ctx);
    Ok(())
}

/// `--checksum` only for ADD of one URL or git repository; `--exclude` and a symbolic
/// `--chmod` only where the engine has the caps.
fn check_copy(ctx: &Ctx<'_>, cfg: &CopyCfg<'_>) -> Result<(), CompileError> {
    let range = cfg.range;
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
        if parse_git(s).is_none() && !is_http(s) {
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
                crate::error::ErrorKind::Unsupported,
                Some(range),
                format!(
                    "{what} needs BuildKit {}: this one lacks the LLB capability {:?}",
                    gate.since(),
                    gate.cap()
                ),
            ));
        }
    }
    Ok(())
}

/// The history line up to the sources: `COPY --parents --chown=... --chmod=...`.
fn copy_history_start(cfg: &CopyCfg<'_>) -> String {
    // About the instruction's length.
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
    msg
}

/// ADD of a git repository: the whole checkout.
fn copy_git(
    cfg: &CopyCfg<'_>,
    into: &CopyInto,
    git: &GitRef,
    name: &str,
) -> Result<Copy, CompileError> {
    let range = cfg.range;
    if !cfg.is_add {
        return Err(err(range, "source can't be a git ref for COPY"));
    }
    if let (Some(a), Some(b)) = (cfg.keep_git_dir, git.keep_git_dir) {
        if a != b {
            return Err(err(range, "inconsistent keep-git-dir configuration"));
        }
    }
    if let (Some(a), Some(b)) = (cfg.checksum, &git.checksum) {
        if a != b {
            return Err(err(range, format!("checksum mismatch {a:?} != {b:?}")));
        }
    }
    let keep = git.keep_git_dir.or(cfg.keep_git_dir).unwrap_or(false);
    let checksum = git.checksum.as_deref().or(cfg.checksum);
    let repo = git_source(git, keep, checksum)
        .custom_name(name.to_string())
        .build();
    Ok(into.copy(&repo, "/"))
}

/// ADD of a URL: the downloaded file, unpacked only with `--unpack`.
fn copy_url(
    cfg: &CopyCfg<'_>,
    into: &CopyInto,
    url: &str,
    name: &str,
) -> Result<Copy, CompileError> {
    if !cfg.is_add {
        return Err(err(cfg.range, "source can't be a URL for COPY"));
    }
    let filename = url_filename(url);
    let mut download = llb_gen::http(url).filename(filename.clone());
    if let Some(sum) = cfg.checksum {
        if !sum.contains(':') {
            return Err(err(cfg.range, "invalid checksum digest format"));
        }
        download = download.checksum(sum);
    }
    let file = download
        .custom_name(name.to_string())
        .description(COMMAND_KEY, "")
        .build();
    Ok(into
        .copy(&file, filename)
        .attempt_unpack(cfg.unpack.unwrap_or(false)))
}

/// A path (or glob) of the build context or of another stage; with `--parents`, the part
/// after `/./` keeps its directories.
fn copy_path(cfg: &CopyCfg<'_>, into: &CopyInto, src: &str) -> Copy {
    let mut src_path = src.to_string();
    let mut patterns = Vec::new();
    let mut required = Vec::new();
    if cfg.parents {
        let (parent, pattern) = src.split_once("/./").unwrap_or(("/", src));
        src_path = parent.to_string();
        let pattern = normalize_path("/", pattern, false);
        patterns.push(pattern.trim_start_matches('/').to_string());
        if !contains_wildcards(&src_path) && !contains_wildcards(&pattern) {
            let path = join_path(&[&src_path, &pattern]);
            required.push(normalize_path("/", &path, false));
        }
    }
    into.copy(&cfg.source, normalize_path("/", &src_path, false))
        .follow_symlinks(true)
        .dir_contents_only(true)
        .attempt_unpack(cfg.unpack.unwrap_or(cfg.is_add))
        .allow_wildcard(true)
        .allow_empty_wildcard(true)
        .include_patterns(patterns)
        .required_paths(required)
}

/// A file written from the Dockerfile (a heredoc) into its own filesystem.
pub(super) fn inline_document(file: Mkfile) -> State {
    llb_gen::scratch()
        .file(FileActions::new().mkfile(file))
        .custom_name("[internal] preparing inline document")
        .build()
}

/// Applies the copies to the stage: in one file op on its filesystem, or with `--link`
/// (merge ops allowed, no `--chmod`) onto scratch and merged on top.
fn apply_copies(
    ctx: &Ctx<'_>,
    d: &mut DState,
    cfg: &CopyCfg<'_>,
    actions: FileActions,
    (name, pg_name): (String, String),
    platform: &Platform,
) {
    let range = cfg.range;
    let use_merge = ctx.caps.allows(Gate::MergeOp) && cfg.link && cfg.chmod_raw.is_empty();
    if !use_merge {
        let op = d.state.fs.file(actions);
        d.state.fs = ctx.step(op, pg_name, d, range).build();
        return;
    }
    let pg_id = progress_group_id(range, &pg_name);
    let copy = ctx
        .step(llb_gen::scratch().file(actions), pg_name.clone(), d, range)
        .progress_group(pg_id.clone(), pg_name.clone(), true)
        .build();
    d.cmd_index -= 1;
    let link_name = d.prefix(ctx, &format!("LINK {name}"), Some(platform));
    if d.state.fs.is_scratch() {
        d.state.fs = copy;
        return;
    }
    let merge = llb_gen::merge([d.state.fs.clone(), copy]);
    d.state.fs = ctx
        .step(merge, link_name, d, range)
        .progress_group(pg_id, pg_name, false)
        .build();
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
    (s.starts_with("http://") || s.starts_with("https://")) && parse_git(s).is_none()
}
