//! File ops: chains of copy / mkdir / mkfile / rm / symlink actions.

use crate::caps;
use crate::constraints::{Constraints, OpOptions};
use crate::error::Error;
use crate::gopath::{cleaned, join};
use crate::marshal::EncodeCtx;
use crate::source::impl_op_options;
use crate::state::{Output, State};
use crate::util::is_abs;
use crate::vertex::{input_of, marshal_unplatformed, EncodeCaps, OpKind, Vertex};
use foldhash::{HashMap, HashMapExt};
use mstage_proto::pb;
use std::sync::Arc;

/// A user or group: numeric id, or a name looked up in `/etc/passwd` /
/// `/etc/group` of the file op's base state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserRef {
    /// Numeric id.
    Id(u32),
    /// Name resolved in the destination rootfs.
    Name(String),
}

/// Owner of created files (`--chown`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Owner {
    /// User; `None` leaves it to BuildKit's default (root).
    pub user: Option<UserRef>,
    /// Group.
    pub group: Option<UserRef>,
}

impl Owner {
    /// Numeric uid and gid.
    pub fn ids(uid: u32, gid: u32) -> Self {
        Owner {
            user: Some(UserRef::Id(uid)),
            group: Some(UserRef::Id(gid)),
        }
    }

    /// Parses `user[:group]` like Go's `llb.WithUser`: numbers (and `root`)
    /// become ids, anything else a name. With no group, BuildKit uses the
    /// user's primary group.
    pub fn parse(s: &str) -> Self {
        let one = |v: &str| -> UserRef {
            if v == "root" {
                return UserRef::Id(0);
            }
            match v.parse::<i32>() {
                Ok(n) => UserRef::Id(n as u32),
                Err(_) => UserRef::Name(v.to_string()),
            }
        };
        match s.split_once(':') {
            Some((u, g)) => Owner {
                user: Some(one(u)),
                group: Some(one(g)),
            },
            None => Owner {
                user: Some(one(s)),
                group: None,
            },
        }
    }

    fn to_pb(&self, base: i64) -> pb::ChownOpt {
        let one = |u: &Option<UserRef>| -> Option<pb::UserOpt> {
            let user = match u.as_ref()? {
                UserRef::Name(n) if !n.is_empty() => pb::user_opt::User::ByName(pb::NamedUserOpt {
                    name: n.clone(),
                    input: base,
                }),
                UserRef::Name(_) => pb::user_opt::User::ById(0),
                UserRef::Id(id) => pb::user_opt::User::ById(*id),
            };
            Some(pb::UserOpt { user: Some(user) })
        };
        pb::ChownOpt {
            user: one(&self.user),
            group: one(&self.group),
        }
    }
}

/// `chmod` for a copy: octal bits or a symbolic string (`u+x,g=r`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chmod {
    /// Octal mode bits.
    Mode(u32),
    /// Symbolic mode (`FileActionCopy.modeStr`; BuildKit cap `file.copy.modestring`).
    Symbolic(String),
}

#[derive(Debug, Clone)]
enum CopySource {
    State(State),
    /// The result of an action chain applied to a state.
    Actions(State, Arc<FileActions>),
}

/// A copy action. Build with [`Copy::new`] and its setters; all flags
/// default to false, mode and timestamp to "keep".
#[derive(Debug, Clone)]
pub struct Copy {
    source: CopySource,
    src: String,
    dest: String,
    owner: Option<Owner>,
    chmod: Option<Chmod>,
    follow_symlinks: bool,
    dir_contents_only: bool,
    attempt_unpack: bool,
    create_dest_path: bool,
    allow_wildcard: bool,
    allow_empty_wildcard: bool,
    timestamp: Option<i64>,
    include_patterns: Vec<String>,
    exclude_patterns: Vec<String>,
    required_paths: Vec<String>,
    always_replace_existing_dest_paths: bool,
}

