//! A readable JSON dump of a `Definition`: one object per op, in Definition order, with
//! its digest, custom name, inputs (edges) and the op's fields. Used by
//! `mstage llb --format json` and the snapshot tests.

use llb_gen::op_digest as digest_of;
use mstage_proto::pb;
use mstage_proto::prost::Message;
use serde_json::{json, Map, Value};

fn platform(p: &Option<pb::Platform>) -> Value {
    match p {
        None => Value::Null,
        Some(p) => {
            let mut s = format!("{}/{}", p.os, p.architecture);
            if !p.variant.is_empty() {
                s.push('/');
                s.push_str(&p.variant);
            }
            Value::String(s)
        }
    }
}

fn user(u: &Option<pb::UserOpt>) -> Value {
    match u.as_ref().and_then(|u| u.user.as_ref()) {
        None => Value::Null,
        Some(pb::user_opt::User::ById(id)) => json!(id),
        Some(pb::user_opt::User::ByName(n)) => json!({"name": n.name, "input": n.input}),
    }
}

fn chown(c: &Option<pb::ChownOpt>) -> Value {
    match c {
        None => Value::Null,
        Some(c) => json!({"user": user(&c.user), "group": user(&c.group)}),
    }
}

fn insert_nonempty(m: &mut Map<String, Value>, k: &str, v: Value) {
    let empty = match &v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Number(_) => false,
    };
    if !empty {
        m.insert(k.to_string(), v);
    }
}

fn op_body(op: &pb::Op) -> Value {
    let mut m = Map::new();
    match &op.op {
        None => {
            m.insert("type".into(), json!("terminal"));
        }
        Some(pb::op::Op::Source(s)) => {
            m.insert("type".into(), json!("source"));
            m.insert("identifier".into(), json!(s.identifier));
            insert_nonempty(&mut m, "attrs", json!(s.attrs));
        }
        Some(pb::op::Op::Exec(e)) => exec_body(&mut m, e),
        Some(pb::op::Op::File(f)) => {
            m.insert("type".into(), json!("file"));
            let actions = f.actions.iter().map(file_action).collect();
            m.insert("actions".into(), Value::Array(actions));
        }
        Some(pb::op::Op::Merge(mg)) => {
            m.insert("type".into(), json!("merge"));
            let ins: Vec<i64> = mg.inputs.iter().map(|i| i.input).collect();
            m.insert("inputs".into(), json!(ins));
        }
        Some(other) => {
            m.insert("type".into(), json!(format!("{other:?}")));
        }
    }
    Value::Object(m)
}

fn exec_body(m: &mut Map<String, Value>, e: &pb::ExecOp) {
    m.insert("type".into(), json!("exec"));
    if let Some(meta) = &e.meta {
        m.insert("args".into(), json!(meta.args));
        m.insert("env".into(), json!(meta.env));
        m.insert("cwd".into(), json!(meta.cwd));
        insert_nonempty(m, "user", json!(meta.user));
        insert_nonempty(m, "hostname", json!(meta.hostname));
        if let Some(p) = &meta.proxy_env {
            m.insert(
                "proxy_env".into(),
                json!({"http": p.http_proxy, "https": p.https_proxy, "ftp": p.ftp_proxy, "no": p.no_proxy, "all": p.all_proxy}),
            );
        }
        let hosts: Vec<String> = meta
            .extra_hosts
            .iter()
            .map(|h| format!("{}={}", h.host, h.ip))
            .collect();
        insert_nonempty(m, "extra_hosts", json!(hosts));
    }
    m.insert("mounts".into(), e.mounts.iter().map(mount).collect());
    let net = match e.network {
        1 => "host",
        2 => "none",
        _ => "",
    };
    insert_nonempty(m, "network", json!(net));
    insert_nonempty(
        m,
        "security",
        json!(if e.security == 1 { "insecure" } else { "" }),
    );
    let se: Vec<Value> = e
        .secretenv
        .iter()
        .map(|s| json!({"id": s.id, "name": s.name, "optional": s.optional}))
        .collect();
    insert_nonempty(m, "secret_env", Value::Array(se));
}

