//! Secrets never leak: a build through a frontend image with a secret file mount, a secret
//! env mount (engines whose BuildKit has it: not 20.10's v0.8) and an SSH mount backed by an
//! agent holding a key made for the run. The RUNs must see the secret and the agent; then the
//! secret value and the private key's material are searched for in the Definition (`mstage
//! llb`, and the one the gateway solves: `--call=convertllb`, buildx only), the image config,
//! its history and every layer (`docker save`, gzip layers unpacked). Found nowhere, it
//! prints
//!
//!   secrets (docker 28.5, buildx 0.29): absent from 6/6 places ...
//!
//! Then SecretsUsedInArgOrEnv on the CLI and gateway paths (see lint.rs).
//!
//!   secrets [--frontend mstage:dev] [--mstage target/release/mstage]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use clap::Parser;

use mstage_tests::engine::docker::{BuildSpec, Docker, Frontend, Output};
use mstage_tests::engine::search;

mod agent;
mod lint;

use agent::Agent;

#[derive(Parser, Debug)]
#[command(
    about = "Secret and SSH mounts leave nothing in the Definition, config, history or layers"
)]
struct Args {
    /// The frontend image under test, named in the Dockerfile's `# syntax=` line.
    #[arg(long, default_value = "mstage:dev")]
    frontend: String,
    /// The mstage CLI [default: target/release/mstage of this repository].
    #[arg(long)]
    mstage: Option<PathBuf>,
    /// Docker client [default: $DOCKER or /usr/bin/docker].
    #[arg(long)]
    docker: Option<PathBuf>,
    #[arg(long, default_value_t = 300)]
    timeout: u64,
    #[arg(long, default_value = "/tmp/mstage-secrets")]
    work: PathBuf,
}

/// The secret's id in the Dockerfile and on the command line.
const SECRET_ID: &str = "token";

struct Test {
    docker: Docker,
    mstage: PathBuf,
    frontend: String,
    dir: PathBuf,
    /// The secret value: made for this run, so nothing holds it by chance.
    secret: String,
    /// Written into a file by a RUN whose text does not hold it: the layer search sees files.
    control: String,
    secret_env: bool,
}

/// The build's Dockerfile: what each mount shows the RUN goes into files (the secret's
/// length, never the secret).
fn dockerfile(frontend: &str, secret_env: bool, control_parts: (&str, &str)) -> String {
    let env_line = if secret_env {
        format!("RUN --mount=type=secret,id={SECRET_ID},env=TOKEN printf %s \"${{#TOKEN}}\" > /secret-env-length\n")
    } else {
        String::new()
    };
    format!(
        "# syntax={frontend}\n\
         FROM busybox:latest\n\
         RUN --mount=type=secret,id={SECRET_ID} wc -c < /run/secrets/{SECRET_ID} > /secret-file-length\n\
         {env_line}\
         RUN --mount=type=ssh test -S \"$SSH_AUTH_SOCK\" && echo agent > /ssh-agent-seen\n\
         RUN printf '%s-%s' {} {} > /control\n\
         CMD [\"true\"]\n",
        control_parts.0, control_parts.1
    )
}

impl Test {
    fn spec(&self, agent: &Agent, output: Output) -> BuildSpec {
        let mut spec = BuildSpec::new(self.dir.join("context"), output);
        spec.dockerfile = Some(self.dir.join("context/Dockerfile"));
        spec.secrets = vec![(SECRET_ID.to_string(), self.dir.join("secret"))];
        spec.ssh = vec![format!("default={}", agent.socket.display())];
        // A secret is not part of a step's cache key: an earlier run on the same engine with
        // a secret of another length would otherwise answer the RUNs from cache.
        spec.no_cache = true;
        spec
    }

