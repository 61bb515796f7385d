//! What gets asked: every e2e case, every example and the real-world corpus, each Dockerfile
//! written without its syntax directive, and for the real-world inputs the base image
//! the engine does not have.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use regex::Regex;

use mstage_tests::engine::case::CaseSpec;
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
    /// The Dockerfile as both frontends get it (syntax directive removed).
    pub(crate) dockerfile: PathBuf,
    pub(crate) build_args: BTreeMap<String, String>,
    pub(crate) target: Option<String>,
    pub(crate) platform: Option<String>,
    /// A base image written without variables that is not in the engine's image store
    /// (real-world inputs only).
    pub(crate) missing_base: Option<String>,
    /// Why no call is asked about this input on this engine (from the case's `case.json`).
    pub(crate) excluded: Option<String>,
}

/// Build args, target and platform of an input, and why it is not asked at all, if so.
struct Options {
    build_args: BTreeMap<String, String>,
    target: Option<String>,
    platform: Option<String>,
    excluded: Option<String>,
}

impl Options {
    fn none() -> Options {
        Options {
            build_args: BTreeMap::new(),
            target: None,
            platform: None,
            excluded: None,
        }
    }
}

/// What an e2e case's `case.json` changes in the answers, on an engine of `engine_version`.
fn case_options(dir: &Path, engine_version: &str) -> anyhow::Result<Options> {
    let case = CaseSpec::read(dir)?;
    let excluded = if let Some(why) = case.skip_on(engine_version) {
        Some(why)
    } else if case.stock_predates(engine_version) {
        Some(format!(
            "the built-in frontend of docker {engine_version} predates its syntax (stock_lacks)"
        ))
    } else if !case.build_contexts.is_empty() || !case.prebuild.is_empty() {
        Some("needs its build contexts and prebuilt images".into())
    } else {
        mstage_extensions(&dir.join("Dockerfile"))
    };
    Ok(Options {
        build_args: case.build_args,
        target: case.target,
        platform: case.platform,
        excluded,
    })
}

/// Why a Dockerfile that uses mstage's extensions is not asked about: the built-in frontend
/// rejects them, so there is nothing to compare.
fn mstage_extensions(dockerfile: &Path) -> Option<String> {
    use mstage_syntax::instructions::{extension_uses, parse_dockerfile_in, Dialect};
    let bytes = std::fs::read(dockerfile).ok()?;
    let df = mstage_syntax::parser::parse(&bytes).ok()?;
    // INCLUDE is spliced before typing: unspliced, it is a node of its own.
    let mut names: Vec<&str> = df
        .instructions
        .iter()
        .filter(|n| n.keyword == "include")
        .map(|_| "INCLUDE")
        .take(1)
        .collect();
    if let Ok(parsed) = parse_dockerfile_in(&df, Dialect::Mstage) {
        names.extend(
            extension_uses(&parsed, df.escape)
                .iter()
                .map(|u| u.extension.syntax()),
        );
    }
    names.dedup();
    (!names.is_empty()).then(|| {
        format!(
            "uses mstage extensions ({}), which the built-in frontend rejects",
            names.join(", ")
        )
    })
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
/// removed) to a folder of its own under `work`.
struct Collector<'a> {
    only: Vec<Regex>,
    work: &'a Path,
    engine_version: &'a str,
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
        std::fs::write(&dockerfile, without_syntax(&text))?;
        self.list.push(Input {
            name,
            kind,
            context: context.to_path_buf(),
            dockerfile,
            build_args: opts.build_args,
            target: opts.target,
            platform: opts.platform,
            missing_base: None,
            excluded: opts.excluded,
        });
        Ok(())
    }

    /// `tests/e2e/cases/*`, with each case.json's build args, target and platform.
    fn e2e_cases(&mut self, cases: &Path) -> anyhow::Result<()> {
        for dir in sorted_dirs(cases)? {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let opts = case_options(&dir, self.engine_version)?;
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
                    let opts = Options::none();
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
            let opts = Options::none();
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
    engine_version: &str,
) -> anyhow::Result<Vec<Input>> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let only: Vec<Regex> = only
        .iter()
        .map(|r| Regex::new(r))
        .collect::<Result<_, _>>()?;
    let mut collector = Collector {
        only,
        work,
        engine_version,
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

/// The Dockerfile without its `# syntax=` directive: the stock run must not fetch a frontend
/// image, and both runs must get the same bytes (`sources` holds them). The line is removed,
/// not blanked: a bare `#` would end the directives, and a `# check=` after it would become
/// a per-instruction check comment (dockerfile 1.21), which Docker 28.5's built-in frontend
/// predates. Locations shift by one line, alike for both runs.
fn without_syntax(text: &str) -> String {
    let re = Regex::new(r"(?i)^#\s*syntax\s*=").unwrap();
    let mut out = String::with_capacity(text.len());
    let mut in_directives = true;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if in_directives && re.is_match(body) {
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
    fn syntax_directives_are_removed_and_the_others_kept() {
        assert_eq!(
            without_syntax("# syntax=mstage:dev\nFROM a\n# syntax=x\n"),
            "FROM a\n# syntax=x\n"
        );
        assert_eq!(
            without_syntax(
                "# escape=`\n# Syntax = docker/dockerfile:1\r\n# check=skip=all\nFROM a\n"
            ),
            "# escape=`\n# check=skip=all\nFROM a\n"
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
