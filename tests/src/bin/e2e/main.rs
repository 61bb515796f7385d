//! End-to-end tests: every `tests/e2e/cases/<name>/Dockerfile` (first line
//! `# syntax=mstage:dev`) is built through mstage on the Docker engine's BuildKit and, unless
//! the case says otherwise, also by the engine's built-in frontend; the two images must have
//! identical file trees and configs. See tests/e2e/README.md for the case format.
//!
//!   e2e [--frontend mstage:dev|stock] [--only REGEX]...

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Parser;
use serde::Deserialize;
use serde_json::Value;

use mstage_tests::engine::docker::{BuildSpec, Docker, Frontend, Outcome, Output};
use mstage_tests::engine::expect::Expect;
use mstage_tests::engine::tree::{Kind, Tree};
use mstage_tests::engine::{check, compare, prepare};

const SYNTAX_LINE: &str = "# syntax=mstage:dev";

#[derive(Parser, Debug)]
#[command(about = "Builds the e2e cases through mstage and compares them with the stock frontend")]
struct Args {
    /// The frontend under test: an image (`mstage:dev`), or `stock` to check the harness itself.
    #[arg(long, default_value = "mstage:dev")]
    frontend: String,
    /// The cases' parent folder [default: tests/e2e/cases].
    #[arg(long)]
    cases: Option<PathBuf>,
    /// Only cases whose name matches this regex (repeatable).
    #[arg(long = "only")]
    only: Vec<String>,
    /// Docker client [default: $DOCKER or /usr/bin/docker].
    #[arg(long)]
    docker: Option<PathBuf>,
    /// Per build timeout in seconds.
    #[arg(long, default_value_t = 120)]
    timeout: u64,
    #[arg(long, default_value = "/tmp/mstage-e2e-cases")]
    work: PathBuf,
    /// Print the log of every failing build.
    #[arg(long)]
    verbose: bool,
}

/// `case.json` (optional; every field has a default).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct CaseSpec {
    /// What the case shows, for people reading the output.
    #[allow(dead_code)]
    description: Option<String>,
    build_args: BTreeMap<String, String>,
    target: Option<String>,
    /// secret id -> value, passed with `--secret`
    secrets: BTreeMap<String, String>,
    platform: Option<String>,
    /// Build with the stock frontend too and require identical images (default true; set
    /// false for features the engine's built-in frontend lacks, e.g. heredocs on 20.10).
    compare_stock: Option<bool>,
    /// Checks on the mstage build, in the BuildKit integration cases' `expect` format.
    expect: Expect,
    /// An uncached build (`--no-cache`) must take at most this long.
    max_seconds: Option<f64>,
    /// A second identical build must be fully cached.
    rebuild_cached: bool,
    /// Strings (secret values) that must appear nowhere in the image: files, config, history.
    not_in_image: Vec<String>,
}

struct Harness {
    docker: Docker,
    frontend: Frontend,
    work: PathBuf,
    verbose: bool,
}

/// One build of a case: its file tree and image config.
struct Built {
    tree: Tree,
    config: Value,
}

