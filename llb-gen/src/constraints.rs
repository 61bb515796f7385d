//! Per-op options: platform, worker constraints, metadata (names,
//! descriptions, progress groups, caps) and source locations.

use crate::platform::Platform;
use crate::state::State;
use mstage_proto::pb;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Description key BuildKit shows as the progress vertex name.
pub const CUSTOM_NAME_KEY: &str = "llb.customname";

/// Op metadata: not part of the op bytes, so it never changes digests or
/// cache keys. Mirrors `pb.OpMetadata`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    /// Always re-run this op.
    pub ignore_cache: bool,
    /// Free-form description; [`CUSTOM_NAME_KEY`] names the vertex.
    pub description: BTreeMap<String, String>,
    /// `Some(v)`: export (or not) this op's cache regardless of mode.
    pub export_cache: Option<bool>,
    /// LLB caps the op needs (added automatically per op kind, too). Cap ids are the
    /// constants in [`crate::caps`], so they are kept as static strings: declaring one
    /// allocates nothing.
    pub caps: BTreeSet<&'static str>,
    /// Groups vertices in progress output.
    pub progress_group: Option<pb::ProgressGroup>,
    /// cgroup limits (not part of cache keys).
    pub linux_resources: Option<pb::LinuxResources>,
}

impl Metadata {
    /// Go's `mergeMetadata(self, other)`.
    pub(crate) fn merge(&mut self, other: &Metadata) {
        self.ignore_cache |= other.ignore_cache;
        self.description.extend(
            other
                .description
                .iter()
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        if other.export_cache.is_some() {
            self.export_cache = other.export_cache;
        }
        self.caps.extend(other.caps.iter().copied());
        if other.progress_group.is_some() {
            self.progress_group = other.progress_group.clone();
        }
        if other.linux_resources.is_some() {
            self.linux_resources = other.linux_resources.clone();
        }
    }

    /// `pb.OpMetadata`, with `extra_caps` added to the caps.
    pub(crate) fn to_pb(&self, extra_caps: &[&'static str]) -> pb::OpMetadata {
        // Inserted one by one: `collect` would first gather and sort the pairs in a
        // scratch vector, for what is usually one or two caps.
        let mut caps = BTreeMap::new();
        for c in self.caps.iter().chain(extra_caps) {
            caps.insert(c.to_string(), true);
        }
        pb::OpMetadata {
            ignore_cache: self.ignore_cache,
            description: self.description.clone(),
            export_cache: self.export_cache.map(|value| pb::ExportCache { value }),
            caps,
            progress_group: self.progress_group.clone(),
            linux_resources: self.linux_resources.clone(),
        }
    }
}

/// Options shared by every op (Go's `llb.Constraints`). Build one per
/// instruction and apply it to several ops with [`OpOptions::with_constraints`].
#[derive(Debug, Clone, Default)]
pub struct Constraints {
    /// Platform for this op; falls back to the state's platform (exec) or the
    /// marshal default. Only image sources and exec ops record a platform.
    pub platform: Option<Platform>,
    /// containerd-style worker filters, appended to the marshal-level ones.
    pub worker_constraints: Vec<String>,
    /// Metadata for this op.
    pub metadata: Metadata,
    /// `local.unique` for local sources without a session, overriding
    /// [`crate::MarshalOptions::local_unique_id`].
    pub local_unique_id: Option<String>,
    /// Source ranges that produced this op.
    pub source_locations: Vec<SourceLocation>,
}

impl Constraints {
    /// Empty constraints.
    pub fn new() -> Self {
        Self::default()
    }

    /// Go's constraint merge: `other` overrides platform and metadata values,
    /// appends worker constraints and source locations.
    pub fn merge(&mut self, other: &Constraints) {
        if other.platform.is_some() {
            self.platform = other.platform.clone();
        }
        self.worker_constraints
            .extend(other.worker_constraints.iter().cloned());
        self.metadata.merge(&other.metadata);
        if other.local_unique_id.is_some() {
            self.local_unique_id = other.local_unique_id.clone();
        }
        self.source_locations
            .extend(other.source_locations.iter().cloned());
    }

    pub(crate) fn add_cap(&mut self, cap: &'static str) {
        self.metadata.caps.insert(cap);
    }
}

/// Builder methods for per-op options, implemented by every op builder
/// (and by [`Constraints`] itself).
pub trait OpOptions: Sized {
    /// The constraints being built.
    fn constraints_mut(&mut self) -> &mut Constraints;

    /// Merges `c` into this op's constraints (see [`Constraints::merge`]).
    fn with_constraints(mut self, c: &Constraints) -> Self {
        self.constraints_mut().merge(c);
        self
    }

    /// Sets the progress name (`llb.customname`).
    fn custom_name(self, name: impl Into<String>) -> Self {
        self.description(CUSTOM_NAME_KEY, name)
    }

    /// Adds a description entry.
    fn description(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.constraints_mut()
            .metadata
            .description
            .insert(key.into(), value.into());
        self
    }

    /// Never take this op from the cache.
    fn ignore_cache(mut self) -> Self {
        self.constraints_mut().metadata.ignore_cache = true;
        self
    }

    /// Forces export of this op's cache on (`true`) or off (`false`).
    fn export_cache(mut self, export: bool) -> Self {
        self.constraints_mut().metadata.export_cache = Some(export);
        self
    }

    /// Puts the vertex in a progress group.
    fn progress_group(
        mut self,
        id: impl Into<String>,
        name: impl Into<String>,
        weak: bool,
    ) -> Self {
        self.constraints_mut().metadata.progress_group = Some(pb::ProgressGroup {
            id: id.into(),
            name: name.into(),
            weak,
        });
        self
    }

    /// Declares an extra LLB cap for this op (one of the ids in [`crate::caps`]).
    fn cap(mut self, cap: &'static str) -> Self {
        self.constraints_mut().metadata.caps.insert(cap);
        self
    }

    /// Runs this op for `platform`.
    fn platform(mut self, platform: Platform) -> Self {
        self.constraints_mut().platform = Some(platform);
        self
    }

    /// Adds a worker constraint (containerd filter syntax).
    fn worker_constraint(mut self, filter: impl Into<String>) -> Self {
        self.constraints_mut()
            .worker_constraints
            .push(filter.into());
        self
    }

    /// Records that this op comes from `ranges` of `map`'s source.
    fn location(mut self, map: &SourceMap, ranges: Vec<pb::Range>) -> Self {
        self.constraints_mut()
            .source_locations
            .push(SourceLocation {
                map: map.clone(),
                ranges,
            });
        self
    }

    /// Sets cgroup resource limits (exec ops; declares `exec.meta.linux.resources`).
    fn linux_resources(mut self, res: pb::LinuxResources) -> Self {
        self.constraints_mut().metadata.linux_resources = Some(res);
        self
    }
}

impl OpOptions for Constraints {
    fn constraints_mut(&mut self) -> &mut Constraints {
        self
    }
}

/// A source file (a Dockerfile) that ops can point back to. Cheap to clone;
/// clones are the same map.
#[derive(Debug, Clone)]
pub struct SourceMap(pub(crate) Arc<SourceMapInner>);

#[derive(Debug)]
pub(crate) struct SourceMapInner {
    pub(crate) filename: String,
    pub(crate) language: String,
    pub(crate) data: Vec<u8>,
    pub(crate) definition: SourceMapDefinition,
}

#[derive(Debug)]
pub(crate) enum SourceMapDefinition {
    None,
    /// Marshalled with the same options as the graph that refers to it.
    State(State),
    Definition(pb::Definition),
}

impl SourceMap {
    /// A source with its contents, e.g. `("Dockerfile", "Dockerfile", bytes)`.
    pub fn new(
        filename: impl Into<String>,
        language: impl Into<String>,
        data: impl Into<Vec<u8>>,
    ) -> Self {
        SourceMap(Arc::new(SourceMapInner {
            filename: filename.into(),
            language: language.into(),
            data: data.into(),
            definition: SourceMapDefinition::None,
        }))
    }

    /// Attaches the state that loaded the file (the Dockerfile's local
    /// source); it is marshalled into `SourceInfo.definition`.
    pub fn with_state(self, state: State) -> Self {
        self.with_def(SourceMapDefinition::State(state))
    }

    /// Attaches an already marshalled definition.
    pub fn with_definition(self, def: pb::Definition) -> Self {
        self.with_def(SourceMapDefinition::Definition(def))
    }

    fn with_def(self, definition: SourceMapDefinition) -> Self {
        let inner = &self.0;
        SourceMap(Arc::new(SourceMapInner {
            filename: inner.filename.clone(),
            language: inner.language.clone(),
            data: inner.data.clone(),
            definition,
        }))
    }

    /// Convenience: a location covering whole lines `start..=end` (1-based),
    /// the form the Dockerfile frontend uses (`character` 0).
    pub fn lines(start: i32, end: i32) -> pb::Range {
        pb::Range {
            start: Some(pb::Position {
                line: start,
                character: 0,
            }),
            end: Some(pb::Position {
                line: end,
                character: 0,
            }),
        }
    }
}

/// A list of ranges in one [`SourceMap`].
#[derive(Debug, Clone)]
pub struct SourceLocation {
    /// The file.
    pub map: SourceMap,
    /// Ranges within it.
    pub ranges: Vec<pb::Range>,
}