impl Copy {
    /// Copies `src` of `source` to `dest` of the file op's base. A relative
    /// `src` is taken from `source`'s working directory; a relative `dest`
    /// from the base's. A trailing `/` on `dest` is kept (copy into dir).
    pub fn new(source: &State, src: impl Into<String>, dest: impl Into<String>) -> Self {
        Self::with_source(CopySource::State(source.clone()), src.into(), dest.into())
    }

    /// Copies from the result of `actions` applied to `base` (Go's
    /// `FileAction.WithState`), within the same file op.
    pub fn from_actions(
        base: &State,
        actions: FileActions,
        src: impl Into<String>,
        dest: impl Into<String>,
    ) -> Self {
        Self::with_source(
            CopySource::Actions(base.clone(), Arc::new(actions)),
            src.into(),
            dest.into(),
        )
    }

    fn with_source(source: CopySource, src: String, dest: String) -> Self {
        Copy {
            source,
            src,
            dest,
            owner: None,
            chmod: None,
            follow_symlinks: false,
            dir_contents_only: false,
            attempt_unpack: false,
            create_dest_path: false,
            allow_wildcard: false,
            allow_empty_wildcard: false,
            timestamp: None,
            include_patterns: Vec::new(),
            exclude_patterns: Vec::new(),
            required_paths: Vec::new(),
            always_replace_existing_dest_paths: false,
        }
    }

    /// Owner of the copied files.
    pub fn owner(mut self, o: Owner) -> Self {
        self.owner = Some(o);
        self
    }

    /// Mode of the copied files.
    pub fn chmod(mut self, c: Chmod) -> Self {
        self.chmod = Some(c);
        self
    }

    /// Follow a symlink given as `src`.
    pub fn follow_symlinks(mut self, b: bool) -> Self {
        self.follow_symlinks = b;
        self
    }

    /// Copy a directory's contents rather than the directory.
    pub fn dir_contents_only(mut self, b: bool) -> Self {
        self.dir_contents_only = b;
        self
    }

    /// Unpack archives (Dockerfile `ADD`).
    pub fn attempt_unpack(mut self, b: bool) -> Self {
        self.attempt_unpack = b;
        self
    }

    /// Create missing parents of `dest`.
    pub fn create_dest_path(mut self, b: bool) -> Self {
        self.create_dest_path = b;
        self
    }

    /// Treat `src` as a glob.
    pub fn allow_wildcard(mut self, b: bool) -> Self {
        self.allow_wildcard = b;
        self
    }

    /// A glob matching nothing is not an error.
    pub fn allow_empty_wildcard(mut self, b: bool) -> Self {
        self.allow_empty_wildcard = b;
        self
    }

    /// mtime of the copied files, Unix nanoseconds.
    pub fn timestamp(mut self, unix_nanos: i64) -> Self {
        self.timestamp = Some(unix_nanos);
        self
    }

    /// Only copy paths matching these patterns.
    pub fn include_patterns(mut self, p: Vec<String>) -> Self {
        self.include_patterns = p;
        self
    }

    /// Skip paths matching these patterns.
    pub fn exclude_patterns(mut self, p: Vec<String>) -> Self {
        self.exclude_patterns = p;
        self
    }

    /// Paths that must exist (with include patterns, for `COPY --parents`).
    pub fn required_paths(mut self, p: Vec<String>) -> Self {
        self.required_paths = p;
        self
    }

    /// Replace existing destination paths even if types differ.
    pub fn always_replace_existing_dest_paths(mut self, b: bool) -> Self {
        self.always_replace_existing_dest_paths = b;
        self
    }
}

/// Make a directory.
#[derive(Debug, Clone)]
pub struct Mkdir {
    path: String,
    mode: u32,
    make_parents: bool,
    owner: Option<Owner>,
    timestamp: Option<i64>,
}

impl Mkdir {
    /// `mkdir path` with `mode` (permission bits).
    pub fn new(path: impl Into<String>, mode: u32) -> Self {
        Mkdir {
            path: path.into(),
            mode,
            make_parents: false,
            owner: None,
            timestamp: None,
        }
    }

