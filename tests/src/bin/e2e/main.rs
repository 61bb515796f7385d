//! End-to-end tests: every `tests/e2e/cases/<name>/Dockerfile` (first line
//! `# syntax=mstage:dev`) is built through mstage on the Docker engine's BuildKit and, unless
//! the case says otherwise, also by the engine's built-in frontend; the two images must have
//! identical file trees and configs. See tests/e2e/README.md for the case format.
//!
//!   e2e [--frontend mstage:dev|stock] [--only REGEX]...
//!
//! It runs against the engine `DOCKER_HOST` names, with `docker buildx build` where the
//! client has buildx (scripts/e2e-env.sh sets both up for either engine).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Parser;
use serde_json::Value;

use mstage_tests::engine::docker::{BuildSpec, Docker, Frontend, Outcome, Output};
use mstage_tests::engine::oci::{self, Layout};
use mstage_tests::engine::tree::Tree;
use mstage_tests::engine::{check, compare};

mod case;
mod checks;

use case::{tag_kind, Prepared};
use mstage_tests::engine::case::{CaseSpec, RebuildDiffers};

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

/// How a case ended.
enum Verdict {
    /// Passed; `compared` when the stock frontend built it too and matched.
    Pass {
        compared: bool,
    },
    Fail(Vec<String>),
    /// Not run on this engine, and why.
    Skip(String),
}

struct Harness {
    docker: Docker,
    frontend: Frontend,
    work: PathBuf,
    verbose: bool,
    /// `28.5`: the engine's major.minor, for `stock_lacks`.
    engine_version: String,
}

/// One build of a case: its file tree and image config.
struct Built {
    tree: Tree,
    config: Value,
    log: String,
}

/// With BUILDKIT_SYNTAX unset, the Dockerfile's own `# syntax=` line picks the frontend.
const BY_SYNTAX_LINE: Frontend = Frontend::Stock;

impl Harness {
    fn run(&self, name: &str, dir: &Path) -> anyhow::Result<Verdict> {
        let case = CaseSpec::read(dir)?;
        if let Some(why) = case.skip_on(&self.engine_version) {
            return Ok(Verdict::Skip(why));
        }
        let prepared = Prepared::new(name, dir, &self.work)?;
        let mut tags = Vec::new();
        let result = self.run_prepared(name, &case, &prepared, &mut tags);
        for t in &tags {
            self.docker.remove_image(t);
        }
        let compared = case.compares_stock(&self.engine_version) && !case.expect.expects_error();
        Ok(match result? {
            reasons if reasons.is_empty() => Verdict::Pass { compared },
            reasons => Verdict::Fail(reasons),
        })
    }

    fn run_prepared(
        &self,
        name: &str,
        case: &CaseSpec,
        prepared: &Prepared,
        tags: &mut Vec<String>,
    ) -> anyhow::Result<Vec<String>> {
        let mine = prepared.spec(case, &self.frontend)?;
        for pre in &case.prebuild {
            let spec = BuildSpec {
                target: Some(pre.target.clone()),
                output: Output::Image(pre.tag.clone()),
                ..mine.clone()
            };
            let what = format!("prebuild of {}", pre.target);
            if let Err(r) = self.succeed(&spec, &pre.tag, &what)? {
                return Ok(vec![r]);
            }
            tags.push(pre.tag.clone());
        }
        if case.expect.expects_error() {
            return self.run_error(name, case, &mine);
        }
        let stock = if case.compares_stock(&self.engine_version) {
            Some(prepared.spec(case, &Frontend::Stock)?)
        } else {
            None
        };
        if case.oci {
            return self.run_oci(prepared, &mine, stock.as_ref());
        }
        self.run_image(name, case, prepared, &mine, stock.as_ref(), tags)
    }

    /// The build must fail with the error the case expects.
    fn run_error(
        &self,
        name: &str,
        case: &CaseSpec,
        spec: &BuildSpec,
    ) -> anyhow::Result<Vec<String>> {
        let out = self.docker.build(spec, &BY_SYNTAX_LINE)?;
        let reasons = if out.success {
            vec!["build succeeded, expected an error".into()]
        } else {
            check::error(&case.expect, &out.error_text())
        };
        if !reasons.is_empty() {
            self.dump(name, &out);
        }
        Ok(reasons)
    }

