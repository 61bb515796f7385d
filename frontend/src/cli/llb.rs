//! `mstage llb` and `mstage graph`: compile a Dockerfile without BuildKit.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{anyhow, bail, Context};
use clap::{Args, ValueEnum};

use crate::image::Platform;
use crate::lower::{self, BuildRequest, CompileError, NoneResolver};
use crate::plan::{Base, Plan};

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
    let dockerignore = crate::dockerignore::parse(&ignore)?;
    let req = BuildRequest {
        dockerfile,
        dockerfile_name: name.clone(),
        target: b.target.clone(),
        build_args,
        target_platforms,
        build_platforms: vec![if offline {
            Platform::new("linux", "amd64", "")
        } else {
            Platform::new("linux", crate::image::host_arch(), "")
        }],
        dockerignore,
        ..BuildRequest::default()
    };
    Ok((req, name))
}

fn fail(e: CompileError, req: &BuildRequest, name: &str) -> anyhow::Error {
    anyhow!("{}", e.render(name, &req.dockerfile))
}

/// Runs `mstage llb`.
pub fn run_llb(cmd: &LlbCmd) -> anyhow::Result<()> {
    let (req, name) = read_request(&cmd.build, cmd.resolve == ResolveArg::None)?;
    let checked = match cmd.resolve {
        ResolveArg::None => lower::check_blocking(&req, &NoneResolver),
        #[cfg(feature = "registry")]
        ResolveArg::Registry => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("starting the async runtime")?;
            let resolver = lower::RegistryResolver::default();
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
        .map_err(|e| fail(e, &req, &name))?
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

fn stage_label(p: &Plan, id: usize) -> String {
    let s = &p.stages[id];
    match &s.name {
        Some(n) => n.clone(),
        None if s.unregistered => s.base_name.clone(),
        None => format!("stage-{id}"),
    }
}

/// Graph data: nodes (stages) and edges.
pub fn graph_json(p: &Plan) -> serde_json::Value {
    let reach = p.reachable();
    let mut stages = Vec::new();
    let mut edges = Vec::new();
    for (id, s) in p.stages.iter().enumerate() {
        if s.unregistered && s.base_name == crate::plan::SCRATCH {
            continue; // mounts without `from` (cache/tmpfs) read nothing
        }
        let base = match &s.base {
            Base::Stage(b) => serde_json::json!({"stage": stage_label(p, *b)}),
            Base::Scratch => serde_json::json!("scratch"),
            Base::Image(_) => serde_json::json!({"image": s.base_name}),
            Base::Context(c) => serde_json::json!({"context": c}),
        };
        stages.push(serde_json::json!({
            "id": id,
            "name": stage_label(p, id),
            "base": base,
            "target": id == p.target,
            "needed": reach[id],
            "external": s.unregistered,
        }));
        if let Base::Stage(b) = s.base {
            edges.push(serde_json::json!({"from": stage_label(p, b), "to": stage_label(p, id), "kind": "from"}));
        }
        for &d in &s.deps {
            if p.stages[d].unregistered && p.stages[d].base_name == crate::plan::SCRATCH {
                continue;
            }
            edges.push(serde_json::json!({"from": stage_label(p, d), "to": stage_label(p, id), "kind": "copy"}));
        }
    }
    serde_json::json!({"stages": stages, "edges": edges})
}

/// A DOT string (labels may carry `\n` line breaks, so backslashes pass through).
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\\\""))
}

/// Runs `mstage graph`.
pub fn run_graph(cmd: &GraphCmd) -> anyhow::Result<()> {
    let (req, name) = read_request(&cmd.build, true)?;
    let plan = lower::plan(&req).map_err(|e| fail(e, &req, &name))?;
    let g = graph_json(&plan);
    let mut out = String::new();
    let stages = g["stages"].as_array().cloned().unwrap_or_default();
    let edges = g["edges"].as_array().cloned().unwrap_or_default();
    match cmd.format {
        GraphFormat::Json => out = serde_json::to_string_pretty(&g)? + "\n",
        GraphFormat::Dot => {
            out.push_str("digraph stages {\n  rankdir=LR;\n");
            for s in &stages {
                let n = s["name"].as_str().unwrap_or("");
                let base = match &s["base"] {
                    serde_json::Value::Object(o) if o.contains_key("image") => {
                        format!("\\nFROM {}", o["image"].as_str().unwrap_or(""))
                    }
                    serde_json::Value::String(b) => format!("\\nFROM {b}"),
                    _ => String::new(),
                };
                let mut attrs = vec![format!("label={}", quote(&format!("{n}{base}")))];
                if s["external"].as_bool() == Some(true) {
                    attrs.push("shape=box".into());
                }
                if s["target"].as_bool() == Some(true) {
                    attrs.push("penwidth=2".into());
                }
                if s["needed"].as_bool() == Some(false) {
                    attrs.push("style=dashed".into());
                    attrs.push("color=gray".into());
                }
                out.push_str(&format!("  {} [{}];\n", quote(n), attrs.join(", ")));
            }
            for e in &edges {
                let style = if e["kind"] == "copy" {
                    " [style=dotted]"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "  {} -> {}{};\n",
                    quote(e["from"].as_str().unwrap_or("")),
                    quote(e["to"].as_str().unwrap_or("")),
                    style
                ));
            }
            out.push_str("}\n");
        }
        GraphFormat::Mermaid => {
            out.push_str("graph LR\n");
            let ids: BTreeMap<String, usize> = stages
                .iter()
                .enumerate()
                .map(|(i, s)| (s["name"].as_str().unwrap_or("").to_string(), i))
                .collect();
            for (i, s) in stages.iter().enumerate() {
                let n = s["name"].as_str().unwrap_or("");
                let mut label = n.to_string();
                match &s["base"] {
                    serde_json::Value::Object(o) if o.contains_key("image") => {
                        label.push_str(&format!("<br/>FROM {}", o["image"].as_str().unwrap_or("")));
                    }
                    serde_json::Value::String(b) => label.push_str(&format!("<br/>FROM {b}")),
                    _ => {}
                }
                if s["needed"].as_bool() == Some(false) {
                    label.push_str(" (not needed)");
                }
                if s["target"].as_bool() == Some(true) {
                    label.push_str(" (target)");
                }
                out.push_str(&format!("  s{i}[\"{}\"]\n", label.replace('"', "'")));
            }
            for e in &edges {
                let a = ids
                    .get(e["from"].as_str().unwrap_or(""))
                    .copied()
                    .unwrap_or(0);
                let b = ids
                    .get(e["to"].as_str().unwrap_or(""))
                    .copied()
                    .unwrap_or(0);
                let arrow = if e["kind"] == "copy" { "-.->" } else { "-->" };
                out.push_str(&format!("  s{a} {arrow} s{b}\n"));
            }
        }
    }
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}
