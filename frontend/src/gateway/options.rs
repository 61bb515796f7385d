//! Frontend options as buildkitd passes them: one `BUILDKIT_FRONTEND_OPT_<i>=<key>=<value>`
//! environment variable per option (in no stable order), plus `BUILDKIT_SESSION_ID` and
//! `BUILDKIT_WORKERS` (JSON worker records; the first platform is the build platform).

use std::collections::BTreeMap;

use serde::Deserialize;

use mstage_compiler::image::Platform;

/// Everything the environment tells the frontend.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontendOptions {
    /// `key -> value` of every frontend opt.
    pub opts: BTreeMap<String, String>,
    pub session_id: Option<String>,
    /// Platforms of the workers, first worker first.
    pub worker_platforms: Vec<Platform>,
}

#[derive(Deserialize)]
struct WorkerJson {
    #[serde(rename = "Platforms", default)]
    platforms: Vec<Platform>,
}

impl FrontendOptions {
    pub fn from_env() -> Self {
        Self::from_vars(std::env::vars())
    }

    /// Parses the given environment (for tests).
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut out = FrontendOptions::default();
        for (k, v) in vars {
            if k.starts_with("BUILDKIT_FRONTEND_OPT_") {
                let (key, value) = v.split_once('=').unwrap_or((v.as_str(), ""));
                out.opts.insert(key.to_string(), value.to_string());
            } else if k == "BUILDKIT_SESSION_ID" && !v.is_empty() {
                out.session_id = Some(v);
            } else if k == "BUILDKIT_WORKERS" {
                if let Ok(workers) = serde_json::from_str::<Vec<WorkerJson>>(&v) {
                    out.worker_platforms = workers.into_iter().flat_map(|w| w.platforms).collect();
                }
            }
        }
        out
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.opts.get(key).map(String::as_str)
    }

    /// Options with a prefix (`build-arg:`, `label:`, `context:`), prefix removed.
    pub fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.opts
            .iter()
            .filter_map(move |(k, v)| k.strip_prefix(prefix).map(|k| (k, v.as_str())))
    }

    /// A boolean opt (`true`/`1`; an empty value counts as true, as BuildKit's ParseBool
    /// callers treat a bare flag).
    pub fn flag(&self, key: &str) -> Option<bool> {
        self.get(key)
            .map(|v| matches!(v.to_ascii_lowercase().as_str(), "" | "1" | "true"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_split_on_first_equals_and_workers_give_platforms() {
        let o = FrontendOptions::from_vars([
            ("BUILDKIT_FRONTEND_OPT_0".into(), "build-arg:A=b=c".into()),
            ("BUILDKIT_FRONTEND_OPT_1".into(), "filename=Dockerfile".into()),
            ("BUILDKIT_SESSION_ID".into(), "sid".into()),
            (
                "BUILDKIT_WORKERS".into(),
                r#"[{"ID":"x","Labels":{},"Platforms":[{"architecture":"arm64","os":"linux","variant":"v8"}]}]"#
                    .into(),
            ),
            ("HOME".into(), "/".into()),
        ]);
        assert_eq!(
            o.with_prefix("build-arg:").collect::<Vec<_>>(),
            [("A", "b=c")]
        );
        assert_eq!(o.get("filename"), Some("Dockerfile"));
        assert_eq!(o.session_id.as_deref(), Some("sid"));
        assert_eq!(o.worker_platforms[0].architecture, "arm64");
        assert_eq!(o.worker_platforms[0].variant, "v8");
    }
}
