//! Differential test of the `--call` subrequests: every input Dockerfile is asked
//! `docker buildx build --call=outline,format=json`, `--call=targets,format=json`,
//! `--call=check,format=json` and `--call=targets` (text), once through the engine's built-in
//! Dockerfile frontend and once through a frontend image (`BUILDKIT_SYNTAX=<image>`), and the
//! two answers must be the same: stdout byte for byte (so the JSON field for field), the
//! exit status, and the error lines. See tests/e2e/README.md.
//!
//!   calls [--frontend mstage:dev] [--jobs 2] [--only REGEX] [--real-world DIR|none]
//!
//! Inputs: every e2e case (`tests/e2e/cases/*`, with its case.json's build args, target and
//! platform), every example (`examples/*/Dockerfile` and `Dockerfile.single`) and the
//! real-world corpus (`../shared/conformance/real-world/*/Dockerfile`, read in place). A
//! real-world call is left out (and listed) when the built-in frontend cannot answer it here
//! because a base image is not local (outline and check resolve the base images; nothing can
//! be pulled); for the e2e cases and the examples such failures are compared too.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context;
use base64::Engine as _;
use clap::Parser;
use regex::Regex;
use serde_json::Value;
use sha2::Digest as _;

use mstage_tests::engine::docker::{run_with_timeout, Docker, Outcome};

#[derive(Parser, Debug)]
#[command(about = "Compares mstage's --call answers with the engine's built-in frontend")]
struct Args {
    /// The frontend image under test, selected with `--build-arg BUILDKIT_SYNTAX=<image>`.
    #[arg(long, default_value = "mstage:dev")]
    frontend: String,
    /// Calls run side by side.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
    /// Only inputs whose name (`e2e/<case>`, `example/<name>/Dockerfile`, `real-world/<id>`)
    /// matches this regex (repeatable).
    #[arg(long = "only")]
    only: Vec<String>,
    /// The real-world corpus [default: ../shared/conformance/real-world from the repo];
    /// `none` leaves it out.
    #[arg(long)]
    real_world: Option<String>,
    /// Docker client with buildx [default: $DOCKER].
    #[arg(long)]
    docker: Option<PathBuf>,
    /// Per call timeout in seconds.
    #[arg(long, default_value_t = 120)]
    timeout: u64,
    /// Where the normalised Dockerfiles are written (a fresh folder inside).
    #[arg(long, default_value = "/tmp/mstage-calls")]
    work: PathBuf,
    /// Print the mstage answer in full for every mismatch.
    #[arg(long)]
    verbose: bool,
}

/// Calls whose answers differ for a known reason that is not mstage's to fix: input, call
/// labels, why. They are not run; they are listed as excluded and not counted.
const KNOWN_DIFFERENT: &[(&str, &[&str], &str)] = &[
    (
        "real-world/docker__compose__pkg__e2e__fixtures__build-test__entitlements__Dockerfile",
        &["outline", "targets", "check", "targets(text)"],
        "`RUN --security=insecure` is stable since dockerfile 1.20; Docker 28.5's built-in \
         frontend rejects it as an unknown flag",
    ),
    (
        "e2e/build-checks-skip",
        &["outline", "check"],
        "`# check=skip=` above an instruction is dockerfile 1.21 (BuildKit v0.26); \
     Docker 28.5's built-in frontend predates it and reports those findings",
    ),
];

/// The calls asked of every input: `--call` value, short label.
const CALLS: [(&str, &str); 4] = [
    ("outline,format=json", "outline"),
    ("targets,format=json", "targets"),
    ("check,format=json", "check"),
    ("targets", "targets(text)"),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    E2e,
    Example,
    RealWorld,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::E2e => "e2e cases",
            Kind::Example => "examples",
            Kind::RealWorld => "real-world",
        }
    }
}

