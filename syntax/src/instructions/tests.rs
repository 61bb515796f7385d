//! Node -> instruction tests on hand-built parse-tree nodes (independent of the parser).

use std::time::Duration;

use super::*;
use crate::parser::{Dockerfile, Heredoc, Node, SourceRange};

fn node(keyword: &str, flags: &[&str], args: &[&str]) -> Node {
    Node {
        keyword: keyword.to_lowercase().into(),
        keyword_original: keyword.to_string().into(),
        flags: flags.iter().map(|s| s.to_string()).collect(),
        args: args.iter().map(|s| s.to_string()).collect(),
        json_form: false,
        sub: None,
        heredocs: vec![],
        comments: Vec::new(),
        original: format!("{keyword} {}", args.join(" ")),
        range: SourceRange {
            start_line: 7,
            end_line: 7,
            ..Default::default()
        },
    }
}

fn json(mut n: Node) -> Node {
    n.json_form = true;
    n
}

fn ok(n: &Node) -> Instruction {
    parse_instruction(n, '\\').unwrap_or_else(|e| panic!("{e}"))
}

fn err(n: &Node) -> String {
    parse_instruction(n, '\\').unwrap_err().to_string()
}

fn ident(w: &str) -> Result<String, String> {
    Ok(w.to_string())
}

#[test]
fn from_normalises_stage_name_and_keeps_platform_raw() {
    let Instruction::From(f) = ok(&node(
        "FROM",
        &["--platform=$BUILDPLATFORM"],
        &["golang:1.22", "AS", "Build-Env"],
    )) else {
        panic!()
    };
    assert_eq!(f.base_name, "golang:1.22");
    assert_eq!(f.name.as_deref(), Some("build-env"));
    assert_eq!(f.platform.as_deref(), Some("$BUILDPLATFORM"));
    assert_eq!(f.origin.range.start_line, 7);
    assert_eq!(
        err(&node("FROM", &[], &["a", "b"])),
        "dockerfile parse error on line 7: FROM requires either one or three arguments (FROM image [AS name])"
    );
    assert!(err(&node("FROM", &[], &["a", "AS", "1x"]))
        .contains("invalid name for build stage: \"1x\""));
    assert!(err(&node("FROM", &["--platfrom=x"], &["a"]))
        .contains("unknown flag: --platfrom (did you mean platform?)"));
}

#[test]
fn from_expansion_refuses_blank_results() {
    let Instruction::From(f) = ok(&node("FROM", &["--platform=$P"], &["$BASE"])) else {
        panic!()
    };
    let mut empty = |_: &str| Ok::<_, String>(String::new());
    let e = f.expand_base_name(&mut empty).unwrap_err();
    assert_eq!(
        e.to_string(),
        "dockerfile parse error on line 7: base name ($BASE) should not be blank"
    );
    let e = f.expand_platform(&mut empty).unwrap_err();
    assert!(e
        .to_string()
        .contains("empty platform value from expression $P"));
    let mut fail = |w: &str| Err::<String, _>(format!("{w}: not set"));
    let e = f.expand_base_name(&mut fail).unwrap_err();
    assert_eq!(e.to_string(), "dockerfile line 7: $BASE: not set");
}

#[test]
fn run_shell_and_exec_forms() {
    let Instruction::Run(r) = ok(&node("RUN", &[], &["echo hi"])) else {
        panic!()
    };
    assert_eq!(r.cmd.args, vec!["echo hi"]);
    assert!(r.cmd.prepend_shell);
    assert_eq!(r.network, None);
    let Instruction::Run(r) = ok(&json(node("RUN", &[], &["echo", "hi"]))) else {
        panic!()
    };
    assert_eq!(r.cmd.args, vec!["echo", "hi"]);
    assert!(!r.cmd.prepend_shell);
}

