//! Graph vertices and their cached encodings.

use crate::constraints::{Constraints, Metadata};
use crate::error::Error;
use crate::marshal::EncodeCtx;
use crate::state::Output;
use crate::util::op_digest;
use mstage_proto::{pb, wire};
use std::sync::{Arc, Mutex};

/// The op bytes of a vertex, its digest and the caps encoding found it needs (on top of
/// those in the vertex's metadata).
#[derive(Debug)]
pub(crate) struct Encoded {
    pub(crate) bytes: Vec<u8>,
    pub(crate) digest: String,
    pub(crate) caps: EncodeCaps,
}

pub(crate) enum OpKind {
    Source(crate::source::SourceOp),
    Exec(Box<crate::exec::ExecOp>),
    File(crate::file::FileOpBody),
    Merge(Vec<Output>),
    Diff(Option<Output>, Option<Output>),
}

/// One op in the graph. Shared through `Arc`; its encoding is computed once
/// per set of marshal options and kept, so marshalling is linear in the
/// number of vertices even across repeated marshals.
pub(crate) struct Vertex {
    pub(crate) op: OpKind,
    pub(crate) constraints: Constraints,
    cache: Mutex<Option<(u64, Arc<Encoded>)>>,
}

impl Vertex {
    pub(crate) fn new(op: OpKind, constraints: Constraints) -> Self {
        Vertex {
            op,
            constraints,
            cache: Mutex::new(None),
        }
    }

    pub(crate) fn kind_name(&self) -> &'static str {
        match self.op {
            OpKind::Source(_) => "source",
            OpKind::Exec(_) => "exec",
            OpKind::File(_) => "file",
            OpKind::Merge(_) => "merge",
            OpKind::Diff(..) => "diff",
        }
    }

    /// Inputs in the order Go's `Vertex.Inputs()` lists them, which decides
    /// the order of ops in a Definition.
    /// Borrowed: the walk holds no reference counts.
    pub(crate) fn dfs_inputs(&self) -> Vec<&Output> {
        match &self.op {
            OpKind::Source(_) => Vec::new(),
            OpKind::Exec(e) => e.dfs_inputs(),
            OpKind::File(f) => f.dfs_inputs(),
            OpKind::Merge(inputs) => inputs.iter().collect(),
            OpKind::Diff(lower, upper) => lower.iter().chain(upper.iter()).collect(),
        }
    }

    /// The metadata a Definition lists for this vertex encoded as `enc`.
    pub(crate) fn metadata(&self, enc: &Encoded) -> Metadata {
        let mut m = self.constraints.metadata.clone();
        m.caps.extend(enc.caps.iter().copied());
        m
    }

    pub(crate) fn cached(&self, fingerprint: u64) -> Option<Arc<Encoded>> {
        let guard = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        match &*guard {
            Some((fp, enc)) if *fp == fingerprint => Some(enc.clone()),
            _ => None,
        }
    }

    /// The encoding under `ctx`'s options, computed on first use. Inputs are
    /// expected to be encoded already (callers walk the graph inputs-first),
    /// otherwise they are encoded recursively.
    pub(crate) fn encoded(&self, ctx: &EncodeCtx) -> Result<Arc<Encoded>, Error> {
        if let Some(enc) = self.cached(ctx.fingerprint) {
            return Ok(enc);
        }
        let (op, caps) = match &self.op {
            OpKind::Source(s) => s.encode(&self.constraints, ctx)?,
            OpKind::Exec(e) => e.encode(&self.constraints, ctx)?,
            OpKind::File(f) => f.encode(&self.constraints, ctx)?,
            OpKind::Merge(inputs) => crate::merge::encode_merge(inputs, &self.constraints, ctx)?,
            OpKind::Diff(lower, upper) => {
                crate::merge::encode_diff(lower.as_ref(), upper.as_ref(), &self.constraints, ctx)?
            }
        };
        let bytes = wire::encode_op(&op);
        let enc = Arc::new(Encoded {
            digest: op_digest(&bytes),
            bytes,
            caps,
        });
        *self.cache.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((ctx.fingerprint, enc.clone()));
        Ok(enc)
    }
}

/// Caps an op turned out to need while encoding (some depend on the marshal options); they
/// join the vertex's own metadata caps.
pub(crate) type EncodeCaps = Vec<&'static str>;

/// Go's `MarshalConstraints(base, override)`: the op skeleton with platform and worker
/// constraints.
pub(crate) fn marshal_constraints(
    c: &Constraints,
    platform: Option<&crate::Platform>,
    ctx: &EncodeCtx,
) -> pb::Op {
    let platform = platform.unwrap_or(&ctx.opts.platform);
    pb::Op {
        platform: Some(platform.to_pb()),
        ..marshal_unplatformed(c, ctx)
    }
}

/// [`marshal_constraints`] for ops that are not platform specific (file, merge and diff ops,
/// sources other than images): Go fills in the platform and then clears it, which here would
/// build two strings per op only to drop them.
pub(crate) fn marshal_unplatformed(c: &Constraints, ctx: &EncodeCtx) -> pb::Op {
    let mut filters = ctx.opts.worker_constraints.clone();
    filters.extend(c.worker_constraints.iter().cloned());
    pb::Op {
        inputs: Vec::new(),
        op: None,
        platform: None,
        constraints: Some(pb::WorkerConstraints { filter: filters }),
    }
}

/// `pb.Input` for an output whose vertex is already encoded.
pub(crate) fn input_of(out: &Output, ctx: &EncodeCtx) -> Result<pb::Input, Error> {
    Ok(pb::Input {
        digest: out.vertex.encoded(ctx)?.digest.clone(),
        index: out.index,
    })
}
