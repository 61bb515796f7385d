//! Parse-tree [`Node`] -> typed [`Instruction`], following BuildKit's `instructions/parse.go`
//! (including which instructions check their flags and in what order errors surface).

use super::commands::*;
use super::dialect::Dialect;
use super::errors::{ErrorKind, InstructionError};
use super::flags::{parse_flags, FlagKind};
use super::mount::MountSpec;
use super::suggest::suggest;
use super::values::{csv_fields, go_bool, health_duration};
use crate::parser::{chomp_heredoc_content, parse_heredoc, Heredoc, Node, KEYWORDS};
use crate::shell::{Lexer, NoEnv};

/// The instruction names, as suggestions for an unknown one.
fn instruction_names() -> Vec<&'static str> {
    KEYWORDS.iter().map(|&(upper, _)| upper).collect()
}

/// Types one instruction. `escape` is the Dockerfile's escape character (`\` or `` ` ``),
/// needed to tell whether `COPY --from` would expand. Stock syntax only: see
/// [`parse_instruction_in`].
pub fn parse_instruction(node: &Node, escape: char) -> Result<Instruction, InstructionError> {
    parse_instruction_in(node, escape, Dialect::Stock)
}

/// [`parse_instruction`] in `dialect` (mstage's extensions accepted or not).
pub fn parse_instruction_in(
    node: &Node,
    escape: char,
    dialect: Dialect,
) -> Result<Instruction, InstructionError> {
    let origin = Origin {
        range: node.range,
        original: node.original.trim().to_string(),
        keyword: node.keyword_original.clone(),
        comments: node.comments.clone(),
    };
    parse_kind(node, origin, escape, dialect)
        .map_err(|kind| InstructionError::new(node.range, kind))
}

/// Dispatches on the keyword (the parser lower-cases it) to the instruction's parser.
fn parse_kind(
    node: &Node,
    origin: Origin,
    escape: char,
    dialect: Dialect,
) -> Result<Instruction, ErrorKind> {
    match &*node.keyword {
        "env" => parse_env(node, origin),
        "label" => parse_label(node, origin),
        "maintainer" => parse_maintainer(node, origin),
        "add" => parse_add(node, origin),
        "copy" => parse_copy(node, origin, escape, dialect),
        "from" => parse_from(node, origin),
        "onbuild" => parse_onbuild(node, origin),
        "workdir" => parse_workdir(node, origin),
        "run" => parse_run(node, origin, dialect),
        "cmd" => parse_cmd(node, origin),
        "entrypoint" => parse_entrypoint(node, origin),
        "healthcheck" => parse_healthcheck(node, origin),
        "expose" => parse_expose(node, origin),
        "user" => parse_user(node, origin),
        "volume" => parse_volume(node, origin),
        "stopsignal" => parse_stopsignal(node, origin),
        "arg" => parse_arg(node, origin),
        "shell" => parse_shell(node, origin),
        "mount" if dialect.extensions() => parse_mount(node, origin),
        _ => {
            let name = node.keyword_original.to_string();
            Err(ErrorKind::UnknownInstruction {
                suggestion: suggest(&name, &instruction_names(), false),
                name,
            })
        }
    }
}

/// Refuses any flag, for the instructions that take none.
fn no_flags(node: &Node) -> Result<(), ErrorKind> {
    parse_flags(&node.flags, &[]).map(|_| ())
}

/// The single argument of MAINTAINER, WORKDIR, USER and STOPSIGNAL.
fn exactly_one_argument(node: &Node, instruction: &'static str) -> Result<String, ErrorKind> {
    match node.args.as_slice() {
        [arg] => Ok(arg.clone()),
        _ => Err(ErrorKind::ExactlyOneArgument { instruction }),
    }
}

fn parse_env(node: &Node, origin: Origin) -> Result<Instruction, ErrorKind> {
    no_flags(node)?;
    Ok(Instruction::Env(EnvCommand {
        env: parse_kvs(&node.args, "ENV")?,
        origin,
    }))
}

fn parse_label(node: &Node, origin: Origin) -> Result<Instruction, ErrorKind> {
    no_flags(node)?;
    Ok(Instruction::Label(LabelCommand {
        labels: parse_kvs(&node.args, "LABEL")?,
        origin,
    }))
}

