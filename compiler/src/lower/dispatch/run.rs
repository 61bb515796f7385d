//! RUN: shell/exec forms, heredocs, the env and user seen by the command, every `--mount`
//! type, `--network`, `--security` (`dispatchRun`, `dispatchRunMounts`).

use super::gofmt::*;
use super::*;
use crate::lower::Gate;

/// `RUN ` and then `runCommandString`: `|N K=V ... args`, for history.
pub(super) fn run_command_string(
    args: &[String],
    build_args: &[(String, Option<String>)],
    env: &EnvList,
) -> String {
    let mut tmp: Vec<(&str, &str)> = Vec::new();
    for (k, v) in build_args {
        let val = env.get(k).unwrap_or_else(|| v.as_deref().unwrap_or(""));
        if let Some(e) = tmp.iter_mut().find(|(kk, _)| kk == k) {
            e.1 = val;
        } else {
            tmp.push((k, val));
        }
    }
    // `RUN ` and the parts joined by spaces.
    let mut out = String::from("RUN ");
    let mut sep = "";
    if !tmp.is_empty() {
        out.push('|');
        out.push_str(&tmp.len().to_string());
        for (k, v) in tmp {
            out.push(' ');
            out.push_str(k);
            out.push('=');
            out.push_str(v);
        }
        sep = " ";
    }
    for a in args {
        out.push_str(sep);
        out.push_str(a);
        sep = " ";
    }
    out
}

/// `parser.MustParseHeredoc` on a whole command: is it just `<<WORD`?
pub(super) fn is_lone_heredoc(cmd: &str) -> bool {
    let s = cmd.trim_start_matches(|c: char| c.is_ascii_digit());
    let Some(rest) = s.strip_prefix("<<") else {
        return false;
    };
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let rest = rest.trim_start();
    !rest.is_empty() && !rest.contains('<') && rest.split_whitespace().count() == 1
}

pub(super) fn summarize_heredoc(doc: &str) -> String {
    let doc = doc.trim();
    let doc = doc.replace("\r\n", "\n");
    let mut lines = doc.split('\n');
    let first = lines.next().unwrap_or("").to_string();
    if lines.next().is_some() {
        format!("{first}...")
    } else {
        first
    }
}

pub(super) fn chomp(s: &str) -> String {
    s.split_inclusive('\n')
        .map(|l| l.trim_start_matches('\t'))
        .collect()
}