#[test]
fn run_flags() {
    let Instruction::Run(r) = ok(&node(
        "RUN",
        &[
            "--mount=type=cache,target=/root/.cache",
            "--mount=type=secret,id=npm",
            "--network=none",
            "--security=insecure",
            "--device=nvidia.com/gpu=all",
        ],
        &["make"],
    )) else {
        panic!()
    };
    assert_eq!(r.mounts.len(), 2);
    assert_eq!(r.network, Some(NetworkMode::None));
    assert_eq!(r.security, Some(SecurityMode::Insecure));
    assert_eq!(r.devices[0].name, "nvidia.com/gpu=all");
    assert_eq!(r.flags_used, vec!["device", "mount", "network", "security"]);
    let mounts = r.expand_mounts(&mut ident).unwrap();
    assert_eq!(mounts[0].mount_type, MountType::Cache);
    assert_eq!(mounts[1].id.as_deref(), Some("npm"));

    assert!(err(&node("RUN", &["--network=bridge"], &["x"]))
        .contains("invalid network mode \"bridge\""));
    assert!(
        err(&node("RUN", &["--security=yolo"], &["x"])).contains("security \"yolo\" is not valid")
    );
    assert!(err(&node("RUN", &["--mount=from=$X,target=/x"], &["x"]))
        .contains("'from' doesn't support variable expansion"));
    assert!(err(&node("RUN", &["--mnt=type=bind"], &["x"]))
        .contains("unknown flag: --mnt (did you mean mount?)"));
}

#[test]
fn run_mount_errors_come_with_the_line_after_expansion() {
    let Instruction::Run(r) = ok(&node(
        "RUN",
        &[
            "--mount=type=cache,target=/a",
            "--mount=type=bind,target=/a",
        ],
        &["x"],
    )) else {
        panic!()
    };
    let e = r.expand_mounts(&mut ident).unwrap_err();
    assert_eq!(e.range().start_line, 7);
    assert!(e.to_string().contains("duplicate mount target \"/a\""));
    let Instruction::Run(r) = ok(&node("RUN", &["--mount=type=$T,target=/a"], &["x"])) else {
        panic!()
    };
    let mut ex = |w: &str| Ok::<_, String>(w.replace("$T", "tmpfs"));
    assert_eq!(
        r.expand_mounts(&mut ex).unwrap()[0].mount_type,
        MountType::Tmpfs
    );
}

#[test]
fn run_heredocs_are_attached() {
    let mut n = node("RUN", &[], &["<<EOF"]);
    n.heredocs = vec![Heredoc {
        name: "EOF".into(),
        fd: 0,
        expand: true,
        chomp: false,
        content: "echo hi\n".into(),
    }];
    let Instruction::Run(r) = ok(&n) else {
        panic!()
    };
    assert_eq!(r.heredocs.len(), 1);
    assert_eq!(r.heredocs[0].data, "echo hi\n");
}

#[test]
fn copy_flags_and_heredoc_sources() {
    let mut n = node(
        "COPY",
        &[
            "--from=builder",
            "--chown=app:app",
            "--chmod=0755",
            "--link",
            "--parents=true",
            "--exclude=*.md",
            "--exclude=tmp",
        ],
        &["a", "<<-\"CFG\"", "/dst/"],
    );
    n.heredocs = vec![Heredoc {
        name: "CFG".into(),
        fd: 0,
        expand: false,
        chomp: true,
        content: "\tk=$v\n".into(),
    }];
    let Instruction::Copy(c) = ok(&n) else {
        panic!()
    };
    assert_eq!(c.from.as_deref(), Some("builder"));
    assert_eq!(c.chown.as_deref(), Some("app:app"));
    assert!(c.link && c.parents);
    assert_eq!(c.excludes, vec!["*.md", "tmp"]);
    assert_eq!(c.files.sources, vec!["a"]);
    assert_eq!(c.files.dest, "/dst/");
    assert_eq!(
        c.files.contents,
        vec![SourceContent {
            path: "CFG".into(),
            data: "k=$v\n".into(),
            expand: false
        }]
    );
    assert_eq!(c.chmod_mode().unwrap(), Some(Chmod::Octal(0o755)));

    assert!(err(&node("COPY", &["--from=$STAGE"], &["a", "b"]))
        .contains("variable expansion is not supported for --from"));
    assert!(err(&node("COPY", &["--checksum=sha256:x"], &["a", "b"]))
        .contains("unknown flag: --checksum"));
    assert!(err(&node("COPY", &[], &["a", "<<EOF"]))
        .contains("COPY cannot accept a heredoc as a destination"));
    assert!(err(&node("COPY", &[], &["a"])).contains("COPY requires at least two arguments"));
    assert!(err(&node("COPY", &["--link=maybe"], &["a", "b"]))
        .contains("expecting boolean value for flag --link, not: maybe"));
}

