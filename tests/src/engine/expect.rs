//! What a build must produce, in the form of the BuildKit integration cases' `expect`
//! (see ../shared/conformance/buildkit-integration/README.md). Unknown keys are rejected so
//! an expectation the runner does not check cannot pass silently.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn items(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FileType {
    Regular,
    Dir,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub error_contains: Option<OneOrMany>,
    pub error_regex: Option<String>,
    #[serde(default)]
    pub files: BTreeMap<String, Option<String>>,
    #[serde(default)]
    pub files_contain: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub files_not_contain: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub files_trimmed: BTreeMap<String, String>,
    #[serde(default)]
    pub files_from_context: BTreeMap<String, String>,
    #[serde(default)]
    pub absent: Vec<String>,
    #[serde(default)]
    pub file_types: BTreeMap<String, FileType>,
    #[serde(default)]
    pub owners: BTreeMap<String, String>,
    #[serde(default)]
    pub same_file: Vec<(String, String)>,
    #[serde(default)]
    pub config: BTreeMap<String, Value>,
    #[serde(default)]
    pub config_contains: BTreeMap<String, Vec<Value>>,
    #[serde(default)]
    pub config_env_keys: Vec<String>,
    #[serde(default)]
    pub config_nonempty: Vec<String>,
    pub image: Option<ImageExpect>,
}

impl Expect {
    pub fn expects_error(&self) -> bool {
        self.error_contains.is_some() || self.error_regex.is_some()
    }

    /// Checks that need the image config (an image build plus `docker save`).
    pub fn needs_image(&self) -> bool {
        !self.config.is_empty()
            || !self.config_contains.is_empty()
            || !self.config_env_keys.is_empty()
            || !self.config_nonempty.is_empty()
            || self.image.is_some()
    }

    /// Checks that need the final filesystem (a tar export).
    pub fn needs_files(&self) -> bool {
        !self.files.is_empty()
            || !self.files_contain.is_empty()
            || !self.files_not_contain.is_empty()
            || !self.files_trimmed.is_empty()
            || !self.files_from_context.is_empty()
            || !self.absent.is_empty()
            || !self.file_types.is_empty()
            || !self.owners.is_empty()
            || !self.same_file.is_empty()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageExpect {
    pub rootfs_type: Option<String>,
    pub rootfs_diff_ids_count: Option<usize>,
    pub os_nonempty: Option<bool>,
    pub architecture_nonempty: Option<bool>,
    #[serde(default)]
    pub history: Vec<HistoryExpect>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryExpect {
    pub created_by_contains: Option<String>,
    pub empty_layer: Option<bool>,
}
