//! Round-trip, determinism and op-shape tests for graphs built with llb-gen.

use llb_gen::{
    diff, image, local, merge, scratch, CacheSharing, Chmod, Copy, FileActions, LocalPaths,
    MarshalOptions, Mkdir, Mkfile, Mount, NetMode, OpOptions, Owner, PathFilter, Platform, Rm,
    Secret, SecurityMode, SourceMap, Ssh, State, Symlink,
};
use mstage_proto::prost::Message;
use mstage_proto::{pb, wire};
use std::collections::{BTreeMap, BTreeSet};

fn opts() -> MarshalOptions {
    MarshalOptions::new(Platform::linux_amd64()).local_unique_id("u")
}

fn sha(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(bytes);
    format!(
        "sha256:{}",
        h.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// Decoded ops by digest, in Definition order.
fn ops(def: &pb::Definition) -> Vec<(String, pb::Op)> {
    def.def
        .iter()
        .map(|b| (sha(b), pb::Op::decode(b.as_slice()).unwrap()))
        .collect()
}

fn exec_of(op: &pb::Op) -> &pb::ExecOp {
    match &op.op {
        Some(pb::op::Op::Exec(e)) => e,
        other => panic!("not an exec: {other:?}"),
    }
}

fn file_of(op: &pb::Op) -> &pb::FileOp {
    match &op.op {
        Some(pb::op::Op::File(f)) => f,
        other => panic!("not a file op: {other:?}"),
    }
}

fn caps(def: &pb::Definition, digest: &str) -> BTreeSet<String> {
    def.metadata[digest].caps.keys().cloned().collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// A graph touching most features. `flip` changes only the order in which
/// independent parts are constructed.
fn big_graph(flip: bool) -> (State, SourceMap) {
    let map = SourceMap::new("Dockerfile", "Dockerfile", b"FROM alpine\nRUN x\n".to_vec());
    let make_base = || {
        image("docker.io/library/alpine:3.20")
            .platform(Platform::linux_amd64())
            .custom_name("FROM alpine")
            .location(&map, vec![SourceMap::lines(1, 1)])
            .build()
    };
    let make_ctx = || {
        local("context")
            .session_id("s1")
            .exclude_patterns(vec!["target".into()])
            .follow_paths(vec!["src".into()])
            .build()
    };
    let (base, ctx) = if flip {
        let c = make_ctx();
        (make_base(), c)
    } else {
        (make_base(), make_ctx())
    };
    let run = base
        .with_env("A", "1")
        .with_dir("/src")
        .run(["sh", "-c", "make"])
        .mount(Mount::tmpfs("/tmp").size(1 << 20))
        .mount(Mount::cache("/root/.cache", "c1", CacheSharing::Private))
        .mount(Mount::bind("/src", &ctx).readonly().selector("/src"))
        .mount(Mount::bind("/out", &scratch()))
        .secret(Secret::file("npmrc", "/root/.npmrc").optional())
        .secret(Secret::env("token", "TOKEN"))
        .ssh(Ssh::new().id("default"))
        .network(NetMode::Host)
        .security(SecurityMode::Insecure)
        .extra_host("db", "10.0.0.2".parse().unwrap())
        .custom_name("RUN make")
        .progress_group("pg", "build", false)
        .location(&map, vec![SourceMap::lines(2, 2)])
        .build();
    let root = run.root();
    let out = run.mount("/out").unwrap();
    let heredoc = scratch()
        .file(FileActions::new().mkfile(Mkfile::new("/script.sh", 0o755, b"echo".to_vec())))
        .build();
    let files = root
        .file(
            FileActions::new()
                .mkdir(
                    Mkdir::new("app", 0o755)
                        .make_parents(true)
                        .owner(Owner::parse("app:app")),
                )
                .copy(
                    Copy::new(&out, "bin/", "/app/")
                        .owner(Owner::ids(1, 2))
                        .chmod(Chmod::Symbolic("u+x".into()))
                        .include_patterns(vec!["*.so".into()])
                        .exclude_patterns(vec!["*.a".into()])
                        .timestamp(0),
                )
                .copy(Copy::new(&heredoc, "/script.sh", "/usr/bin/"))
                .rm(Rm::new("/src/tmp").allow_not_found(true))
                .symlink(Symlink::new("/app/bin", "/bin/app")),
        )
        .custom_name("COPY")
        .build();
    let layer = scratch()
        .file(FileActions::new().copy(Copy::new(&ctx, "/", "/ctx").dir_contents_only(true)))
        .build();
    let merged = if flip {
        let l = layer.clone();
        merge([files.clone(), l]).custom_name("LINK").build()
    } else {
        merge([files.clone(), layer.clone()])
            .custom_name("LINK")
            .build()
    };
    let d = diff(&root, &merged).build();
    (merge([merged, d]).build(), map)
}

#[test]
fn same_graph_built_in_different_orders_gives_identical_bytes() {
    let (a, _) = big_graph(false);
    let (b, _) = big_graph(true);
    let da = a.marshal(&opts()).unwrap();
    let db = b.marshal(&opts()).unwrap();
    assert_eq!(wire::encode_definition(&da), wire::encode_definition(&db));
    // Marshalling again (cached encodings) changes nothing either.
    assert_eq!(a.marshal(&opts()).unwrap(), da);
}

#[test]
fn definition_round_trips_and_is_well_formed() {
    let (st, _) = big_graph(false);
    let def = st.marshal(&opts()).unwrap();
    let decoded = pb::Definition::decode(wire::encode_definition(&def).as_slice()).unwrap();
    assert_eq!(decoded, def);

    let ops = ops(&def);
    // No duplicates, every input refers to an earlier op, terminal last.
    let digests: Vec<&String> = ops.iter().map(|(d, _)| d).collect();
    let unique: BTreeSet<&String> = digests.iter().copied().collect();
    assert_eq!(unique.len(), digests.len());
    for (i, (_, op)) in ops.iter().enumerate() {
        for inp in &op.inputs {
            let pos = digests.iter().position(|d| **d == inp.digest);
            assert!(
                matches!(pos, Some(p) if p < i),
                "op {i} input {inp:?} not earlier"
            );
        }
    }
    let (term_digest, terminal) = ops.last().unwrap();
    assert!(terminal.op.is_none() && terminal.platform.is_none());
    assert_eq!(terminal.inputs.len(), 1);
    assert_eq!(llb_gen::head(&def).unwrap(), terminal.inputs[0]);
    // Metadata: one entry per op; terminal caps include meta.description
    // because ops have custom names.
    let keys: BTreeSet<&String> = def.metadata.keys().collect();
    assert_eq!(keys, unique);
    assert_eq!(
        caps(&def, term_digest),
        set(&["constraints", "platform", "meta.description"])
    );
    // Source map: every op but the terminal has an entry; the exec points at line 2.
    let src = def.source.as_ref().unwrap();
    assert_eq!(src.infos.len(), 1);
    assert_eq!(src.infos[0].filename, "Dockerfile");
    assert_eq!(src.locations.len(), ops.len() - 1);
    let (exec_digest, _) = ops
        .iter()
        .find(|(_, op)| matches!(op.op, Some(pb::op::Op::Exec(_))))
        .unwrap();
    let loc = &src.locations[exec_digest].locations[0];
    assert_eq!(loc.source_index, 0);
    assert_eq!(loc.ranges[0].start.unwrap().line, 2);
}

#[test]
fn exec_mounts_are_sorted_and_numbered_like_go() {
    let (st, _) = big_graph(false);
    let def = st.marshal(&opts()).unwrap();
    let ops = ops(&def);
    let (digest, op) = ops
        .iter()
        .find(|(_, op)| matches!(op.op, Some(pb::op::Op::Exec(_))))
        .unwrap();
    let e = exec_of(op);
    let shape: Vec<(&str, i64, i64, bool, i32)> = e
        .mounts
        .iter()
        .map(|m| (m.dest.as_str(), m.input, m.output, m.readonly, m.mount_type))
        .collect();
    assert_eq!(
        shape,
        [
            ("/", 0, 0, false, pb::MountType::Bind as i32),
            ("/out", -1, 1, false, pb::MountType::Bind as i32),
            ("/root/.cache", -1, -1, false, pb::MountType::Cache as i32),
            ("/src", 1, -1, true, pb::MountType::Bind as i32),
            ("/tmp", -1, -1, false, pb::MountType::Tmpfs as i32),
            // Secret and SSH mounts follow, unsorted, output left at 0 as Go does.
            ("/root/.npmrc", -1, 0, false, pb::MountType::Secret as i32),
            (
                "/run/buildkit/ssh_agent.0",
                -1,
                0,
                false,
                pb::MountType::Ssh as i32
            ),
        ]
    );
    assert_eq!(e.mounts[3].selector, "/src");
    assert_eq!(e.mounts[4].tmpfs_opt, Some(pb::TmpfsOpt { size: 1 << 20 }));
    assert_eq!(e.mounts[2].cache_opt.as_ref().unwrap().sharing, 1);
    assert!(e.mounts[5].secret_opt.as_ref().unwrap().optional);
    assert_eq!(e.mounts[5].secret_opt.as_ref().unwrap().mode, 0o400);
    assert_eq!(e.secretenv[0].name, "TOKEN");
    let meta = e.meta.as_ref().unwrap();
    assert_eq!(meta.env, ["A=1", "SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0"]);
    assert_eq!(meta.cwd, "/src");
    assert_eq!(meta.extra_hosts[0].ip, "10.0.0.2");
    assert_eq!(e.network, pb::NetMode::Host as i32);
    assert_eq!(e.security, pb::SecurityMode::Insecure as i32);
    assert_eq!(
        caps(&def, digest),
        set(&[
            "exec.meta.base",
            "exec.meta.network",
            "exec.meta.security",
            "exec.mount.bind",
            "exec.mount.cache",
            "exec.mount.cache.sharing",
            "exec.mount.secret",
            "exec.mount.selector",
            "exec.mount.ssh",
            "exec.mount.tmpfs",
            "exec.mount.tmpfs.size",
            "exec.secretenv",
        ])
    );
    let md = &def.metadata[digest];
    assert_eq!(md.description["llb.customname"], "RUN make");
    assert_eq!(md.progress_group.as_ref().unwrap().id, "pg");
    // The writable /out mount is output 1, and the COPY reads it from there.
    let file = ops
        .iter()
        .map(|(_, op)| op)
        .find(|op| matches!(&op.op, Some(pb::op::Op::File(f)) if f.actions.len() == 5))
        .unwrap();
    assert!(file
        .inputs
        .iter()
        .any(|i| i.digest == *digest && i.index == 1));
}

#[test]
fn file_action_chain_indices_owner_and_paths() {
    let (st, _) = big_graph(false);
    let def = st.marshal(&opts()).unwrap();
    let ops = ops(&def);
    let op = ops
        .iter()
        .map(|(_, op)| op)
        .find(|op| matches!(&op.op, Some(pb::op::Op::File(f)) if f.actions.len() == 5))
        .unwrap();
    assert!(op.platform.is_none(), "file ops carry no platform");
    let f = file_of(op);
    // inputs: 0 = exec root (base), 1 = /out output, 2 = heredoc scratch file.
    assert_eq!(op.inputs.len(), 3);
    let n = op.inputs.len() as i64;
    let links: Vec<(i64, i64, i64)> = f
        .actions
        .iter()
        .map(|a| (a.input, a.secondary_input, a.output))
        .collect();
    assert_eq!(
        links,
        [
            (0, -1, -1),
            (n, 1, -1),
            (n + 1, 2, -1),
            (n + 2, -1, -1),
            (n + 3, -1, 0)
        ]
    );
    use pb::file_action::Action;
    let Some(Action::Mkdir(mkdir)) = &f.actions[0].action else {
        panic!()
    };
    // Relative to the state's dir (/src); named owner resolved in input 0.
    assert_eq!(mkdir.path, "/src/app");
    assert_eq!(mkdir.timestamp, -1);
    let user = mkdir.owner.as_ref().unwrap().user.as_ref().unwrap();
    assert_eq!(
        user.user,
        Some(pb::user_opt::User::ByName(pb::NamedUserOpt {
            name: "app".into(),
            input: 0
        }))
    );
    let Some(Action::Copy(copy)) = &f.actions[1].action else {
        panic!()
    };
    assert_eq!(copy.src, "/bin"); // relative src joins the source's dir (/)
    assert_eq!(copy.dest, "/app/"); // trailing slash kept
    assert_eq!((copy.mode, copy.mode_str.as_str()), (0, "u+x"));
    assert_eq!(copy.timestamp, 0);
    assert_eq!(copy.include_patterns, ["*.so"]);
    assert_eq!(copy.exclude_patterns, ["*.a"]);
    let Some(Action::Copy(copy2)) = &f.actions[2].action else {
        panic!()
    };
    assert_eq!((copy2.mode, copy2.timestamp), (-1, -1));
    let Some(Action::Rm(rm)) = &f.actions[3].action else {
        panic!()
    };
    assert!(rm.allow_not_found);
    // The Go client declares only file.base for file ops.
    assert_eq!(
        caps(
            &def,
            &sha(&def.def[ops.iter().position(|(_, o)| o == op).unwrap()])
        ),
        set(&["file.base"])
    );
}

#[test]
fn copy_from_an_action_chain_uses_relative_index() {
    let base = image("docker.io/library/busybox:latest").build();
    let staged = FileActions::new().mkfile(Mkfile::new("/a", 0o644, b"x".to_vec()));
    let st = base
        .file(FileActions::new().copy(Copy::from_actions(&scratch(), staged, "/a", "/b")))
        .build();
    let def = st.marshal(&opts()).unwrap();
    let ops = ops(&def);
    let f = file_of(&ops[ops.len() - 2].1);
    // action 0: the mkfile on scratch; action 1: the copy into input 0.
    let links: Vec<(i64, i64, i64)> = f
        .actions
        .iter()
        .map(|a| (a.input, a.secondary_input, a.output))
        .collect();
    assert_eq!(links, [(-1, -1, -1), (0, 1, 0)]);
}

#[test]
fn identical_vertices_are_emitted_once() {
    let a = image("docker.io/library/alpine:3.20").build();
    let b = image("docker.io/library/alpine:3.20").build(); // a different Arc, same bytes
    let st = merge([a, b]).build();
    let def = st.marshal(&opts()).unwrap();
    assert_eq!(def.def.len(), 3); // image once, merge, terminal
    let merge_op = pb::Op::decode(def.def[1].as_slice()).unwrap();
    assert_eq!(merge_op.inputs.len(), 2);
    assert_eq!(merge_op.inputs[0], merge_op.inputs[1]);
}

#[test]
fn scratch_and_trivial_merges() {
    assert_eq!(
        scratch().marshal(&opts()).unwrap(),
        pb::Definition::default()
    );
    let a = image("docker.io/library/alpine:3.20").build();
    let m = merge([scratch(), a.clone(), scratch()]).build();
    assert_eq!(m.marshal(&opts()).unwrap(), a.marshal(&opts()).unwrap());
    assert!(merge([scratch()]).build().is_scratch());
}

#[test]
fn default_path_and_setsdefaultpath_cap() {
    let base = image("docker.io/library/alpine:3.20").build();
    let run = |o: &MarshalOptions| {
        let st = base.run(["true"]).build().root();
        let def = st.marshal(o).unwrap();
        let ops = ops(&def);
        let (d, op) = &ops[1];
        (
            exec_of(op).meta.as_ref().unwrap().env.clone(),
            caps(&def, d),
        )
    };
    let (env, _) = run(&opts());
    assert!(env.is_empty());
    let (env, c) = run(&opts().llb_caps(["exec.meta.base"]));
    assert_eq!(env, [format!("PATH={}", llb_gen::DEFAULT_PATH_ENV)]);
    assert!(!c.contains("exec.meta.setsdefaultpath"));
    let (env, c) = run(&opts().llb_caps(["exec.meta.setsdefaultpath"]));
    assert!(env.is_empty());
    assert!(c.contains("exec.meta.setsdefaultpath"));
}

#[test]
fn local_unique_and_sources() {
    let no_session = local("context").build();
    let def = no_session.marshal(&opts()).unwrap();
    let op = pb::Op::decode(def.def[0].as_slice()).unwrap();
    let Some(pb::op::Op::Source(src)) = &op.op else {
        panic!()
    };
    assert_eq!(src.attrs["local.unique"], "u");
    assert!(op.platform.is_none());
    assert!(caps(&def, &sha(&def.def[0])).contains("source.local.unique"));

    let h = llb_gen::http("https://example.com/f.tgz")
        .checksum("sha256:00")
        .perm(0o644)
        .chown(1000, 1000)
        .filename("f.tgz")
        .build();
    let def = h.marshal(&opts()).unwrap();
    let op = pb::Op::decode(def.def[0].as_slice()).unwrap();
    let Some(pb::op::Op::Source(src)) = &op.op else {
        panic!()
    };
    let attrs: BTreeMap<&str, &str> = src
        .attrs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        attrs,
        BTreeMap::from([
            ("http.checksum", "sha256:00"),
            ("http.filename", "f.tgz"),
            ("http.gid", "1000"),
            ("http.perm", "0644"),
            ("http.uid", "1000"),
        ])
    );
    assert_eq!(
        caps(&def, &sha(&def.def[0])),
        set(&[
            "source.http",
            "source.http.checksum",
            "source.http.perm",
            "soruce.http.uidgid"
        ])
    );

    let g = llb_gen::git("https://github.com/moby/buildkit.git", "v0.1")
        .keep_git_dir()
        .build();
    let def = g.marshal(&opts()).unwrap();
    let op = pb::Op::decode(def.def[0].as_slice()).unwrap();
    let Some(pb::op::Op::Source(src)) = &op.op else {
        panic!()
    };
    assert_eq!(src.identifier, "git://github.com/moby/buildkit.git#v0.1");
    assert_eq!(
        src.attrs["git.fullurl"],
        "https://github.com/moby/buildkit.git"
    );
    assert_eq!(src.attrs["git.keepgitdir"], "true");
    assert_eq!(src.attrs["git.authtokensecret"], "GIT_AUTH_TOKEN");
}

/// A local source whose paths are given after the graph is built marshals exactly as one
/// given them up front, and refuses to marshal before.
#[test]
fn local_paths_given_later() {
    let filter = PathFilter {
        include_patterns: vec!["src/**".into()],
        follow_paths: vec!["src".into(), "go.mod".into()],
    };
    let now = local("context")
        .session_id("s1")
        .include_patterns(filter.include_patterns.clone())
        .follow_paths(filter.follow_paths.clone())
        .build();
    let paths = LocalPaths::default();
    let later = local("context")
        .session_id("s1")
        .paths_later(&paths)
        .build();
    let reader = |ctx: &State| {
        image("docker.io/library/alpine:3.20")
            .build()
            .file(FileActions::new().copy(Copy::new(ctx, "/src", "/src")))
            .build()
    };
    assert_eq!(
        reader(&later).marshal(&opts()),
        Err(llb_gen::Error::LocalPathsNotSet("local://context".into()))
    );
    assert_eq!(paths.set(filter.clone()), Ok(()));
    assert_eq!(paths.set(PathFilter::default()), Err(PathFilter::default()));
    assert_eq!(
        reader(&later).marshal(&opts()).unwrap(),
        reader(&now).marshal(&opts()).unwrap()
    );
}

#[test]
fn ignore_cache_and_errors() {
    let st = image("docker.io/library/alpine:3.20")
        .ignore_cache()
        .build();
    let def = st.marshal(&opts()).unwrap();
    let term = sha(def.def.last().unwrap());
    assert!(caps(&def, &term).contains("meta.ignorecache"));
    assert!(def.metadata[&sha(&def.def[0])].ignore_cache);

    let no_args = st.run(Vec::<String>::new()).build().root();
    assert_eq!(no_args.marshal(&opts()), Err(llb_gen::Error::NoArgs));
    let tmpfs_src = st
        .run(["true"])
        .mount(Mount::tmpfs("/t").source(&st))
        .build()
        .root();
    assert!(matches!(
        tmpfs_src.marshal(&opts()),
        Err(llb_gen::Error::TmpfsWithSource(_))
    ));
}

/// A 2,000-step chain marshals (iteratively: no deep recursion on a 2 MiB
/// test thread) with each op once; the per-vertex cache makes re-marshalling
/// cheap. Timing is printed, not asserted.
#[test]
fn long_chain_marshals() {
    let mut st = image("docker.io/library/alpine:3.20").build();
    for i in 0..2000 {
        st = st
            .run(["sh", "-c", &format!("echo {i} >> /log")])
            .custom_name(format!("step {i}"))
            .build()
            .root();
    }
    let t = std::time::Instant::now();
    let def = st.marshal(&opts()).unwrap();
    let first = t.elapsed();
    let t = std::time::Instant::now();
    let again = st.marshal(&opts()).unwrap();
    let second = t.elapsed();
    assert_eq!(def.def.len(), 2002);
    assert_eq!(def, again);
    eprintln!("2,000-step chain: first marshal {first:?}, cached {second:?}");
    let (d, idx) = st.vertex_digest(&opts()).unwrap().unwrap();
    assert_eq!(idx, 0);
    assert_eq!(d, sha(&def.def[2000]));
}

/// A file op of 10,000 chained actions (a COPY with 10,000 sources) marshals without one
/// stack frame per action (it overflowed the main thread's stack; found by the bad-input
/// catalogue, `mstage_tests::hostile`).
#[test]
fn a_file_op_with_10000_actions_marshals() {
    let ctx = local("context").build();
    let mut actions = FileActions::new();
    for i in 0..10_000 {
        actions = actions.copy(Copy::new(&ctx, format!("/f{i}"), "/dst/"));
    }
    let st = image("busybox").build().file(actions).build();
    let def = st.marshal(&opts()).unwrap();
    let (_, op) = ops(&def)
        .into_iter()
        .find(|(_, op)| matches!(op.op, Some(pb::op::Op::File(_))))
        .unwrap();
    let Some(pb::op::Op::File(f)) = op.op else {
        unreachable!()
    };
    assert_eq!(f.actions.len(), 10_000);
}