#[test]
fn copy_expansion_validates_chmod() {
    let Instruction::Copy(c) = ok(&node(
        "COPY",
        &["--chmod=$M", "--chown=$U"],
        &["$SRC", "/d"],
    )) else {
        panic!()
    };
    let mut ex = |w: &str| {
        Ok::<_, String>(
            w.replace("$M", "u+x")
                .replace("$U", "1000")
                .replace("$SRC", "src"),
        )
    };
    let e = c.expand(&mut ex).unwrap();
    assert_eq!(e.files.sources, vec!["src"]);
    assert_eq!(e.chown.as_deref(), Some("1000"));
    assert_eq!(e.chmod_mode().unwrap(), Some(Chmod::Symbolic("u+x".into())));
    let mut bad = |w: &str| Ok::<_, String>(w.replace("$M", "888"));
    assert!(c
        .expand(&mut bad)
        .unwrap_err()
        .to_string()
        .contains("invalid chmod parameter: '888'"));
}

#[test]
fn add_flags() {
    let Instruction::Add(a) = ok(&node(
        "ADD",
        &[
            "--checksum=sha256:abc",
            "--keep-git-dir",
            "--unpack=false",
            "--link",
        ],
        &["https://example.com/x.tgz", "/x"],
    )) else {
        panic!()
    };
    assert_eq!(a.checksum.as_deref(), Some("sha256:abc"));
    assert_eq!(a.keep_git_dir, Some(true));
    assert_eq!(a.unpack, Some(false));
    assert!(a.link);
    let Instruction::Add(a) = ok(&node("ADD", &[], &["a", "b"])) else {
        panic!()
    };
    assert_eq!((a.keep_git_dir, a.unpack), (None, None));
    assert!(err(&node("ADD", &["--from=x"], &["a", "b"])).contains("unknown flag: --from"));
}

#[test]
fn env_and_label_forms() {
    let Instruction::Env(e) = ok(&node("ENV", &[], &["A", "1", "=", "B", "two words", ""])) else {
        panic!()
    };
    assert_eq!(
        e.env,
        vec![
            KeyValue {
                key: "A".into(),
                value: "1".into(),
                legacy: false
            },
            KeyValue {
                key: "B".into(),
                value: "two words".into(),
                legacy: true
            }
        ]
    );
    let mut up = |w: &str| Ok::<_, String>(w.to_uppercase());
    assert_eq!(e.expand(&mut up).unwrap()[1].value, "TWO WORDS");
    assert!(err(&node("ENV", &[], &[])).contains("ENV requires at least one argument"));
    assert!(err(&node("LABEL", &[], &["", "v", "="])).contains("LABEL names can not be blank"));
    assert!(
        err(&node("LABEL", &[], &["a", "b"])).contains("Bad input to LABEL, too many arguments")
    );
    assert!(err(&node("ENV", &["--x"], &["a", "b", "="])).contains("unknown flag: --x"));
}

#[test]
fn healthcheck_options() {
    let Instruction::Healthcheck(h) = ok(&node(
        "HEALTHCHECK",
        &[
            "--interval=30s",
            "--timeout=1m30s",
            "--start-period=5s",
            "--start-interval=500ms",
            "--retries=3",
        ],
        &["CMD", "curl -f http://localhost/"],
    )) else {
        panic!()
    };
    assert_eq!(
        h.health,
        Healthcheck::Cmd {
            test: vec!["CMD-SHELL".into(), "curl -f http://localhost/".into()],
            interval: Duration::from_secs(30),
            timeout: Duration::from_secs(90),
            start_period: Duration::from_secs(5),
            start_interval: Duration::from_millis(500),
            retries: 3,
        }
    );
    let Instruction::Healthcheck(h) = ok(&json(node("HEALTHCHECK", &[], &["cmd", "curl", "-f"])))
    else {
        panic!()
    };
    let Healthcheck::Cmd { test, .. } = h.health else {
        panic!()
    };
    assert_eq!(test, vec!["CMD", "curl", "-f"]);
    let Instruction::Healthcheck(h) = ok(&node("HEALTHCHECK", &[], &["none"])) else {
        panic!()
    };
    assert_eq!(h.health, Healthcheck::None);

    assert!(err(&node("HEALTHCHECK", &["--interval=5"], &["CMD", "x"]))
        .contains("missing unit in duration \"5\""));
    assert!(
        err(&node("HEALTHCHECK", &["--interval=10ns"], &["CMD", "x"]))
            .contains("cannot be less than 1ms")
    );
    assert!(err(&node("HEALTHCHECK", &["--retries=-1"], &["CMD", "x"]))
        .contains("--retries cannot be negative (-1)"));
    assert!(
        err(&node("HEALTHCHECK", &["--retries=many"], &["CMD", "x"]))
            .contains("invalid number \"many\"")
    );
    assert!(err(&node("HEALTHCHECK", &[], &["NONE", "x"]))
        .contains("HEALTHCHECK NONE takes no arguments"));
    assert!(
        err(&node("HEALTHCHECK", &[], &["CMD"])).contains("Missing command after HEALTHCHECK CMD")
    );
    assert!(err(&node("HEALTHCHECK", &[], &["RUN", "x"]))
        .contains("Unknown type \"RUN\" in HEALTHCHECK (try CMD)"));
}

