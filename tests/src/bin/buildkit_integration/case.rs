//! `case.json` of `../shared/conformance/buildkit-integration/<case>/`, typed. Unknown keys are
//! rejected so a field the runner does not honour cannot pass silently.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;
use serde_json::Value;

use mstage_tests::engine::expect::Expect;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    #[allow(dead_code)] // provenance only
    pub source: Value,
    pub dockerfile_name: String,
    pub dockerfile_in_context: bool,
    #[serde(default)]
    pub build_args: BTreeMap<String, String>,
    pub target: Option<String>,
    #[serde(default)]
    pub secrets: BTreeMap<String, String>,
    pub platform: Option<String>,
    #[serde(default)]
    pub frontend_attrs: BTreeMap<String, String>,
    #[serde(default)]
    pub prebuild: Vec<Prebuild>,
    #[serde(default)]
    pub context_modes: BTreeMap<String, String>,
    #[serde(default)]
    pub context_sockets: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)] // documentation for humans
    pub notes: Option<String>,
    #[serde(default)]
    #[allow(dead_code)] // recorded substitution of alpine by busybox; informational
    pub base_substitutions: Option<Value>,
    pub expect: Expect,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prebuild {
    pub dir: String,
    pub image_name: String,
}

/// One case folder.
#[derive(Debug)]
pub struct Case {
    pub name: String,
    pub dir: PathBuf,
    pub spec: CaseFile,
}

impl Case {
    pub fn load(dir: &Path) -> anyhow::Result<Case> {
        let path = dir.join("case.json");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let spec: CaseFile =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Case {
            name,
            dir: dir.to_path_buf(),
            spec,
        })
    }
}

/// Every case folder (a directory holding `case.json`), sorted by name.
pub fn discover(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(root).with_context(|| format!("listing {}", root.display()))? {
        let path = entry?.path();
        if path.join("case.json").is_file() {
            dirs.push(path);
        }
    }
    dirs.sort();
    Ok(dirs)
}
