//! Per-stage lowering: each instruction updates the stage's LLB state and image config the
//! way `dockerfile2llb`'s `dispatch*` functions do.

use llb_gen::{FileActions, Mkdir, OpOptions, Owner};

use crate::error::CompileError;
use crate::image::{HealthConfig, DEFAULT_PATH_ENV};
use mstage_syntax::instructions::{ArgCommand, Healthcheck, Instruction, KeyValue};
use mstage_syntax::parser::SourceRange;

mod copy;
mod gofmt;
mod run;
pub(super) mod state;

use copy::{dispatch_add, dispatch_copy};
use gofmt::*;
use run::dispatch_run;
use state::*;

pub use gofmt::{clean_path, join_path};

/// Lowers one instruction of `d`.
pub fn dispatch(
    ctx: &mut Ctx<'_>,
    d: &mut DState,
    inst: &Instruction,
    sources: &SourceStates<'_>,
    on_build: bool,
) -> Result<(), CompileError> {
    d.cmd_is_onbuild = on_build;
    if let Some(sink) = ctx.lint {
        check_instruction(ctx, sink, d, inst);
    }
    let range = inst.range();
    let words = ctx.words;
    match inst {
        Instruction::Maintainer(c) => {
            d.image.author = c.maintainer.clone();
            d.commit(["MAINTAINER ", &c.maintainer].concat(), false, false, ctx);
        }
        Instruction::Env(c) => {
            let kvs = expand(words, &d.state.env, range, |ex| c.expand(ex))?;
            let mut msg = String::from("ENV");
            for kv in kvs {
                push_kv(&mut msg, &kv.key, &kv.value);
                d.state.env.add_or_replace(&kv.key, &kv.value);
                d.image.add_env(&kv.key, &kv.value);
            }
            d.commit(msg, false, false, ctx);
        }
        Instruction::Label(c) => {
            let kvs = expand(words, &d.state.env, range, |ex| c.expand(ex))?;
            add_labels(ctx, d, kvs);
        }
        Instruction::Onbuild(c) => d.image.config.on_build.push(c.expression.clone()),
        Instruction::Cmd(c) => set_cmd(ctx, d, &c.cmd.args, c.cmd.prepend_shell, false),
        Instruction::Entrypoint(c) => set_cmd(ctx, d, &c.cmd.args, c.cmd.prepend_shell, true),
        Instruction::Healthcheck(c) => set_healthcheck(ctx, d, &c.health),
        Instruction::Expose(c) => {
            let mut ex = |w: &str| words.words(w, &d.state.env);
            let ports = c.expand_ports(&mut ex).map_err(|e| expand_err(e, range))?;
            expose(ctx, d, ports.iter().map(|p| p.to_string()).collect());
        }
        Instruction::User(c) => {
            let user = expand(words, &d.state.env, range, |ex| c.expand(ex))?;
            d.state.user = user.clone();
            d.commit(["USER ", &user].concat(), false, false, ctx);
            d.image.config.user = user;
        }
        Instruction::Volume(c) => {
            let vols = expand(words, &d.state.env, range, |ex| c.expand(ex))?;
            add_volumes(ctx, d, vols);
        }
        Instruction::StopSignal(c) => {
            let sig = expand(words, &d.state.env, range, |ex| c.expand(ex))?;
            if !valid_signal(&sig) {
                return Err(err(range, format!("invalid signal: {sig}")));
            }
            d.commit(["STOPSIGNAL ", &sig].concat(), false, false, ctx);
            d.image.config.stop_signal = sig;
        }
        Instruction::Shell(c) => {
            d.image.config.shell = c.shell.clone();
            d.commit(["SHELL ", &go_list(&c.shell)].concat(), false, false, ctx);
        }
        Instruction::Arg(c) => dispatch_arg(ctx, d, c)?,
        Instruction::Workdir(c) => {
            let p = expand(words, &d.state.env, range, |ex| c.expand(ex))?;
            dispatch_workdir(ctx, d, &p, true, range, &c.origin.original)?;
        }
        Instruction::Run(c) => dispatch_run(ctx, d, c, sources)?,
        Instruction::Mount(c) => run::dispatch_mount(ctx, d, c)?,
        Instruction::Copy(c) => dispatch_copy(ctx, d, c, sources)?,
        Instruction::Add(c) => dispatch_add(ctx, d, c)?,
        Instruction::From(_) => {}
    }
    Ok(())
}

