//! Turning a graph into a `pb::Definition`, the way Go's `State.Marshal` does.

use crate::constraints::{Metadata, SourceMap, SourceMapDefinition};
use crate::error::Error;
use crate::platform::Platform;
use crate::state::{Output, State};
use crate::util::op_digest;
use crate::vertex::{Encoded, Vertex};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use mstage_proto::{pb, wire};
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Graph-wide marshal settings (Go's marshal-time `ConstraintsOpt`s).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MarshalOptions {
    /// Platform for ops that set none (Go: `llb.Platform` passed to
    /// `Marshal`, default the host). Use the build's target platform.
    pub platform: Platform,
    /// `local.unique` for local sources without a session id (Go: a random
    /// id per marshal; here fixed so output is reproducible).
    pub local_unique_id: String,
    /// The server's LLB caps (Go's `llb.WithCaps`). When set, exec ops declare
    /// `exec.meta.setsdefaultpath` if the server has it, and otherwise get a
    /// default `PATH` (non-Windows) when their env has none.
    pub llb_caps: Option<BTreeSet<String>>,
    /// Worker constraints added to every op.
    pub worker_constraints: Vec<String>,
}

impl Default for MarshalOptions {
    fn default() -> Self {
        MarshalOptions {
            platform: Platform::host_linux(),
            local_unique_id: "mstage".to_string(),
            llb_caps: None,
            worker_constraints: Vec::new(),
        }
    }
}

impl MarshalOptions {
    /// Options with `platform` as the default platform.
    pub fn new(platform: Platform) -> Self {
        MarshalOptions {
            platform,
            ..Default::default()
        }
    }

    /// Sets [`MarshalOptions::local_unique_id`].
    pub fn local_unique_id(mut self, id: impl Into<String>) -> Self {
        self.local_unique_id = id.into();
        self
    }

    /// Sets [`MarshalOptions::llb_caps`].
    pub fn llb_caps<I, S>(mut self, caps: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.llb_caps = Some(caps.into_iter().map(Into::into).collect());
        self
    }
}

/// Options plus their fingerprint, the key of per-vertex encoding caches.
pub(crate) struct EncodeCtx<'a> {
    pub(crate) opts: &'a MarshalOptions,
    pub(crate) fingerprint: u64,
}

impl<'a> EncodeCtx<'a> {
    pub(crate) fn new(opts: &'a MarshalOptions) -> Self {
        // SipHash with fixed keys: stable within the process, which is all a
        // cache key needs.
        #[allow(deprecated)]
        let mut h = std::hash::SipHasher::new();
        opts.hash(&mut h);
        EncodeCtx {
            opts,
            fingerprint: h.finish(),
        }
    }
}

/// Walks the graph from `head` inputs-first (Go's order: each vertex after
/// its `Inputs()`, depth first) and calls `visit` once per vertex.
/// Iterative, so deep chains cannot overflow the stack.
fn walk<'a>(
    head: &'a Vertex,
    mut visit: impl FnMut(&'a Vertex) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut done: HashSet<*const Vertex> = HashSet::new();
    // (vertex, its inputs, next input to descend into). Borrowed from `head`, which owns
    // the whole graph.
    let mut stack: Vec<(&'a Vertex, Vec<&'a Output>, usize)> = vec![(head, head.dfs_inputs(), 0)];
    while let Some(top) = stack.last_mut() {
        if top.2 < top.1.len() {
            let child: &'a Vertex = &top.1[top.2].vertex;
            top.2 += 1;
            if !done.contains(&std::ptr::from_ref(child)) {
                stack.push((child, child.dfs_inputs(), 0));
            }
            continue;
        }
        let (v, _, _) = stack.pop().expect("stack is not empty");
        // A vertex can be pushed twice through two paths before either
        // finishes; Go's vertexCache check makes the second a no-op.
        if done.insert(std::ptr::from_ref(v)) {
            visit(v)?;
        }
    }
    Ok(())
}

/// Encodes every vertex reachable from `out`, inputs first.
pub(crate) fn encode_all(out: &Output, ctx: &EncodeCtx) -> Result<(), Error> {
    walk(&out.vertex, |v| v.encoded(ctx).map(|_| ()))
}