fn mount(mt: &pb::Mount) -> Value {
    let mut o = Map::new();
    o.insert("dest".into(), json!(mt.dest));
    o.insert("input".into(), json!(mt.input));
    o.insert("output".into(), json!(mt.output));
    let ty = match mt.mount_type {
        1 => "secret",
        2 => "ssh",
        3 => "cache",
        4 => "tmpfs",
        _ => "bind",
    };
    o.insert("type".into(), json!(ty));
    insert_nonempty(&mut o, "selector", json!(mt.selector));
    insert_nonempty(&mut o, "readonly", json!(mt.readonly));
    if let Some(c) = &mt.cache_opt {
        o.insert("cache".into(), json!({"id": c.id, "sharing": c.sharing}));
    }
    if let Some(t) = &mt.tmpfs_opt {
        o.insert("tmpfs_size".into(), json!(t.size));
    }
    if let Some(s) = &mt.secret_opt {
        o.insert(
            "secret".into(),
            json!({"id": s.id, "uid": s.uid, "gid": s.gid, "mode": format!("{:o}", s.mode), "optional": s.optional}),
        );
    }
    if let Some(s) = &mt.ssh_opt {
        o.insert(
            "ssh".into(),
            json!({"id": s.id, "uid": s.uid, "gid": s.gid, "mode": format!("{:o}", s.mode), "optional": s.optional}),
        );
    }
    Value::Object(o)
}

fn file_action(a: &pb::FileAction) -> Value {
    let mut o = Map::new();
    o.insert("input".into(), json!(a.input));
    o.insert("secondary_input".into(), json!(a.secondary_input));
    o.insert("output".into(), json!(a.output));
    match &a.action {
        Some(pb::file_action::Action::Copy(c)) => copy_action(&mut o, c),
        Some(pb::file_action::Action::Mkdir(d)) => {
            o.insert("mkdir".into(), json!(d.path));
            o.insert("mode".into(), json!(format!("{:o}", d.mode)));
            insert_nonempty(&mut o, "parents", json!(d.make_parents));
            insert_nonempty(&mut o, "owner", chown(&d.owner));
        }
        Some(pb::file_action::Action::Mkfile(d)) => {
            o.insert("mkfile".into(), json!(d.path));
            o.insert("mode".into(), json!(format!("{:o}", d.mode)));
            o.insert("data".into(), json!(String::from_utf8_lossy(&d.data)));
        }
        Some(other) => {
            o.insert("action".into(), json!(format!("{other:?}")));
        }
        None => {}
    }
    Value::Object(o)
}

fn copy_action(o: &mut Map<String, Value>, c: &pb::FileActionCopy) {
    o.insert("copy".into(), json!(c.src));
    o.insert("dest".into(), json!(c.dest));
    insert_nonempty(o, "owner", chown(&c.owner));
    if c.mode >= 0 && c.mode_str.is_empty() {
        o.insert("mode".into(), json!(format!("{:o}", c.mode)));
    }
    insert_nonempty(o, "mode_str", json!(c.mode_str));
    insert_nonempty(o, "unpack", json!(c.attempt_unpack_docker_compatibility));
    insert_nonempty(o, "include", json!(c.include_patterns));
    insert_nonempty(o, "exclude", json!(c.exclude_patterns));
    insert_nonempty(o, "required", json!(c.required_paths));
    insert_nonempty(o, "follow_symlink", json!(c.follow_symlink));
    insert_nonempty(o, "wildcard", json!(c.allow_wildcard));
    if c.timestamp >= 0 {
        o.insert("timestamp".into(), json!(c.timestamp));
    }
}

/// The dump of `def`: `{"ops": [...], "head": digest}`.
pub fn definition_json(def: &pb::Definition) -> Value {
    let mut ops = Vec::new();
    let mut head = Value::Null;
    for bytes in &def.def {
        let digest = digest_of(bytes);
        let Ok(op) = pb::Op::decode(bytes.as_slice()) else {
            ops.push(json!({"digest": digest, "error": "undecodable op"}));
            continue;
        };
        let md = def.metadata.get(&digest);
        let mut o = Map::new();
        o.insert("digest".into(), json!(digest));
        if let Some(name) = md.and_then(|m| m.description.get("llb.customname")) {
            o.insert("name".into(), json!(name));
        }
        let inputs: Vec<String> = op
            .inputs
            .iter()
            .map(|i| format!("{}#{}", i.digest, i.index))
            .collect();
        insert_nonempty(&mut o, "inputs", json!(inputs));
        o.insert("platform".into(), platform(&op.platform));
        o.insert("op".into(), op_body(&op));
        if let Some(md) = md {
            let caps: Vec<&String> = md.caps.keys().collect();
            insert_nonempty(&mut o, "caps", json!(caps));
            insert_nonempty(&mut o, "ignore_cache", json!(md.ignore_cache));
            if let Some(pg) = &md.progress_group {
                o.insert(
                    "progress_group".into(),
                    json!({"name": pg.name, "weak": pg.weak}),
                );
            }
        }
        if op.op.is_none() {
            head = json!(op.inputs.first().map(|i| i.digest.clone()));
        }
        ops.push(Value::Object(o));
    }
    json!({"head": head, "ops": ops})
}