    /// The files the RUNs wrote say they saw the secret (its length) and the agent.
    fn mounts_seen(&self, tag: &str) -> anyhow::Result<Vec<String>> {
        let tree = self.docker.image_tree(tag)?;
        let len = self.secret.len().to_string();
        let mut want = vec![
            ("secret-file-length", format!("{len}\n")),
            ("ssh-agent-seen", "agent\n".into()),
        ];
        if self.secret_env {
            want.push(("secret-env-length", len.clone()));
        }
        let mut problems = Vec::new();
        for (path, content) in want {
            match tree.read(path) {
                Ok(got) if got == content.as_bytes() => {}
                Ok(got) => problems.push(format!(
                    "/{path}: {:?}, want {content:?}",
                    String::from_utf8_lossy(got)
                )),
                Err(e) => problems.push(format!("/{path}: {e:#}")),
            }
        }
        Ok(problems)
    }

    fn mstage_llb(&self, format: &str) -> anyhow::Result<Vec<u8>> {
        let out = Command::new(&self.mstage)
            .args(["llb", "--format", format, "-f"])
            .arg(self.dir.join("context/Dockerfile"))
            .arg(self.dir.join("context"))
            .output()
            .with_context(|| format!("running {} llb", self.mstage.display()))?;
        if !out.status.success() {
            bail!("mstage llb: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(out.stdout)
    }

    /// What the frontend image would solve for this build (`--call=convertllb`).
    fn gateway_definition(&self, agent: &Agent) -> anyhow::Result<Vec<u8>> {
        let out = self.docker.build(
            &self.spec(agent, Output::Call("convertllb".into())),
            &Frontend::Stock,
        )?;
        if !out.success {
            bail!("--call=convertllb: {}", out.error_text());
        }
        Ok(out.stdout.into_bytes())
    }
}

/// One place searched: its name, whether the secret or the key was found, and whether the
/// control (what must be there) was.
struct Place {
    name: &'static str,
    leaked: Vec<&'static str>,
    control_found: bool,
}

fn search_bytes(
    name: &'static str,
    hay: &[u8],
    needles: &[(&'static str, &[u8])],
    control: &[u8],
) -> Place {
    let has = |n: &[u8]| hay.windows(n.len()).any(|w| w == n);
    Place {
        name,
        leaked: needles
            .iter()
            .filter(|(_, n)| has(n))
            .map(|(what, _)| *what)
            .collect(),
        control_found: has(control),
    }
}

impl Test {
    /// Every place searched, the image built as `tag`.
    fn places(&self, agent: &Agent, tag: &str) -> anyhow::Result<Vec<Place>> {
        let needles: [(&'static str, &[u8]); 2] = [
            ("the secret", self.secret.as_bytes()),
            ("the private key", agent.key_material.as_bytes()),
        ];
        let mount = format!("/run/secrets/{SECRET_ID}");
        let mut places = vec![
            search_bytes(
                "mstage llb (pb)",
                &self.mstage_llb("pb")?,
                &needles,
                mount.as_bytes(),
            ),
            search_bytes(
                "mstage llb (json)",
                &self.mstage_llb("json")?,
                &needles,
                mount.as_bytes(),
            ),
        ];
        if self.docker.buildx {
            let def = self.gateway_definition(agent)?;
            places.push(search_bytes(
                "gateway Definition (--call=convertllb)",
                &def,
                &needles,
                mount.as_bytes(),
            ));
        }
        let config = self.docker.image_config(tag)?.to_string();
        places.push(search_bytes(
            "image config and history",
            config.as_bytes(),
            &needles,
            b"secret-file-length",
        ));
        let history = self.docker.query(&["history", "--no-trunc", tag])?;
        places.push(search_bytes(
            "docker history",
            history.as_bytes(),
            &needles,
            b"secret-file-length",
        ));
        let all: Vec<&[u8]> = needles
            .iter()
            .map(|(_, n)| *n)
            .chain([self.control.as_bytes()])
            .collect();
        let found = search::saved_contains(&self.docker, tag, &self.dir.join("save"), &all)?;
        places.push(Place {
            name: "every layer (docker save, un-gzipped)",
            leaked: needles
                .iter()
                .zip(&found)
                .filter(|(_, f)| **f)
                .map(|((what, _), _)| *what)
                .collect(),
            control_found: found[2],
        });
        Ok(places)
    }
}

fn run_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{}{nanos}", std::process::id())
}

fn setup(args: &Args, dir: &Path) -> anyhow::Result<Test> {
    let docker = Docker::from_arg(args.docker.clone(), Duration::from_secs(args.timeout));
    if !docker.alive() {
        bail!("no Docker engine answers {:?}", docker.bin);
    }
    let run = run_id();
    // Secret env mounts need BuildKit v0.17 (Docker 27.3+); 20.10's v0.8 has none.
    let secret_env = !docker.engine_version().starts_with("20.");
    let control = ("control", run.as_str());
    let context = dir.join("context");
    std::fs::create_dir_all(&context)?;
    std::fs::write(
        context.join("Dockerfile"),
        dockerfile(&args.frontend, secret_env, control),
    )?;
    let secret = format!("mstage-secret-{run}");
    std::fs::write(dir.join("secret"), &secret)?;
    let mstage = args
        .mstage
        .clone()
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/mstage"));
    Ok(Test {
        docker,
        mstage,
        frontend: args.frontend.clone(),
        dir: dir.to_path_buf(),
        secret,
        control: format!("control-{run}"),
        secret_env,
    })
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.work)?;
    let scratch = tempfile::Builder::new()
        .prefix("secrets.")
        .tempdir_in(&args.work)?;
    let test = setup(&args, scratch.path())?;
    let agent = Agent::start(scratch.path())?;
    let tag = format!("mstage-secrets/{}:built", run_id());
    let ok = run(&test, &agent, &tag);
    test.docker.remove_image(&tag);
    drop(agent);
    let warnings_ok = warnings(&test, scratch.path());
    if !(ok? && warnings_ok?) {
        std::process::exit(1);
    }
    Ok(())
}

/// The mounts and the search; `false` when something leaked or a mount was not seen.
fn run(test: &Test, agent: &Agent, tag: &str) -> anyhow::Result<bool> {
    let out = test.docker.build(
        &test.spec(agent, Output::Image(tag.to_string())),
        &Frontend::Stock,
    )?;
    if !out.success {
        println!(
            "secrets ({}): FAIL the build failed: {}",
            test.docker.label(),
            out.error_text()
        );
        return Ok(false);
    }
    let unseen = test.mounts_seen(tag)?;
    let places = test.places(agent, tag)?;
    let clean = places
        .iter()
        .filter(|p| p.leaked.is_empty() && p.control_found)
        .count();
    let mounts = if test.secret_env {
        "secret file, secret env and SSH mounts"
    } else {
        "secret file and SSH mounts (no secret env on BuildKit v0.8)"
    };
    println!(
        "secrets ({}): absent from {clean}/{} places, {mounts} seen by their RUNs{}",
        test.docker.label(),
        places.len(),
        if unseen.is_empty() { "" } else { " NOT ALL" },
    );
    println!(
        "  searched: {}",
        places.iter().map(|p| p.name).collect::<Vec<_>>().join("; ")
    );
    for p in &places {
        if !p.leaked.is_empty() {
            println!("  LEAK {}: {} found", p.name, p.leaked.join(" and "));
        }
        if !p.control_found {
            println!(
                "  FAIL {}: the control value is not there either, so the search proves nothing",
                p.name
            );
        }
    }
    for u in &unseen {
        println!("  FAIL mount not seen: {u}");
    }
    if !test.docker.buildx {
        println!("  (no buildx: the gateway's Definition is not asked for)");
    }
    Ok(clean == places.len() && unseen.is_empty())
}

/// SecretsUsedInArgOrEnv on both paths.
fn warnings(test: &Test, dir: &Path) -> anyhow::Result<bool> {
    let w = lint::check(
        &test.docker,
        &test.mstage,
        &test.frontend,
        &dir.join("warnings"),
    )?;
    let problems = w.problems();
    let gateway = match &w.gateway {
        Some(g) => format!("gateway {} as the built-in frontend's", g.len()),
        None => "gateway not checked (the engine sends no build warnings)".into(),
    };
    println!(
        "secrets warnings: {} on ARG and ENV named like credentials: mstage lint {}; {gateway}{}",
        lint::RULE,
        w.cli_hits(),
        if problems.is_empty() { "" } else { "; FAIL" },
    );
    for p in &problems {
        println!("  FAIL {p}");
    }
    Ok(problems.is_empty())
}