/// The build checks that look at one instruction in its stage.
fn check_instruction(
    ctx: &Ctx<'_>,
    sink: &crate::lint::LintSink,
    d: &mut DState,
    inst: &Instruction,
) {
    let at = crate::lint::checks::StageEnv {
        env: &d.state.env,
        declared_args: &d.build_args,
        build_args: &ctx.req.build_args,
        global_args: ctx.global_args,
        workdir_set: d.workdir_set,
        has_shell: !d.image.config.shell.is_empty(),
        escape: ctx.words.escape(),
    };
    crate::lint::checks::instruction(sink, &mut d.lint, inst, &at);
}

/// CMD, or ENTRYPOINT (which drops a CMD inherited from the base).
fn set_cmd(ctx: &Ctx<'_>, d: &mut DState, args: &[String], shell: bool, entrypoint: bool) {
    let args = if shell {
        with_shell(&d.image, args)
    } else {
        args.to_vec()
    };
    let keyword = if entrypoint { "ENTRYPOINT " } else { "CMD " };
    d.commit([keyword, &go_quote_list(&args)].concat(), false, false, ctx);
    if entrypoint {
        d.image.config.entrypoint = Some(args);
        if !d.cmd_set {
            d.image.config.cmd = None;
        }
    } else {
        d.image.config.cmd = Some(args);
        d.image.config.args_escaped = true;
        d.cmd_set = true;
    }
}

fn set_healthcheck(ctx: &Ctx<'_>, d: &mut DState, health: &Healthcheck) {
    let hc = match health {
        Healthcheck::None => HealthConfig {
            test: vec!["NONE".into()],
            ..Default::default()
        },
        Healthcheck::Cmd {
            test,
            interval,
            timeout,
            start_period,
            start_interval,
            retries,
        } => HealthConfig {
            test: test.clone(),
            interval: interval.as_nanos() as i64,
            timeout: timeout.as_nanos() as i64,
            start_period: start_period.as_nanos() as i64,
            start_interval: start_interval.as_nanos() as i64,
            retries: i64::from(*retries),
        },
    };
    let msg = format!(
        "HEALTHCHECK {{Test:{} Interval:{} Timeout:{} StartPeriod:{} StartInterval:{} Retries:{}}}",
        go_list(&hc.test),
        go_duration(hc.interval),
        go_duration(hc.timeout),
        go_duration(hc.start_period),
        go_duration(hc.start_interval),
        hc.retries
    );
    d.image.config.healthcheck = Some(hc);
    d.commit(msg, false, false, ctx);
}

fn add_labels(ctx: &Ctx<'_>, d: &mut DState, kvs: Vec<KeyValue>) {
    let labels = d.image.config.labels.get_or_insert_with(Default::default);
    let mut msg = String::from("LABEL");
    for kv in kvs {
        push_kv(&mut msg, &kv.key, &kv.value);
        labels.insert(kv.key, kv.value);
    }
    d.commit(msg, false, false, ctx);
}

fn add_volumes(ctx: &Ctx<'_>, d: &mut DState, vols: Vec<String>) {
    let set = d.image.config.volumes.get_or_insert_with(Default::default);
    for v in &vols {
        set.insert(v.clone(), Default::default());
    }
    d.commit(["VOLUME ", &go_list(&vols)].concat(), false, false, ctx);
}

fn expose(ctx: &Ctx<'_>, d: &mut DState, ports: Vec<String>) {
    let set = d
        .image
        .config
        .exposed_ports
        .get_or_insert_with(Default::default);
    for p in &ports {
        set.insert(p.clone(), Default::default());
    }
    d.commit(["EXPOSE ", &go_list(&ports)].concat(), false, false, ctx);
}