impl Harness {
    fn run(&self, name: &str, dir: &Path) -> anyhow::Result<Vec<String>> {
        let spec: CaseSpec = match std::fs::read_to_string(dir.join("case.json")) {
            Ok(text) => serde_json::from_str(&text).context("parsing case.json")?,
            Err(_) => CaseSpec::default(),
        };
        let dockerfile =
            std::fs::read_to_string(dir.join("Dockerfile")).context("reading Dockerfile")?;
        let Some(rest) = dockerfile.strip_prefix(SYNTAX_LINE) else {
            bail!("the Dockerfile's first line must be `{SYNTAX_LINE}`");
        };

        std::fs::create_dir_all(&self.work)?;
        let scratch = tempfile::Builder::new()
            .prefix(&format!("{name}."))
            .tempdir_in(&self.work)?;
        let context = scratch.path().join("context");
        prepare::copy_tree(dir, &context)?;
        let _ = std::fs::remove_file(context.join("case.json"));
        // The syntax line is swapped per frontend; same line count, so error lines agree.
        let write_dockerfile = |frontend: &Frontend| -> anyhow::Result<PathBuf> {
            let (sub, first) = match frontend {
                Frontend::Stock => ("stock", "#".to_string()),
                Frontend::Image(image) => ("frontend", format!("# syntax={image}")),
            };
            let d = scratch.path().join(sub);
            std::fs::create_dir_all(&d)?;
            std::fs::write(d.join("Dockerfile"), format!("{first}{rest}"))?;
            // A Dockerfile-specific ignore file is read from beside the Dockerfile.
            let own_ignore = dir.join("Dockerfile.dockerignore");
            if own_ignore.exists() {
                std::fs::copy(&own_ignore, d.join("Dockerfile.dockerignore"))?;
            }
            Ok(d.join("Dockerfile"))
        };
        let mut secrets = Vec::new();
        for (id, value) in &spec.secrets {
            let path = scratch.path().join(format!("secret-{id}"));
            std::fs::write(&path, value)?;
            secrets.push((id.clone(), path));
        }
        let base = BuildSpec {
            context: context.clone(),
            dockerfile: Some(write_dockerfile(&self.frontend)?),
            build_args: spec.build_args.clone(),
            target: spec.target.clone(),
            platform: spec.platform.clone(),
            secrets,
            labels: BTreeMap::new(),
            no_cache: false,
            shm_size: None,
            ulimits: Vec::new(),
            output: Output::Tar(scratch.path().join("frontend.tar")),
        };
        // No syntax override: with BUILDKIT_SYNTAX unset the `# syntax=` line picks the frontend.
        let none = Frontend::Stock;
        let mut reasons = Vec::new();

        if spec.expect.expects_error() {
            let out = self.docker.build(&base, &none)?;
            if out.success {
                reasons.push("build succeeded, expected an error".into());
            } else {
                reasons.extend(check::error(&spec.expect, &out.error_text()));
            }
            if !reasons.is_empty() {
                self.dump(name, &out);
            }
            return Ok(reasons);
        }

        let tag = |who: &str| format!("mstage-e2e/{}:{who}", name.to_lowercase());
        let mut tags = Vec::new();
        let result = (|| -> anyhow::Result<Vec<String>> {
            let mut reasons = Vec::new();
            let timed = BuildSpec {
                no_cache: spec.max_seconds.is_some(),
                ..base.clone()
            };
            let (built, elapsed) = match self.build(&timed, &none, &tag("frontend"), &mut tags)? {
                Ok(b) => b,
                Err(r) => return Ok(vec![r]),
            };
            if let Some(max) = spec.max_seconds {
                if elapsed > Duration::from_secs_f64(max) {
                    reasons.push(format!("uncached build took {elapsed:.1?}, limit {max} s"));
                }
            }
            if spec.rebuild_cached {
                let again = self.docker.build(
                    &BuildSpec {
                        output: Output::Image(tag("frontend")),
                        ..base.clone()
                    },
                    &none,
                )?;
                reasons.extend(fully_cached(&again));
            }
            reasons.extend(check::files(&spec.expect, &built.tree, &context));
            reasons.extend(check::image(&spec.expect, &built.config));
            for secret in &spec.not_in_image {
                reasons.extend(find_string(&built, secret));
            }
            if spec.compare_stock.unwrap_or(true) {
                let stock = BuildSpec {
                    dockerfile: Some(write_dockerfile(&Frontend::Stock)?),
                    output: Output::Tar(scratch.path().join("stock.tar")),
                    no_cache: false,
                    ..base.clone()
                };
                match self.build(&stock, &none, &tag("stock"), &mut tags)? {
                    Ok((s, _)) => {
                        let tree_diff = compare::trees(&s.tree, &built.tree);
                        let config_diff = compare::configs(&s.config, &built.config);
                        reasons.extend(
                            tree_diff
                                .into_iter()
                                .chain(config_diff)
                                .map(|d| format!("stock vs {}: {d}", self.frontend)),
                        );
                    }
                    Err(r) => reasons.push(format!("stock frontend: {r}")),
                }
            }
            Ok(reasons)
        })();
        for t in &tags {
            self.docker.remove_image(t);
        }
        result
    }

    /// Builds to a tar export and to an image (cached the second time); `Err` holds why the
    /// build failed.
    fn build(
        &self,
        spec: &BuildSpec,
        frontend: &Frontend,
        tag: &str,
        tags: &mut Vec<String>,
    ) -> anyhow::Result<Result<(Built, Duration), String>> {
        let Output::Tar(tar) = &spec.output else {
            bail!("build() needs a tar output");
        };
        let start = Instant::now();
        let out = self.docker.build(spec, frontend)?;
        let elapsed = start.elapsed();
        if !out.success {
            self.dump(tag, &out);
            return Ok(Err(format!(
                "build failed: {}",
                check::shorten(&out.error_text())
            )));
        }
        let tree = Tree::from_tar_file(tar)?;
        tags.push(tag.to_string());
        let out = self.docker.build(
            &BuildSpec {
                output: Output::Image(tag.to_string()),
                no_cache: false,
                ..spec.clone()
            },
            frontend,
        )?;
        if !out.success {
            self.dump(tag, &out);
            return Ok(Err(format!(
                "image build failed: {}",
                check::shorten(&out.error_text())
            )));
        }
        let config = self.docker.image_config(tag)?;
        Ok(Ok((Built { tree, config }, elapsed)))
    }