    /// Both builds exported as OCI layouts: the same platforms, configs and layers.
    fn run_oci(
        &self,
        prepared: &Prepared,
        mine: &BuildSpec,
        stock: Option<&BuildSpec>,
    ) -> anyhow::Result<Vec<String>> {
        let export = |spec: &BuildSpec, who: &str| -> anyhow::Result<Result<Layout, String>> {
            let dest = prepared.path(&format!("{who}-oci.tar"));
            let spec = BuildSpec {
                output: Output::Oci(dest.clone()),
                ..spec.clone()
            };
            if let Err(r) = self.succeed(&spec, who, &format!("{who} build failed"))? {
                return Ok(Err(r));
            }
            Ok(Ok(Layout::from_tar_file(&dest)?))
        };
        let a = match export(mine, "frontend")? {
            Ok(l) => l,
            Err(r) => return Ok(vec![r]),
        };
        let Some(stock) = stock else {
            return Ok(Vec::new());
        };
        Ok(match export(stock, "stock")? {
            Ok(b) => oci::layouts(&b, &a)
                .into_iter()
                .map(|d| format!("stock vs {}: {d}", self.frontend))
                .collect(),
            Err(r) => vec![r],
        })
    }

    /// Built to a tar and an image; checked against the case and the stock frontend's build.
    fn run_image(
        &self,
        name: &str,
        case: &CaseSpec,
        prepared: &Prepared,
        mine: &BuildSpec,
        stock: Option<&BuildSpec>,
        tags: &mut Vec<String>,
    ) -> anyhow::Result<Vec<String>> {
        let tag = |who: &str| format!("mstage-e2e/{}:{who}", name.to_lowercase());
        let mut reasons = Vec::new();
        let timed = BuildSpec {
            no_cache: case.no_cache || case.max_seconds.is_some(),
            ..mine.clone()
        };
        let (built, elapsed) = match self.build(&timed, &tag("frontend"), tags)? {
            Ok(b) => b,
            Err(r) => return Ok(vec![r]),
        };
        if let Some(max) = case.max_seconds {
            if elapsed > Duration::from_secs_f64(max) {
                reasons.push(format!("uncached build took {elapsed:.1?}, limit {max} s"));
            }
        }
        if case.rebuild_cached {
            let again = BuildSpec {
                output: Output::Image(tag("frontend")),
                ..mine.clone()
            };
            reasons.extend(checks::fully_cached(
                &self.docker.build(&again, &BY_SYNTAX_LINE)?,
            ));
        }
        if let Some(differs) = &case.rebuild_differs {
            reasons.extend(self.rebuild_differs(differs, prepared, mine, &built.tree)?);
        }
        for text in &case.log_contains {
            if !built.log.contains(text.as_str()) {
                reasons.push(format!("the build log lacks {text:?}"));
            }
        }
        reasons.extend(check::files(&case.expect, &built.tree, &prepared.context));
        reasons.extend(check::image(&case.expect, &built.config));
        for secret in &case.not_in_image {
            reasons.extend(checks::find_string(&built.tree, &built.config, secret));
        }
        let my_warnings = checks::warning_lines(&built.log);
        reasons.extend(checks::missing_warnings(&case.warnings, &my_warnings));
        let Some(stock) = stock else {
            return Ok(reasons);
        };
        match self.build(stock, &tag(tag_kind(&Frontend::Stock)), tags)? {
            Ok((s, _)) => {
                let mut diffs = compare::trees(&s.tree, &built.tree);
                diffs.extend(compare::configs(&s.config, &built.config));
                let stock_warnings = checks::warning_lines(&s.log);
                if stock_warnings != my_warnings {
                    diffs.push(format!("warnings {stock_warnings:?} vs {my_warnings:?}"));
                }
                reasons.extend(
                    diffs
                        .into_iter()
                        .map(|d| format!("stock vs {}: {d}", self.frontend)),
                );
            }
            Err(r) => reasons.push(format!("stock frontend: {r}")),
        }
        Ok(reasons)
    }