fn parse_maintainer(node: &Node, origin: Origin) -> Result<Instruction, ErrorKind> {
    let maintainer = exactly_one_argument(node, "MAINTAINER")?;
    no_flags(node)?;
    Ok(Instruction::Maintainer(MaintainerCommand {
        maintainer,
        origin,
    }))
}

fn parse_add(node: &Node, origin: Origin) -> Result<Instruction, ErrorKind> {
    use FlagKind::{Bool, Strings};
    if node.args.len() < 2 {
        return Err(ErrorKind::NoDestination { instruction: "ADD" });
    }
    let f = parse_flags(
        &node.flags,
        &[
            ("chown", FlagKind::String),
            ("chmod", FlagKind::String),
            ("link", Bool),
            ("keep-git-dir", Bool),
            ("checksum", FlagKind::String),
            ("unpack", Bool),
            ("exclude", Strings),
        ],
    )?;
    Ok(Instruction::Add(AddCommand {
        files: sources_and_dest(node, "ADD")?,
        chown: f.string("chown"),
        chmod: f.string("chmod"),
        link: f.bool("link").unwrap_or(false),
        excludes: f.strings("exclude"),
        checksum: f.string("checksum"),
        keep_git_dir: f.bool("keep-git-dir"),
        unpack: f.bool("unpack"),
        origin,
    }))
}

fn parse_copy(
    node: &Node,
    origin: Origin,
    escape: char,
    dialect: Dialect,
) -> Result<Instruction, ErrorKind> {
    use FlagKind::{Bool, Strings};
    if node.args.len() < 2 {
        return Err(ErrorKind::NoDestination {
            instruction: "COPY",
        });
    }
    let f = parse_flags(
        &node.flags,
        &[
            ("chown", FlagKind::String),
            ("from", FlagKind::String),
            ("chmod", FlagKind::String),
            ("link", Bool),
            ("exclude", Strings),
            ("parents", Bool),
        ],
    )?;
    let files = sources_and_dest(node, "COPY")?;
    let from = f.string("from").filter(|s| !s.is_empty());
    // mstage expands it when planning (with the stage's ARG and ENV values).
    if !dialect.extensions()
        && from
            .as_deref()
            .is_some_and(|from| would_expand(from, escape))
    {
        return Err(ErrorKind::CopyFromVariable);
    }
    Ok(Instruction::Copy(CopyCommand {
        files,
        from,
        chown: f.string("chown"),
        chmod: f.string("chmod"),
        link: f.bool("link").unwrap_or(false),
        parents: f.bool("parents").unwrap_or(false),
        excludes: f.strings("exclude"),
        origin,
    }))
}

fn parse_from(node: &Node, origin: Origin) -> Result<Instruction, ErrorKind> {
    let args = &node.args;
    let name = match args.len() {
        3 if args[1].eq_ignore_ascii_case("as") => {
            let name = args[2].to_lowercase();
            if !valid_stage_name(&name) {
                return Err(ErrorKind::InvalidStageName {
                    name: args[2].clone(),
                });
            }
            Some(name)
        }
        1 => None,
        _ => return Err(ErrorKind::FromArguments),
    };
    let f = parse_flags(&node.flags, &[("platform", FlagKind::String)])?;
    Ok(Instruction::From(FromCommand {
        base_name: args[0].clone(),
        name,
        platform: f.string("platform").filter(|s| !s.is_empty()),
        origin,
    }))
}

fn parse_onbuild(node: &Node, origin: Origin) -> Result<Instruction, ErrorKind> {
    let Some(sub) = &node.sub else {
        return Err(ErrorKind::AtLeastOneArgument {
            instruction: "ONBUILD",
        });
    };
    no_flags(node)?;
    let trigger = sub.keyword.trim().to_uppercase();
    match trigger.as_str() {
        "ONBUILD" => return Err(ErrorKind::OnbuildChain),
        "MAINTAINER" | "FROM" => return Err(ErrorKind::OnbuildTrigger { trigger }),
        _ => {}
    }
    let mut expression = strip_onbuild(&node.original).to_string();
    // The parser may attach the trigger's heredocs to either node; use one set.
    let heredocs = if node.heredocs.is_empty() {
        &sub.heredocs
    } else {
        &node.heredocs
    };
    for h in heredocs {
        expression.push('\n');
        expression.push_str(&h.content);
        expression.push_str(&h.name);
    }
    Ok(Instruction::Onbuild(OnbuildCommand {
        trigger,
        expression,
        origin,
    }))
}

