//! An example's builds: through its own `# syntax=mstage:dev` line, then, where the step asks,
//! again by the engine's built-in frontend, which must find every step in mstage's cache
//! (mstage's LLB is BuildKit's own, op for op) and make the same image config.

use std::fs;
use std::path::Path;

use anyhow::{bail, Context as _};

use mstage_tests::engine::docker::{BuildSpec, Frontend, Outcome, Output};
use mstage_tests::engine::prepare;

use crate::run::{tail, Run, Shared};
use crate::step::{Build, Cache, Context, Stock};

/// With BUILDKIT_SYNTAX unset, the Dockerfile's own `# syntax=` line picks the frontend; with
/// that line blanked, the engine's built-in frontend builds.
const BY_SYNTAX_LINE: Frontend = Frontend::Stock;

impl Run<'_> {
    pub fn build(&mut self, build: &Build) -> anyhow::Result<()> {
        let spec = self.spec(build)?;
        let image = self.image(build.tag);
        let out = self.docker().build(&spec, &self.shared.frontend)?;
        self.log.write(&format!(
            "--- docker build {image}\n{}\n",
            out.log.trim_end()
        ));
        if out.timed_out {
            self.log.say(format!(
                "docker build {image} did not finish within {} s",
                self.docker().timeout.as_secs()
            ));
        }
        check_outcome(build, &image, &out)?;
        if build.stock != Stock::No {
            self.stock_reuses_cache(build, &spec)?;
        }
        if let Some(note) = build.note {
            self.log.say(note);
        }
        Ok(())
    }

    fn spec(&self, build: &Build) -> anyhow::Result<BuildSpec> {
        let context = match build.context {
            Context::Example => self.dir.clone(),
            Context::Copy(name) => self.scratch.join(name),
        };
        let output = match build.local {
            Some(dir) => {
                let dest = self.scratch.join(dir);
                let _ = fs::remove_dir_all(&dest);
                Output::Local(dest)
            }
            None => Output::Image(self.image(build.tag)),
        };
        let mut spec = BuildSpec::new(context.clone(), output);
        spec.dockerfile = build.file.map(|f| context.join(f));
        spec.target = build.target.map(str::to_string);
        spec.platform = build.platform.map(str::to_string);
        spec.build_args = build
            .build_args
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        spec.secrets = build
            .secrets
            .iter()
            .map(|id| (id.to_string(), self.secret_file(id)))
            .collect();
        spec.no_cache = match build.cache {
            Cache::Run => self.shared.no_cache,
            Cache::Kept => false,
            Cache::Never => true,
        };
        Ok(spec)
    }

    /// Right after mstage built the image, the built-in frontend builds the same Dockerfile
    /// (syntax line replaced by `#`) with the same options, from the cache.
    fn stock_reuses_cache(&mut self, build: &Build, spec: &BuildSpec) -> anyhow::Result<()> {
        if build.stock == Stock::ReusesWhereLink && !stock_has_link(self.shared)? {
            self.log
                .say("built-in frontend: no COPY --link on this engine; cache reuse not checked");
            return Ok(());
        }
        let image = self.image(build.tag);
        let stock_image = format!("{image}-stock");
        let copy = self.scratch.join(format!("stock-{}", build.tag));
        let _ = fs::remove_dir_all(&copy);
        prepare::copy_tree(&spec.context, &copy)?;
        let dockerfile = match &spec.dockerfile {
            Some(f) => copy.join(f.strip_prefix(&spec.context)?),
            None => copy.join("Dockerfile"),
        };
        blank_first_line(&dockerfile)?;
        let stock = BuildSpec {
            context: copy,
            dockerfile: spec.dockerfile.as_ref().map(|_| dockerfile),
            no_cache: false,
            output: Output::Image(stock_image.clone()),
            ..spec.clone()
        };
        let out = self.docker().build(&stock, &BY_SYNTAX_LINE)?;
        if !out.success {
            self.log.write(&format!("{}\n", tail(&out.log, 20)));
            bail!("the built-in frontend failed on {}", self.dir.display());
        }
        let steps = StepCache::of(&out.log);
        for line in &steps.not_cached {
            self.log.say(format!("not cached: {line}"));
        }
        let config = |i: &str| self.docker().image_format(i, "{{json .Config}}");
        let (a, b) = (config(&image)?, config(&stock_image)?);
        if a != b {
            bail!("config differs from the built-in frontend's: {a} vs {b}");
        }
        let (n, c) = (steps.steps, steps.steps - steps.not_cached.len());
        if n == 0 || c != n {
            bail!("built-in frontend: {c}/{n} steps cached from the mstage build");
        }
        self.log.say(format!(
            "built-in frontend: {c}/{n} steps CACHED from the mstage build, same image config"
        ));
        Ok(())
    }
}