/// Marshals the graph ending at `state` into a Definition, byte-compatible
/// with Go's `llb.State.Marshal`:
///
/// - each distinct op once, in dependency order (depth first from the head,
///   inputs first), digest = sha256 of its bytes;
/// - a final op with no body and one input (the head) declaring the
///   `constraints` and `platform` caps (+ `meta.*` caps if any op uses them);
/// - `metadata` keyed by digest with each op's caps, names, groups;
/// - `source` with a (possibly empty) location list for every op.
///
/// Scratch marshals to an empty Definition.
pub fn marshal(state: &State, opts: &MarshalOptions) -> Result<pb::Definition, Error> {
    let Some(head) = &state.output else {
        return Ok(pb::Definition::default());
    };
    let ctx = EncodeCtx::new(opts);

    // Each vertex once, inputs first. Distinct vertices can encode to the same op (same
    // bytes): the op is listed once and their metadata merged, as Go does.
    let mut ops: Vec<(Arc<Encoded>, &Vertex)> = Vec::new();
    walk(&head.vertex, |v| {
        ops.push((v.encoded(&ctx)?, v));
        Ok(())
    })?;

    let mut def = pb::Definition::default();
    let mut first_of: HashMap<&str, usize> = HashMap::with_capacity(ops.len());
    // Indexes into `ops` of the ops listed in `def.def` (sorted by digest further down).
    let mut listed: Vec<usize> = Vec::with_capacity(ops.len());
    // Merged metadata of listed ops that more than one vertex encodes to (rare).
    let mut merged: HashMap<usize, Metadata> = HashMap::new();
    let mut smc = SourceMapCollector::default();
    for (i, (enc, v)) in ops.iter().enumerate() {
        smc.add(&enc.digest, &v.constraints.source_locations);
        match first_of.entry(enc.digest.as_str()) {
            Entry::Vacant(e) => {
                e.insert(i);
                listed.push(i);
                def.def.push(enc.bytes.clone());
            }
            Entry::Occupied(e) => {
                let first = *e.get();
                let m = merged
                    .entry(first)
                    .or_insert_with(|| ops[first].1.metadata(&ops[first].0));
                // `v.metadata(enc)` merged in place, without building it first.
                m.merge(&v.constraints.metadata);
                m.caps.extend(enc.caps.iter().copied());
            }
        }
    }

    let terminal = pb::Op {
        inputs: vec![crate::vertex::input_of(head, &ctx)?],
        ..Default::default()
    };
    let bytes = wire::encode_op(&terminal);
    let digest = op_digest(&bytes);
    // The terminal op declares the graph-wide caps. (Its bytes cannot equal another op's:
    // no other op has only an input.)
    let mut md = Metadata::default();
    md.caps.insert(crate::caps::CONSTRAINTS);
    md.caps.insert(crate::caps::PLATFORM);
    // Collected in digest order, then built into the map in one go: the map's own sort then
    // finds the entries sorted and moves none of them. (`def.def` already has the op order.)
    listed.sort_unstable_by(|&a, &b| ops[a].0.digest.cmp(&ops[b].0.digest));
    let mut metadata: Vec<(String, pb::OpMetadata)> = Vec::with_capacity(listed.len() + 1);
    for &i in &listed {
        let (enc, v) = &ops[i];
        let (m, extra_caps) = match merged.get(&i) {
            Some(m) => (m, &[][..]),
            None => (&v.constraints.metadata, &enc.caps[..]),
        };
        if m.ignore_cache {
            md.caps.insert(crate::caps::META_IGNORE_CACHE);
        }
        if !m.description.is_empty() {
            md.caps.insert(crate::caps::META_DESCRIPTION);
        }
        if m.export_cache.is_some() {
            md.caps.insert(crate::caps::META_EXPORT_CACHE);
        }
        metadata.push((enc.digest.clone(), m.to_pb(extra_caps)));
    }
    let at = metadata.partition_point(|(d, _)| *d < digest);
    metadata.insert(at, (digest, md.to_pb(&[])));
    def.def.push(bytes);
    def.metadata = metadata.into_iter().collect();
    def.source = Some(smc.marshal(opts)?);
    Ok(def)
}

/// The digest of the head vertex of a Definition (the input of its terminal
/// op), like Go's `Definition.Head()`.
pub fn head(def: &pb::Definition) -> Option<pb::Input> {
    use mstage_proto::prost::Message;
    let last = def.def.last()?;
    pb::Op::decode(last.as_slice())
        .ok()?
        .inputs
        .into_iter()
        .next()
}

/// Go's `sourceMapCollector`.
#[derive(Default)]
struct SourceMapCollector<'a> {
    maps: Vec<SourceMap>,
    /// (op digest, source index, ranges) in the order they were added.
    locations: BTreeMap<&'a str, Vec<(usize, Vec<pb::Range>)>>,
}

impl<'a> SourceMapCollector<'a> {
    fn add(&mut self, digest: &'a str, locs: &[crate::SourceLocation]) {
        // Every op gets an entry, even without locations, as in Go.
        let entries = self.locations.entry(digest).or_default();
        for l in locs {
            let idx = match self.maps.iter().position(|m| same_map(m, &l.map)) {
                Some(i) => i,
                None => {
                    self.maps.push(l.map.clone());
                    self.maps.len() - 1
                }
            };
            entries.push((idx, l.ranges.clone()));
        }
    }

    fn marshal(self, opts: &MarshalOptions) -> Result<pb::Source, Error> {
        let mut infos = Vec::with_capacity(self.maps.len());
        for m in &self.maps {
            let definition = match &m.0.definition {
                SourceMapDefinition::None => None,
                SourceMapDefinition::Definition(d) => Some(d.clone()),
                SourceMapDefinition::State(s) => Some(marshal(s, opts)?),
            };
            infos.push(pb::SourceInfo {
                filename: m.0.filename.clone(),
                data: m.0.data.clone(),
                definition,
                language: m.0.language.clone(),
            });
        }
        let locations = self
            .locations
            .into_iter()
            .map(|(dgst, locs)| {
                let locations = locs
                    .into_iter()
                    .map(|(idx, ranges)| pb::Location {
                        source_index: idx as i32,
                        ranges,
                    })
                    .collect();
                (dgst.to_string(), pb::Locations { locations })
            })
            .collect();
        Ok(pb::Source { locations, infos })
    }
}

/// Go's `equalSourceMap`, after the identity check.
fn same_map(a: &SourceMap, b: &SourceMap) -> bool {
    if Arc::ptr_eq(&a.0, &b.0) {
        return true;
    }
    a.0.filename == b.0.filename && a.0.language == b.0.language && a.0.data == b.0.data
}
