//! `INCLUDE <path>`, an mstage extension: splices the instructions of another file (a
//! fragment) where the INCLUDE stands, before instructions are typed, so every later layer
//! sees one list of nodes. Each spliced node keeps its own file and line in its
//! [`SourceRange`], so errors, warnings and source maps point into the fragment.
//!
//! The stock frontend rejects `INCLUDE` as an unknown instruction, so a Dockerfile it
//! accepts has none and [`resolve_includes`] returns it untouched.
//!
//! No I/O here: the caller hands in an [`IncludeLoader`]. Paths are relative to the
//! including file and resolved inside the Dockerfile's directory (the `dockerfile` local);
//! a path leaving it, a missing file and a cycle are errors naming the INCLUDE line.

use super::ast::{Dockerfile, FileId, IncludeSite, Node, SourceRange};
use super::error::SyntaxError;
use super::parse::parse;

/// Where fragments come from.
pub trait IncludeLoader {
    /// The fragment at `path` (relative to the Dockerfile's directory, cleaned, no `..`),
    /// with the id its lines are to carry; `None` when there is no such file.
    fn load(&self, path: &str) -> Option<(FileId, &[u8])>;
}

/// What is wrong with an INCLUDE.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncludeErrorKind {
    #[error("INCLUDE needs exactly one path, e.g. `INCLUDE common/build.Dockerfile`")]
    BadArguments,
    #[error("INCLUDE {0}: the path leaves the Dockerfile's directory")]
    Escapes(String),
    #[error("INCLUDE {0}: file not found in the Dockerfile's directory")]
    Missing(String),
    #[error("INCLUDE {path}: include cycle: {chain}")]
    Cycle { path: String, chain: String },
    #[error("INCLUDE {path}: the fragment's escape character `{found}` differs from `{expected}` of the file including it")]
    EscapeMismatch {
        path: String,
        found: char,
        expected: char,
    },
    /// The fragment itself does not parse (the error's lines are in the fragment).
    #[error("{0}")]
    Syntax(SyntaxError),
}

/// An INCLUDE that cannot be resolved. `range` is the INCLUDE line (with its file), or
/// the fragment's lines for a fragment that does not parse; `location` names it as
/// `file:line`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {kind}")]
pub struct IncludeError {
    pub range: SourceRange,
    pub location: String,
    pub kind: IncludeErrorKind,
}

/// Splices every `INCLUDE` of `df` (recursively). `main_name` is the Dockerfile's name as
/// the user gave it (`Dockerfile`, `sub/app.Dockerfile`): messages name files relative to
/// its directory, as BuildKit names the Dockerfile.
pub fn resolve_includes(
    df: Dockerfile,
    main_name: &str,
    loader: &dyn IncludeLoader,
) -> Result<Dockerfile, IncludeError> {
    if !df.has_include() {
        return Ok(df);
    }
    let Dockerfile {
        escape,
        directives,
        instructions,
        mut warnings,
        includes: _,
    } = df;
    let mut splicer = Splicer {
        loader,
        main_name,
        escape,
        stack: vec![main_key(main_name).to_string()],
        names: vec![(FileId::MAIN, main_name.to_string())],
        includes: Vec::new(),
        warnings: Vec::new(),
    };
    let instructions = splicer.splice(instructions, "", FileId::MAIN)?;
    warnings.append(&mut splicer.warnings);
    Ok(Dockerfile {
        escape,
        directives,
        instructions,
        warnings,
        includes: splicer.includes,
    })
}

/// The fragments `df` (the file at `path`, relative to the Dockerfile's directory) would
/// load, resolved; INCLUDEs that are not valid are left out ([`resolve_includes`] reports
/// them). For loaders that must fetch fragments before splicing.
pub fn include_paths(df: &Dockerfile, path: &str) -> Vec<String> {
    let dir = parent(path);
    df.instructions
        .iter()
        .filter(|n| n.keyword == "include")
        .filter_map(|n| include_argument(n).ok())
        .filter_map(|p| resolve_path(dir, &p))
        .collect()
}

