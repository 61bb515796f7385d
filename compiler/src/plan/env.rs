//! An ordered environment with the semantics of BuildKit's `llb.EnvList`: setting a key
//! again moves it to the end (the order RUN sees), deleting removes it.

use std::sync::Arc;

/// Ordered `KEY=value` list.
///
/// Shared copy-on-write: the lowering clones the env into every LLB state it makes (one per
/// op) and changes it only at ENV and ARG, so a clone is a reference count, not a copy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EnvList {
    entries: Arc<Vec<(String, String)>>,
}

impl EnvList {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key`, moving it to the end if it was already set.
    pub fn add_or_replace(&mut self, key: &str, value: &str) {
        let entries = Arc::make_mut(&mut self.entries);
        if let Some(i) = entries.iter().position(|(k, _)| k == key) {
            entries.remove(i);
        }
        entries.push((key.to_string(), value.to_string()));
    }

    /// Sets `key` only if it is not set.
    pub fn set_default(&mut self, key: &str, value: &str) {
        if self.get(key).is_none() {
            Arc::make_mut(&mut self.entries).push((key.to_string(), value.to_string()));
        }
    }

    pub fn delete(&mut self, key: &str) {
        if self.get(key).is_some() {
            Arc::make_mut(&mut self.entries).retain(|(k, _)| k != key);
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The `(KEY, value)` pairs, in order, shared (no copy).
    pub fn shared_pairs(&self) -> Arc<Vec<(String, String)>> {
        self.entries.clone()
    }

    /// `KEY=value` strings, in order.
    pub fn to_vec(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    }
}

impl mstage_syntax::shell::EnvLookup for EnvList {
    fn lookup(&self, name: &str) -> Option<&str> {
        self.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn re_adding_moves_to_end_like_llb_envlist() {
        let mut e = EnvList::new();
        e.add_or_replace("PATH", "/bin");
        e.add_or_replace("A", "1");
        e.add_or_replace("PATH", "/usr/bin");
        assert_eq!(e.to_vec(), vec!["A=1", "PATH=/usr/bin"]);
        e.set_default("A", "2");
        assert_eq!(e.get("A"), Some("1"));
        e.delete("A");
        assert_eq!(e.to_vec(), vec!["PATH=/usr/bin"]);
    }

    #[test]
    fn a_clone_is_not_changed_by_the_original() {
        let mut stage = EnvList::new();
        stage.add_or_replace("A", "1");
        let earlier_op = stage.clone();
        stage.add_or_replace("A", "2");
        stage.set_default("B", "3");
        stage.delete("A");
        assert_eq!(earlier_op.to_vec(), vec!["A=1"]);
        assert_eq!(stage.to_vec(), vec!["B=3"]);
    }
}
