//! Where each rule looks. Every function takes the shared [`LintSink`] and reports through
//! it; none of them changes what is built.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{report, LintSink, Rule};
use crate::plan::EnvList;
use mstage_syntax::instructions::{
    extension_uses, ArgCommand, ExtensionUse, Instruction, Origin, Parsed, Stage,
};
use mstage_syntax::parser::{Dockerfile, Node, SourceRange};
use mstage_syntax::shell::Lexer;

/// Stage names that mean something else in `FROM` and `COPY --from`.
const RESERVED_STAGE_NAMES: [&str; 2] = ["context", "scratch"];

/// Build args that never become environment variables (the SBOM scanner's).
const NON_ENV_ARGS: [&str; 2] = ["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

/// Rules on the parse tree, in BuildKit's order: empty continuation lines, then per
/// instruction MAINTAINER, the FROM casing rules and description comments. `upto`: the
/// line where typing the instructions failed; BuildKit reports what it checked before.
pub fn syntax(sink: &LintSink, df: &Dockerfile, upto: Option<usize>) {
    for w in &df.warnings {
        if w.message.starts_with("Empty continuation line") {
            report(Some(sink), &[], Rule::NoEmptyContinuation, w.range, || {
                "Empty continuation line".into()
            });
        }
    }
    for node in &df.instructions {
        if upto.is_some_and(|line| node.range.start_line > line) {
            break;
        }
        node_rules(sink, node);
    }
}

/// Rules on the typed stages, after [`syntax`]: stage names, instruction casing across the
/// file, then base names under default ARGs.
pub fn typed(sink: &LintSink, parsed: &Parsed, default_args: &EnvList, lexer: &Lexer) {
    stage_names(sink, parsed);
    instruction_casing(sink, parsed);
    base_names_with_defaults(sink, parsed, default_args, lexer);
}

/// mstage's extensions (the experimental rule `MstageExtension`): one finding per use,
/// naming the extension, in line order. `includes`: the lines of the `INCLUDE`s the parser
/// spliced (they leave no instruction behind to find).
pub fn extensions(sink: &LintSink, parsed: &Parsed, escape: char, includes: &[SourceRange]) {
    let mut uses: Vec<ExtensionUse> = includes.iter().map(|&r| ExtensionUse::include(r)).collect();
    uses.extend(extension_uses(parsed, escape));
    uses.sort_by_key(|u| (u.range.start_line, u.extension));
    for u in uses {
        report(Some(sink), &[], Rule::MstageExtension, u.range, || {
            format!(
                "{} needs mstage: the stock Dockerfile frontend rejects it",
                u.extension.syntax()
            )
        });
    }
}

/// MAINTAINER, the FROM casing rules and description comments, as BuildKit's instruction
/// parser reports them.
fn node_rules(sink: &LintSink, node: &Node) {
    let (c, range) = (&node.comments[..], node.range);
    match &node.keyword[..] {
        "maintainer" => report(Some(sink), c, Rule::MaintainerDeprecated, range, || {
            "Maintainer instruction is deprecated in favor of using label".into()
        }),
        "from" => {
            let args = &node.args;
            if args.len() == 3 && args[2] != args[2].to_lowercase() {
                report(Some(sink), c, Rule::StageNameCasing, range, || {
                    format!("Stage name '{}' should be lowercase", args[2])
                });
            }
            if args.len() >= 3 && !as_matches_from(&node.keyword_original, &args[1]) {
                report(Some(sink), c, Rule::FromAsCasing, range, || {
                    format!(
                        "'{}' and '{}' keywords' casing do not match",
                        args[1], node.keyword_original
                    )
                });
            }
            // A description needs a comment above; most instructions have none.
            if args.len() == 3 && !node.comments.is_empty() {
                description_comment(sink, node, "FROM", &[args[2].to_lowercase()]);
            }
        }
        "arg" if !node.comments.is_empty() => {
            let keys: Vec<String> = node
                .args
                .iter()
                .map(|a| a.split_once('=').map_or(a.as_str(), |(k, _)| k).to_string())
                .collect();
            description_comment(sink, node, "ARG", &keys);
        }
        _ => {}
    }
}

/// `as` must follow `FROM`'s casing when `FROM` is all upper or all lower case.
fn as_matches_from(from: &str, as_word: &str) -> bool {
    if from == from.to_lowercase() {
        as_word == as_word.to_lowercase()
    } else if from == from.to_uppercase() {
        as_word == as_word.to_uppercase()
    } else {
        true
    }
}

/// A comment right above `FROM ... AS name` or `ARG name` reads as its description; it
/// should start with that name (experimental rule).
fn description_comment(sink: &LintSink, node: &Node, instruction: &str, keys: &[String]) {
    let (Some(last), Some(first_key)) = (node.comments.last(), keys.first()) else {
        return;
    };
    let first_word = last.split(' ').next().unwrap_or_default();
    if keys.iter().any(|k| k == first_word) {
        return;
    }
    let example = if keys.len() > 1 {
        "<arg_key>"
    } else {
        first_key.as_str()
    };
    report(
        Some(sink),
        &node.comments,
        Rule::InvalidDefinitionDescription,
        node.range,
        || {
            format!(
                "Comment for {instruction} should follow the format: `# {example} <description>`"
            )
        },
    );
}

fn stage_names(sink: &LintSink, parsed: &Parsed) {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for st in &parsed.stages {
        let Some(name) = st.name.as_deref() else {
            continue;
        };
        if RESERVED_STAGE_NAMES.contains(&name) {
            report(Some(sink), &[], Rule::ReservedStageName, st.range(), || {
                format!("Stage name should not use the same name as reserved stage {name:?}")
            });
        }
        if !seen.insert(name) {
            report(
                Some(sink),
                &[],
                Rule::DuplicateStageName,
                st.range(),
                || format!("Duplicate stage name {name:?}, stage names should be unique"),
            );
        }
    }
}

/// Keywords are ASCII (an instruction only parses if its keyword is a known one).
fn is_lower(s: &str) -> bool {
    !s.bytes().any(|b| b.is_ascii_uppercase())
}

fn is_upper(s: &str) -> bool {
    !s.bytes().any(|b| b.is_ascii_lowercase())
}

fn self_consistent(s: &str) -> bool {
    is_lower(s) || is_upper(s)
}

/// Keywords (of stages only: global ARGs do not count) should all be lower or all upper
/// case; the majority decides, a tie counts as upper case.
fn instruction_casing(sink: &LintSink, parsed: &Parsed) {
    let keywords = || {
        parsed.stages.iter().flat_map(|st| {
            std::iter::once((&st.from.origin.keyword[..], st.range())).chain(
                st.commands
                    .iter()
                    .map(|c| (&c.origin().keyword[..], c.origin().range)),
            )
        })
    };
    let (mut lower, mut upper) = (0usize, 0usize);
    for (k, _) in keywords() {
        if self_consistent(k) {
            if is_lower(k) {
                lower += 1;
            } else {
                upper += 1;
            }
        }
    }
    let majority_lower = lower > upper;
    for (k, range) in keywords() {
        let casing = if majority_lower && !is_lower(k) {
            "lowercase"
        } else if !majority_lower && !is_upper(k) {
            "uppercase"
        } else {
            continue;
        };
        report(
            Some(sink),
            &[],
            Rule::ConsistentInstructionCasing,
            range,
            || format!("Command '{k}' should match the case of the command majority ({casing})"),
        );
    }
}

/// With no build args at all, every base name must still expand to a valid reference.
fn base_names_with_defaults(
    sink: &LintSink,
    parsed: &Parsed,
    default_args: &EnvList,
    lexer: &Lexer,
) {
    let mut args = default_args.clone();
    for cmd in &parsed.meta_args {
        for a in &cmd.args {
            if let Some(v) = &a.value {
                let Ok(v) = lexer.process_word(v, &args) else {
                    return;
                };
                args.add_or_replace(&a.key, &v);
            }
        }
    }
    for st in &parsed.stages {
        let Ok(name) = lexer.process_word(&st.base_name, &args) else {
            return;
        };
        if crate::plan::Plan::normalize_image(&name).is_err() && name != crate::plan::SCRATCH {
            report(
                Some(sink),
                &[],
                Rule::InvalidDefaultArgInFrom,
                st.range(),
                || {
                    format!(
                        "Default value for ARG {} results in empty or invalid base image name",
                        st.base_name
                    )
                },
            );
        }
    }
}

/// What the FROM checks of one build share: the global ARGs as the build sets them, and
/// every name an ARG in FROM may use (set or declared without a value).
pub struct FromArgs<'a> {
    global_args: &'a EnvList,
    known: BTreeSet<&'a str>,
}