/// `signal.ParseSignal` (Linux): a non-zero number, or a name with or without `SIG`, any case.
fn valid_signal(s: &str) -> bool {
    if let Ok(n) = s.parse::<i64>() {
        return n != 0;
    }
    const NAMES: &[&str] = &[
        "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT",
        "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM",
        "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
        "RTMIN", "RTMAX",
    ];
    let upper = s.to_ascii_uppercase();
    let n = upper.strip_prefix("SIG").unwrap_or(&upper);
    if NAMES.contains(&n) {
        return true;
    }
    // RTMIN+1..RTMIN+15, RTMAX-14..RTMAX-1
    let plus = n.strip_prefix("RTMIN+").and_then(|d| d.parse::<u8>().ok());
    let minus = n.strip_prefix("RTMAX-").and_then(|d| d.parse::<u8>().ok());
    plus.is_some_and(|d| (1..=15).contains(&d)) || minus.is_some_and(|d| (1..=14).contains(&d))
}

fn dispatch_arg(ctx: &mut Ctx<'_>, d: &mut DState, c: &ArgCommand) -> Result<(), CompileError> {
    let mut commit = Vec::with_capacity(c.args.len());
    for a in &c.args {
        let words = ctx.words;
        let value = crate::plan::from_vars::arg_value(
            a,
            &ctx.req.build_args,
            ctx.global_args,
            &d.state.env,
            |w, env| words.word(w, env),
        )
        .map_err(|m| err(c.origin.range, m))?;
        if let Some(v) = value
            .as_deref()
            .filter(|_| crate::plan::from_vars::arg_sets_env(&a.key))
        {
            d.state.env.add_or_replace(&a.key, v);
        }
        d.build_args.push((a.key.clone(), value.clone()));
        commit.push(match &value {
            Some(v) => [&a.key, "=", v].concat(),
            None => a.key.clone(),
        });
    }
    d.commit(["ARG ", &commit.join(" ")].concat(), false, false, ctx);
    Ok(())
}

/// `dispatchWorkdir`; `commit` is false when applying a base image's WorkingDir.
pub fn dispatch_workdir(
    ctx: &mut Ctx<'_>,
    d: &mut DState,
    path: &str,
    commit: bool,
    range: SourceRange,
    original: &str,
) -> Result<(), CompileError> {
    if commit {
        d.workdir_set = true;
    }
    // `system.NormalizeWorkdir`: absolute paths verbatim, relative ones joined to the
    // current working directory, empty means the current one.
    let wd = normalize_path(&d.image.config.working_dir, path, false);
    d.image.config.working_dir = wd.clone();
    d.state.dir = wd.clone();
    if !commit {
        return Ok(());
    }
    let mut with_layer = false;
    if wd != "/" {
        let platform = d.platform(ctx);
        let name = uppercase_cmd(ctx.words.name(original, &d.state.env));
        let name = d.prefix(ctx, &name, Some(&platform));
        let mut mkdir = Mkdir::new(wd.clone(), 0o755).make_parents(true);
        if !d.image.config.user.is_empty() {
            mkdir = mkdir.owner(Owner::parse(&d.image.config.user));
        }
        if let Some(secs) = ctx.epoch {
            mkdir = mkdir.timestamp(secs.saturating_mul(1_000_000_000));
        }
        let op = d.state.fs.file(FileActions::new().mkdir(mkdir));
        d.state.fs = ctx.at(op.custom_name(name), range).build();
        with_layer = true;
    }
    d.commit(["WORKDIR ", &wd].concat(), with_layer, false, ctx);
    Ok(())
}

