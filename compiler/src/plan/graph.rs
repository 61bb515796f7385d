//! The stage graph of a [`Plan`], as `mstage graph` shows it: stages with their base, and
//! the edges between them (a `FROM` another stage, a `COPY --from` or `--mount from`).
//! Serialises to the JSON of `mstage graph --format json`; [`StageGraph::dot`] and
//! [`StageGraph::mermaid`] draw it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::{Base, Plan, SCRATCH};

/// Field order is the JSON's (alphabetical, as before the graph was typed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageGraph {
    pub edges: Vec<Edge>,
    pub stages: Vec<GraphStage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphStage {
    pub base: GraphBase,
    /// A stage made for an image named in `--from` (not written in the Dockerfile).
    pub external: bool,
    pub id: usize,
    pub name: String,
    /// The target needs it: it is lowered and its base resolved.
    pub needed: bool,
    pub target: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GraphBase {
    Scratch,
    Stage(String),
    Image(String),
    Context(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edge {
    pub from: String,
    pub kind: EdgeKind,
    pub to: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EdgeKind {
    /// `FROM <stage>`.
    From,
    /// `COPY --from`, `RUN --mount from`.
    Copy,
}

impl Plan {
    /// The stage graph (stages that read nothing, the scratch of a cache or tmpfs mount,
    /// are left out).
    pub fn graph(&self) -> StageGraph {
        let reach = self.reachable();
        let reads_nothing = |id: usize| {
            let s = &self.stages[id];
            s.unregistered && s.base_name == SCRATCH
        };
        let mut graph = StageGraph {
            edges: Vec::new(),
            stages: Vec::new(),
        };
        for (id, s) in self.stages.iter().enumerate() {
            if reads_nothing(id) {
                continue;
            }
            let base = match &s.base {
                Base::Stage(b) => GraphBase::Stage(self.stage_label(*b)),
                Base::Scratch => GraphBase::Scratch,
                Base::Image(_) => GraphBase::Image(s.base_name.clone()),
                Base::Context(c) => GraphBase::Context(c.clone()),
            };
            graph.stages.push(GraphStage {
                base,
                external: s.unregistered,
                id,
                name: self.stage_label(id),
                needed: reach[id],
                target: id == self.target,
            });
            let edge = |from: usize, kind| Edge {
                from: self.stage_label(from),
                kind,
                to: self.stage_label(id),
            };
            if let Base::Stage(b) = s.base {
                graph.edges.push(edge(b, EdgeKind::From));
            }
            for &d in s.deps.iter().filter(|&&d| !reads_nothing(d)) {
                graph.edges.push(edge(d, EdgeKind::Copy));
            }
        }
        graph
    }

    /// The name a stage goes by in the graph.
    fn stage_label(&self, id: usize) -> String {
        let s = &self.stages[id];
        match &s.name {
            Some(n) => n.clone(),
            None if s.unregistered => s.base_name.clone(),
            None => format!("stage-{id}"),
        }
    }
}

impl GraphStage {
    /// The base image or context, for a label (`None` for a stage built on a stage).
    fn base_label(&self) -> Option<&str> {
        match &self.base {
            GraphBase::Image(i) => Some(i),
            GraphBase::Scratch => Some(SCRATCH),
            GraphBase::Stage(_) | GraphBase::Context(_) => None,
        }
    }
}

/// A DOT string (labels may carry `\n` line breaks, so backslashes pass through).
fn dot_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\\\""))
}

impl StageGraph {
    /// Graphviz: the target drawn bold, stages it does not need dashed and grey, copy edges
    /// dotted.
    pub fn dot(&self) -> String {
        let mut out = String::from("digraph stages {\n  rankdir=LR;\n");
        for s in &self.stages {
            let base = s
                .base_label()
                .map_or(String::new(), |b| format!("\\nFROM {b}"));
            let mut attrs = vec![format!("label={}", dot_quote(&format!("{}{base}", s.name)))];
            if s.external {
                attrs.push("shape=box".into());
            }
            if s.target {
                attrs.push("penwidth=2".into());
            }
            if !s.needed {
                attrs.push("style=dashed".into());
                attrs.push("color=gray".into());
            }
            let _ = writeln!(out, "  {} [{}];", dot_quote(&s.name), attrs.join(", "));
        }
        for e in &self.edges {
            let style = if e.kind == EdgeKind::Copy {
                " [style=dotted]"
            } else {
                ""
            };
            let (from, to) = (dot_quote(&e.from), dot_quote(&e.to));
            let _ = writeln!(out, "  {from} -> {to}{style};");
        }
        out.push_str("}\n");
        out
    }

    /// A Mermaid flowchart (GitHub renders it in Markdown).
    pub fn mermaid(&self) -> String {
        let mut out = String::from("graph LR\n");
        let ids: BTreeMap<&str, usize> = self
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.as_str(), i))
            .collect();
        for (i, s) in self.stages.iter().enumerate() {
            let mut label = s.name.clone();
            if let Some(b) = s.base_label() {
                let _ = write!(label, "<br/>FROM {b}");
            }
            if !s.needed {
                label.push_str(" (not needed)");
            }
            if s.target {
                label.push_str(" (target)");
            }
            let _ = writeln!(out, "  s{i}[\"{}\"]", label.replace('"', "'"));
        }
        for e in &self.edges {
            let node = |name: &str| ids.get(name).copied().unwrap_or(0);
            let arrow = if e.kind == EdgeKind::Copy {
                "-.->"
            } else {
                "-->"
            };
            let _ = writeln!(out, "  s{} {arrow} s{}", node(&e.from), node(&e.to));
        }
        out
    }
}