impl<'a> FromArgs<'a> {
    pub fn new(global_args: &'a EnvList, parsed: &'a Parsed) -> Self {
        let mut known: BTreeSet<&str> = global_args.keys().collect();
        known.extend(
            parsed
                .meta_args
                .iter()
                .flat_map(|c| c.args.iter().map(|a| a.key.as_str())),
        );
        FromArgs { global_args, known }
    }
}

/// The FROM line of one stage: undeclared ARGs in the base name or platform,
/// `--platform=$TARGETPLATFORM`, and a constant platform. Returns false when the line does
/// not expand to a usable base and platform: the build stops there, so BuildKit checks no
/// later FROM.
pub fn from_line(sink: &LintSink, stage: &Stage, args: &FromArgs<'_>, lexer: &Lexer) -> bool {
    let (comments, range) = (&stage.from.origin.comments[..], stage.range());
    let undeclared = |unmatched: &BTreeSet<String>| {
        for arg in unmatched
            .iter()
            .filter(|a| !args.known.contains(a.as_str()))
        {
            let options: Vec<&str> = args.known.iter().copied().collect();
            let hint = mstage_syntax::instructions::suggest(arg, &options, true);
            report(
                Some(sink),
                comments,
                Rule::UndefinedArgInFrom,
                range,
                || {
                    let mut msg = format!("FROM argument '{arg}' is not declared");
                    if let Some(h) = hint {
                        msg.push_str(&format!(" (did you mean {h}?)"));
                    }
                    msg
                },
            );
        }
    };
    if stage.base_name.contains('$') {
        match lexer.process_word_with_matches(&stage.base_name, args.global_args) {
            Ok(base) => {
                undeclared(&base.unmatched);
                if base.result.is_empty() {
                    return false;
                }
            }
            Err(_) => return false,
        }
    }
    let Some(platform) = &stage.platform else {
        return true;
    };
    let Ok(m) = lexer.process_word_with_matches(platform, args.global_args) else {
        return false;
    };
    undeclared(&m.unmatched);
    if m.matched.len() == 1
        && m.unmatched.is_empty()
        && m.matched.contains("TARGETPLATFORM")
        && args.global_args.get("TARGETPLATFORM") == Some(m.result.as_str())
    {
        report(
            Some(sink),
            comments,
            Rule::RedundantTargetPlatform,
            range,
            || {
                format!("Setting platform to predefined {platform} in FROM is redundant as this is the default behavior")
            },
        );
    }
    let parsed = crate::image::Platform::parse(&m.result);
    if let (true, Ok(p)) = (m.matched.is_empty() && m.unmatched.is_empty(), &parsed) {
        let name = stage.name.as_deref().unwrap_or_default();
        if !name.contains(p.os.as_str()) && !name.contains(p.architecture.as_str()) {
            report(
                Some(sink),
                comments,
                Rule::FromPlatformFlagConstDisallowed,
                range,
                || {
                    format!(
                        "FROM --platform flag should not use constant value {:?}",
                        m.result
                    )
                },
            );
        }
    }
    !m.result.is_empty() && parsed.is_ok()
}