/// One Dockerfile to ask about.
struct Input {
    name: String,
    kind: Kind,
    /// The build context: the case's own folder, read in place.
    context: PathBuf,
    /// The Dockerfile as both frontends get it (syntax directive blanked).
    dockerfile: PathBuf,
    build_args: BTreeMap<String, String>,
    target: Option<String>,
    platform: Option<String>,
    /// A base image written without variables that is not in the engine's image store
    /// (real-world inputs only).
    missing_base: Option<String>,
}

/// What one frontend answered.
struct Answer {
    success: bool,
    timed_out: bool,
    stdout: String,
    /// stderr without the progress lines (`#N ...`, whose timings and vertex names differ).
    errors: String,
}

impl Answer {
    fn from(o: &Outcome) -> Answer {
        let stderr = &o.log[..o.log.len() - o.stdout.len()];
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .collect();
        let errors = sort_warnings(&lines).join("\n");
        Answer {
            success: o.success,
            timed_out: o.timed_out,
            stdout: o.stdout.clone(),
            errors,
        }
    }
}

enum Verdict {
    Same,
    Different(String),
    /// Not compared: the built-in frontend cannot answer here (the reason).
    Excluded(String),
}

struct Job<'a> {
    input: &'a Input,
    call: &'static str,
    label: &'static str,
}

struct Runner {
    docker: Docker,
    image: String,
    timeout: Duration,
    verbose: bool,
}

impl Runner {
    fn ask(&self, job: &Job, through_image: bool) -> anyhow::Result<Answer> {
        let i = job.input;
        let mut cmd = self.docker.build_command();
        cmd.arg(format!("--call={}", job.call));
        cmd.arg("-f").arg(&i.dockerfile);
        if through_image {
            cmd.arg("--build-arg")
                .arg(format!("BUILDKIT_SYNTAX={}", self.image));
        }
        for (k, v) in &i.build_args {
            cmd.arg("--build-arg").arg(format!("{k}={v}"));
        }
        if let Some(t) = &i.target {
            cmd.arg("--target").arg(t);
        }
        if let Some(p) = &i.platform {
            cmd.arg("--platform").arg(p);
        }
        cmd.arg(&i.context);
        Ok(Answer::from(&run_with_timeout(cmd, self.timeout)?))
    }

    fn run(&self, job: &Job) -> anyhow::Result<Verdict> {
        if job.input.kind == Kind::RealWorld && job.label != "targets" {
            if let Some(image) = job.input.missing_base.as_ref() {
                // outline and check resolve the bases; no need to ask to know it fails.
                return Ok(Verdict::Excluded(format!("base image not local ({image})")));
            }
        }
        for (name, labels, why) in KNOWN_DIFFERENT {
            if job.input.name == *name && labels.contains(&job.label) {
                return Ok(Verdict::Excluded(format!("known difference: {why}")));
            }
        }
        let stock = self.ask(job, false)?;
        if job.input.kind == Kind::RealWorld && !stock.success {
            if let Some(reason) = not_local(&stock) {
                return Ok(Verdict::Excluded(reason));
            }
        }
        let ours = self.ask(job, true)?;
        if stock.timed_out || ours.timed_out {
            return Ok(Verdict::Different(format!(
                "timed out (stock: {}, {}: {})",
                stock.timed_out, self.image, ours.timed_out
            )));
        }
        let mut why = String::new();
        if stock.success != ours.success {
            why.push_str(&format!(
                "exit status: stock {}, {} {}\n",
                status(stock.success),
                self.image,
                status(ours.success)
            ));
        }
        let (a, b) = if job.call.ends_with("format=json") {
            (normalise(&stock.stdout), normalise(&ours.stdout))
        } else {
            (stock.stdout.clone(), ours.stdout.clone())
        };
        if a != b {
            match (parse_json(&a), parse_json(&b)) {
                (Some(x), Some(y)) if x != y => {
                    let mut paths = Vec::new();
                    json_diff("", &x, &y, &mut paths);
                    why.push_str("JSON fields (path: stock | mstage):\n");
                    for p in paths.iter().take(30) {
                        why.push_str(&format!("  {p}\n"));
                    }
                    if paths.len() > 30 {
                        why.push_str(&format!("  ... {} more\n", paths.len() - 30));
                    }
                }
                (Some(_), Some(_)) => {
                    why.push_str("same JSON values, different text:\n");
                    why.push_str(&line_diff(&a, &b));
                }
                _ => {
                    why.push_str("stdout:\n");
                    why.push_str(&line_diff(&a, &b));
                }
            }
            if self.verbose {
                why.push_str(&format!("mstage stdout:\n{b}\n"));
            }
        }
        if stock.errors != ours.errors {
            why.push_str("errors (stderr without progress lines):\n");
            why.push_str(&line_diff(&stock.errors, &ours.errors));
        }
        Ok(if why.is_empty() {
            Verdict::Same
        } else {
            Verdict::Different(why)
        })
    }
}

