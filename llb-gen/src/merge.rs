//! Merge and diff ops.

use crate::caps;
use crate::constraints::{Constraints, OpOptions};
use crate::error::Error;
use crate::marshal::EncodeCtx;
use crate::source::impl_op_options;
use crate::state::{Output, State};
use crate::vertex::{input_of, marshal_unplatformed, EncodeCaps, OpKind, Vertex};
use mstage_proto::pb;

/// A merge under construction. Start with [`merge`].
#[derive(Debug, Clone)]
pub struct Merge {
    inputs: Vec<State>,
    constraints: Box<Constraints>,
}

/// Layers `states` in order (later wins). Scratch inputs are dropped; with
/// none left the result is scratch, with one it is that state unchanged
/// (as in Go, no merge op is made then).
pub fn merge<I>(states: I) -> Merge
where
    I: IntoIterator<Item = State>,
{
    Merge {
        inputs: states.into_iter().collect(),
        constraints: Box::default(),
    }
}

impl Merge {
    /// The merged state (settings of the first non-scratch input).
    pub fn build(self) -> State {
        let inputs: Vec<State> = self
            .inputs
            .into_iter()
            .filter(|s| !s.is_scratch())
            .collect();
        match inputs.len() {
            0 => State::scratch(),
            1 => inputs.into_iter().next().unwrap_or_default(),
            _ => {
                let mut c = *self.constraints;
                c.add_cap(caps::MERGE_OP);
                let outs: Vec<Output> = inputs.iter().filter_map(|s| s.output.clone()).collect();
                let out = Output::new(Vertex::new(OpKind::Merge(outs), c), 0);
                inputs[0].with_output(Some(out), None)
            }
        }
    }
}

/// A diff under construction. Start with [`diff`].
#[derive(Debug, Clone)]
pub struct Diff {
    lower: State,
    upper: State,
    constraints: Box<Constraints>,
}

/// The changes that turn `lower` into `upper`. With scratch as `lower` the
/// result is `upper` itself (no op).
pub fn diff(lower: &State, upper: &State) -> Diff {
    Diff {
        lower: lower.clone(),
        upper: upper.clone(),
        constraints: Box::default(),
    }
}

impl Diff {
    /// The diff state (settings of `lower`).
    pub fn build(self) -> State {
        if self.lower.is_scratch() {
            return self.upper;
        }
        let mut c = *self.constraints;
        c.add_cap(caps::DIFF_OP);
        let body = OpKind::Diff(self.lower.output.clone(), self.upper.output.clone());
        let out = Output::new(Vertex::new(body, c), 0);
        self.lower.with_output(Some(out), None)
    }
}

impl_op_options!(Merge, Diff);

pub(crate) fn encode_merge(
    inputs: &[Output],
    c: &Constraints,
    ctx: &EncodeCtx,
) -> Result<(pb::Op, EncodeCaps), Error> {
    let mut op = marshal_unplatformed(c, ctx);
    let mut merge = pb::MergeOp::default();
    for input in inputs {
        merge.inputs.push(pb::MergeInput {
            input: op.inputs.len() as i64,
        });
        op.inputs.push(input_of(input, ctx)?);
    }
    op.op = Some(pb::op::Op::Merge(merge));
    Ok((op, EncodeCaps::new()))
}

pub(crate) fn encode_diff(
    lower: Option<&Output>,
    upper: Option<&Output>,
    c: &Constraints,
    ctx: &EncodeCtx,
) -> Result<(pb::Op, EncodeCaps), Error> {
    let mut op = marshal_unplatformed(c, ctx);
    let mut side = |o: Option<&Output>| -> Result<i64, Error> {
        match o {
            None => Ok(-1),
            Some(o) => {
                op.inputs.push(input_of(o, ctx)?);
                Ok(op.inputs.len() as i64 - 1)
            }
        }
    };
    let lower = side(lower)?;
    let upper = side(upper)?;
    op.op = Some(pb::op::Op::Diff(pb::DiffOp {
        lower: Some(pb::LowerDiffInput { input: lower }),
        upper: Some(pb::UpperDiffInput { input: upper }),
    }));
    Ok((op, EncodeCaps::new()))
}