fn parse_workdir(node: &Node, origin: Origin) -> Result<Instruction, ErrorKind> {
    let path = exactly_one_argument(node, "WORKDIR")?;
    no_flags(node)?;
    Ok(Instruction::Workdir(WorkdirCommand { path, origin }))
}

fn parse_run(node: &Node, origin: Origin, dialect: Dialect) -> Result<Instruction, ErrorKind> {
    use FlagKind::Strings;
    let (no_cache, stock_flags) = split_no_cache(&node.flags, dialect)?;
    let f = parse_flags(
        &stock_flags,
        &[
            ("mount", Strings),
            ("network", FlagKind::String),
            ("security", FlagKind::String),
            ("device", Strings),
        ],
    )?;
    let cmd = command_line(node);
    let mounts = f
        .strings("mount")
        .iter()
        .map(|m| MountSpec::parse_in(m, dialect))
        .collect::<Result<Vec<_>, _>>()?;
    let network = f.string("network").map(network_mode).transpose()?;
    let security = f.string("security").map(security_mode).transpose()?;
    let devices = f
        .strings("device")
        .iter()
        .map(|d| parse_device(d))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Instruction::Run(RunCommand {
        cmd,
        heredocs: inline_files(&node.heredocs),
        mounts,
        network,
        security,
        devices,
        flags_used: f.used(),
        no_cache,
        origin,
    }))
}

/// mstage's `RUN --no-cache[=bool]`, taken out before the stock flags are parsed (so the
/// stock flags keep their messages and suggestions). Stock dialect: nothing is taken.
fn split_no_cache(flags: &[String], dialect: Dialect) -> Result<(bool, Vec<String>), ErrorKind> {
    if !dialect.extensions() {
        return Ok((false, flags.to_vec()));
    }
    let is_no_cache = |f: &String| f == "--no-cache" || f.starts_with("--no-cache=");
    let (ours, stock): (Vec<String>, Vec<String>) = flags.iter().cloned().partition(is_no_cache);
    let f = parse_flags(&ours, &[("no-cache", FlagKind::Bool)])?;
    Ok((f.bool("no-cache").unwrap_or(false), stock))
}

/// mstage's `MOUNT <spec>`: the rest of the line is one `--mount` value, checked like
/// RUN's (and expanded when the stage is lowered).
fn parse_mount(node: &Node, origin: Origin) -> Result<Instruction, ErrorKind> {
    no_flags(node)?;
    let text = origin.original.trim();
    let spec = text
        .get(node.keyword_original.len()..)
        .unwrap_or_default()
        .trim();
    if spec.is_empty() || spec.split_whitespace().nth(1).is_some() {
        return Err(ErrorKind::ExactlyOneArgument {
            instruction: "MOUNT",
        });
    }
    let spec = MountSpec::parse_in(spec, Dialect::Mstage)?;
    Ok(Instruction::Mount(MountCommand { spec, origin }))
}

/// `RUN --network=`.
fn network_mode(value: String) -> Result<NetworkMode, ErrorKind> {
    Ok(match value.as_str() {
        "default" => NetworkMode::Default,
        "none" => NetworkMode::None,
        "host" => NetworkMode::Host,
        _ => return Err(ErrorKind::InvalidNetwork { value }),
    })
}

/// `RUN --security=`.
fn security_mode(value: String) -> Result<SecurityMode, ErrorKind> {
    Ok(match value.as_str() {
        "sandbox" => SecurityMode::Sandbox,
        "insecure" => SecurityMode::Insecure,
        _ => return Err(ErrorKind::InvalidSecurity { value }),
    })
}

fn parse_cmd(node: &Node, origin: Origin) -> Result<Instruction, ErrorKind> {
    no_flags(node)?;
    Ok(Instruction::Cmd(CmdCommand {
        cmd: command_line(node),
        heredocs: inline_files(&node.heredocs),
        origin,
    }))
}

