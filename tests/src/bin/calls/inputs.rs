//! What gets asked: every e2e case, every example and the real-world corpus, each Dockerfile
//! written with its syntax directive blanked, and for the real-world inputs the base image
//! the engine does not have.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use regex::Regex;
use serde_json::Value;

use mstage_tests::engine::docker::Docker;

/// Where an input comes from; the report counts identical calls by it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    E2e,
    Example,
    RealWorld,
}

impl Kind {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Kind::E2e => "e2e cases",
            Kind::Example => "examples",
            Kind::RealWorld => "real-world",
        }
    }
}

/// One Dockerfile to ask about.
pub(crate) struct Input {
    pub(crate) name: String,
    pub(crate) kind: Kind,
    /// The build context: the case's own folder, read in place.
    pub(crate) context: PathBuf,
    /// The Dockerfile as both frontends get it (syntax directive blanked).
    pub(crate) dockerfile: PathBuf,
    pub(crate) build_args: BTreeMap<String, String>,
    pub(crate) target: Option<String>,
    pub(crate) platform: Option<String>,
    /// A base image written without variables that is not in the engine's image store
    /// (real-world inputs only).
    pub(crate) missing_base: Option<String>,
}

/// Build args, target and platform of an input.
type Options = (BTreeMap<String, String>, Option<String>, Option<String>);

/// `case.json` fields that change an answer (build args, target, platform).
fn case_options(dir: &Path) -> anyhow::Result<Options> {
    let Ok(text) = std::fs::read_to_string(dir.join("case.json")) else {
        return Ok((BTreeMap::new(), None, None));
    };
    let v: Value = serde_json::from_str(&text).context("parsing case.json")?;
    let args = v["build_args"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    let s = |k: &str| v[k].as_str().map(str::to_string);
    Ok((args, s("target"), s("platform")))
}

fn sorted_dirs(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// Gathers the inputs that `--only` lets through, each Dockerfile written (syntax directive
/// blanked) to a folder of its own under `work`.
struct Collector<'a> {
    only: Vec<Regex>,
    work: &'a Path,
    list: Vec<Input>,
}

impl Collector<'_> {
    fn add(
        &mut self,
        name: String,
        kind: Kind,
        context: &Path,
        file: &Path,
        opts: Options,
    ) -> anyhow::Result<()> {
        if !self.only.is_empty() && !self.only.iter().any(|r| r.is_match(&name)) {
            return Ok(());
        }
        let text =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let dir = self.work.join(name.replace('/', "__"));
        std::fs::create_dir_all(&dir)?;
        let dockerfile = dir.join(file.file_name().context("file name")?);
        std::fs::write(&dockerfile, blank_syntax(&text))?;
        self.list.push(Input {
            name,
            kind,
            context: context.to_path_buf(),
            dockerfile,
            build_args: opts.0,
            target: opts.1,
            platform: opts.2,
            missing_base: None,
        });
        Ok(())
    }

    /// `tests/e2e/cases/*`, with each case.json's build args, target and platform.
    fn e2e_cases(&mut self, cases: &Path) -> anyhow::Result<()> {
        for dir in sorted_dirs(cases)? {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let opts = case_options(&dir)?;
            self.add(
                format!("e2e/{name}"),
                Kind::E2e,
                &dir,
                &dir.join("Dockerfile"),
                opts,
            )?;
        }
        Ok(())
    }

    /// `examples/*/Dockerfile` and `examples/*/Dockerfile.single`.
    fn examples(&mut self, examples: &Path) -> anyhow::Result<()> {
        for dir in sorted_dirs(examples)? {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            for f in ["Dockerfile", "Dockerfile.single"] {
                if dir.join(f).exists() {
                    let opts = (BTreeMap::new(), None, None);
                    self.add(
                        format!("example/{name}/{f}"),
                        Kind::Example,
                        &dir,
                        &dir.join(f),
                        opts,
                    )?;
                }
            }
        }
        Ok(())
    }

    /// `<corpus>/*/Dockerfile`; folders without one are skipped.
    fn real_world(&mut self, corpus: &Path) -> anyhow::Result<()> {
        for dir in sorted_dirs(corpus)? {
            let file = dir.join("Dockerfile");
            if !file.exists() {
                continue;
            }
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let opts = (BTreeMap::new(), None, None);
            self.add(
                format!("real-world/{name}"),
                Kind::RealWorld,
                &dir,
                &file,
                opts,
            )?;
        }
        Ok(())
    }
}