/// A COPY or ADD source from the build context that `.dockerignore` excludes (not checked
/// when a pattern re-includes something: which path wins is then hard to tell statically).
pub fn copy_source(
    sink: Option<&LintSink>,
    comments: &[String],
    range: SourceRange,
    is_add: bool,
    src: &str,
) {
    let Some(ignore) = sink.and_then(|s| s.ignore.as_ref()) else {
        return;
    };
    if ignore.has_exclusions() {
        return;
    }
    let src = llb_gen::gopath::clean(src);
    if (src == "." || src == "/") && !ignore.excludes_root() {
        return;
    }
    if ignore.matches_or_parent_matches(&src) {
        let cmd = if is_add { "Add" } else { "Copy" };
        report(sink, comments, Rule::CopyIgnoredFile, range, || {
            format!("Attempting to {cmd} file {src:?} that is excluded by .dockerignore")
        });
    }
}

/// What the rules remember about one stage as its instructions are dispatched.
#[derive(Debug, Clone, Default)]
pub struct StageLint {
    /// Lines of the last CMD, ENTRYPOINT and HEALTHCHECK seen in the stage.
    cmd: Option<SourceRange>,
    entrypoint: Option<SourceRange>,
    healthcheck: Option<SourceRange>,
}

/// The stage as an instruction finds it.
pub struct StageEnv<'a> {
    /// Environment in effect (base image, ENV, ARG values).
    pub env: &'a EnvList,
    /// ARG names declared in the stage (set or not).
    pub declared_args: &'a [(String, Option<String>)],
    /// The build's build args, and the global ARGs (an ARG without default inherits one).
    pub build_args: &'a BTreeMap<String, String>,
    pub global_args: &'a EnvList,
    /// A WORKDIR of this Dockerfile already ran in the stage (or its base stage).
    pub workdir_set: bool,
    /// The stage's image has a SHELL set.
    pub has_shell: bool,
    pub escape: char,
}

