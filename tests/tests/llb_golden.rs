//! LLB fidelity against BuildKit's own Dockerfile frontend: every real-world case with an
//! `llb.pb` in `../shared/conformance/llb-golden/` is compiled with `--resolve none`
//! conditions and compared op by op (local.unique / local.session ignored). Cases the stock
//! frontend refuses (`llb.error`) must be refused too, with an error naming a line.
//!
//! Set `MSTAGE_GOLDEN_DIFF=1` to print the first differing op of each case.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use llb_gen::op_digest;
use mstage_compiler::lower::{compile_blocking, BuildRequest, NoneResolver};
use mstage_proto::pb;
use mstage_proto::prost::Message;

fn conformance() -> Option<PathBuf> {
    mstage_tests::conformance::dir("mstage-tests::llb_golden")
}

/// Ops with their digests, decoded.
fn ops_of(def: &pb::Definition) -> Vec<(String, pb::Op)> {
    def.def
        .iter()
        .map(|b| {
            let op = pb::Op::decode(b.as_slice()).expect("decodable op");
            (op_digest(b), op)
        })
        .collect()
}

/// Canonical identity of each op: its digest with local session attrs dropped and input
/// digests replaced by the canonical identities of those inputs.
fn canonical(ops: &[(String, pb::Op)]) -> Vec<String> {
    let by_digest: HashMap<&str, usize> = ops
        .iter()
        .enumerate()
        .map(|(i, (d, _))| (d.as_str(), i))
        .collect();
    let mut memo: HashMap<usize, String> = HashMap::new();
    fn canon(
        i: usize,
        ops: &[(String, pb::Op)],
        by_digest: &HashMap<&str, usize>,
        memo: &mut HashMap<usize, String>,
    ) -> String {
        if let Some(c) = memo.get(&i) {
            return c.clone();
        }
        let mut op = ops[i].1.clone();
        for inp in op.inputs.iter_mut() {
            if let Some(&j) = by_digest.get(inp.digest.as_str()) {
                inp.digest = canon(j, ops, by_digest, memo);
            }
        }
        if let Some(pb::op::Op::Source(s)) = &mut op.op {
            s.attrs.remove("local.unique");
            s.attrs.remove("local.session");
        }
        let c = op_digest(&mstage_proto::wire::encode_op(&op));
        memo.insert(i, c.clone());
        c
    }
    (0..ops.len())
        .map(|i| canon(i, ops, &by_digest, &mut memo))
        .collect()
}

struct Outcome {
    same_graph: bool,
    identical: bool,
    /// Same vertex names, descriptions and caps per op (progress-group ids aside).
    same_metadata: bool,
    detail: String,
}

fn metadata_view(def: &pb::Definition) -> BTreeMap<String, String> {
    def.metadata
        .iter()
        .map(|(d, m)| {
            let mut m = m.clone();
            if let Some(pg) = m.progress_group.as_mut() {
                pg.id.clear();
            }
            (d.clone(), format!("{m:?}"))
        })
        .collect()
}

fn compare(ours: &pb::Definition, theirs: &pb::Definition) -> Outcome {
    let a = ops_of(ours);
    let ca = canonical(&a);
    let b = ops_of(theirs);
    let cb = canonical(&b);
    let mut sa = ca.clone();
    sa.sort();
    let mut sb = cb.clone();
    sb.sort();
    let same_graph = sa == sb;
    let mut ra: Vec<&String> = a.iter().map(|(d, _)| d).collect();
    ra.sort();
    let mut rb: Vec<&String> = b.iter().map(|(d, _)| d).collect();
    rb.sort();
    let identical = ra == rb;
    let (ma, mb) = (metadata_view(ours), metadata_view(theirs));
    let same_metadata = ma == mb;
    let mut detail = String::new();
    if identical && !same_metadata {
        if let Some((d, v)) = mb.iter().find(|(d, v)| ma.get(*d) != Some(v)) {
            detail.push_str(&format!(
                "  metadata of {d}:\n    stock:  {v}\n    mstage: {}\n",
                ma.get(d).cloned().unwrap_or_default()
            ));
        }
    }
    if !same_graph {
        // First op of theirs with no canonical twin in ours, and vice versa.
        let set_a: std::collections::HashSet<&String> = ca.iter().collect();
        let set_b: std::collections::HashSet<&String> = cb.iter().collect();
        if let Some(i) = cb.iter().position(|c| !set_a.contains(c)) {
            detail.push_str(&format!("  stock only: {:?}\n", b[i].1));
        }
        if let Some(i) = ca.iter().position(|c| !set_b.contains(c)) {
            detail.push_str(&format!("  mstage only: {:?}\n", a[i].1));
        }
    }
    Outcome {
        same_graph,
        identical,
        same_metadata,
        detail,
    }
}

#[test]
fn llb_golden() {
    let Some(root) = conformance() else {
        return;
    };
    let golden = root.join("llb-golden");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&golden)
        .expect("llb-golden")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let show = std::env::var_os("MSTAGE_GOLDEN_DIFF").is_some();
    let (mut total, mut same, mut identical, mut same_md) = (0, 0, 0, 0);
    let (mut refused_total, mut refused_ok) = (0, 0);
    let mut diffs: BTreeMap<String, String> = BTreeMap::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let df = root.join("real-world").join(&name).join("Dockerfile");
        let Ok(bytes) = std::fs::read(&df) else {
            continue;
        };
        let req = BuildRequest::golden(bytes);
        let result = compile_blocking(&req, &NoneResolver);
        if case.join("llb.error").exists() {
            refused_total += 1;
            match result {
                Err(e) if e.range.is_some() => refused_ok += 1,
                Err(e) => {
                    diffs.insert(name, format!("refused without a line: {e}"));
                }
                Ok(_) => {
                    diffs.insert(name, "stock frontend refuses it, mstage accepted".into());
                }
            }
            continue;
        }
        let pbf = case.join("llb.pb");
        if !pbf.exists() {
            continue;
        }
        total += 1;
        let theirs = pb::Definition::decode(std::fs::read(&pbf).unwrap().as_slice()).unwrap();
        match result {
            Err(e) => {
                diffs.insert(name, format!("error: {e}"));
            }
            Ok(builds) => {
                let o = compare(&builds[0].build.definition, &theirs);
                if o.same_graph {
                    same += 1;
                } else {
                    diffs.insert(name.clone(), format!("different graph\n{}", o.detail));
                }
                if o.identical {
                    identical += 1;
                }
                if o.same_metadata {
                    same_md += 1;
                } else if o.same_graph {
                    diffs.insert(name, format!("different metadata\n{}", o.detail));
                }
            }
        }
    }
    for (k, v) in &diffs {
        if show {
            println!("DIFF {k}: {v}");
        } else {
            println!("DIFF {k}: {}", v.lines().next().unwrap_or(""));
        }
    }
    println!(
        "llb golden: {same}/{total} same graph, {identical}/{total} identical op digests; refused {refused_ok}/{refused_total}; {same_md}/{total} identical op metadata (names, descriptions, caps)"
    );
    assert!(total > 0, "no golden cases found");
    assert!(
        same * 100 >= total * 95,
        "only {same}/{total} golden cases produce the same graph"
    );
    assert_eq!(
        refused_ok, refused_total,
        "refusals must match and name a line"
    );
}