/// Applies the stage's base (image config, env, workdir, user) before its commands run
/// (the start of upstream's `dispatchStages` loop body).
pub fn init_stage(
    ctx: &mut Ctx<'_>,
    d: &mut DState,
    range: SourceRange,
) -> Result<(), CompileError> {
    if d.platform.is_none() {
        d.platform = Some(ctx.target_platform.clone());
    }
    if d.image.env("PATH").is_none() {
        let os = d
            .platform
            .as_ref()
            .map(|p| p.os.clone())
            .unwrap_or_default();
        if os != "windows" {
            d.image
                .config
                .env
                .push(["PATH=", DEFAULT_PATH_ENV].concat());
        }
    }
    d.state.apply_image_config(&d.image);
    // The `hostname` opt, else the BUILDKIT_SANDBOX_HOSTNAME build arg.
    let hostname = ctx
        .req
        .hostname
        .as_ref()
        .or_else(|| ctx.req.build_args.get("BUILDKIT_SANDBOX_HOSTNAME"));
    if let Some(h) = hostname.filter(|h| !h.is_empty()) {
        d.state.hostname = h.clone();
    }
    if !d.image.config.working_dir.is_empty() {
        let wd = d.image.config.working_dir.clone();
        dispatch_workdir(ctx, d, &wd, false, range, "")?;
    }
    if !d.image.config.user.is_empty() {
        d.state.user = d.image.config.user.clone();
    }
    d.state.network = ctx.req.network_mode;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::gofmt::*;
    use super::run::*;
    use super::*;
    use crate::plan::EnvList;

    #[test]
    fn go_formatting_helpers() {
        assert_eq!(go_quote("a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(
            go_quote_list(&["/bin/sh".into(), "-c".into(), "echo hi".into()]),
            r#"["/bin/sh" "-c" "echo hi"]"#
        );
        assert_eq!(go_duration(0), "0s");
        assert_eq!(go_duration(30_000_000_000), "30s");
        assert_eq!(go_duration(90_000_000_000), "1m30s");
        assert_eq!(go_duration(1_500_000_000), "1.5s");
        assert_eq!(go_duration(3_600_000_000_000), "1h0m0s");
        assert_eq!(go_duration(5_000_000), "5ms");
        assert_eq!(uppercase_cmd("run echo hi".into()), "RUN echo hi");
        assert_eq!(uppercase_cmd("copy".into()), "COPY");
        assert_eq!(uppercase_cmd("ĉu x".into()), "ĈU x");
        assert_eq!(format_epoch(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_epoch(1_700_000_000), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn paths_like_go() {
        assert_eq!(clean_path("/a/./b/../c/"), "/a/c");
        assert_eq!(clean_path(""), ".");
        assert_eq!(join_path(&["/", "app", "../x"]), "/x");
        assert_eq!(path_relative_to_workdir("/app", "."), "/app/");
        assert_eq!(path_relative_to_workdir("/app", "bin/"), "/app/bin/");
        assert_eq!(path_relative_to_workdir("/app", "/usr/bin/x"), "/usr/bin/x");
        assert_eq!(path_relative_to_workdir("/", "./"), "/");
        assert_eq!(normalize_path("/", "src/.", true), "/src/.");
        assert_eq!(base_name("/run/secrets/x"), "x");
    }

    #[test]
    fn stop_signals_like_go() {
        for ok in ["SIGTERM", "term", "9", "SIGRTMIN+3", "RTMAX-1"] {
            assert!(valid_signal(ok), "{ok}");
        }
        for bad in ["0", "SIGFOO", "RTMIN+16", ""] {
            assert!(!valid_signal(bad), "{bad}");
        }
    }

    #[test]
    fn lone_heredoc_detection() {
        assert!(is_lone_heredoc("<<EOF"));
        assert!(is_lone_heredoc("<<-EOT"));
        assert!(is_lone_heredoc("<<\"EOF\""));
        assert!(!is_lone_heredoc("cat <<EOF"));
        assert!(!is_lone_heredoc("<<EOF > /x"));
        assert_eq!(
            summarize_heredoc("\napt-get update\napt-get install\n"),
            "apt-get update..."
        );
    }

    #[test]
    fn step_numbers_are_padded_like_printf() {
        let mut s = String::new();
        for (n, width) in [(7, 3), (123, 2), (0, 0), (10, 2)] {
            push_decimal(&mut s, n, width);
            s.push('|');
        }
        assert_eq!(s, "  7|123|0|10|");
    }

    #[test]
    fn history_of_run_lists_build_args() {
        let mut env = EnvList::new();
        env.add_or_replace("A", "1");
        let s = run_command_string(
            &["/bin/sh".into(), "-c".into(), "make".into()],
            &[("A".into(), Some("0".into())), ("B".into(), None)],
            &env,
        );
        assert_eq!(s, "RUN |2 A=1 B= /bin/sh -c make");
        assert_eq!(run_command_string(&[], &[], &env), "RUN ");
    }
}