    /// `mkdir -p`.
    pub fn make_parents(mut self, b: bool) -> Self {
        self.make_parents = b;
        self
    }

    /// Owner.
    pub fn owner(mut self, o: Owner) -> Self {
        self.owner = Some(o);
        self
    }

    /// mtime, Unix nanoseconds.
    pub fn timestamp(mut self, unix_nanos: i64) -> Self {
        self.timestamp = Some(unix_nanos);
        self
    }
}

/// Write a file.
#[derive(Debug, Clone)]
pub struct Mkfile {
    path: String,
    mode: u32,
    data: Vec<u8>,
    owner: Option<Owner>,
    timestamp: Option<i64>,
}

impl Mkfile {
    /// Writes `data` to `path` with `mode`.
    pub fn new(path: impl Into<String>, mode: u32, data: impl Into<Vec<u8>>) -> Self {
        Mkfile {
            path: path.into(),
            mode,
            data: data.into(),
            owner: None,
            timestamp: None,
        }
    }

    /// Owner.
    pub fn owner(mut self, o: Owner) -> Self {
        self.owner = Some(o);
        self
    }

    /// mtime, Unix nanoseconds.
    pub fn timestamp(mut self, unix_nanos: i64) -> Self {
        self.timestamp = Some(unix_nanos);
        self
    }
}

/// Remove a path.
#[derive(Debug, Clone)]
pub struct Rm {
    path: String,
    allow_not_found: bool,
    allow_wildcard: bool,
}

impl Rm {
    /// `rm -r path`.
    pub fn new(path: impl Into<String>) -> Self {
        Rm {
            path: path.into(),
            allow_not_found: false,
            allow_wildcard: false,
        }
    }

    /// A missing path is not an error.
    pub fn allow_not_found(mut self, b: bool) -> Self {
        self.allow_not_found = b;
        self
    }

    /// Treat `path` as a glob.
    pub fn allow_wildcard(mut self, b: bool) -> Self {
        self.allow_wildcard = b;
        self
    }
}

/// Create a symlink `newpath -> oldpath` (needs `file.symlink.create`).
#[derive(Debug, Clone)]
pub struct Symlink {
    oldpath: String,
    newpath: String,
    owner: Option<Owner>,
    timestamp: Option<i64>,
}

impl Symlink {
    /// `ln -s oldpath newpath`.
    pub fn new(oldpath: impl Into<String>, newpath: impl Into<String>) -> Self {
        Symlink {
            oldpath: oldpath.into(),
            newpath: newpath.into(),
            owner: None,
            timestamp: None,
        }
    }

    /// Owner.
    pub fn owner(mut self, o: Owner) -> Self {
        self.owner = Some(o);
        self
    }

    /// mtime, Unix nanoseconds.
    pub fn timestamp(mut self, unix_nanos: i64) -> Self {
        self.timestamp = Some(unix_nanos);
        self
    }
}

#[derive(Debug, Clone)]
enum FileAction {
    Copy(Copy),
    Mkdir(Mkdir),
    Mkfile(Mkfile),
    Rm(Rm),
    Symlink(Symlink),
}

/// An ordered chain of file actions; each applies to the result of the
/// previous one. Becomes one file op.
#[derive(Debug, Clone, Default)]
pub struct FileActions {
    actions: Vec<FileAction>,
}

impl FileActions {
    /// An empty chain.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a copy.
    pub fn copy(mut self, c: Copy) -> Self {
        self.actions.push(FileAction::Copy(c));
        self
    }

    /// Appends a mkdir.
    pub fn mkdir(mut self, m: Mkdir) -> Self {
        self.actions.push(FileAction::Mkdir(m));
        self
    }

    /// Appends a mkfile.
    pub fn mkfile(mut self, m: Mkfile) -> Self {
        self.actions.push(FileAction::Mkfile(m));
        self
    }

    /// Appends an rm.
    pub fn rm(mut self, r: Rm) -> Self {
        self.actions.push(FileAction::Rm(r));
        self
    }