/// A first WORKDIR that is relative (after expansion) depends on the base image's.
fn relative_workdir(
    sink: &LintSink,
    comments: &[String],
    range: SourceRange,
    path: &str,
    at: &StageEnv<'_>,
) {
    let lexer = Lexer::new(at.escape);
    let path = lexer
        .process_word(path, at.env)
        .unwrap_or_else(|_| path.to_string());
    if !path.starts_with('/') {
        report(
            Some(sink),
            comments,
            Rule::WorkdirRelativePath,
            range,
            || {
                format!("Relative workdir {path:?} can have unexpected results if the base image changes")
            },
        );
    }
}

/// Rules that look at one instruction as the lowering dispatches it.
pub fn instruction(sink: &LintSink, st: &mut StageLint, inst: &Instruction, at: &StageEnv<'_>) {
    let origin = inst.origin();
    let (comments, range, keyword) = (&origin.comments[..], origin.range, &origin.keyword[..]);
    undefined_vars(sink, inst, at);
    let legacy_kv = |legacy: bool| {
        if legacy {
            report(
                Some(sink),
                comments,
                Rule::LegacyKeyValueFormat,
                range,
                || {
                    format!("\"{keyword} key=value\" should be used instead of legacy \"{keyword} key value\" format")
                },
            );
        }
    };
    let secret = |instruction: &str, key: &str| {
        if is_secret_name(key) {
            report(
                Some(sink),
                comments,
                Rule::SecretsUsedInArgOrEnv,
                range,
                || {
                    format!("Do not use ARG or ENV instructions for sensitive data ({instruction} {key:?})")
                },
            );
        }
    };
    let used_once = |last: &mut Option<SourceRange>| {
        if let Some(prev) = last.replace(range) {
            // The earlier one is the one that is ignored, so it is the one reported.
            report(
                Some(sink),
                comments,
                Rule::MultipleInstructionsDisallowed,
                prev,
                || {
                    format!("Multiple {keyword} instructions should not be used in the same stage because only the last one will be used")
                },
            );
        }
    };
    let json_args = |prepend_shell: bool| {
        if prepend_shell && !at.has_shell {
            report(
                Some(sink),
                comments,
                Rule::JsonArgsRecommended,
                range,
                || {
                    format!("JSON arguments recommended for {keyword} to prevent unintended behavior related to OS signals")
                },
            );
        }
    };
    match inst {
        Instruction::Env(c) => {
            for kv in &c.env {
                legacy_kv(kv.legacy);
                secret("ENV", &kv.key);
            }
        }
        Instruction::Label(c) => c.labels.iter().for_each(|kv| legacy_kv(kv.legacy)),
        Instruction::Arg(c) => {
            c.args.iter().for_each(|a| secret("ARG", &a.key));
            arg_defaults(sink, c, at);
        }
        Instruction::Cmd(c) => {
            used_once(&mut st.cmd);
            json_args(c.cmd.prepend_shell);
        }
        Instruction::Entrypoint(c) => {
            used_once(&mut st.entrypoint);
            json_args(c.cmd.prepend_shell);
        }
        Instruction::Healthcheck(_) => used_once(&mut st.healthcheck),
        Instruction::Workdir(c) if !at.workdir_set && !c.path.starts_with('/') => {
            relative_workdir(sink, comments, range, &c.path, at);
        }
        Instruction::Expose(c) => {
            let lexer = Lexer::new(at.escape);
            for p in &c.ports {
                // A plain port (the usual case) is its own only word.
                if p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'/') {
                    expose_port(sink, comments, range, p);
                    continue;
                }
                for raw in lexer.process_words(p, at.env).unwrap_or_default() {
                    expose_port(sink, comments, range, &raw);
                }
            }
        }
        _ => {}
    }
}