/// Every input matching one of the `only` regexes (all when there are none), in a fixed
/// order: e2e cases, examples, then the real-world corpus (`real_world`: its folder, `none`,
/// or by default `../shared/conformance/real-world` from the repo).
pub(crate) fn inputs(
    only: &[String],
    real_world: Option<&str>,
    work: &Path,
) -> anyhow::Result<Vec<Input>> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let only: Vec<Regex> = only
        .iter()
        .map(|r| Regex::new(r))
        .collect::<Result<_, _>>()?;
    let mut collector = Collector {
        only,
        work,
        list: Vec::new(),
    };
    collector.e2e_cases(&repo.join("tests/e2e/cases"))?;
    collector.examples(&repo.join("examples"))?;
    let real_world = match real_world {
        Some("none") => None,
        Some(d) => Some(PathBuf::from(d)),
        None => Some(repo.join("../shared/conformance/real-world")),
    };
    if let Some(rw) = real_world {
        collector.real_world(&rw)?;
    }
    Ok(collector.list)
}

/// Notes each real-world input's first base image that the engine does not have: outline
/// and check resolve the bases, and nothing can be pulled here.
pub(crate) fn mark_missing_bases(inputs: &mut [Input], docker: &Docker) -> anyhow::Result<()> {
    let local = local_images(docker)?;
    for i in inputs.iter_mut().filter(|i| i.kind == Kind::RealWorld) {
        let text = std::fs::read_to_string(&i.dockerfile)?;
        i.missing_base = missing_base(&text, &local);
    }
    Ok(())
}
/// `name:tag` of every image in the engine's store.
fn local_images(docker: &Docker) -> anyhow::Result<std::collections::BTreeSet<String>> {
    let out = std::process::Command::new(&docker.bin)
        .args(["images", "--format", "{{.Repository}}:{{.Tag}}"])
        .output()
        .context("docker images")?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect())
}

/// The first base image written without variables (not `scratch`, not an earlier stage)
/// that is not in `local`, by a plain reading of the `FROM` lines.
fn missing_base(dockerfile: &str, local: &std::collections::BTreeSet<String>) -> Option<String> {
    let re = Regex::new(r"(?i)^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?").unwrap();
    let mut stages: Vec<String> = Vec::new();
    for line in dockerfile.lines() {
        let Some(c) = re.captures(line) else { continue };
        let base = c[1].to_string();
        if let Some(name) = c.get(2) {
            stages.push(name.as_str().to_lowercase());
        }
        if base.contains('$')
            || base.eq_ignore_ascii_case("scratch")
            || stages.contains(&base.to_lowercase())
        {
            continue;
        }
        let short = base
            .trim_start_matches("docker.io/library/")
            .trim_start_matches("docker.io/")
            .to_string();
        let last = short.rsplit('/').next().unwrap_or(&short);
        let tagged = if short.contains('@') || last.contains(':') {
            short.clone()
        } else {
            format!("{short}:latest")
        };
        if !local.contains(&tagged) {
            return Some(base);
        }
    }
    None
}

/// The Dockerfile with any `# syntax=` directive blanked to `#` (same line count, so the
/// same locations): the stock run must not fetch a frontend image, and both runs must get
/// the same bytes (`sources` holds them).
fn blank_syntax(text: &str) -> String {
    let re = Regex::new(r"(?i)^#\s*syntax\s*=").unwrap();
    let mut out = String::with_capacity(text.len());
    let mut in_directives = true;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if in_directives && re.is_match(body) {
            out.push('#');
            out.push_str(&line[body.len()..]);
            continue;
        }
        if !body.starts_with('#') {
            in_directives = false;
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_directives_are_blanked_in_place() {
        assert_eq!(
            blank_syntax("# syntax=mstage:dev\nFROM a\n# syntax=x\n"),
            "#\nFROM a\n# syntax=x\n"
        );
        assert_eq!(
            blank_syntax("# escape=`\n# Syntax = docker/dockerfile:1\r\nFROM a\n"),
            "# escape=`\n#\r\nFROM a\n"
        );
    }

    #[test]
    fn bases_not_in_the_store_are_found() {
        let local: std::collections::BTreeSet<String> = ["busybox:latest".to_string()].into();
        let df = "FROM busybox AS a\nFROM a\nFROM scratch\nFROM ${X}\nFROM --platform=$P docker.io/library/node:20 AS n\n";
        assert_eq!(
            missing_base(df, &local).as_deref(),
            Some("docker.io/library/node:20")
        );
        assert_eq!(missing_base("FROM busybox\n", &local), None);
    }
}
