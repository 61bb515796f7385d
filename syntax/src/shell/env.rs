//! Variable lookup for the lexer.

use std::collections::{BTreeMap, HashMap};

/// Where the lexer looks variables up. On Unix names are case-sensitive (as BuildKit's
/// `NormalizeEnvKey` outside Windows).
pub trait EnvLookup {
    /// The value of `name`, or `None` when it is not set (set-but-empty is `Some("")`).
    fn lookup(&self, name: &str) -> Option<&str>;
}

/// No variables at all (what the parser uses to recognise heredoc markers).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEnv;

impl EnvLookup for NoEnv {
    fn lookup(&self, _name: &str) -> Option<&str> {
        None
    }
}

/// `(name, value)` pairs; the last definition of a name wins.
impl EnvLookup for [(String, String)] {
    fn lookup(&self, name: &str) -> Option<&str> {
        self.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl EnvLookup for Vec<(String, String)> {
    fn lookup(&self, name: &str) -> Option<&str> {
        self.as_slice().lookup(name)
    }
}

/// `(name, value)` pairs; the last definition of a name wins.
impl EnvLookup for [(&str, &str)] {
    fn lookup(&self, name: &str) -> Option<&str> {
        self.iter().rev().find(|(k, _)| *k == name).map(|(_, v)| *v)
    }
}

impl EnvLookup for Vec<(&str, &str)> {
    fn lookup(&self, name: &str) -> Option<&str> {
        self.as_slice().lookup(name)
    }
}

impl<const N: usize> EnvLookup for [(&str, &str); N] {
    fn lookup(&self, name: &str) -> Option<&str> {
        self.as_slice().lookup(name)
    }
}

impl EnvLookup for HashMap<String, String> {
    fn lookup(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
}

impl EnvLookup for BTreeMap<String, String> {
    fn lookup(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
}

impl<T: EnvLookup + ?Sized> EnvLookup for &T {
    fn lookup(&self, name: &str) -> Option<&str> {
        (**self).lookup(name)
    }
}
