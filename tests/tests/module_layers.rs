//! The layering ARCHITECTURE.md promises, checked on the source: within the Dockerfile-facing
//! crates (syntax, compiler, frontend) no file imports, through a chain of paths, a file that
//! imports it back. A file "imports" the file of every module it names through `crate::`,
//! `super::` or `self::` (in a `use` or inline); `mod x;` declarations are not imports.
//! Crate-to-crate arrows are Cargo's to enforce; this covers what Cargo cannot.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use regex::Regex;

/// One crate's modules: module path (`["lower", "dispatch"]`) -> file (relative to `src/`).
struct ModuleTree {
    files: BTreeMap<Vec<String>, PathBuf>,
}

impl ModuleTree {
    fn read(src: &Path) -> ModuleTree {
        let mut files = BTreeMap::new();
        for file in rust_files(src) {
            let rel = file.strip_prefix(src).unwrap().to_path_buf();
            files.insert(module_path(&rel), rel);
        }
        ModuleTree { files }
    }

    /// The file of the longest module prefix of `path` (an item's path names its module).
    fn file_of(&self, path: &[String]) -> Option<&PathBuf> {
        (0..=path.len())
            .rev()
            .find_map(|n| self.files.get(&path[..n]))
    }
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// `lower/dispatch/mod.rs` -> `[lower, dispatch]`; `lib.rs`/`main.rs` -> `[]`.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The source with comments, string and char literals blanked out (their text is not code).
fn code_only(src: &str) -> String {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < chars.len() {
        let end = literal_or_comment_end(&chars, i);
        if end > i {
            out.push(' ');
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Where the comment or literal starting at `i` ends, or `i` when none starts there.
fn literal_or_comment_end(c: &[char], i: usize) -> usize {
    let at = |k: usize| c.get(k).copied().unwrap_or('\0');
    let find = |from: usize, pat: &[char]| {
        (from..c.len())
            .find(|&k| c[k..].starts_with(pat))
            .map_or(c.len(), |k| k + pat.len())
    };
    match (at(i), at(i + 1)) {
        ('/', '/') => find(i, &['\n']),
        ('/', '*') => find(i + 2, &['*', '/']),
        ('"', _) => quoted_end(c, i + 1, '"'),
        ('r', '"' | '#') if i == 0 || !is_ident(at(i - 1)) => {
            let hashes = (i + 1..c.len()).take_while(|&k| c[k] == '#').count();
            if at(i + 1 + hashes) != '"' {
                return i;
            }
            let mut close = vec!['"'];
            close.extend(std::iter::repeat_n('#', hashes));
            find(i + 2 + hashes, &close)
        }
        // A char literal, not a lifetime: one char (or an escape) and the closing quote.
        ('\'', '\\') => quoted_end(c, i + 1, '\''),
        ('\'', _) if at(i + 2) == '\'' => i + 3,
        _ => i,
    }
}

fn quoted_end(c: &[char], mut k: usize, quote: char) -> usize {
    while k < c.len() {
        match c[k] {
            '\\' => k += 2,
            ch if ch == quote => return k + 1,
            _ => k += 1,
        }
    }
    c.len()
}

fn is_ident(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// Every module path a file names: `use` trees expanded, and inline `crate::`/`super::` paths.
fn named_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    // `pub(in crate::x)` names a module for visibility, not an import.
    let visibility = Regex::new(r"pub\s*\(\s*in\s+[^)]*\)").unwrap();
    let code = visibility.replace_all(code, "pub");
    let code = code.as_ref();
    let use_re = Regex::new(r"(?s)\buse\s+([^;]+);").unwrap();
    let rename = Regex::new(r"\s+as\s+[A-Za-z_0-9]+").unwrap();
    for cap in use_re.captures_iter(code) {
        let tree: String = rename.replace_all(&cap[1], "").split_whitespace().collect();
        expand_use_tree("", &tree, &mut out);
    }
    // Inline paths, from their first segment (`a::b::c`, never `b::c` inside it).
    let inline =
        Regex::new(r"(?:^|[^:\w])([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)+)").unwrap();
    out.extend(inline.captures_iter(code).map(|c| c[1].to_string()));
    out
}

/// `a::{b, c::{d, e}}` -> `a::b`, `a::c::d`, `a::c::e` (whitespace already removed).
fn expand_use_tree(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let join = |p: &str, s: &str| {
        if p.is_empty() {
            s.to_string()
        } else {
            format!("{p}::{s}")
        }
    };
    let Some(open) = tree.find('{') else {
        out.push(join(prefix, tree));
        return;
    };
    let head = join(prefix, tree[..open].trim_end_matches("::"));
    let close = tree.rfind('}').filter(|&c| c > open).unwrap_or(tree.len());
    let inner = &tree[open + 1..close];
    let mut depth = 0;
    let mut start = 0;
    for (i, ch) in inner.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                expand_use_tree(&head, &inner[start..i], out);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < inner.len() {
        expand_use_tree(&head, &inner[start..], out);
    }
}

/// `super::x::Y` written in module `at` -> the absolute module path `[.., x, Y]`. A path
/// that starts with a child module of `at` (`child::Y`) is relative to `at`; any other
/// (`std::..`, another crate) is not a file of this crate.
fn absolute(tree: &ModuleTree, at: &[String], path: &str) -> Option<Vec<String>> {
    let mut parts = path.split("::").filter(|p| !p.is_empty()).peekable();
    let first = *parts.peek()?;
    let mut child = at.to_vec();
    child.push(first.to_string());
    let mut base: Vec<String> = match first {
        "crate" => Vec::new(),
        "self" => at.to_vec(),
        "super" => at[..at.len().checked_sub(1)?].to_vec(),
        _ if tree.files.contains_key(&child) => {
            return Some(at.iter().cloned().chain(parts.map(String::from)).collect())
        }
        _ => return None,
    };
    parts.next();
    for p in parts {
        if p == "super" {
            base.pop();
        } else if p != "*" && p != "self" {
            base.push(p.to_string());
        }
    }
    Some(base)
}

/// The code without its inline `#[cfg(test)] mod name { .. }` blocks: test code is not part
/// of the layering, and a `super::` inside such a block names the file's own module.
fn without_inline_test_modules(code: &str) -> String {
    let start = Regex::new(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{").unwrap();
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(m) = start.find(rest) {
        out.push_str(&rest[..m.start()]);
        let mut depth = 1;
        let body = &rest[m.end()..];
        let end = body
            .char_indices()
            .find(|&(_, ch)| {
                depth += match ch {
                    '{' => 1,
                    '}' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .map_or(body.len(), |(i, _)| i + 1);
        rest = &body[end..];
    }
    out.push_str(rest);
    out
}

/// File -> files it imports.
fn import_graph(src: &Path) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let tree = ModuleTree::read(src);
    let mut graph = BTreeMap::new();
    for (module, file) in &tree.files {
        let code = without_inline_test_modules(&code_only(
            &std::fs::read_to_string(src.join(file)).unwrap(),
        ));
        let targets: BTreeSet<PathBuf> = named_paths(&code)
            .iter()
            .filter_map(|p| absolute(&tree, module, p))
            .filter_map(|p| tree.file_of(&p).cloned())
            .filter(|f| f != file)
            .collect();
        graph.insert(file.clone(), targets);
    }
    graph
}

/// Groups of files that import each other (strongly connected components of size > 1).
fn cycles(graph: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<PathBuf>> {
    let reach = |from: &PathBuf| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(f) = todo.pop() {
            for next in graph.get(&f).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&PathBuf, BTreeSet<PathBuf>> =
        graph.keys().map(|f| (f, reach(f))).collect();
    let mut groups: BTreeSet<Vec<PathBuf>> = BTreeSet::new();
    for (f, r) in &reachable {
        if !r.contains(*f) {
            continue;
        }
        let group: Vec<PathBuf> = r
            .iter()
            .filter(|g| reachable[g].contains(*f))
            .cloned()
            .collect();
        groups.insert(group);
    }
    groups.into_iter().collect()
}

#[test]
fn no_file_imports_a_file_that_imports_it_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut report = String::new();
    for krate in ["syntax", "compiler", "frontend"] {
        let graph = import_graph(&root.join(krate).join("src"));
        for group in cycles(&graph) {
            let names: Vec<String> = group.iter().map(|f| f.display().to_string()).collect();
            report.push_str(&format!("{krate}/src: {}\n", names.join(" <-> ")));
            // Each file's imports within the group: the edges to cut.
            for file in &group {
                let inside: Vec<String> = graph[file]
                    .iter()
                    .filter(|f| group.contains(f))
                    .map(|f| f.display().to_string())
                    .collect();
                report.push_str(&format!("  {} -> {}\n", file.display(), inside.join(", ")));
            }
        }
    }
    assert!(report.is_empty(), "files that import each other:\n{report}");
}

#[test]
fn the_checker_sees_use_trees_and_inline_paths() {
    let code = code_only(
        "use super::{a::{B, c}, d as e};\n// use crate::commented::Out;\n\
         pub(in crate::v) fn f<'a>(x: &'a str) { crate::x::y(\"use crate::no;\", '}', r#\"crate::z\"#); }",
    );
    assert_eq!(
        named_paths(&code),
        ["super::a::B", "super::a::c", "super::d", "crate::x::y"]
    );
    let at = vec!["lower".to_string(), "dispatch".to_string()];
    let tree = ModuleTree {
        files: [(vec![], "lib.rs"), (at.clone(), "lower/dispatch/mod.rs")]
            .into_iter()
            .chain([(
                vec!["lower".into(), "dispatch".into(), "run".into()],
                "lower/dispatch/run.rs",
            )])
            .map(|(m, f)| (m, PathBuf::from(f)))
            .collect(),
    };
    assert_eq!(
        absolute(&tree, &at, "run::Run"),
        Some(vec![
            "lower".into(),
            "dispatch".into(),
            "run".into(),
            "Run".into()
        ])
    );
    assert_eq!(absolute(&tree, &at, "std::fmt"), None);
    assert_eq!(
        without_inline_test_modules(
            "use a::B;\n#[cfg(test)]\nmod tests {\n    use super::*;\n    fn f() { {} }\n}\nfn g() {}"
        ),
        "use a::B;\n\nfn g() {}"
    );
    assert_eq!(
        absolute(&tree, &at, "super::error::E"),
        Some(vec!["lower".into(), "error".into(), "E".into()])
    );
}
