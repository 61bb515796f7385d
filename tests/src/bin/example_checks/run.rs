//! Runs an example's steps against the engine, one after the other; the first that fails
//! ends the example. What each step checks is in `step.rs`; builds are in `build.rs`, the
//! probes of images and containers in `probe.rs`.

use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use mstage_tests::engine::docker::Docker;
use mstage_tests::engine::prepare;

use crate::sizes;
use crate::step::{Edit, Example, Step};

/// What the examples of one run share.
pub struct Shared {
    pub docker: Docker,
    /// `examples/`
    pub examples: PathBuf,
    /// Copies, secrets and exports, removed after the run.
    pub scratch: tempfile::TempDir,
    /// `EXAMPLES_NO_CACHE=1`: builds of `Cache::Run` without the cache.
    pub no_cache: bool,
    /// The engine keeps images in the containerd image store (see `Docker::containerd_store`).
    pub containerd_store: bool,
    /// The size table's rows, kept across runs (`sizes.tsv`).
    pub sizes: PathBuf,
    /// `${token}`: a value made for this run (the secret the builds must not leak).
    pub token: String,
    pub containers: Containers,
    /// Whether the built-in frontend knows `COPY --link`; probed once.
    pub stock_link: OnceCell<bool>,
    /// How the mstage builds pick the frontend: by their syntax line (`Stock`: no
    /// override), or an image given with `--frontend`.
    pub frontend: mstage_tests::engine::docker::Frontend,
}

/// The containers the run started, removed by id when it ends; also listed in a file, from
/// which the calling script removes them should this process be killed.
pub struct Containers {
    file: PathBuf,
    ids: RefCell<Vec<String>>,
}

impl Containers {
    pub fn new(file: PathBuf) -> Self {
        Containers {
            file,
            ids: RefCell::new(Vec::new()),
        }
    }

    pub fn add(&self, id: &str) -> anyhow::Result<()> {
        self.ids.borrow_mut().push(id.to_string());
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.file)
            .with_context(|| format!("opening {}", self.file.display()))?;
        writeln!(f, "{id}")?;
        Ok(())
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        for id in self.containers.ids.borrow().iter() {
            self.docker.remove_container(id);
        }
        let _ = fs::remove_file(&self.containers.file);
    }
}

/// An example's log file (`NAME.log`): build logs, command output and its notes.
pub struct Log {
    pub path: PathBuf,
    file: File,
    /// The `examples: ...` lines, printed after the example.
    pub notes: Vec<String>,
}

impl Log {
    pub fn create(path: PathBuf) -> anyhow::Result<Log> {
        let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(Log {
            path,
            file,
            notes: Vec::new(),
        })
    }

    /// A note: into the log and, after the example, onto stderr.
    pub fn say(&mut self, note: impl std::fmt::Display) {
        let line = format!("examples: {note}");
        self.write(&format!("{line}\n"));
        self.notes.push(line);
    }

    pub fn write(&mut self, text: &str) {
        // A log that cannot be written loses detail, not the verdict.
        let _ = self.file.write_all(text.as_bytes());
    }

    /// The log's last `n` lines.
    pub fn tail(&self, n: usize) -> String {
        tail(&fs::read_to_string(&self.path).unwrap_or_default(), n)
    }
}

/// The last `n` lines of `text`.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// One example being checked.
pub struct Run<'a> {
    pub shared: &'a Shared,
    pub example: &'static Example,
    /// `examples/NAME`
    pub dir: PathBuf,
    /// This example's part of the scratch folder.
    pub scratch: PathBuf,
    vars: BTreeMap<&'static str, String>,
    pub log: Log,
}

impl<'a> Run<'a> {
    pub fn new(shared: &'a Shared, example: &'static Example, log: Log) -> anyhow::Result<Self> {
        let scratch = shared.scratch.path().join(example.name);
        fs::create_dir_all(&scratch)?;
        Ok(Run {
            shared,
            example,
            dir: shared.examples.join(example.name),
            scratch,
            vars: BTreeMap::from([("token", shared.token.clone())]),
            log,
        })
    }

    /// Every step, to the first that fails.
    pub fn run(&mut self) -> anyhow::Result<()> {
        for (id, content) in self.example.secrets {
            let content = self.substitute(content)?;
            fs::write(self.secret_file(id), content)?;
        }
        for step in self.example.steps {
            self.step(step)?;
        }
        Ok(())
    }

    /// `mstage-example/NAME:TAG`
    pub fn image(&self, tag: &str) -> String {
        format!("mstage-example/{}:{tag}", self.example.name)
    }

    pub fn secret_file(&self, id: &str) -> PathBuf {
        self.scratch.join(format!("secret-{id}"))
    }