fn status(ok: bool) -> &'static str {
    if ok {
        "0"
    } else {
        "non-zero"
    }
}

/// Why the built-in frontend could not answer here, when that is a base image it cannot
/// pull (no registry is reachable): `base image not local: <ref>`.
fn not_local(a: &Answer) -> Option<String> {
    let re = Regex::new(r"failed to resolve source metadata for ([^ :]+(:[^ :]+)?)").unwrap();
    re.captures(&a.errors)
        .map(|c| format!("base image not local ({})", &c[1]))
}

/// JSON stdout of buildx, after the empty line it prints first.
fn parse_json(s: &str) -> Option<Value> {
    serde_json::from_str(s.trim()).ok()
}

/// The one field that cannot match between two runs: `check`'s `sources[].definition` is
/// the LLB that loaded the Dockerfile from the client, and it embeds the client's session
/// ID (`local.session`, random per `docker buildx build`); the op digests, and so the
/// metadata keys, follow from it. The ID is replaced by zeros of the same length in each op,
/// and the digests are computed again, so the ops must still be the same byte for byte.
/// Everything else (JSON layout included) is compared as printed.
fn normalise(stdout: &str) -> String {
    let Some(v) = parse_json(stdout) else {
        return stdout.to_string();
    };
    let Some(sources) = v.get("sources").and_then(Value::as_array) else {
        return stdout.to_string();
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    // (old, new) digests and base64 ops; every replacement keeps the text's layout.
    let mut digests: Vec<(String, String)> = Vec::new();
    let mut ops: Vec<(String, String)> = Vec::new();
    for s in sources {
        let def = s["definition"]["def"].as_array();
        for op in def.into_iter().flatten().filter_map(Value::as_str) {
            let Ok(bytes) = b64.decode(op) else { continue };
            let mut new_bytes = blank_session(&bytes);
            for (from, to) in &digests {
                replace_all(&mut new_bytes, from.as_bytes(), to.as_bytes());
            }
            digests.push((digest(&bytes), digest(&new_bytes)));
            ops.push((op.to_string(), b64.encode(&new_bytes)));
        }
    }
    let mut text = stdout.to_string();
    for (from, to) in ops.iter().chain(&digests) {
        text = text.replace(from.as_str(), to);
    }
    // Go writes map keys sorted; with new digests, `metadata` and `locations` are sorted
    // again.
    let lines: Vec<&str> = text.split('\n').collect();
    sort_digest_maps(&lines).join("\n")
}

/// The entries of every JSON object (in Go's indented layout) whose keys are digests, sorted
/// by key.
fn sort_digest_maps(lines: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        out.push(line.to_string());
        i += 1;
        if !line.ends_with('{') {
            continue;
        }
        let depth = line.len() - line.trim_start().len();
        let entry_indent = " ".repeat(depth + 2);
        let is_entry = |l: &str| l.starts_with(&format!("{entry_indent}\"sha256:"));
        if i >= lines.len() || !is_entry(lines[i]) {
            continue;
        }
        // Entries until the closing brace at `depth`.
        let close = format!("{}}}", " ".repeat(depth));
        let mut entries: Vec<Vec<String>> = Vec::new();
        while i < lines.len() && !lines[i].starts_with(&close) {
            if is_entry(lines[i]) {
                entries.push(Vec::new());
            }
            if let Some(e) = entries.last_mut() {
                e.push(lines[i].to_string());
            }
            i += 1;
        }
        for e in &mut entries {
            if let Some(last) = e.last_mut() {
                if last.ends_with(',') {
                    last.pop();
                }
            }
        }
        entries.sort();
        let n = entries.len();
        for (k, mut e) in entries.into_iter().enumerate() {
            if k + 1 < n {
                if let Some(last) = e.last_mut() {
                    last.push(',');
                }
            }
            out.extend(e);
        }
    }
    out
}