    fn dump(&self, what: &str, out: &Outcome) {
        if self.verbose {
            eprintln!(
                "----- {what} build log -----\n{}\n-----",
                out.log.trim_end()
            );
        }
    }
}

/// Every build step of the log (not the frontend's own bookkeeping) was served from cache.
fn fully_cached(out: &Outcome) -> Vec<String> {
    if !out.success {
        return vec![format!(
            "rebuild failed: {}",
            check::shorten(&out.error_text())
        )];
    }
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut cached = std::collections::BTreeSet::new();
    for line in out.log.lines() {
        let Some(rest) = line.strip_prefix('#') else {
            continue;
        };
        let Some((id, text)) = rest.split_once(' ') else {
            continue;
        };
        if text == "CACHED" {
            cached.insert(id.to_string());
        } else if !names.contains_key(id) && !text.starts_with("sha256:") {
            names.insert(id.to_string(), text.to_string());
        }
    }
    let steps: Vec<(&String, &String)> = names
        .iter()
        .filter(|(_, n)| {
            !(n.starts_with("[internal]")
                || n.starts_with("resolve image config")
                || n.starts_with("load metadata")
                || n.starts_with("docker-image://")
                || n.starts_with("exporting")
                || n.starts_with("naming")
                // An image source is never reported CACHED, only DONE; it runs nothing.
                || n.contains("] FROM "))
        })
        .collect();
    if steps.is_empty() {
        return vec!["rebuild log shows no build steps to check for caching".into()];
    }
    steps
        .into_iter()
        .filter(|(id, _)| !cached.contains(*id))
        .map(|(_, n)| format!("rebuild not cached: {n}"))
        .collect()
}

/// Where `needle` shows up in the image: file contents, config and history.
fn find_string(built: &Built, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (path, entry) in built.tree.entries() {
        if let Kind::File(data) = &entry.kind {
            if data
                .windows(needle.len().max(1))
                .any(|w| w == needle.as_bytes())
            {
                found.push(format!("/{path} contains the secret value"));
            }
        }
    }
    if built.config.to_string().contains(needle) {
        found.push("the image config or history contains the secret value".into());
    }
    found
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let cases = args
        .cases
        .clone()
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("e2e/cases"));
    let filters = args
        .only
        .iter()
        .map(|f| regex::Regex::new(f))
        .collect::<Result<Vec<_>, _>>()?;
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&cases)
        .with_context(|| format!("listing {}", cases.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Dockerfile").is_file())
        .collect();
    dirs.sort();
    let harness = Harness {
        docker: Docker::from_arg(args.docker.clone(), Duration::from_secs(args.timeout)),
        frontend: match args.frontend.as_str() {
            "stock" => Frontend::Stock,
            image => Frontend::Image(image.to_string()),
        },
        work: args.work.clone(),
        verbose: args.verbose,
    };
    let (mut passed, mut total, mut failures) = (0, 0, Vec::new());
    for dir in dirs {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if !filters.is_empty() && !filters.iter().any(|f| f.is_match(&name)) {
            continue;
        }
        total += 1;
        let start = Instant::now();
        let reasons = harness
            .run(&name, &dir)
            .unwrap_or_else(|e| vec![format!("harness error: {e:#}")]);
        if reasons.is_empty() {
            passed += 1;
            eprintln!("PASS {name} ({:.1}s)", start.elapsed().as_secs_f64());
        } else {
            eprintln!("FAIL {name} ({:.1}s)", start.elapsed().as_secs_f64());
            for r in &reasons {
                eprintln!("    {r}");
            }
            failures.push((name, reasons));
        }
    }
    println!(
        "e2e: {passed}/{total} passed (frontend {})",
        harness.frontend
    );
    for (name, reasons) in &failures {
        println!("  FAIL {name}: {}", reasons.join("; ").replace('\n', " | "));
    }
    if passed < total {
        std::process::exit(1);
    }
    Ok(())
}