    pub fn docker(&self) -> &'a Docker {
        &self.shared.docker
    }

    fn step(&mut self, step: &Step) -> anyhow::Result<()> {
        match step {
            Step::Copy { name } => {
                let to = self.scratch.join(name);
                let _ = fs::remove_dir_all(&to);
                prepare::copy_tree(&self.dir, &to)
            }
            Step::Edit { copy, edit } => self.edit(&self.scratch.join(copy), edit),
            Step::Build(build) => self.build(build),
            Step::Config { image, format, is } => {
                let image = self.image(image);
                let got = self.docker().image_format(&image, format)?;
                if got != *is {
                    bail!("{image}: {format} is '{got}', want '{is}'");
                }
                Ok(())
            }
            Step::Succeeds {
                image,
                entrypoint,
                args,
                why,
            } => {
                let options: Vec<&str> = entrypoint
                    .iter()
                    .flat_map(|e| ["--entrypoint", e])
                    .collect();
                let out = self.docker().run_once(&self.image(image), &options, args)?;
                self.log_output(&out);
                if !out.status.success() {
                    bail!("{why}");
                }
                Ok(())
            }
            Step::Capture {
                var,
                image,
                entrypoint,
                args,
                regex,
            } => self.capture(var, image, entrypoint, args, regex),
            Step::Prints { image, args, is } => self.prints(image, args, is),
            Step::Serve(serve) => self.serve(serve),
            Step::Files { image, is } => self.files(image, is),
            Step::SameImage { a, b } => {
                let (a, b) = (self.image(a), self.image(b));
                let da = sizes::image_digest(self.shared, &a)?;
                let db = sizes::image_digest(self.shared, &b)?;
                if da != db {
                    bail!("the image {a} ({da}) is not {b} ({db})");
                }
                Ok(())
            }
            Step::SecretAbsent { image, control } => self.secret_absent(image, control),
            Step::Elf { path, machine } => self.elf(path, *machine),
            Step::Sizes { row, multi, single } => {
                let multi = sizes::size_of(self.shared, &self.image(multi))?;
                let single = sizes::size_of(self.shared, &self.image(single))?;
                sizes::record(&self.shared.sizes, row, multi, single)
            }
        }
    }

    fn edit(&self, copy: &Path, edit: &Edit) -> anyhow::Result<()> {
        match edit {
            Edit::Replace { file, regex, with } => {
                let path = copy.join(file);
                let text = fs::read_to_string(&path)?;
                let changed = regex::Regex::new(regex)?.replace_all(&text, *with);
                if changed == text {
                    bail!("could not change {file}: no /{regex}/ in it");
                }
                fs::write(&path, changed.as_bytes())?;
            }
            Edit::Append { file, text } => {
                let mut f = OpenOptions::new().append(true).open(copy.join(file))?;
                f.write_all(self.substitute(text)?.as_bytes())?;
            }
            Edit::Write { file, text } => {
                let path = copy.join(file);
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent)?;
                }
                fs::write(&path, self.substitute(text)?)?;
            }
        }
        Ok(())
    }

    fn capture(
        &mut self,
        var: &'static str,
        image: &str,
        entrypoint: &str,
        args: &[&str],
        regex: &str,
    ) -> anyhow::Result<()> {
        let out =
            self.docker()
                .run_once(&self.image(image), &["--entrypoint", entrypoint], args)?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let re = regex::Regex::new(regex)?;
        let value = text
            .lines()
            .find_map(|l| re.captures(l))
            .and_then(|c| c.get(1))
            .map(|m| m.as_str().to_string())
            .with_context(|| format!("no line matches /{regex}/ in: {text}"))?;
        self.vars.insert(var, value);
        Ok(())
    }

    fn prints(&mut self, image: &str, args: &[&str], want: &str) -> anyhow::Result<()> {
        let want = self.substitute(want)?;
        let image = self.image(image);
        let out = self.docker().run_once(&image, &[], args)?;
        self.log.write(&String::from_utf8_lossy(&out.stderr));
        let shown = std::iter::once(image.as_str())
            .chain(args.iter().copied())
            .collect::<Vec<_>>()
            .join(" ");
        if !out.status.success() {
            bail!("docker run {shown} exited {}", out.status);
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        // As `$(...)` reads it: without the trailing newlines.
        let got = stdout.trim_end_matches('\n');
        if got != want {
            bail!("docker run {shown}: printed '{got}', want '{want}'");
        }
        self.log.say(format!("docker run {shown} -> {got}"));
        Ok(())
    }

    /// stdout and stderr of a command into the log.
    pub fn log_output(&mut self, out: &std::process::Output) {
        self.log.write(&String::from_utf8_lossy(&out.stdout));
        self.log.write(&String::from_utf8_lossy(&out.stderr));
    }

    /// `text` with its `${VAR}`s replaced.
    pub fn substitute(&self, text: &str) -> anyhow::Result<String> {
        let mut out = text.to_string();
        for var in vars_in(text) {
            let value = self
                .vars
                .get(var)
                .with_context(|| format!("no value for ${{{var}}}"))?;
            out = out.replace(&format!("${{{var}}}"), value);
        }
        Ok(out)
    }
}

/// The names of the `${VAR}`s in `text`.
pub fn vars_in(text: &str) -> Vec<&str> {
    let mut vars = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find('}') else { break };
        vars.push(&rest[..end]);
        rest = &rest[end + 1..];
    }
    vars
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_variables() {
        assert_eq!(vars_in("a ${x} {b} ${yz}"), vec!["x", "yz"]);
        assert_eq!(vars_in("{be=2} (java ${java})"), vec!["java"]);
        assert!(vars_in("${unclosed").is_empty());
    }

    #[test]
    fn tails() {
        assert_eq!(tail("a\nb\nc\n", 2), "b\nc");
        assert_eq!(tail("a", 5), "a");
    }
}
