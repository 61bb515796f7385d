//! SecretsUsedInArgOrEnv: a build arg and an ENV named like credentials get the warning from
//! `mstage lint` (the CLI) and, on an engine with the `gateway.warnings` cap, from a build
//! through the frontend image, the same lines as the built-in frontend's.

use std::path::Path;
use std::process::Command;

use anyhow::Context;
use serde_json::Value;

use mstage_tests::engine::docker::{BuildSpec, Docker, Frontend, Output};
use mstage_tests::engine::progress::warning_lines;

pub const RULE: &str = "SecretsUsedInArgOrEnv";

/// After the first line (the frontend's); line 3 and 4 are the ones to warn about.
const BODY: &str =
    "FROM busybox:latest\nARG AWS_SECRET_ACCESS_KEY\nENV GITHUB_TOKEN=placeholder\nRUN true\n";

/// The warnings each path gave, as buildx prints them: `Rule: detail (line N)`, sorted.
pub struct Warnings {
    pub cli: Vec<String>,
    /// `None` where the engine has no build warnings (BuildKit v0.8).
    pub gateway: Option<Vec<String>>,
    pub stock: Option<Vec<String>>,
}

impl Warnings {
    /// The rule's warnings on the CLI path.
    pub fn cli_hits(&self) -> usize {
        hits(&self.cli)
    }

    /// Why the paths disagree, or miss a warning (empty: all good).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if hits(&self.cli) != 2 {
            out.push(format!(
                "mstage lint: want 2 {RULE} warnings, got {:?}",
                self.cli
            ));
        }
        if let (Some(gateway), Some(stock)) = (&self.gateway, &self.stock) {
            if hits(stock) != 2 {
                out.push(format!(
                    "built-in frontend: want 2 {RULE} warnings, got {stock:?}"
                ));
            }
            if gateway != stock {
                out.push(format!(
                    "gateway warnings {gateway:?}, built-in frontend {stock:?}"
                ));
            }
            if *gateway != self.cli {
                out.push(format!(
                    "gateway warnings {gateway:?}, mstage lint {:?}",
                    self.cli
                ));
            }
        }
        out
    }
}

fn hits(lines: &[String]) -> usize {
    lines
        .iter()
        .filter(|l| l.starts_with(&format!("{RULE}:")))
        .count()
}

/// Writes the Dockerfiles into `dir`, lints with `mstage`, builds through `frontend` and the
/// built-in frontend where the engine sends warnings.
pub fn check(
    docker: &Docker,
    mstage: &Path,
    frontend: &str,
    dir: &Path,
) -> anyhow::Result<Warnings> {
    std::fs::create_dir_all(dir)?;
    let mine = dir.join("Dockerfile.frontend");
    std::fs::write(&mine, format!("# syntax={frontend}\n{BODY}"))?;
    let stock = dir.join("Dockerfile.stock");
    std::fs::write(&stock, format!("# escape=\\\n{BODY}"))?;
    let cli = cli_warnings(mstage, &mine, dir)?;
    if !docker.buildx {
        return Ok(Warnings {
            cli,
            gateway: None,
            stock: None,
        });
    }
    let build = |file: &Path, tag: &str| -> anyhow::Result<Vec<String>> {
        let mut spec = BuildSpec::new(dir.to_path_buf(), Output::Image(tag.to_string()));
        spec.dockerfile = Some(file.to_path_buf());
        let out = docker.build(&spec, &Frontend::Stock)?;
        docker.remove_image(tag);
        anyhow::ensure!(out.success, "build failed: {}", out.error_text());
        Ok(warning_lines(&out.log))
    };
    let tag = format!("mstage-secrets/warnings-{}", std::process::id());
    Ok(Warnings {
        cli,
        gateway: Some(build(&mine, &format!("{tag}:frontend"))?),
        stock: Some(build(&stock, &format!("{tag}:stock"))?),
    })
}

/// `mstage lint --format json`, its warnings in buildx's words.
fn cli_warnings(mstage: &Path, dockerfile: &Path, context: &Path) -> anyhow::Result<Vec<String>> {
    let out = Command::new(mstage)
        .args(["lint", "--format", "json", "-f"])
        .arg(dockerfile)
        .arg(context)
        .output()
        .with_context(|| format!("running {} lint", mstage.display()))?;
    let report: Value = serde_json::from_slice(&out.stdout).with_context(|| {
        format!(
            "mstage lint printed no JSON: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    Ok(buildx_lines(&report))
}

/// `frontend.lint` JSON -> `Rule: detail (line N)`, sorted.
fn buildx_lines(report: &Value) -> Vec<String> {
    let mut lines: Vec<String> = report["warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|w| {
            let line = &w["location"]["ranges"][0]["start"]["line"];
            format!(
                "{}: {} (line {line})",
                w["ruleName"].as_str().unwrap_or_default(),
                w["detail"].as_str().unwrap_or_default()
            )
        })
        .collect();
    lines.sort();
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lint_json_reads_as_buildx_prints_it() {
        let report = json!({"warnings": [{"ruleName": RULE, "detail": "Do not use ARG (ARG \"X_TOKEN\")",
            "location": {"ranges": [{"start": {"line": 3}, "end": {"line": 3}}]}}]});
        assert_eq!(
            buildx_lines(&report),
            vec![format!("{RULE}: Do not use ARG (ARG \"X_TOKEN\") (line 3)")]
        );
    }
}