    /// Appends a symlink.
    pub fn symlink(mut self, s: Symlink) -> Self {
        self.actions.push(FileAction::Symlink(s));
        self
    }

    /// Number of actions.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// True if there are no actions.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }
}

/// A file op under construction. Start with [`State::file`].
#[derive(Debug, Clone)]
pub struct FileOp {
    base: State,
    actions: FileActions,
    // Boxed: every builder setter moves the builder, and 392 bytes less moves faster.
    constraints: Box<Constraints>,
}

impl FileOp {
    pub(crate) fn new(base: State, actions: FileActions) -> Self {
        FileOp {
            base,
            actions,
            constraints: Box::default(),
        }
    }

    /// The resulting state (the base's settings, the new filesystem).
    pub fn build(self) -> State {
        let mut c = *self.constraints;
        // The Go client declares only `file.base` for file ops: its per-action
        // caps hook runs before the actions are collected. Matching it keeps
        // metadata identical; callers check finer caps themselves.
        c.add_cap(caps::FILE_BASE);
        // The result keeps the base's settings; the base itself moves into the op (one
        // reference count fewer on its vertex, usually a cold cache line by now).
        let values = self.base.values.clone();
        let body = FileOpBody {
            base: self.base,
            actions: Arc::new(self.actions),
        };
        State {
            output: Some(Output::new(Vertex::new(OpKind::File(body), c), 0)),
            values,
        }
    }
}

impl_op_options!(FileOp);

/// The file op body kept in the vertex.
pub(crate) struct FileOpBody {
    base: State,
    actions: Arc<FileActions>,
}

/// Go's per-action marshal bookkeeping.
struct ActionState<'a> {
    base: i64,
    input: i64,
    input_rel: Option<usize>,
    input2: i64,
    input2_rel: Option<usize>,
    action: &'a FileAction,
    state: &'a State,
}

struct MarshalState<'a, 'c> {
    ctx: &'a EncodeCtx<'c>,
    inputs: Vec<pb::Input>,
    actions: Vec<ActionState<'a>>,
    visited: HashMap<*const FileAction, usize>,
}

impl<'a> MarshalState<'a, '_> {
    fn add_input(&mut self, out: &Output) -> Result<i64, Error> {
        let inp = input_of(out, self.ctx)?;
        if let Some(i) = self.inputs.iter().position(|x| *x == inp) {
            return Ok(i as i64);
        }
        self.inputs.push(inp);
        Ok(self.inputs.len() as i64 - 1)
    }

    fn visited_index(&self, action: &FileAction) -> Option<usize> {
        self.visited.get(&(action as *const FileAction)).copied()
    }

    /// Adds action `i` of `chain` (bound to `state`) after its predecessors;
    /// returns its index among all actions. Go recurses into the predecessor; this walks
    /// back to the first unvisited one and adds them in order, so that a chain of 10,000
    /// actions (a COPY with 10,000 sources) does not need 10,000 stack frames.
    fn add(&mut self, chain: &'a FileActions, state: &'a State, i: usize) -> Result<usize, Error> {
        if let Some(t) = self.visited_index(&chain.actions[i]) {
            return Ok(t);
        }
        let mut first = i;
        while first > 0 && self.visited_index(&chain.actions[first - 1]).is_none() {
            first -= 1;
        }
        let mut prev = match first {
            0 => None,
            _ => self.visited_index(&chain.actions[first - 1]),
        };
        for j in first..i {
            prev = Some(self.add_one(chain, state, j, prev)?);
        }
        self.add_one(chain, state, i, prev)
    }

    /// Adds action `i` of `chain`, whose predecessor (if any) is already at index `prev`.
    fn add_one(
        &mut self,
        chain: &'a FileActions,
        state: &'a State,
        i: usize,
        prev: Option<usize>,
    ) -> Result<usize, Error> {
        let action = &chain.actions[i];
        let base = match &state.output {
            Some(out) => self.add_input(out)?,
            None => -1,
        };
        let mut st = ActionState {
            base,
            input: if prev.is_none() { base } else { -1 },
            input_rel: prev,
            input2: -1,
            input2_rel: None,
            action,
            state,
        };
        if let FileAction::Copy(c) = action {
            match &c.source {
                CopySource::State(s) => {
                    if let Some(out) = &s.output {
                        st.input2 = self.add_input(out)?;
                    }
                }
                CopySource::Actions(s, chain2) => {
                    if chain2.actions.is_empty() {
                        return Err(Error::NoFileActions);
                    }
                    let t = self.add(chain2, s, chain2.actions.len() - 1)?;
                    st.input2_rel = Some(t);
                }
            }
        }
        let target = self.actions.len();
        self.visited.insert(action as *const FileAction, target);
        self.actions.push(st);
        Ok(target)
    }
}