/// Whether the build ended as the step wants, with the log it wants.
fn check_outcome(build: &Build, image: &str, out: &Outcome) -> anyhow::Result<()> {
    if build.fails {
        if out.success {
            bail!("{image}: built, but the build must fail");
        }
        if let Some(text) = build.error_has {
            if !tail(&out.log, 3).contains(text) {
                bail!(
                    "{image}: the build failed for another reason than {text:?}: {}",
                    tail(&out.log, 5)
                );
            }
        }
    } else if !out.success {
        bail!("docker build {image} failed: {}", tail(&out.log, 1));
    }
    if let Some(text) = build.log_has {
        if !out.log.contains(text) {
            bail!("{image}: the build log lacks {text:?}");
        }
    }
    if let Some(text) = build.log_lacks {
        if out.log.contains(text) {
            bail!("{image}: the build log has {text:?}");
        }
    }
    if let Some(re) = build.step_cached {
        if !step_is_cached(&out.log, &regex::Regex::new(re)?) {
            bail!("{image}: the step /{re}/ was not CACHED");
        }
    }
    Ok(())
}

/// `# syntax=...` becomes `#`: the built-in frontend builds, line numbers stay.
fn blank_first_line(dockerfile: &Path) -> anyhow::Result<()> {
    let text = fs::read_to_string(dockerfile)
        .with_context(|| format!("reading {}", dockerfile.display()))?;
    let rest = text.split_once('\n').map_or("", |(_, rest)| rest);
    fs::write(dockerfile, format!("#\n{rest}"))?;
    Ok(())
}

/// Whether the engine's built-in frontend knows `COPY --link` (20.10's does not: "unknown
/// flag: link"). Probed once with an empty build.
fn stock_has_link(shared: &Shared) -> anyhow::Result<bool> {
    if let Some(has) = shared.stock_link.get() {
        return Ok(*has);
    }
    let dir = shared.scratch.path().join("link-probe");
    fs::create_dir_all(&dir)?;
    fs::write(
        dir.join("Dockerfile"),
        "FROM scratch\nCOPY --link Dockerfile /x\n",
    )?;
    let spec = BuildSpec::new(dir, Output::Tar("/dev/null".into()));
    let has = shared.docker.build(&spec, &BY_SYNTAX_LINE)?.success;
    Ok(*shared.stock_link.get_or_init(|| has))
}

/// The build steps of a `--progress=plain` log (`#N [stage i/n] ...`, without `[internal]`
/// steps and `FROM`s), and those not CACHED.
#[derive(Debug, PartialEq, Eq)]
struct StepCache {
    steps: usize,
    /// The first progress line of each step not cached.
    not_cached: Vec<String>,
}

impl StepCache {
    fn of(log: &str) -> StepCache {
        let mut ids: Vec<&str> = log
            .lines()
            .filter(|l| is_step_line(l) && !l.contains("[internal]") && !l.contains(" FROM "))
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let not_cached = ids
            .iter()
            .filter(|id| {
                let cached = format!("{id} CACHED");
                !log.lines().any(|l| l.starts_with(&cached))
            })
            .map(|id| {
                let start = format!("{id} [");
                log.lines()
                    .find(|l| l.starts_with(&start))
                    .unwrap_or_default()
                    .to_string()
            })
            .collect();
        StepCache {
            steps: ids.len(),
            not_cached,
        }
    }
}

