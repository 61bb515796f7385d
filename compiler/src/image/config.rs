//! The image config a Dockerfile build produces: the OCI image config with Docker's
//! extensions (`moby/docker-image-spec`), with the JSON field names, order and omitted
//! empty fields of the stock frontend's output.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::platform::{Platform, DEFAULT_PATH_ENV};

/// The comment BuildKit puts on every history entry a Dockerfile instruction adds.
pub const HISTORY_COMMENT: &str = "buildkit.dockerfile.v0";

/// A set of names (`ExposedPorts`, `Volumes`): a JSON object whose values are `{}`.
pub type NameSet = BTreeMap<String, Empty>;

/// The `{}` value of [`NameSet`] entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Empty {}

/// `config.Healthcheck`. Durations are nanoseconds, zero means "not set".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HealthConfig {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test: Vec<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub interval: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub timeout: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub start_period: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub start_interval: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retries: i64,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

fn is_false(v: &bool) -> bool {
    !*v
}

fn str_is_empty<S: AsRef<str>>(s: &S) -> bool {
    s.as_ref().is_empty()
}

/// The runtime part of the image config (`config` in the JSON).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RunConfig {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposed_ports: Option<NameSet>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_vec"
    )]
    pub env: Vec<String>,
    /// `None` = not set; `Some([])` is kept apart only while building (JSON omits both).
    #[serde(default, skip_serializing_if = "opt_vec_empty")]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "opt_vec_empty")]
    pub cmd: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volumes: Option<NameSet>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub working_dir: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stop_signal: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub args_escaped: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<HealthConfig>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_vec"
    )]
    pub on_build: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_vec"
    )]
    pub shell: Vec<String>,
}

fn opt_vec_empty(v: &Option<Vec<String>>) -> bool {
    v.as_ref().is_none_or(|v| v.is_empty())
}

/// Go's JSON decoder turns `null` into an empty slice; serde would refuse it.
fn null_vec<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

/// `rootfs`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RootFs {
    #[serde(rename = "type", default)]
    pub fs_type: String,
    /// Go writes a nil list as `null`; kept as `None` so the JSON matches.
    #[serde(default)]
    pub diff_ids: Option<Vec<String>>,
}

/// One `history` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct History {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub created_by: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub author: String,
    /// Borrowed for the entries this frontend writes (all say [`HISTORY_COMMENT`]).
    #[serde(default, skip_serializing_if = "str_is_empty")]
    pub comment: std::borrow::Cow<'static, str>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub empty_layer: bool,
}

/// A whole image config, as BuildKit's `DockerOCIImage`. Unknown fields of a base image's
/// config are dropped, as the stock frontend drops them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImageConfig {
    /// RFC 3339 time; the frontend clears the base image's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub author: String,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub os_version: String,
    #[serde(
        rename = "os.features",
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_vec"
    )]
    pub os_features: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub variant: String,
    #[serde(default)]
    pub rootfs: RootFs,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_history"
    )]
    pub history: Vec<History>,
    #[serde(default)]
    pub config: RunConfig,
}

fn null_history<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<History>, D::Error> {
    Ok(Option::<Vec<History>>::deserialize(d)?.unwrap_or_default())
}

impl ImageConfig {
    /// The config of `scratch` for `platform` (BuildKit's `emptyImage`): rootfs type
    /// `layers`, working dir `/`, and the default `PATH` except on Windows.
    pub fn empty(platform: &Platform) -> Self {
        let mut img = ImageConfig {
            architecture: platform.architecture.clone(),
            os: platform.os.clone(),
            os_version: platform.os_version.clone(),
            os_features: platform.os_features.clone(),
            variant: platform.variant.clone(),
            ..Default::default()
        };
        img.rootfs.fs_type = "layers".into();
        img.config.working_dir = "/".into();
        if platform.os != "windows" {
            img.config.env = vec![["PATH=", DEFAULT_PATH_ENV].concat()];
        }
        img
    }

    /// Parses a config as a registry or BuildKit returns it.
    pub fn from_json(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The JSON the frontend returns as `containerimage.config`.
    pub fn to_json(&self) -> Vec<u8> {
        // Serialising these plain types cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The platform this config declares.
    pub fn platform(&self) -> Platform {
        Platform {
            architecture: self.architecture.clone(),
            os: self.os.clone(),
            os_version: self.os_version.clone(),
            os_features: self.os_features.clone(),
            variant: self.variant.clone(),
        }
    }

    /// Sets the platform fields.
    pub fn set_platform(&mut self, p: &Platform) {
        self.architecture = p.architecture.clone();
        self.os = p.os.clone();
        self.os_version = p.os_version.clone();
        self.os_features = p.os_features.clone();
        self.variant = p.variant.clone();
    }

    /// Whether this image has no filesystem layers (then FROM it is FROM scratch).
    pub fn is_layerless(&self) -> bool {
        self.rootfs.diff_ids.as_ref().is_none_or(|d| d.is_empty())
            && self.history.iter().all(|h| h.empty_layer)
    }

    /// Sets `key=value` in `config.Env`, replacing an existing key in place (BuildKit's
    /// `addEnv`; keys compare case-sensitively except on Windows, which we do not target).
    pub fn add_env(&mut self, key: &str, value: &str) {
        let entry = [key, "=", value].concat();
        for e in self.config.env.iter_mut() {
            let k = e.split_once('=').map_or(e.as_str(), |(k, _)| k);
            if k == key {
                *e = entry;
                return;
            }
        }
        self.config.env.push(entry);
    }

    /// Looks up `key` in `config.Env`.
    pub fn env(&self, key: &str) -> Option<&str> {
        self.config.env.iter().find_map(|e| {
            let (k, v) = e.split_once('=').unwrap_or((e.as_str(), ""));
            (k == key).then_some(v)
        })
    }

    /// Appends a history entry the way BuildKit's `commitToHistory` does.
    pub fn commit(&mut self, created_by: String, with_layer: bool, created: Option<String>) {
        self.history.push(History {
            created,
            created_by,
            author: String::new(),
            comment: std::borrow::Cow::Borrowed(HISTORY_COMMENT),
            empty_layer: !with_layer,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_image_json_matches_buildkit_shape() {
        let img = ImageConfig::empty(&Platform::new("linux", "amd64", ""));
        let s = String::from_utf8(img.to_json()).unwrap();
        assert_eq!(
            s,
            r#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":null},"config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"WorkingDir":"/"}}"#
        );
    }

    #[test]
    fn parses_registry_config_with_nulls_and_extra_fields() {
        let j = br#"{"architecture":"amd64","os":"linux","config":{"Env":null,"Cmd":["sh"],"Labels":null,"Hostname":"x"},"rootfs":{"type":"layers","diff_ids":["sha256:aa"]},"docker_version":"1"}"#;
        let img = ImageConfig::from_json(j).unwrap();
        assert_eq!(img.config.cmd, Some(vec!["sh".to_string()]));
        assert!(!img.is_layerless());
        assert!(img.config.env.is_empty());
    }

    #[test]
    fn add_env_replaces_in_place() {
        let mut img = ImageConfig::default();
        img.add_env("A", "1");
        img.add_env("B", "2");
        img.add_env("A", "3");
        assert_eq!(img.config.env, vec!["A=3", "B=2"]);
    }
}