/// Go's `normalizePath`.
fn normalize_path(parent: &str, p: &str, keep_slash: bool) -> String {
    let cleaned = cleaned(p);
    let mut out = if is_abs(&cleaned) {
        cleaned.into_owned()
    } else {
        join(&["/", parent, &cleaned])
    };
    if keep_slash {
        if p.ends_with('/') && !out.ends_with('/') {
            out.push('/');
        } else if p.ends_with("/.") {
            if out != "/" {
                out.push('/');
            }
            out.push('.');
        }
    }
    out
}

fn timestamp(t: Option<i64>) -> i64 {
    t.unwrap_or(-1)
}

impl FileOpBody {
    /// Go's `FileOp.Inputs()` (`allOutputs`): from the last action back,
    /// each action's base then its copy source, deduplicated.
    pub(crate) fn dfs_inputs(&self) -> Vec<&Output> {
        let mut out = Vec::new();
        collect_outputs(&self.actions, &self.base, &mut out);
        out
    }

    pub(crate) fn encode(
        &self,
        c: &Constraints,
        ctx: &EncodeCtx,
    ) -> Result<(pb::Op, EncodeCaps), Error> {
        if self.actions.is_empty() {
            return Err(Error::NoFileActions);
        }
        // File ops are not platform specific.
        let mut op = marshal_unplatformed(c, ctx);
        // Sized for the op's own chain (nested chains of copy sources may add more): one
        // allocation each instead of growing from empty.
        let n = self.actions.len();
        let mut ms = MarshalState {
            ctx,
            inputs: Vec::with_capacity(n + 1),
            actions: Vec::with_capacity(n),
            visited: HashMap::with_capacity(n),
        };
        ms.add(&self.actions, &self.base, self.actions.actions.len() - 1)?;
        let n_inputs = ms.inputs.len() as i64;
        let index = |input: i64, rel: Option<usize>| match rel {
            Some(r) => n_inputs + r as i64,
            None => input,
        };
        let last = ms.actions.len() - 1;
        let mut actions = Vec::with_capacity(ms.actions.len());
        for (i, st) in ms.actions.iter().enumerate() {
            let parent = st.state.dir();
            let body = action_to_pb(st.action, parent, st.base);
            actions.push(pb::FileAction {
                input: index(st.input, st.input_rel),
                secondary_input: index(st.input2, st.input2_rel),
                output: if i == last { 0 } else { -1 },
                action: Some(body),
            });
        }
        op.inputs = ms.inputs;
        op.op = Some(pb::op::Op::File(pb::FileOp { actions }));
        Ok((op, EncodeCaps::new()))
    }
}

fn collect_outputs<'a>(chain: &'a FileActions, state: &'a State, out: &mut Vec<&'a Output>) {
    let push = |o: &'a Output, out: &mut Vec<&'a Output>| {
        if !out.iter().any(|x| x.same(o)) {
            out.push(o);
        }
    };
    for action in chain.actions.iter().rev() {
        if let Some(o) = &state.output {
            push(o, out);
        }
        if let FileAction::Copy(c) = action {
            match &c.source {
                CopySource::State(s) => {
                    if let Some(o) = &s.output {
                        push(o, out);
                    }
                }
                CopySource::Actions(s, chain2) => collect_outputs(chain2, s, out),
            }
        }
    }
}