/// `EXPOSE [ip:][host:]port[/proto]`: a protocol should be lower case, and an IP or host
/// port has no meaning in an image.
fn expose_port(sink: &LintSink, comments: &[String], range: SourceRange, raw: &str) {
    let parts: Vec<&str> = raw.split(':').collect();
    let (has_ip_or_host, container) = match parts.len() {
        1 => (false, parts[0]),
        2 => (!parts[0].is_empty(), parts[1]),
        n => {
            let ip = parts[..n - 2].join(":");
            (!ip.is_empty() || !parts[n - 2].is_empty(), parts[n - 1])
        }
    };
    let mut proto_port = container.split('/');
    if proto_port.next().is_none_or(str::is_empty) {
        return; // an invalid port: the dispatch reports it
    }
    let proto = proto_port.next().unwrap_or_default();
    if proto != proto.to_lowercase() {
        report(Some(sink), comments, Rule::ExposeProtoCasing, range, || {
            format!("Defined protocol '{raw}' in EXPOSE instruction should be lowercase")
        });
    }
    if has_ip_or_host {
        report(
            Some(sink),
            comments,
            Rule::ExposeInvalidFormat,
            range,
            || {
                format!("EXPOSE instruction should not define an IP address or host-port mapping, found '{raw}'")
            },
        );
    }
}

/// `(?i)(?:_|^)(?:apikey|auth|credential|...)(?:_|$)` without `(?i)(?:_|^)(?:public|file|version)(?:_|$)`:
/// a whole `_`-separated word of the name is a secret word, and none is an allowed one.
fn is_secret_name(key: &str) -> bool {
    const DENY: [&str; 10] = [
        "apikey",
        "auth",
        "credential",
        "credentials",
        "key",
        "password",
        "pword",
        "passwd",
        "secret",
        "token",
    ];
    const ALLOW: [&str; 3] = ["public", "file", "version"];
    let any = |list: &[&str]| {
        key.split('_')
            .any(|w| list.iter().any(|l| w.eq_ignore_ascii_case(l)))
    };
    any(&DENY) && !any(&ALLOW)
}