fn parse_entrypoint(node: &Node, origin: Origin) -> Result<Instruction, ErrorKind> {
    no_flags(node)?;
    Ok(Instruction::Entrypoint(EntrypointCommand {
        cmd: command_line(node),
        heredocs: inline_files(&node.heredocs),
        origin,
    }))
}

fn parse_expose(node: &Node, origin: Origin) -> Result<Instruction, ErrorKind> {
    if node.args.is_empty() {
        return Err(ErrorKind::AtLeastOneArgument {
            instruction: "EXPOSE",
        });
    }
    no_flags(node)?;
    let mut ports = node.args.clone();
    ports.sort();
    Ok(Instruction::Expose(ExposeCommand { ports, origin }))
}

fn parse_user(node: &Node, origin: Origin) -> Result<Instruction, ErrorKind> {
    let user = exactly_one_argument(node, "USER")?;
    no_flags(node)?;
    Ok(Instruction::User(UserCommand { user, origin }))
}

fn parse_volume(node: &Node, origin: Origin) -> Result<Instruction, ErrorKind> {
    if node.args.is_empty() {
        return Err(ErrorKind::AtLeastOneArgument {
            instruction: "VOLUME",
        });
    }
    no_flags(node)?;
    let volumes = node
        .args
        .iter()
        .map(|v| match v.trim() {
            "" => Err(ErrorKind::EmptyVolume),
            v => Ok(v.to_string()),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Instruction::Volume(VolumeCommand { volumes, origin }))
}

// BuildKit does not check flags of STOPSIGNAL and ARG; neither do we, so the same
// Dockerfiles are accepted.
fn parse_stopsignal(node: &Node, origin: Origin) -> Result<Instruction, ErrorKind> {
    let signal = exactly_one_argument(node, "STOPSIGNAL")?;
    Ok(Instruction::StopSignal(StopSignalCommand {
        signal,
        origin,
    }))
}

fn parse_arg(node: &Node, origin: Origin) -> Result<Instruction, ErrorKind> {
    if node.args.is_empty() {
        return Err(ErrorKind::AtLeastOneArgument { instruction: "ARG" });
    }
    let args = node
        .args
        .iter()
        .map(|a| match a.split_once('=') {
            Some(("", _)) => Err(ErrorKind::BlankName { instruction: "ARG" }),
            Some((k, v)) => Ok(ArgDef {
                key: k.to_string(),
                value: Some(v.to_string()),
            }),
            None => Ok(ArgDef {
                key: a.clone(),
                value: None,
            }),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Instruction::Arg(ArgCommand { args, origin }))
}

fn parse_shell(node: &Node, origin: Origin) -> Result<Instruction, ErrorKind> {
    no_flags(node)?;
    let cmd = command_line(node);
    if cmd.args.is_empty() {
        return Err(ErrorKind::AtLeastOneArgument {
            instruction: "SHELL",
        });
    }
    if cmd.prepend_shell {
        return Err(ErrorKind::NotJson {
            instruction: "SHELL",
        });
    }
    Ok(Instruction::Shell(ShellCommand {
        shell: cmd.args,
        origin,
    }))
}

fn parse_kvs(args: &[String], instruction: &'static str) -> Result<Vec<KeyValue>, ErrorKind> {
    if args.is_empty() {
        return Err(ErrorKind::AtLeastOneArgument { instruction });
    }
    if !args.chunks_exact(3).remainder().is_empty() {
        return Err(ErrorKind::TooManyArguments { instruction });
    }
    args.chunks(3)
        .map(|c| {
            if c[0].is_empty() {
                return Err(ErrorKind::BlankName { instruction });
            }
            Ok(KeyValue {
                key: c[0].clone(),
                value: c[1].clone(),
                legacy: c[2].is_empty(),
            })
        })
        .collect()
}

/// BuildKit's `handleJSONArgs`: exec form keeps the elements, shell form is one string.
fn command_line(node: &Node) -> CommandLine {
    let args = if node.json_form || node.args.is_empty() {
        node.args.clone()
    } else {
        vec![node.args.join(" ")]
    };
    CommandLine {
        args,
        prepend_shell: !node.json_form,
    }
}

fn inline_files(heredocs: &[Heredoc]) -> Vec<InlineFile> {
    heredocs
        .iter()
        .map(|h| InlineFile {
            name: h.name.clone(),
            data: h.content.clone(),
            chomp: h.chomp,
            expand: h.expand,
        })
        .collect()
}

fn sources_and_dest(node: &Node, instruction: &'static str) -> Result<SourcesAndDest, ErrorKind> {
    let (dest, srcs) = node
        .args
        .split_last()
        .expect("caller checked two arguments");
    if heredoc_marker(dest).is_some() {
        return Err(ErrorKind::HeredocDestination { instruction });
    }
    let mut sources = Vec::new();
    let mut contents = Vec::new();
    for src in srcs {
        match heredoc_marker(src) {
            Some(marker) => {
                // The body comes from the parser's heredoc of that name; chomping and
                // expansion follow the marker word, as upstream.
                let data = node
                    .heredocs
                    .iter()
                    .find(|h| h.name == marker.name)
                    .map(|h| h.content.clone())
                    .unwrap_or_default();
                contents.push(SourceContent {
                    data: if marker.chomp {
                        chomp_heredoc_content(&data)
                    } else {
                        data
                    },
                    expand: marker.expand,
                    path: marker.name,
                });
            }
            None => sources.push(src.clone()),
        }
    }
    Ok(SourcesAndDest {
        dest: dest.clone(),
        sources,
        contents,
    })
}

fn valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
}

fn strip_onbuild(original: &str) -> &str {
    let s = original.trim_start();
    match s.get(..7) {
        Some(k) if k.eq_ignore_ascii_case("onbuild") => s[7..].trim_start(),
        _ => s,
    }
}

/// Whether BuildKit's lexer changes `word` with an empty environment (quotes, escapes and
/// `$` references all do), which is how upstream detects a variable in `COPY --from` (and
/// how mstage tells a `--from` to expand from a literal one).
pub fn would_expand(word: &str, escape: char) -> bool {
    let lexer = Lexer::new(escape);
    !lexer.is_literal(word) && lexer.process_word(word, &NoEnv).map_or(true, |w| w != word)
}

/// A heredoc marker word (`<<EOF`, `<<-"EOF"`, `3<<EOF`), as BuildKit's `MustParseHeredoc`.
fn heredoc_marker(word: &str) -> Option<Heredoc> {
    parse_heredoc(word).ok().flatten()
}

fn parse_healthcheck(node: &Node, origin: Origin) -> Result<Instruction, ErrorKind> {
    Ok(Instruction::Healthcheck(HealthcheckCommand {
        health: healthcheck(node)?,
        origin,
    }))
}

/// `HEALTHCHECK NONE` or `HEALTHCHECK [flags] CMD ...`.
fn healthcheck(node: &Node) -> Result<Healthcheck, ErrorKind> {
    use FlagKind::String;
    let Some(kind) = node.args.first() else {
        return Err(ErrorKind::AtLeastOneArgument {
            instruction: "HEALTHCHECK",
        });
    };
    let kind = kind.to_uppercase();
    let rest = &node.args[1..];
    if kind == "NONE" {
        // As upstream, flags are not looked at for NONE.
        if !rest.is_empty() {
            return Err(ErrorKind::HealthcheckNoneArgs);
        }
        return Ok(Healthcheck::None);
    }
    let f = parse_flags(
        &node.flags,
        &[
            ("interval", String),
            ("timeout", String),
            ("start-period", String),
            ("start-interval", String),
            ("retries", String),
        ],
    )?;
    if kind != "CMD" {
        return Err(ErrorKind::HealthcheckType { kind });
    }
    let args: Vec<std::string::String> = if node.json_form || rest.is_empty() {
        rest.to_vec()
    } else {
        vec![rest.join(" ")]
    };
    if args.is_empty() {
        return Err(ErrorKind::HealthcheckMissingCommand);
    }
    let mut test = vec![if node.json_form { "CMD" } else { "CMD-SHELL" }.to_string()];
    test.extend(args);
    let dur = |name: &str| -> Result<std::time::Duration, ErrorKind> {
        match f.string(name) {
            None => Ok(std::time::Duration::ZERO),
            Some(v) if v.is_empty() => Ok(std::time::Duration::ZERO),
            Some(v) => health_duration(name, &v),
        }
    };
    let interval = dur("interval")?;
    let timeout = dur("timeout")?;
    let start_period = dur("start-period")?;
    let start_interval = dur("start-interval")?;
    let retries = match f.string("retries").filter(|v| !v.is_empty()) {
        None => 0,
        Some(v) => {
            let n: i64 = v
                .strip_prefix('+')
                .unwrap_or(&v)
                .parse()
                .ok()
                .filter(|n| i32::try_from(*n).is_ok())
                .ok_or_else(|| ErrorKind::BadRetries { value: v.clone() })?;
            if n < 0 {
                return Err(ErrorKind::NegativeRetries { value: n });
            }
            n as u32
        }
    };
    Ok(Healthcheck::Cmd {
        test,
        interval,
        timeout,
        start_period,
        start_interval,
        retries,
    })
}

/// `--device=name[,required[=bool]]` or `name=...,required=...`.
fn parse_device(val: &str) -> Result<Device, ErrorKind> {
    let fields = csv_fields(val).map_err(|reason| ErrorKind::DeviceCsv { reason })?;
    let mut d = Device {
        name: String::new(),
        required: false,
    };
    for field in fields {
        match field.split_once('=') {
            None if field.eq_ignore_ascii_case("required") => d.required = true,
            None if d.name.is_empty() => d.name = field,
            None => return Err(ErrorKind::NotKeyValue { field }),
            Some((k, v)) => match k.to_lowercase().as_str() {
                "name" => {
                    if !d.name.is_empty() {
                        return Err(ErrorKind::DeviceNameSet { name: d.name });
                    }
                    d.name = v.to_string();
                }
                "required" => {
                    d.required = go_bool(v).ok_or_else(|| ErrorKind::InvalidValue {
                        key: "required".into(),
                        value: v.to_string(),
                    })?;
                }
                // Class annotations such as `vendor.com/class=foo` are names.
                _ if d.name.is_empty() => d.name = field.clone(),
                key => {
                    return Err(ErrorKind::UnknownKey {
                        suggestion: suggest(key, &["name", "required"], true),
                        key: key.to_string(),
                        field: field.clone(),
                    })
                }
            },
        }
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heredoc_markers() {
        let m = |w: &str| heredoc_marker(w).map(|h| (h.name, h.chomp, h.expand));
        assert_eq!(m("<<EOF"), Some(("EOF".into(), false, true)));
        assert_eq!(m("<<-\"EOF\""), Some(("EOF".into(), true, false)));
        assert_eq!(m("3<<'X'"), Some(("X".into(), false, false)));
        assert_eq!(m("file"), None);
        assert_eq!(m("<<"), None);
    }

    #[test]
    fn copy_from_expansion_detection() {
        assert!(!would_expand("builder", '\\'));
        assert!(!would_expand("0", '\\'));
        assert!(!would_expand("ghcr.io/x/y:1@sha256:ab", '\\'));
        assert!(!would_expand("a$", '\\'));
        assert!(would_expand("$STAGE", '\\'));
        assert!(would_expand("${STAGE}", '\\'));
        assert!(would_expand("\"quoted\"", '\\'));
        assert!(would_expand("a\\b", '\\'));
        assert!(!would_expand("a\\b", '`'));
    }

    #[test]
    fn devices() {
        assert_eq!(
            parse_device("vendor.com/gpu=all,required").unwrap(),
            Device {
                name: "vendor.com/gpu=all".into(),
                required: true
            }
        );
        assert_eq!(
            parse_device("name=nvidia.com/gpu,required=false").unwrap(),
            Device {
                name: "nvidia.com/gpu".into(),
                required: false
            }
        );
        assert!(parse_device("a,b").is_err());
        assert!(parse_device("a,required=maybe").is_err());
    }

    #[test]
    fn stage_names() {
        assert!(valid_stage_name("build-env_1.x"));
        assert!(!valid_stage_name("1st"));
        assert!(!valid_stage_name("a/b"));
        assert!(!valid_stage_name(""));
    }
}