fn action_to_pb(action: &FileAction, parent: &str, base: i64) -> pb::file_action::Action {
    use pb::file_action::Action as A;
    let owner = |o: &Option<Owner>| o.as_ref().map(|o| o.to_pb(base));
    match action {
        FileAction::Mkdir(m) => A::Mkdir(pb::FileActionMkDir {
            path: normalize_path(parent, &m.path, false),
            mode: (m.mode & 0o777) as i32,
            make_parents: m.make_parents,
            owner: owner(&m.owner),
            timestamp: timestamp(m.timestamp),
        }),
        FileAction::Mkfile(m) => A::Mkfile(pb::FileActionMkFile {
            path: normalize_path(parent, &m.path, false),
            mode: (m.mode & 0o777) as i32,
            data: m.data.clone(),
            owner: owner(&m.owner),
            timestamp: timestamp(m.timestamp),
        }),
        FileAction::Rm(r) => A::Rm(pb::FileActionRm {
            path: normalize_path(parent, &r.path, false),
            allow_not_found: r.allow_not_found,
            allow_wildcard: r.allow_wildcard,
        }),
        FileAction::Symlink(s) => A::Symlink(pb::FileActionSymlink {
            oldpath: s.oldpath.clone(),
            newpath: s.newpath.clone(),
            owner: owner(&s.owner),
            timestamp: timestamp(s.timestamp),
        }),
        FileAction::Copy(c) => {
            let src_dir = match &c.source {
                CopySource::State(s) | CopySource::Actions(s, _) => s.dir(),
            };
            let p = cleaned(&c.src);
            let src = if is_abs(&p) {
                join(&["/", &p])
            } else {
                join(&[src_dir, &p])
            };
            let (mode, mode_str) = match &c.chmod {
                None => (-1, String::new()),
                Some(Chmod::Symbolic(s)) if !s.is_empty() => (0, s.clone()),
                Some(Chmod::Symbolic(_)) => (0, String::new()),
                Some(Chmod::Mode(m)) => (*m as i32, String::new()),
            };
            A::Copy(pb::FileActionCopy {
                src,
                dest: normalize_path(parent, &c.dest, true),
                owner: owner(&c.owner),
                mode,
                follow_symlink: c.follow_symlinks,
                dir_copy_contents: c.dir_contents_only,
                attempt_unpack_docker_compatibility: c.attempt_unpack,
                create_dest_path: c.create_dest_path,
                allow_wildcard: c.allow_wildcard,
                allow_empty_wildcard: c.allow_empty_wildcard,
                timestamp: timestamp(c.timestamp),
                include_patterns: c.include_patterns.clone(),
                exclude_patterns: c.exclude_patterns.clone(),
                always_replace_existing_dest_paths: c.always_replace_existing_dest_paths,
                mode_str,
                required_paths: c.required_paths.clone(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_like_go() {
        assert_eq!(normalize_path("/", "/release", true), "/release");
        assert_eq!(normalize_path("/work", "app/", true), "/work/app/");
        assert_eq!(normalize_path("/work", "./", true), "/work/");
        assert_eq!(normalize_path("/work", "/x/.", true), "/x/.");
        assert_eq!(normalize_path("/", "/.", true), "/.");
        assert_eq!(normalize_path("/w", "a/../b", false), "/w/b");
    }

    #[test]
    fn owner_parse() {
        assert_eq!(Owner::parse("1000:1000"), Owner::ids(1000, 1000));
        assert_eq!(
            Owner::parse("app"),
            Owner {
                user: Some(UserRef::Name("app".into())),
                group: None
            }
        );
        assert_eq!(
            Owner::parse("root:staff").group,
            Some(UserRef::Name("staff".into()))
        );
        assert_eq!(Owner::parse("root").user, Some(UserRef::Id(0)));
    }
}
