//! `mstage llb` and `mstage graph`: compile a Dockerfile without BuildKit.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{anyhow, bail, Context};
use clap::{Args, ValueEnum};

use mstage_compiler::image::Platform;
use mstage_compiler::lower::{self, BuildRequest, CompileError, NoneResolver};

/// How base images are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ResolveArg {
    /// Offline: every image is a non-empty linux image with only PATH set, unpinned.
    None,
    /// Ask each image's registry (HTTPS; plain HTTP for localhost), pinning digests.
    Registry,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LlbFormat {
    /// The Definition protobuf, as `buildctl build` reads it on stdin.
    Pb,
    /// A readable dump of ops with digests, names and edges.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    Json,
}

/// Options shared by `llb` and `graph`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Dockerfile path (default: CONTEXT/Dockerfile).
    #[arg(short = 'f', long = "file")]
    pub file: Option<PathBuf>,
    /// Target stage (default: the last stage).
    #[arg(long)]
    pub target: Option<String>,
    /// Build argument `KEY=VALUE` (or `KEY` to take it from the environment).
    #[arg(long = "build-arg", value_name = "K=V")]
    pub build_args: Vec<String>,
    /// Target platform(s), comma-separated.
    #[arg(long)]
    pub platform: Option<String>,
    /// Build context directory (its `.dockerignore` is read).
    #[arg(default_value = ".")]
    pub context: PathBuf,
}

/// `mstage llb`.
#[derive(Debug, Args)]
pub struct LlbCmd {
    #[command(flatten)]
    pub build: BuildArgs,
    #[arg(long, value_enum, default_value = "none")]
    pub resolve: ResolveArg,
    #[arg(long, value_enum, default_value = "pb")]
    pub format: LlbFormat,
}

/// `mstage graph`.
#[derive(Debug, Args)]
pub struct GraphCmd {
    #[command(flatten)]
    pub build: BuildArgs,
    #[arg(long, value_enum, default_value = "dot")]
    pub format: GraphFormat,
}

/// `offline`: the llb-golden conditions (build platform linux/amd64 whatever the host);
/// otherwise the host is the build platform.
pub(crate) fn read_request(b: &BuildArgs, offline: bool) -> anyhow::Result<(BuildRequest, String)> {
    let path = b
        .file
        .clone()
        .unwrap_or_else(|| b.context.join("Dockerfile"));
    let dockerfile = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "Dockerfile".into());
    let mut build_args = BTreeMap::new();
    for a in &b.build_args {
        match a.split_once('=') {
            Some((k, v)) => build_args.insert(k.to_string(), v.to_string()),
            None => match std::env::var(a) {
                Ok(v) => build_args.insert(a.clone(), v),
                Err(_) => continue,
            },
        };
    }
    let mut target_platforms = Vec::new();
    if let Some(p) = &b.platform {
        for s in p.split(',').filter(|s| !s.is_empty()) {
            target_platforms.push(
                Platform::parse(s.trim())
                    .map_err(|e| anyhow!("invalid --platform {s}: {e}"))?
                    .normalize(),
            );
        }
    }
    // Dockerfile-specific ignore file first, then the context's.
    let mut ignore_path = path.clone().into_os_string();
    ignore_path.push(".dockerignore");
    let ignore = std::fs::read_to_string(PathBuf::from(ignore_path))
        .or_else(|_| std::fs::read_to_string(b.context.join(".dockerignore")))
        .unwrap_or_default();
    let dockerignore = mstage_compiler::dockerignore::parse(&ignore)?;
    let fragments = super::fragments::read_fragments(&path, &dockerfile, &name);
    let req = BuildRequest {
        fragments,
        dockerfile,
        dockerfile_name: name.clone(),
        target: b.target.clone(),
        build_args,
        target_platforms,
        build_platforms: vec![if offline {
            Platform::new("linux", "amd64", "")
        } else {
            Platform::new("linux", mstage_compiler::image::host_arch(), "")
        }],
        dockerignore,
        ..BuildRequest::default()
    };
    Ok((req, name))
}

fn fail(e: CompileError, req: &BuildRequest) -> anyhow::Error {
    anyhow!("{}", req.render_error(&e))
}

/// Runs `mstage llb`.
pub fn run_llb(cmd: &LlbCmd) -> anyhow::Result<()> {
    let (req, _) = read_request(&cmd.build, cmd.resolve == ResolveArg::None)?;
    let checked = match cmd.resolve {
        ResolveArg::None => lower::check_blocking(&req, &NoneResolver),
        #[cfg(feature = "registry")]
        ResolveArg::Registry => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("starting the async runtime")?;
            let resolver = crate::registry::RegistryResolver::default();
            rt.block_on(lower::compile_checked(&req, &resolver))
        }
        #[cfg(not(feature = "registry"))]
        ResolveArg::Registry => {
            bail!("this mstage was built without registry support (cargo feature `registry`)")
        }
    };
    // The build checks' warnings, as `docker build` lists them after a build.
    if !checked.findings.is_empty() {
        let n = checked.findings.len();
        eprintln!("{n} warning{} found:", if n == 1 { "" } else { "s" });
        for f in &checked.findings {
            eprintln!(" - {}", f.short());
        }
    }
    let builds: Vec<lower::PlatformBuild> = checked
        .into_result()
        .map_err(|e| fail(e, &req))?
        .into_iter()
        .map(|c| c.build)
        .collect();
    let mut stdout = std::io::stdout().lock();
    match cmd.format {
        LlbFormat::Pb => {
            if builds.len() > 1 {
                bail!("--format pb writes one Definition; give one --platform");
            }
            let bytes = mstage_proto::wire::encode_definition(&builds[0].definition);
            stdout.write_all(&bytes)?;
        }
        LlbFormat::Json => {
            let v: Vec<serde_json::Value> = builds
                .iter()
                .map(|b| {
                    serde_json::json!({
                        "platform": b.platform.format_all(),
                        "definition": lower::definition_json(&b.definition),
                        "image_config": serde_json::from_slice::<serde_json::Value>(&b.image_config).unwrap_or_default(),
                    })
                })
                .collect();
            let out = if v.len() == 1 {
                v[0].clone()
            } else {
                serde_json::Value::Array(v)
            };
            serde_json::to_writer_pretty(&mut stdout, &out)?;
            writeln!(stdout)?;
        }
    }
    Ok(())
}

/// Runs `mstage graph`.
pub fn run_graph(cmd: &GraphCmd) -> anyhow::Result<()> {
    let (req, _) = read_request(&cmd.build, true)?;
    let plan = lower::plan(&req).map_err(|e| fail(e, &req))?;
    let graph = plan.graph();
    let out = match cmd.format {
        GraphFormat::Json => serde_json::to_string_pretty(&graph)? + "\n",
        GraphFormat::Dot => graph.dot(),
        GraphFormat::Mermaid => graph.mermaid(),
    };
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}