/// `#12 [build 3/5] RUN ...`
fn is_step_line(line: &str) -> bool {
    let Some(rest) = line.strip_prefix('#') else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && rest[digits..].starts_with(" [")
}

/// Whether the step whose progress line matches `step` is CACHED (on one of the two lines
/// after it, as the plain progress prints it).
fn step_is_cached(log: &str, step: &regex::Regex) -> bool {
    let lines: Vec<&str> = log.lines().collect();
    lines.iter().enumerate().any(|(i, l)| {
        step.is_match(l)
            && lines[i..(i + 3).min(lines.len())]
                .iter()
                .any(|l| l.contains("CACHED"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
#1 [internal] load build definition from Dockerfile
#1 DONE 0.0s
#2 resolve image config for docker-image://mstage:dev
#3 [internal] load metadata for docker.io/library/busybox:latest
#4 [build 1/3] FROM docker.io/library/busybox:latest
#4 CACHED
#5 [build 2/3] COPY . .
#5 CACHED
#6 [build 3/3] RUN make
#6 0.2 compiling
#6 DONE 0.9s
#10 [stage-1 1/1] COPY --from=build /out /
#10 CACHED
";

    #[test]
    fn counts_cached_steps() {
        assert_eq!(
            StepCache::of(LOG),
            StepCache {
                steps: 3,
                not_cached: vec!["#6 [build 3/3] RUN make".into()],
            }
        );
        let all = LOG.replace("#6 DONE 0.9s", "#6 CACHED");
        assert!(StepCache::of(&all).not_cached.is_empty());
        // `#1 CACHED` is no answer for `#10`.
        let ten = LOG.replace("#10 CACHED", "#1 CACHED");
        assert_eq!(StepCache::of(&ten).not_cached.len(), 2);
    }

    #[test]
    fn finds_a_cached_step() {
        let re = regex::Regex::new(r"\[build +[0-9]+/[0-9]+\] COPY \. \.").unwrap();
        assert!(step_is_cached(LOG, &re));
        let run = regex::Regex::new(r"\[build +[0-9]+/[0-9]+\] RUN make").unwrap();
        assert!(!step_is_cached(LOG, &run));
    }

    #[test]
    fn outcome_checks() {
        let out = |success: bool, log: &str| Outcome {
            success,
            timed_out: false,
            log: log.into(),
            stdout: String::new(),
            elapsed: std::time::Duration::ZERO,
        };
        let must_fail = Build {
            fails: true,
            error_has: Some("netrc"),
            ..Build::tag("x")
        };
        assert!(check_outcome(
            &must_fail,
            "i",
            &out(false, "#1 x\nERROR: secret netrc: not found")
        )
        .is_ok());
        assert!(check_outcome(&must_fail, "i", &out(false, "ERROR: other")).is_err());
        assert!(check_outcome(&must_fail, "i", &out(true, "")).is_err());
        let lacks = Build {
            log_lacks: Some("go test"),
            ..Build::tag("x")
        };
        assert!(check_outcome(&lacks, "i", &out(true, "#3 RUN go build")).is_ok());
        assert!(check_outcome(&lacks, "i", &out(true, "#3 RUN go test ./...")).is_err());
        assert!(check_outcome(&lacks, "i", &out(false, "")).is_err());
    }

    #[test]
    fn blanks_the_syntax_line() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("Dockerfile");
        fs::write(&f, "# syntax=mstage:dev\nFROM x\n").unwrap();
        blank_first_line(&f).unwrap();
        assert_eq!(fs::read_to_string(&f).unwrap(), "#\nFROM x\n");
    }
}
