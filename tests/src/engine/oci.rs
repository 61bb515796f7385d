//! Reads an OCI image layout exported by BuildKit (`-o type=oci,dest=X.tar`) far enough to
//! compare two builds: which platforms the index lists, and each platform's config and layers.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context};
use serde_json::Value;

use super::compare;

/// One platform's image of an exported index.
#[derive(Debug)]
pub struct PlatformImage {
    /// `linux/arm64` (with `/variant` where the descriptor has one)
    pub platform: String,
    pub manifest_digest: String,
    pub config: Value,
    /// Layer blob digests in order.
    pub layers: Vec<String>,
}

#[derive(Debug)]
pub struct Layout {
    /// The digest of the image index (or single manifest) `index.json` points to.
    pub root_digest: String,
    pub images: Vec<PlatformImage>,
}

impl Layout {
    pub fn from_tar_file(path: &Path) -> anyhow::Result<Layout> {
        let file =
            std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
        let mut blobs: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for entry in tar::Archive::new(file).entries()? {
            let mut entry = entry?;
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            // Manifests, indexes and configs are small; layers are not needed.
            if name == "index.json" || (name.starts_with("blobs/") && entry.size() < 1 << 20) {
                let mut data = Vec::new();
                entry.read_to_end(&mut data)?;
                blobs.insert(name, data);
            }
        }
        let json = |name: &str| -> anyhow::Result<Value> {
            let data = blobs
                .get(name)
                .with_context(|| format!("the layout lacks {name}"))?;
            Ok(serde_json::from_slice(data)?)
        };
        let blob = |digest: &str| json(&format!("blobs/{}", digest.replacen(':', "/", 1)));
        let top = json("index.json")?;
        let root = &top["manifests"][0];
        let root_digest = root["digest"]
            .as_str()
            .context("index.json without a manifest")?;
        let root_doc = blob(root_digest)?;
        // A multi-platform build gives an index of manifests; one platform, a manifest.
        let descriptors: Vec<Value> = match root_doc["manifests"].as_array() {
            Some(list) => list.clone(),
            None => vec![root.clone()],
        };
        let mut images = Vec::new();
        for d in descriptors {
            let digest = d["digest"].as_str().context("descriptor without digest")?;
            let manifest = blob(digest)?;
            let config = blob(
                manifest["config"]["digest"]
                    .as_str()
                    .context("manifest without config")?,
            )?;
            let p = if d["platform"].is_object() {
                &d["platform"]
            } else {
                &config
            };
            let mut platform = format!("{}/{}", str_of(&p["os"]), str_of(&p["architecture"]));
            if let Some(v) = p["variant"].as_str() {
                platform = format!("{platform}/{v}");
            }
            let layers = manifest["layers"]
                .as_array()
                .map(|l| l.iter().map(|x| str_of(&x["digest"]).to_string()).collect())
                .unwrap_or_default();
            images.push(PlatformImage {
                platform,
                manifest_digest: digest.to_string(),
                config,
                layers,
            });
        }
        if images.is_empty() {
            bail!("the layout's index lists no images");
        }
        Ok(Layout {
            root_digest: root_digest.to_string(),
            images,
        })
    }
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// Differences between two exported layouts: the platforms listed, and per platform the
/// config (as `compare::configs`) and the layer blobs, phrased as `a vs b`.
pub fn layouts(a: &Layout, b: &Layout) -> Vec<String> {
    let platforms = |l: &Layout| {
        l.images
            .iter()
            .map(|i| i.platform.clone())
            .collect::<Vec<_>>()
    };
    if platforms(a) != platforms(b) {
        return vec![format!(
            "index platforms {:?} vs {:?}",
            platforms(a),
            platforms(b)
        )];
    }
    let mut out = Vec::new();
    for (x, y) in a.images.iter().zip(&b.images) {
        for d in compare::configs(&x.config, &y.config) {
            out.push(format!("{}: {d}", x.platform));
        }
        if x.layers != y.layers {
            out.push(format!(
                "{}: layers {:?} vs {:?}",
                x.platform, x.layers, y.layers
            ));
        }
    }
    out
}