/// The Dockerfile's own path inside its directory (for cycle detection).
fn main_key(main_name: &str) -> &str {
    main_name.rsplit('/').next().unwrap_or(main_name)
}

/// The directory part of a cleaned relative path (`""` at the top).
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// The one path argument of an INCLUDE line. The parser keeps unknown instructions'
/// arguments only in the logical line, so the path is read from there.
fn include_argument(node: &Node) -> Result<String, IncludeErrorKind> {
    let line = node.original.trim_start();
    let rest = line.get(node.keyword_original.len()..).unwrap_or("");
    let mut words = rest.split_whitespace();
    match (words.next(), words.next()) {
        (Some(p), None) if !p.starts_with("--") => Ok(p.to_string()),
        _ => Err(IncludeErrorKind::BadArguments),
    }
}

/// `dir/path` cleaned like Go's `path.Clean`; `None` when it is absolute or climbs out of
/// the Dockerfile's directory.
fn resolve_path(dir: &str, path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in dir.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Stamps a fragment's file id on a node (and its ONBUILD trigger).
fn stamp(node: &mut Node, file: FileId) {
    node.range.file = file;
    if let Some(sub) = node.sub.as_deref_mut() {
        stamp(sub, file);
    }
}

struct Splicer<'a> {
    loader: &'a dyn IncludeLoader,
    main_name: &'a str,
    escape: char,
    /// Paths of the files being spliced, outermost first (for cycles).
    stack: Vec<String>,
    /// Display names of the files loaded so far.
    names: Vec<(FileId, String)>,
    includes: Vec<IncludeSite>,
    warnings: Vec<super::ast::Warning>,
}