#[test]
fn single_argument_instructions() {
    for kw in ["MAINTAINER", "WORKDIR", "USER", "STOPSIGNAL"] {
        assert!(
            err(&node(kw, &[], &[])).ends_with(&format!("{kw} requires exactly one argument")),
            "{kw}"
        );
    }
    for kw in [
        "ENV",
        "LABEL",
        "ONBUILD",
        "HEALTHCHECK",
        "EXPOSE",
        "VOLUME",
        "ARG",
    ] {
        assert!(
            err(&node(kw, &[], &[])).ends_with(&format!("{kw} requires at least one argument")),
            "{kw}"
        );
    }
    let Instruction::User(u) = ok(&node("USER", &[], &["$APP_USER"])) else {
        panic!()
    };
    let mut ex = |w: &str| Ok::<_, String>(w.replace("$APP_USER", "app"));
    assert_eq!(u.expand(&mut ex).unwrap(), "app");
    // BuildKit ignores flags on STOPSIGNAL and ARG.
    assert!(parse_instruction(&node("STOPSIGNAL", &["--x"], &["SIGTERM"]), '\\').is_ok());
    assert!(parse_instruction(&node("ARG", &["--x"], &["A"]), '\\').is_ok());
}

#[test]
fn expose_volume_arg_shell() {
    let Instruction::Expose(e) = ok(&node("EXPOSE", &[], &["8080", "443/tcp", "$PORTS"])) else {
        panic!()
    };
    assert_eq!(
        e.ports,
        vec!["$PORTS", "443/tcp", "8080"],
        "sorted as upstream"
    );
    let mut split = |w: &str| {
        Ok::<_, String>(if w == "$PORTS" {
            vec!["53/udp".to_string(), "9000-9001".to_string()]
        } else {
            vec![w.to_string()]
        })
    };
    let ports: Vec<String> = e
        .expand_ports(&mut split)
        .unwrap()
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(
        ports,
        vec!["53/udp", "9000/tcp", "9001/tcp", "443/tcp", "8080/tcp"]
    );

    let Instruction::Volume(v) = ok(&json(node("VOLUME", &[], &["/data", " /logs "]))) else {
        panic!()
    };
    assert_eq!(v.volumes, vec!["/data", "/logs"]);
    assert!(err(&json(node("VOLUME", &[], &["  "])))
        .contains("VOLUME specified can not be an empty string"));

    let Instruction::Arg(a) = ok(&node("ARG", &[], &["A", "B=1", "C="])) else {
        panic!()
    };
    assert_eq!(a.args[0].value, None);
    assert_eq!(a.args[1].value.as_deref(), Some("1"));
    assert_eq!(a.args[2].value.as_deref(), Some(""));
    assert!(err(&node("ARG", &[], &["=x"])).contains("ARG names can not be blank"));

    let Instruction::Shell(s) = ok(&json(node("SHELL", &[], &["/bin/bash", "-c"]))) else {
        panic!()
    };
    assert_eq!(s.shell, vec!["/bin/bash", "-c"]);
    assert!(err(&node("SHELL", &[], &["/bin/bash -c"]))
        .contains("SHELL requires the arguments to be in JSON form"));
    assert!(err(&json(node("SHELL", &[], &[]))).contains("SHELL requires at least one argument"));
}

