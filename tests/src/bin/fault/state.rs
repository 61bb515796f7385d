//! What the engine holds that a fault must not lose: its images (IDs and names) and its
//! build cache records (`docker buildx du --verbose`, buildx only).

use std::collections::BTreeSet;

use mstage_tests::engine::docker::Docker;

pub struct Held {
    pub images: BTreeSet<String>,
    /// `None` without buildx (no `du`).
    pub cache: Option<BTreeSet<String>>,
}

impl Held {
    pub fn read(docker: &Docker) -> anyhow::Result<Held> {
        let images = docker
            .query(&[
                "image",
                "ls",
                "-a",
                "--no-trunc",
                "--format",
                "{{.ID}} {{.Repository}}:{{.Tag}}",
            ])?
            .lines()
            .map(str::to_string)
            .collect();
        let cache = if docker.buildx {
            Some(cache_ids(&docker.query(&["buildx", "du", "--verbose"])?))
        } else {
            None
        };
        Ok(Held { images, cache })
    }

    /// What `self` held that `after` lacks, as lines.
    pub fn lost(&self, after: &Held) -> Vec<String> {
        let mut out: Vec<String> = self
            .images
            .difference(&after.images)
            .map(|i| format!("image {i}"))
            .collect();
        if let (Some(before), Some(now)) = (&self.cache, &after.cache) {
            out.extend(before.difference(now).map(|c| format!("cache record {c}")));
        }
        out
    }
}

/// The `ID:` lines of `docker buildx du --verbose`.
fn cache_ids(du: &str) -> BTreeSet<String> {
    du.lines()
        .filter_map(|l| l.strip_prefix("ID:"))
        .map(|id| id.trim().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cache_record_ids() {
        let du =
            "ID:           87ul5rdcma7x4pgguw03bz2ir\nParents:\n - 29n1\nSize: 0B\n\nID:   elhk\n";
        let ids = cache_ids(du);
        assert_eq!(ids.len(), 2);
        assert!(ids.contains("elhk"));
    }
}