impl Splicer<'_> {
    fn name(&self, file: FileId) -> &str {
        self.names
            .iter()
            .find(|(id, _)| *id == file)
            .map_or(self.main_name, |(_, n)| n.as_str())
    }

    /// A fragment's name as users see it: relative to the directory the Dockerfile's name
    /// is relative to.
    fn display(&self, path: &str) -> String {
        match parent(self.main_name) {
            "" => path.to_string(),
            dir => format!("{dir}/{path}"),
        }
    }

    fn error(&self, range: SourceRange, kind: IncludeErrorKind) -> IncludeError {
        IncludeError {
            range,
            location: format!("{}:{}", self.name(range.file), range.start_line),
            kind,
        }
    }

    /// `nodes` of the file `file` (in directory `dir`) with every INCLUDE replaced by the
    /// fragment's nodes.
    fn splice(
        &mut self,
        nodes: Vec<Node>,
        dir: &str,
        file: FileId,
    ) -> Result<Vec<Node>, IncludeError> {
        let mut out = Vec::with_capacity(nodes.len());
        for mut node in nodes {
            stamp(&mut node, file);
            if node.keyword != "include" {
                out.push(node);
                continue;
            }
            let fragment = self.fragment(&node, dir)?;
            out.extend(fragment);
        }
        Ok(out)
    }

    /// The spliced nodes of the fragment one INCLUDE names.
    fn fragment(&mut self, node: &Node, dir: &str) -> Result<Vec<Node>, IncludeError> {
        let at = node.range;
        let path = include_argument(node).map_err(|k| self.error(at, k))?;
        let key = resolve_path(dir, &path)
            .ok_or_else(|| self.error(at, IncludeErrorKind::Escapes(path.clone())))?;
        if let Some(i) = self.stack.iter().position(|p| *p == key) {
            let mut chain: Vec<&str> = self.stack[i..].iter().map(String::as_str).collect();
            chain.push(&key);
            let chain = chain.join(" -> ");
            return Err(self.error(at, IncludeErrorKind::Cycle { path, chain }));
        }
        let (id, bytes) = self
            .loader
            .load(&key)
            .ok_or_else(|| self.error(at, IncludeErrorKind::Missing(path.clone())))?;
        if !self.names.iter().any(|(f, _)| *f == id) {
            self.names.push((id, self.display(&key)));
        }
        let mut df = parse(bytes).map_err(|mut e| {
            e.range.file = id;
            self.error(e.range, IncludeErrorKind::Syntax(e))
        })?;
        if df.escape != self.escape {
            let kind = IncludeErrorKind::EscapeMismatch {
                path,
                found: df.escape,
                expected: self.escape,
            };
            return Err(self.error(at, kind));
        }
        for mut w in df.warnings.drain(..) {
            w.range.file = id;
            self.warnings.push(w);
        }
        self.includes.push(IncludeSite {
            range: at,
            path,
            fragment: id,
        });
        self.stack.push(key.clone());
        let nodes = self.splice(df.instructions, parent(&key), id)?;
        self.stack.pop();
        Ok(nodes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Files(Vec<(&'static str, &'static str)>);

    impl IncludeLoader for Files {
        fn load(&self, path: &str) -> Option<(FileId, &[u8])> {
            let i = self.0.iter().position(|(p, _)| *p == path)?;
            Some((FileId(i as u32 + 1), self.0[i].1.as_bytes()))
        }
    }

    fn splice(main: &str, files: Files) -> Result<Dockerfile, IncludeError> {
        resolve_includes(parse(main.as_bytes()).unwrap(), "Dockerfile", &files)
    }

    #[test]
    fn paths_resolve_inside_the_directory_only() {
        assert_eq!(resolve_path("", "a/./b/../c"), Some("a/c".into()));
        assert_eq!(resolve_path("x/y", "../z"), Some("x/z".into()));
        assert_eq!(resolve_path("x", "../../z"), None);
        assert_eq!(resolve_path("", "/etc/passwd"), None);
    }

    #[test]
    fn nodes_keep_their_file_and_line() {
        let df = splice(
            "FROM a\nINCLUDE f\nRUN last\n",
            Files(vec![("f", "RUN one\n\nRUN two\n")]),
        )
        .unwrap();
        let at: Vec<(u32, usize, &str)> = df
            .instructions
            .iter()
            .map(|n| (n.range.file.0, n.range.start_line, n.original.as_str()))
            .collect();
        assert_eq!(
            at,
            [
                (0, 1, "FROM a"),
                (1, 1, "RUN one"),
                (1, 3, "RUN two"),
                (0, 3, "RUN last")
            ]
        );
        assert_eq!(df.includes.len(), 1);
        assert_eq!(df.includes[0].range.start_line, 2);
    }

    #[test]
    fn a_file_without_include_is_returned_untouched() {
        let df = parse(b"FROM a\nRUN x\n").unwrap();
        let same = resolve_includes(df.clone(), "Dockerfile", &Files(vec![])).unwrap();
        assert_eq!(df, same);
    }

    #[test]
    fn errors_name_the_include_line() {
        let e = splice("FROM a\nINCLUDE nope\n", Files(vec![])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Dockerfile:2: INCLUDE nope: file not found in the Dockerfile's directory"
        );
        let e = splice("FROM a\n\nINCLUDE f\n", Files(vec![("f", "INCLUDE f\n")])).unwrap_err();
        assert_eq!(e.to_string(), "f:1: INCLUDE f: include cycle: f -> f");
        assert_eq!(e.range.file, FileId(1));
        let e = splice("FROM a\nINCLUDE ../x\n", Files(vec![])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Dockerfile:2: INCLUDE ../x: the path leaves the Dockerfile's directory"
        );
        let e = splice(
            "FROM a\nINCLUDE f\n",
            Files(vec![("f", "# escape=`\nRUN x\n")]),
        )
        .unwrap_err();
        assert!(
            matches!(e.kind, IncludeErrorKind::EscapeMismatch { .. }),
            "{e}"
        );
    }
}