/// buildx lists build warnings (` - Rule: detail (line N)`) in no fixed order (the built-in
/// frontend's own order changes from run to run): each run of them is sorted.
fn sort_warnings(lines: &[&str]) -> Vec<String> {
    let clean = |l: &str| l.replace("\x1b[0m", "").replace("\x1b[33m", "");
    let mut out: Vec<String> = Vec::new();
    let mut run: Vec<String> = Vec::new();
    for l in lines {
        let c = clean(l);
        if c.starts_with(" - ") {
            run.push(c);
            continue;
        }
        run.sort();
        out.append(&mut run);
        out.push(c);
    }
    run.sort();
    out.append(&mut run);
    out
}

fn digest(bytes: &[u8]) -> String {
    let d = sha2::Sha256::digest(bytes);
    let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// The value of attribute `local.session` (a protobuf map entry: key, then field 2 with a
/// one-byte length) replaced by `0`s.
fn blank_session(op: &[u8]) -> Vec<u8> {
    let mut out = op.to_vec();
    let key = b"local.session";
    let mut from = 0;
    while let Some(pos) = find(&out[from..], key) {
        let at = from + pos + key.len();
        if out.get(at) == Some(&0x12) {
            if let Some(&len) = out.get(at + 1) {
                let (start, end) = (at + 2, at + 2 + len as usize);
                if len < 0x80 && end <= out.len() {
                    out[start..end].fill(b'0');
                }
            }
        }
        from = at;
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn replace_all(hay: &mut [u8], from: &[u8], to: &[u8]) {
    debug_assert_eq!(from.len(), to.len());
    let mut i = 0;
    while let Some(p) = find(&hay[i..], from) {
        hay[i + p..i + p + to.len()].copy_from_slice(to);
        i += p + to.len();
    }
}

/// Paths where two JSON values differ, `path: stock | mstage`.
fn json_diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let p = format!("{path}.{k}");
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(w)) => json_diff(&p, u, w, out),
                    (u, w) => out.push(format!("{p}: {} | {}", short(u), short(w))),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (u, w)) in x.iter().zip(y).enumerate() {
                json_diff(&format!("{path}[{i}]"), u, w, out);
            }
        }
        _ if a != b => out.push(format!("{path}: {} | {}", short(Some(a)), short(Some(b)))),
        _ => {}
    }
}

fn short(v: Option<&Value>) -> String {
    match v {
        None => "(absent)".into(),
        Some(v) => {
            let s = v.to_string();
            if s.chars().count() > 160 {
                format!("{}...", s.chars().take(160).collect::<String>())
            } else {
                s
            }
        }
    }
}