    /// `rebuild_differs`: the same build again, to a tar of its own, checked against the
    /// first build's files.
    fn rebuild_differs(
        &self,
        differs: &RebuildDiffers,
        prepared: &Prepared,
        mine: &BuildSpec,
        first: &Tree,
    ) -> anyhow::Result<Vec<String>> {
        let tar = prepared.path("frontend-again.tar");
        let again = BuildSpec {
            output: Output::Tar(tar.clone()),
            ..mine.clone()
        };
        let out = self.docker.build(&again, &BY_SYNTAX_LINE)?;
        let tree = if out.success {
            Some(Tree::from_tar_file(&tar)?)
        } else {
            None
        };
        Ok(checks::rebuild_differs(differs, first, &out, tree.as_ref()))
    }

    /// Builds to a tar export and to an image (cached the second time); `Err` holds why the
    /// build failed.
    fn build(
        &self,
        spec: &BuildSpec,
        tag: &str,
        tags: &mut Vec<String>,
    ) -> anyhow::Result<Result<(Built, Duration), String>> {
        let Output::Tar(tar) = &spec.output else {
            bail!("build() needs a tar output");
        };
        let start = Instant::now();
        let out = match self.succeed(spec, tag, "build failed")? {
            Ok(out) => out,
            Err(r) => return Ok(Err(r)),
        };
        let elapsed = start.elapsed();
        let tree = Tree::from_tar_file(tar)?;
        tags.push(tag.to_string());
        let image = BuildSpec {
            output: Output::Image(tag.to_string()),
            no_cache: false,
            ..spec.clone()
        };
        if let Err(r) = self.succeed(&image, tag, "image build failed")? {
            return Ok(Err(r));
        }
        let config = self.docker.image_config(tag)?;
        Ok(Ok((
            Built {
                tree,
                config,
                log: out.log,
            },
            elapsed,
        )))
    }

    /// Builds `spec` by its syntax line; a failed build is dumped (with `--verbose`) under
    /// `name` and comes back as `what: <the error>`.
    fn succeed(
        &self,
        spec: &BuildSpec,
        name: &str,
        what: &str,
    ) -> anyhow::Result<Result<Outcome, String>> {
        let out = self.docker.build(spec, &BY_SYNTAX_LINE)?;
        if out.success {
            return Ok(Ok(out));
        }
        self.dump(name, &out);
        Ok(Err(format!(
            "{what}: {}",
            check::shorten(&out.error_text())
        )))
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
    let docker = Docker::from_arg(args.docker.clone(), Duration::from_secs(args.timeout));
    if !docker.alive() {
        bail!(
            "no Docker engine answers {:?} (scripts/e2e-env.sh up)",
            docker.bin
        );
    }
    let engine_version = docker.engine_version();
    let harness = Harness {
        docker,
        frontend: match args.frontend.as_str() {
            "stock" => Frontend::Stock,
            image => Frontend::Image(image.to_string()),
        },
        work: args.work.clone(),
        verbose: args.verbose,
        engine_version,
    };
    let (mut passed, mut compared, mut total) = (0, 0, 0);
    let (mut failures, mut skipped) = (Vec::new(), Vec::new());
    for dir in dirs {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if !filters.is_empty() && !filters.iter().any(|f| f.is_match(&name)) {
            continue;
        }
        let start = Instant::now();
        let verdict = harness
            .run(&name, &dir)
            .unwrap_or_else(|e| Verdict::Fail(vec![format!("harness error: {e:#}")]));
        let secs = start.elapsed().as_secs_f64();
        match verdict {
            Verdict::Skip(why) => {
                eprintln!("SKIP {name} ({why})");
                skipped.push(format!("{name} ({why})"));
                continue;
            }
            Verdict::Pass { compared: c } => {
                passed += 1;
                compared += usize::from(c);
                eprintln!("PASS {name} ({secs:.1}s)");
            }
            Verdict::Fail(reasons) => {
                eprintln!("FAIL {name} ({secs:.1}s)");
                for r in &reasons {
                    eprintln!("    {r}");
                }
                failures.push((name, reasons));
            }
        }
        total += 1;
    }
    println!(
        "e2e ({}): {passed}/{total} identical",
        harness.docker.label()
    );
    println!(
        "  frontend {}; {compared} compared with the built-in frontend, the others checked against what their case.json expects{}",
        harness.frontend,
        if skipped.is_empty() { String::new() } else { format!("; skipped: {}", skipped.join(", ")) }
    );
    for (name, reasons) in &failures {
        println!("  FAIL {name}: {}", reasons.join("; ").replace('\n', " | "));
    }
    if passed < total {
        std::process::exit(1);
    }
    Ok(())
}