pub(super) fn dispatch_run(
    ctx: &mut Ctx<'_>,
    d: &mut DState,
    c: &RunCommand,
    sources: &SourceStates<'_>,
) -> Result<(), CompileError> {
    let range = c.origin.range;
    // A command may read anything in its rootfs.
    ctx.path_uses.push((d.id, "/".into()));
    let mut custom_name = std::borrow::Cow::Borrowed(c.origin.original.as_str());
    let mut args = c.cmd.args.clone();
    let mut extra_mounts: Vec<ExecMount> = Vec::new();
    if !c.heredocs.is_empty() {
        if args.len() != 1 || !c.cmd.prepend_shell {
            return Err(err(
                range,
                format!("parsing produced an invalid run command: {args:?}"),
            ));
        }
        if is_lone_heredoc(&args[0]) {
            let f = &c.heredocs[0];
            let data = if f.chomp {
                chomp(&f.data)
            } else {
                f.data.clone()
            };
            if d.image.os != "windows" && data.starts_with("#!") {
                let file = ctx.graph.add(
                    NodeKind::File(vec![FileAction {
                        input: ActionInput::Scratch,
                        secondary: ActionInput::Scratch,
                        kind: ActionKind::Mkfile {
                            path: join_path(&["/", &f.name]),
                            mode: 0o755,
                            data: data.into_bytes(),
                            owner: None,
                            timestamp: None,
                        },
                    }]),
                    Some(d.platform(ctx)),
                    OpMeta {
                        custom_name: Some("[internal] preparing inline document".into()),
                        ..Default::default()
                    },
                );
                extra_mounts.push(ExecMount {
                    target: "/dev/pipes/".into(),
                    source: Some(file),
                    selector: "/".into(),
                    readonly: true,
                    no_output: false,
                    kind: MountKind::Bind,
                });
                args = vec![join_path(&["/dev/pipes/", &f.name])];
            } else {
                args = vec![data];
            }
            let name = custom_name.to_mut();
            name.push_str(" (");
            name.push_str(&summarize_heredoc(&f.data));
            name.push(')');
        } else {
            let mut b = args[0].clone();
            for f in &c.heredocs {
                b.push('\n');
                b.push_str(&f.data);
                b.push_str(&f.name);
            }
            args = vec![b];
        }
    }
    if c.cmd.prepend_shell {
        args = with_shell(&d.image, &args);
    }

    let env = d.state.env.clone();
    let mut ex = expander(ctx.words, &env);
    let mounts = c
        .expand_mounts(&mut ex as &mut WordExpander<'_, String>)
        .map_err(|e| expand_err(e, range))?;

    // History line, before the args move into the op.
    let hist = run_command_string(&args, &d.build_args, &env);
    let mut exec = Exec {
        args,
        env: Default::default(),
        cwd: d.state.dir.clone(),
        user: d.state.user.clone(),
        hostname: d.state.hostname.clone(),
        network: d.state.network,
        security: Security::Sandbox,
        proxy_env: ctx.proxy.clone(),
        extra_hosts: ctx
            .req
            .extra_hosts
            .iter()
            .map(|h| (h.host.clone(), h.ip.clone()))
            .collect(),
        ulimits: Vec::new(),
        cgroup_parent: String::new(),
        mounts: vec![ExecMount {
            target: "/".into(),
            source: d.state.out,
            selector: String::new(),
            readonly: false,
            no_output: false,
            kind: MountKind::Bind,
        }],
        secrets: Vec::new(),
        ssh: Vec::new(),
    };
    exec.mounts.extend(extra_mounts);
    dispatch_run_mounts(ctx, d, &mounts, sources, &mut exec, range)?;

    match c.security {
        Some(SecurityMode::Insecure) => exec.security = Security::Insecure,
        Some(SecurityMode::Sandbox) | None => {}
    }
    match c.network {
        Some(RunNetwork::None) => exec.network = Network::None,
        Some(RunNetwork::Host) => exec.network = Network::Host,
        Some(RunNetwork::Default) | None => {}
    }
    if ctx.caps.allows(Gate::Ulimit) {
        exec.ulimits = ctx
            .req
            .ulimits
            .iter()
            .map(|u| (u.name.clone(), u.soft, u.hard))
            .collect();
    }
    if !c.devices.is_empty() {
        return Err(CompileError::new(
            crate::lower::ErrorKind::Unsupported,
            Some(range),
            "RUN --device is a labs feature of the stock frontend and is not supported by mstage",
        ));
    }
    if ctx.caps.allows(Gate::ShmSize) && ctx.req.shm_size > 0 {
        exec.mounts.push(ExecMount {
            target: "/dev/shm".into(),
            source: None,
            selector: String::new(),
            readonly: false,
            no_output: false,
            kind: MountKind::Tmpfs {
                size: ctx.req.shm_size,
            },
        });
    }
    if ctx.caps.allows(Gate::CgroupParent) {
        if let Some(cg) = &ctx.req.cgroup_parent {
            exec.cgroup_parent = cg.clone();
        }
    }

    // Vertex name: secret env values masked, quotes kept, unset variables left alone.
    let mut name_env = env.clone();
    for m in &mounts {
        if m.mount_type == MountType::Secret {
            if let Some(e) = &m.env {
                let key = if e.is_empty() {
                    secret_default_env(m)
                } else {
                    e.clone()
                };
                name_env.add_or_replace(&key, "****");
            }
        }
    }
    let name = uppercase_cmd(ctx.words.name_raw(&custom_name, &name_env));
    // The prefix shows the platform only when several are built: copy it only then.
    let name_platform = if ctx.multi_platform {
        d.state.platform.clone()
    } else {
        None
    };
    let name = d.prefix(ctx, &name, name_platform.as_ref());

    // SSH_AUTH_SOCK and a default PATH (without `exec.meta.setsdefaultpath`) are added by
    // llb-gen when it marshals, as Go's ExecOp does.
    exec.env = env.shared_pairs();

    let mut description = std::collections::BTreeMap::new();
    description.insert(
        "com.docker.dockerfile.v1.command".to_string(),
        c.origin.original.clone(),
    );
    let out = ctx.graph.add(
        NodeKind::Exec(Box::new(exec)),
        Some(
            d.state
                .platform
                .clone()
                .unwrap_or_else(|| ctx.target_platform.clone()),
        ),
        OpMeta {
            custom_name: Some(name),
            description,
            ignore_cache: d.ignore_cache,
            locations: vec![range],
            // Dropped silently without the cap, as the stock frontend does.
            linux_resources: ctx
                .req
                .linux_resources
                .clone()
                .filter(|_| ctx.caps.allows(Gate::LinuxResources)),
            ..Default::default()
        },
    );
    d.state.out = Some(out);
    d.commit(hist, true, true, ctx);
    Ok(())
}

/// Default env name of `--mount=type=secret,env` without a value: the secret id upper-cased.
pub(super) fn secret_default_env(m: &Mount) -> String {
    m.id.clone()
        .or_else(|| m.source.clone())
        .unwrap_or_default()
}

pub(super) fn dispatch_run_mounts(
    ctx: &mut Ctx<'_>,
    d: &mut DState,
    mounts: &[Mount],
    sources: &SourceStates<'_>,
    exec: &mut Exec,
    range: SourceRange,
) -> Result<(), CompileError> {
    for (i, m) in mounts.iter().enumerate() {
        let mut from = m.from.clone();
        if from.is_none() && m.mount_type == MountType::Cache {
            from = Some("scratch".into());
        }
        let target_raw = m.target.clone().unwrap_or_default();
        let mut st: Option<Out> = None;
        let uses_context = from.is_none();
        if from.is_some() {
            let src = sources.states.get(i).copied();
            match src {
                Some(src) if src.dispatched => st = src.state.out,
                _ => {
                    return Err(err(
                        range,
                        format!(
                            "cannot mount from stage {:?} to {:?}, stage needs to be defined before current command",
                            from.clone().unwrap_or_default(),
                            target_raw
                        ),
                    ))
                }
            }
        }
        match m.mount_type {
            MountType::Secret => {
                exec.secrets.push(secret_mount(m, range)?);
                continue;
            }
            MountType::Ssh => {
                exec.ssh.push(ssh_mount(m, range)?);
                continue;
            }
            _ => {}
        }
        if uses_context && m.mount_type != MountType::Tmpfs {
            st = Some(ctx.context());
        }
        let mut readonly = false;
        let mut no_output = false;
        let mut kind = MountKind::Bind;
        if m.mount_type == MountType::Tmpfs {
            st = None;
            kind = MountKind::Tmpfs {
                size: m.size_limit.unwrap_or(0),
            };
        }
        if m.readonly {
            readonly = true;
        } else if m.mount_type == MountType::Bind && ctx.caps.allows(Gate::BindNoOutput) {
            no_output = true;
        }
        if m.mount_type == MountType::Cache {
            let sharing = match m.sharing {
                Some(mstage_syntax::instructions::CacheSharing::Private) => CacheSharing::Private,
                Some(mstage_syntax::instructions::CacheSharing::Locked) => CacheSharing::Locked,
                _ => CacheSharing::Shared,
            };
            let id = m.id.clone().unwrap_or_else(|| clean_path(&target_raw));
            kind = MountKind::Cache {
                id: [cache_namespace(ctx.req), "/", &id].concat(),
                sharing,
            };
        }
        let target = if clean_path(&target_raw).starts_with('/') {
            target_raw.clone()
        } else {
            join_path(&["/", &d.state.dir, &target_raw])
        };
        if target == "/" {
            return Err(err(range, format!("invalid mount target {target:?}")));
        }
        let source_path = join_path(&["/", m.source.as_deref().unwrap_or("")]);
        let mut selector = String::new();
        if source_path != "/" {
            selector = source_path.clone();
        } else if m.uid.is_some() || m.gid.is_some() || m.mode.is_some() {
            let input = match st {
                Some(o) => ActionInput::State(o),
                None => ActionInput::Scratch,
            };
            let o = ctx.graph.add(
                NodeKind::File(vec![FileAction {
                    input,
                    secondary: ActionInput::Scratch,
                    kind: ActionKind::Mkdir {
                        path: "/cache".into(),
                        mode: m.mode.unwrap_or(0o755) as i32,
                        make_parents: false,
                        owner: Some(Chown {
                            user: Some(UserRef::Id(m.uid.unwrap_or(0))),
                            group: Some(UserRef::Id(m.gid.unwrap_or(0))),
                        }),
                        timestamp: None,
                    },
                }]),
                None,
                OpMeta {
                    custom_name: Some("[internal] setting cache mount permissions".into()),
                    ..Default::default()
                },
            );
            st = Some(o);
            selector = "/cache".into();
        }
        exec.mounts.push(ExecMount {
            target,
            source: st,
            selector,
            readonly,
            no_output,
            kind,
        });
        if uses_context {
            ctx.ctx_paths.insert(source_path);
        } else if let Some(&id) = sources.ids.get(i) {
            ctx.path_uses.push((id, source_path));
        }
    }
    Ok(())
}

/// `BUILDKIT_CACHE_MOUNT_NS`: the request's value, else the build arg.
pub(super) fn cache_namespace(req: &BuildRequest) -> &str {
    if !req.cache_id_namespace.is_empty() {
        return &req.cache_id_namespace;
    }
    req.build_args
        .get("BUILDKIT_CACHE_MOUNT_NS")
        .map_or("", String::as_str)
}

pub(super) fn secret_mount(m: &Mount, range: SourceRange) -> Result<SecretMount, CompileError> {
    let mut id = m.id.clone().unwrap_or_default();
    if let Some(s) = &m.source {
        id = s.clone();
    }
    let target = m.target.clone().unwrap_or_default();
    if id.is_empty() {
        if target.is_empty() {
            return Err(err(range, "one of source, target required"));
        }
        id = base_name(&target);
    }
    let mut file_target = (!target.is_empty()).then(|| target.clone());
    if m.env.is_none() && file_target.is_none() {
        file_target = Some(format!("/run/secrets/{}", base_name(&id)));
    }
    let (uid, gid, mode) = if m.uid.is_some() || m.gid.is_some() || m.mode.is_some() {
        (
            m.uid.unwrap_or(0),
            m.gid.unwrap_or(0),
            m.mode.unwrap_or(0o400),
        )
    } else {
        (0, 0, 0o400)
    };
    Ok(SecretMount {
        id,
        target: file_target,
        env: m.env.clone(),
        uid,
        gid,
        mode,
        optional: !m.required,
    })
}

pub(super) fn ssh_mount(m: &Mount, range: SourceRange) -> Result<SshMount, CompileError> {
    if m.source.is_some() {
        return Err(err(range, "ssh does not support source"));
    }
    let (uid, gid, mode) = if m.uid.is_some() || m.gid.is_some() || m.mode.is_some() {
        (
            m.uid.unwrap_or(0),
            m.gid.unwrap_or(0),
            m.mode.unwrap_or(0o600),
        )
    } else {
        (0, 0, 0o600)
    };
    Ok(SshMount {
        id: m.id.clone().unwrap_or_default(),
        target: m.target.clone().unwrap_or_default(),
        uid,
        gid,
        mode,
        optional: !m.required,
    })
}

/// Go's `path.Base`.
pub(super) fn base_name(p: &str) -> String {
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return if p.is_empty() { ".".into() } else { "/".into() };
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}