/// A line diff (longest common subsequence): `-` stock only, `+` mstage only, with at most
/// two lines of context.
fn line_diff(a: &str, b: &str) -> String {
    let x: Vec<&str> = a.lines().collect();
    let y: Vec<&str> = b.lines().collect();
    let (n, m) = (x.len(), y.len());
    if n * m > 4_000_000 {
        return format!("  (too long to diff: {n} and {m} lines)\n");
    }
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if x[i] == y[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && x[i] == y[j] {
            ops.push((' ', x[i]));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            ops.push(('+', y[j]));
            j += 1;
        } else {
            ops.push(('-', x[i]));
            i += 1;
        }
    }
    let near = |k: usize| {
        let lo = k.saturating_sub(2);
        let hi = (k + 3).min(ops.len());
        ops[lo..hi].iter().any(|o| o.0 != ' ')
    };
    let mut out = String::new();
    let mut skipped = false;
    for (k, (c, l)) in ops.iter().enumerate() {
        if near(k) {
            if skipped {
                out.push_str("  ...\n");
                skipped = false;
            }
            let l: String = l.chars().take(200).collect();
            out.push_str(&format!("  {c} {l}\n"));
        } else {
            skipped = true;
        }
    }
    out
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

fn inputs(args: &Args, work: &Path) -> anyhow::Result<Vec<Input>> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let only: Vec<Regex> = args
        .only
        .iter()
        .map(|r| Regex::new(r))
        .collect::<Result<_, _>>()?;
    let mut list = Vec::new();
    let mut add = |name: String,
                   kind: Kind,
                   context: &Path,
                   file: &Path,
                   opts: Options|
     -> anyhow::Result<()> {
        if !only.is_empty() && !only.iter().any(|r| r.is_match(&name)) {
            return Ok(());
        }
        let text =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let dir = work.join(name.replace('/', "__"));
        std::fs::create_dir_all(&dir)?;
        let dockerfile = dir.join(file.file_name().context("file name")?);
        std::fs::write(&dockerfile, blank_syntax(&text))?;
        list.push(Input {
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
    };
    for dir in sorted_dirs(&repo.join("tests/e2e/cases"))? {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let opts = case_options(&dir)?;
        add(
            format!("e2e/{name}"),
            Kind::E2e,
            &dir,
            &dir.join("Dockerfile"),
            opts,
        )?;
    }
    for dir in sorted_dirs(&repo.join("examples"))? {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        for f in ["Dockerfile", "Dockerfile.single"] {
            if dir.join(f).exists() {
                let opts = (BTreeMap::new(), None, None);
                add(
                    format!("example/{name}/{f}"),
                    Kind::Example,
                    &dir,
                    &dir.join(f),
                    opts,
                )?;
            }
        }
    }
    let real_world = match args.real_world.as_deref() {
        Some("none") => None,
        Some(d) => Some(PathBuf::from(d)),
        None => Some(repo.join("../shared/conformance/real-world")),
    };
    if let Some(rw) = real_world {
        for dir in sorted_dirs(&rw)? {
            let file = dir.join("Dockerfile");
            if !file.exists() {
                continue;
            }
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let opts = (BTreeMap::new(), None, None);
            add(
                format!("real-world/{name}"),
                Kind::RealWorld,
                &dir,
                &file,
                opts,
            )?;
        }
    }
    Ok(list)
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

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let timeout = Duration::from_secs(args.timeout);
    let docker = Docker::from_arg(args.docker.clone(), timeout);
    if !docker.buildx {
        anyhow::bail!(
            "{} has no buildx: --call needs `docker buildx build` (source scripts/e2e-env.sh with E2E_ENGINE=current)",
            docker.bin.display()
        );
    }
    std::fs::create_dir_all(&args.work)?;
    let work = tempfile::Builder::new()
        .prefix("calls.")
        .tempdir_in(&args.work)?;
    let mut inputs = inputs(&args, work.path())?;
    let local = local_images(&docker)?;
    for i in inputs.iter_mut().filter(|i| i.kind == Kind::RealWorld) {
        let text = std::fs::read_to_string(&i.dockerfile)?;
        i.missing_base = missing_base(&text, &local);
    }
    let jobs: Vec<Job> = inputs
        .iter()
        .flat_map(|input| {
            CALLS
                .iter()
                // buildx prints the text form from the same JSON; once per real-world
                // Dockerfile is enough.
                .filter(move |(_, label)| {
                    input.kind != Kind::RealWorld || *label != "targets(text)"
                })
                .map(move |&(call, label)| Job { input, call, label })
        })
        .collect();
    eprintln!(
        "calls: {} inputs x {} calls on {}, {} vs the built-in frontend, {} jobs",
        inputs.len(),
        CALLS.len(),
        docker.label(),
        args.frontend,
        args.jobs
    );
    let runner = Runner {
        docker,
        image: args.frontend.clone(),
        timeout,
        verbose: args.verbose,
    };
    let start = Instant::now();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<anyhow::Result<Verdict>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..args.jobs.max(1) {
            s.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::SeqCst);
                let Some(job) = jobs.get(k) else { break };
                let v = runner.run(job);
                results.lock().unwrap()[k] = Some(v);
            });
        }
    });

    let mut same = 0;
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    let mut different = Vec::new();
    let mut excluded: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (job, r) in jobs.iter().zip(results.into_inner().unwrap()) {
        let what = format!("{} --call={}", job.input.name, job.label);
        match r.expect("every job ran") {
            Ok(Verdict::Same) => {
                same += 1;
                *by_kind.entry(job.input.kind.label()).or_default() += 1;
            }
            Ok(Verdict::Different(why)) => different.push((what, why)),
            Ok(Verdict::Excluded(reason)) => excluded.entry(reason).or_default().push(what),
            Err(e) => different.push((what, format!("could not run: {e:#}\n"))),
        }
    }
    for (what, why) in &different {
        println!("DIFFERENT {what}\n{why}");
    }
    let n_excluded: usize = excluded.values().map(Vec::len).sum();
    if n_excluded > 0 {
        println!(
            "excluded {n_excluded} calls (the built-in frontend cannot answer them here, or a known difference):"
        );
        for (reason, list) in &excluded {
            if list.len() <= 4 {
                println!("  {reason}: {}", list.join(", "));
            } else {
                println!("  {reason}: {} calls", list.len());
            }
        }
    }
    let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!("identical by input: {}", kinds.join(", "));
    let total = same + different.len();
    println!(
        "calls identical to the built-in frontend: {same}/{total} ({:.0?})",
        start.elapsed()
    );
    if !different.is_empty() {
        std::process::exit(1);
    }
    Ok(())
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
    fn session_ids_are_blanked() {
        let mut op = b"\x0a\x0dlocal.session\x12\x05abcde\x0a\x01x".to_vec();
        op = blank_session(&op);
        assert_eq!(op, b"\x0a\x0dlocal.session\x12\x0500000\x0a\x01x");
    }

    #[test]
    fn digest_maps_are_sorted_again() {
        let text = "{\n  \"metadata\": {\n    \"sha256:b\": {\n      \"x\": 1\n    },\n    \"sha256:a\": {}\n  }\n}";
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(
            sort_digest_maps(&lines).join("\n"),
            "{\n  \"metadata\": {\n    \"sha256:a\": {},\n    \"sha256:b\": {\n      \"x\": 1\n    }\n  }\n}"
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

    #[test]
    fn warnings_are_compared_in_any_order() {
        let a = sort_warnings(&[
            "3 warnings found:",
            " - B (line 1)",
            " - A (line 2)",
            "ERROR: x",
        ]);
        assert_eq!(
            a,
            [
                "3 warnings found:",
                " - A (line 2)",
                " - B (line 1)",
                "ERROR: x"
            ]
        );
    }

    #[test]
    fn diffs_show_changed_lines() {
        let d = line_diff("a\nb\nc\n", "a\nx\nc\n");
        assert!(d.contains("- b") && d.contains("+ x"), "{d}");
    }
}