/// Variables an instruction expands that are neither set nor declared as ARGs of the stage,
/// reported per expanded word (a variable used in two words is reported twice, as
/// upstream). RUN, CMD and ENTRYPOINT are left to the shell; ARG defaults are checked in
/// [`arg_defaults`].
fn undefined_vars(sink: &LintSink, inst: &Instruction, at: &StageEnv<'_>) {
    let origin = inst.origin();
    // Without a `$` there is no variable to miss (most instructions): skip the expansion.
    let in_heredoc = |f: &mstage_syntax::instructions::SourcesAndDest| {
        f.contents.iter().any(|c| c.expand && c.data.contains('$'))
    };
    let has_dollar = match inst {
        // Only the mount options of RUN are expanded here; its command is the shell's.
        Instruction::Run(c) => c.mounts.iter().any(|m| m.raw.contains('$')),
        Instruction::Copy(c) => origin.original.contains('$') || in_heredoc(&c.files),
        Instruction::Add(c) => origin.original.contains('$') || in_heredoc(&c.files),
        _ => origin.original.contains('$'),
    };
    if !has_dollar {
        return;
    }
    let lexer = Lexer::new(at.escape);
    let mut record = |w: &str| -> Result<String, ()> {
        let e = lexer.process_word_with_matches(w, at.env).map_err(|_| ())?;
        report_unmatched(sink, origin, &e.unmatched, at.env, at);
        Ok(e.result)
    };
    // Only what is unset matters here; expansion errors are the dispatch's to report.
    let _ = match inst {
        Instruction::Env(c) => c.expand(&mut record).map(drop),
        Instruction::Label(c) => c.expand(&mut record).map(drop),
        Instruction::Copy(c) => c.expand(&mut record).map(drop),
        Instruction::Add(c) => c.expand(&mut record).map(drop),
        Instruction::Workdir(c) => c.expand(&mut record).map(drop),
        Instruction::Run(c) => c.expand_mounts(&mut record).map(drop),
        Instruction::User(c) => c.expand(&mut record).map(drop),
        Instruction::Volume(c) => c.expand(&mut record).map(drop),
        Instruction::StopSignal(c) => c.expand(&mut record).map(drop),
        _ => Ok(()),
    };
    // Heredoc bodies of COPY/ADD expand with a quote-keeping lexer.
    let raw_lexer = Lexer::new('\\').with_skip_process_quotes(true);
    let mut record_raw = |w: &str| -> Result<String, ()> {
        let e = raw_lexer
            .process_word_with_matches(w, at.env)
            .map_err(|_| ())?;
        report_unmatched(sink, origin, &e.unmatched, at.env, at);
        Ok(e.result)
    };
    let _ = match inst {
        Instruction::Copy(c) => c
            .files
            .expand_contents(c.origin.range, &mut record_raw)
            .map(drop),
        Instruction::Add(c) => c
            .files
            .expand_contents(c.origin.range, &mut record_raw)
            .map(drop),
        _ => Ok(()),
    };
}

/// ARG defaults expand one after the other, each against the env with the ARGs before it;
/// a build arg or an inherited global ARG replaces the default without expanding it.
fn arg_defaults(sink: &LintSink, c: &ArgCommand, at: &StageEnv<'_>) {
    // Only a default with a `$` can use an unset variable.
    if !c
        .args
        .iter()
        .any(|a| a.value.as_deref().is_some_and(|v| v.contains('$')))
    {
        return;
    }
    let lexer = Lexer::new(at.escape);
    let mut env = at.env.clone();
    for a in &c.args {
        let value = match (at.build_args.get(&a.key), &a.value) {
            (Some(v), _) => Some(v.clone()),
            (None, Some(default)) => {
                let Ok(e) = lexer.process_word_with_matches(default, &env) else {
                    return;
                };
                report_unmatched(sink, &c.origin, &e.unmatched, &env, at);
                Some(e.result)
            }
            (None, None) => at.global_args.get(&a.key).map(str::to_string),
        };
        if let Some(v) = value {
            env.add_or_replace(&a.key, &v);
        }
    }
}

fn report_unmatched(
    sink: &LintSink,
    origin: &Origin,
    unmatched: &BTreeSet<String>,
    env: &EnvList,
    at: &StageEnv<'_>,
) {
    if unmatched.is_empty() {
        return;
    }
    let declared: HashMap<&str, ()> = at
        .declared_args
        .iter()
        .map(|(k, _)| (k.as_str(), ()))
        .collect();
    let options: Vec<&str> = env.keys().collect();
    for var in unmatched
        .iter()
        .filter(|v| !declared.contains_key(v.as_str()) && !NON_ENV_ARGS.contains(&v.as_str()))
    {
        let hint = mstage_syntax::instructions::suggest(var, &options, true);
        report(
            Some(sink),
            &origin.comments,
            Rule::UndefinedVar,
            origin.range,
            || {
                let mut msg = format!("Usage of undefined variable '${var}'");
                if let Some(h) = hint {
                    msg.push_str(&format!(" (did you mean ${h}?)"));
                }
                msg
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::is_secret_name;

    #[test]
    fn secret_names_are_whole_words() {
        for yes in [
            "api_key",
            "DATABASE_PASSWORD",
            "GITHUB_TOKEN",
            "secret_MESSAGE",
            "AUTH",
        ] {
            assert!(is_secret_name(yes), "{yes}");
        }
        for no in [
            "MONKEY",
            "KEYS",
            "PUBLIC_KEY",
            "GPG_KEY_FILE",
            "TOKEN_VERSION",
            "AUTHOR",
        ] {
            assert!(!is_secret_name(no), "{no}");
        }
    }
}