#[test]
fn onbuild_triggers() {
    let mut n = node("ONBUILD", &[], &[]);
    n.original = "ONBUILD RUN echo hi".into();
    n.sub = Some(Box::new(node("RUN", &[], &["echo hi"])));
    let Instruction::Onbuild(o) = ok(&n) else {
        panic!()
    };
    assert_eq!(o.trigger, "RUN");
    assert_eq!(o.expression, "RUN echo hi");
    let mut heredoc_run = node("RUN", &[], &["<<EOF"]);
    heredoc_run.heredocs = vec![Heredoc {
        name: "EOF".into(),
        fd: 0,
        expand: true,
        chomp: false,
        content: "echo hi\n".into(),
    }];
    let mut with_heredoc = n.clone();
    with_heredoc.original = "onbuild RUN <<EOF".into();
    with_heredoc.sub = Some(Box::new(heredoc_run));
    let Instruction::Onbuild(o) = ok(&with_heredoc) else {
        panic!()
    };
    assert_eq!(o.expression, "RUN <<EOF\necho hi\nEOF");
    n.sub = Some(Box::new(node("from", &[], &["x"])));
    assert!(err(&n).contains("FROM isn't allowed as an ONBUILD trigger"));
    n.sub = Some(Box::new(node("onbuild", &[], &[])));
    assert!(err(&n).contains("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"));
}

#[test]
fn unknown_instruction_suggests() {
    assert_eq!(
        err(&node("XYZZY", &[], &["bar"])),
        "dockerfile parse error on line 7: unknown instruction: XYZZY"
    );
    assert_eq!(
        err(&node("RUNN", &[], &["x"])),
        "dockerfile parse error on line 7: unknown instruction: RUNN (did you mean RUN?)"
    );
    assert_eq!(
        err(&node("copyy", &[], &["x"])),
        "dockerfile parse error on line 7: unknown instruction: copyy (did you mean copy?)"
    );
    assert_eq!(
        err(&node("FOO", &[], &["bar"])),
        "dockerfile parse error on line 7: unknown instruction: FOO (did you mean FROM?)"
    );
}

fn dockerfile(nodes: Vec<Node>) -> Dockerfile {
    Dockerfile {
        escape: '\\',
        directives: vec![],
        instructions: nodes,
        warnings: vec![],
        includes: vec![],
    }
}

fn at(mut n: Node, line: usize) -> Node {
    n.range = SourceRange {
        start_line: line,
        end_line: line,
        ..Default::default()
    };
    n
}

#[test]
fn dockerfile_groups_stages_and_meta_args() {
    let df = dockerfile(vec![
        at(node("ARG", &[], &["GO=1.22"]), 1),
        at(node("FROM", &[], &["golang:$GO", "AS", "Build"]), 2),
        at(node("RUN", &[], &["go build"]), 3),
        at(node("ARG", &[], &["X"]), 4),
        at(node("FROM", &["--platform=linux/arm64"], &["alpine"]), 5),
        at(node("COPY", &["--from=build"], &["/out", "/bin/"]), 6),
    ]);
    let p = parse_dockerfile(&df).unwrap();
    assert_eq!(p.meta_args.len(), 1);
    assert_eq!(p.stages.len(), 2);
    assert_eq!(p.stages[0].name.as_deref(), Some("build"));
    assert_eq!(p.stages[0].base_name, "golang:$GO");
    assert_eq!(
        p.stages[0].commands.len(),
        2,
        "ARG after FROM belongs to the stage"
    );
    assert_eq!(p.stages[1].index, 1);
    assert_eq!(p.stages[1].platform.as_deref(), Some("linux/arm64"));
    assert_eq!(p.stages[1].range().start_line, 5);
    assert!(p.stage_by_name("BUILD").is_some());
    assert!(p.stage_by_name("nope").is_none());
}

#[test]
fn dockerfile_level_errors() {
    let df = dockerfile(vec![
        at(node("ARG", &[], &["A"]), 1),
        at(node("RUN", &[], &["x"]), 2),
        at(node("FROM", &[], &["a"]), 3),
    ]);
    assert_eq!(
        parse_dockerfile(&df).unwrap_err().to_string(),
        "dockerfile parse error on line 2: no build stage in current context: RUN must come after a FROM instruction (only ARG may come before the first FROM)"
    );
    let df = dockerfile(vec![at(node("ARG", &[], &["A"]), 1)]);
    assert!(parse_dockerfile(&df)
        .unwrap_err()
        .to_string()
        .contains("dockerfile contains no stages to build"));
    let df = dockerfile(vec![
        at(node("FROM", &[], &["a"]), 1),
        at(node("RUNN", &[], &["x"]), 9),
    ]);
    let e = parse_dockerfile(&df).unwrap_err();
    assert_eq!(e.range.start_line, 9);
}
