//! The compile's entry points: parse, check, plan, then lower each target platform.

use super::build::{self, Compiled, PlatformBuild};
use super::request::BuildRequest;
use super::resolve::ImageResolver;
use super::words::Words;
use super::{caps, contexts, frontend};
use crate::error::{CompileError, ErrorKind};
use crate::lint::{Finding, LintSink, Linter};

/// Compiles `request.dockerfile` for every target platform (one [`PlatformBuild`] each, in
/// the order of `request.target_platforms`). Base images of the stages the target needs are
/// resolved concurrently through `resolver`; unreachable stages are neither resolved nor
/// lowered. Errors carry the Dockerfile lines they are about.
pub async fn compile(
    request: &BuildRequest,
    resolver: &dyn ImageResolver,
) -> Result<Vec<PlatformBuild>, CompileError> {
    Ok(compile_detailed(request, resolver)
        .await?
        .into_iter()
        .map(|c| c.build)
        .collect())
}

/// Like [`compile`], also reporting which stages were lowered and which images resolved
/// (for `mstage graph` and tests). Build-check findings fail the compile only with
/// `# check=error=true`.
pub async fn compile_detailed(
    request: &BuildRequest,
    resolver: &dyn ImageResolver,
) -> Result<Vec<Compiled>, CompileError> {
    compile_checked(request, resolver).await.into_result()
}

/// A compile together with what the build checks found (also when the compile failed:
/// `frontend.lint` reports both).
pub struct Checked {
    pub result: Result<Vec<Compiled>, CompileError>,
    pub findings: Vec<Finding>,
    /// `error=true` and something was found: the error that fails the build.
    pub violation: Option<String>,
}

impl Checked {
    /// The error that stops the build, and its lines: the compile's, else a check
    /// violation (which has none).
    pub fn error(&self) -> Option<(&str, Option<mstage_syntax::parser::SourceRange>)> {
        match (&self.result, &self.violation) {
            (Err(e), _) => Some((e.message.as_str(), e.range)),
            (Ok(_), Some(v)) => Some((v.as_str(), None)),
            (Ok(_), None) => None,
        }
    }

    /// The compile, failed by a check violation if there is one.
    pub fn into_result(self) -> Result<Vec<Compiled>, CompileError> {
        let compiled = self.result?;
        match self.violation {
            Some(v) => Err(CompileError::request(v)),
            None => Ok(compiled),
        }
    }
}

/// Compiles, running the build checks on the first platform (as BuildKit does).
pub async fn compile_checked(request: &BuildRequest, resolver: &dyn ImageResolver) -> Checked {
    let mut sink: Option<LintSink> = None;
    let result = compile_inner(request, resolver, &mut sink).await;
    let linter = sink.map(LintSink::into_linter);
    let violation = linter.as_ref().and_then(Linter::violation);
    Checked {
        result,
        findings: linter.map(Linter::into_findings).unwrap_or_default(),
        violation,
    }
}

async fn compile_inner(
    request: &BuildRequest,
    resolver: &dyn ImageResolver,
    sink: &mut Option<LintSink>,
) -> Result<Vec<Compiled>, CompileError> {
    if request.dockerfile.is_empty() {
        return Err(CompileError::request("the Dockerfile cannot be empty"));
    }
    if request.caps.iter().next().is_some() && !request.caps.allows(caps::Gate::FileOp) {
        return Err(CompileError::new(
            ErrorKind::Unsupported,
            None,
            "the Dockerfile frontend needs BuildKit 0.5 or later (LLB capability file.base)",
        ));
    }
    let df = frontend::parse_request(request)?;
    let config =
        crate::lint::build_config(&df, &request.build_args).map_err(CompileError::request)?;
    if request.checks || config.error {
        *sink = Some(LintSink::new(Linter::new(config), &request.dockerignore));
    }
    let lint = sink.as_ref();
    let parsed = match frontend::parse_typed(&df) {
        Ok(parsed) => parsed,
        Err(e) => {
            if let Some(lint) = lint {
                crate::lint::checks::syntax(lint, &df, e.range.map(|r| r.start_line));
            }
            return Err(e);
        }
    };
    let words = frontend::ShellWords { escape: df.escape };
    if let Some(lint) = lint {
        crate::lint::checks::syntax(lint, &df, None);
        let po = crate::plan::PlatformOpt::new(
            request.target_platforms.first(),
            &request.build_platforms,
        );
        let target = request
            .target
            .clone()
            .or_else(|| parsed.stages.last().and_then(|s| s.name.clone()))
            .unwrap_or_default();
        let defaults = crate::plan::default_args(&po, &request.build_args, &target);
        let lexer = mstage_syntax::shell::Lexer::new(df.escape);
        crate::lint::checks::typed(lint, &parsed, &defaults, &lexer);
        let include_lines: Vec<_> = df.includes.iter().map(|site| site.range).collect();
        crate::lint::checks::extensions(lint, &parsed, df.escape, &include_lines);
    }
    let mut out = Vec::new();
    if request.target_platforms.is_empty() {
        out.push(
            build::compile_platform(request, &parsed, None, resolver, &words, &words, lint).await?,
        );
    } else {
        // Platforms are independent; compile them concurrently. Only the first is checked.
        let futs = request.target_platforms.iter().enumerate().map(|(i, p)| {
            let lint = if i == 0 { lint } else { None };
            build::compile_platform(request, &parsed, Some(p), resolver, &words, &words, lint)
        });
        for r in futures::future::join_all(futs).await {
            out.push(r?);
        }
    }
    Ok(out)
}

/// Only the plan (stages, bases, edges, target, reachability) for `request`, without
/// resolving or lowering anything (for `mstage graph`).
pub fn plan(request: &BuildRequest) -> Result<crate::plan::Plan, CompileError> {
    plan_with_instructions(request).map(|(plan, _)| plan)
}

/// [`plan`], with the typed instructions it was made from (the global `ARG`s live only there).
pub fn plan_with_instructions(
    request: &BuildRequest,
) -> Result<(crate::plan::Plan, mstage_syntax::instructions::Parsed), CompileError> {
    plan_with_escape(request).map(|(plan, parsed, _)| (plan, parsed))
}

/// Only the typed instructions (no plan: nothing expanded), as `frontend.targets` lists them.
pub fn parse_instructions(
    request: &BuildRequest,
) -> Result<mstage_syntax::instructions::Parsed, CompileError> {
    frontend::parse(request).map(|(_, parsed)| parsed)
}

/// The parse tree of the request's Dockerfile, with its `INCLUDE` fragments spliced in
/// (`Dockerfile::includes` lists the INCLUDE lines, each with its file and line).
pub fn parse_tree(
    request: &BuildRequest,
) -> Result<mstage_syntax::parser::Dockerfile, CompileError> {
    frontend::parse_request(request)
}

/// [`plan_with_instructions`], with the escape character the Dockerfile uses.
pub fn plan_with_escape(
    request: &BuildRequest,
) -> Result<(crate::plan::Plan, mstage_syntax::instructions::Parsed, char), CompileError> {
    let (df, parsed) = frontend::parse(request)?;
    let words = frontend::ShellWords { escape: df.escape };
    let po =
        crate::plan::PlatformOpt::new(request.target_platforms.first(), &request.build_platforms);
    let has_ctx = |n: &str| {
        let k = contexts::context_key(n);
        request
            .named_contexts
            .keys()
            .any(|c| contexts::context_key(c.split("::").next().unwrap_or(c)) == k)
    };
    let expand = |w: &str, env: &crate::plan::EnvList| words.word(w, env);
    let plan = crate::plan::Plan::build(
        &parsed,
        crate::plan::PlanOptions {
            target: request.target.as_deref(),
            build_args: &request.build_args,
            platforms: &po,
            has_named_context: &has_ctx,
            escape: df.escape,
        },
        &expand,
    )?;
    Ok((plan, parsed, df.escape))
}

/// [`compile_detailed`] on the current thread (for the CLI and tests; the resolver must not
/// need a specific async runtime).
pub fn compile_blocking(
    request: &BuildRequest,
    resolver: &dyn ImageResolver,
) -> Result<Vec<Compiled>, CompileError> {
    futures::executor::block_on(compile_detailed(request, resolver))
}

/// [`compile_checked`] on the current thread (for the CLI and tests).
pub fn check_blocking(request: &BuildRequest, resolver: &dyn ImageResolver) -> Checked {
    futures::executor::block_on(compile_checked(request, resolver))
}

/// One platform lowered offline, without build checks (the tests below start from a parse
/// tree of their own, not from bytes).
#[cfg(test)]
fn compile_unchecked(
    req: &BuildRequest,
    parsed: &mstage_syntax::instructions::Parsed,
    words: &frontend::ShellWords,
) -> Compiled {
    futures::executor::block_on(build::compile_platform(
        req,
        parsed,
        None,
        &super::resolve::NoneResolver,
        words,
        words,
        None,
    ))
    .unwrap()
}

#[cfg(test)]
mod smoke {
    use super::*;
    use crate::lower::*;
    use mstage_syntax::parser::{Dockerfile, Node, SourceRange};

    fn node(line: usize, keyword: &str, args: &[&str], original: &str) -> Node {
        Node {
            keyword: keyword.to_lowercase().into(),
            keyword_original: keyword.to_string().into(),
            flags: Vec::new(),
            args: args.iter().map(|s| s.to_string()).collect(),
            json_form: false,
            sub: None,
            heredocs: Vec::new(),
            comments: Vec::new(),
            original: original.to_string(),
            range: SourceRange {
                start_line: line,
                end_line: line,
                ..Default::default()
            },
        }
    }

    /// Ops of a hand-built parse tree match the stock frontend's bytes (digests taken
    /// from the llb-golden case apache__answer__Dockerfile).
    #[test]
    fn from_and_run_match_golden_digests() {
        let df = Dockerfile {
            escape: '\\',
            directives: Vec::new(),
            instructions: vec![
                node(1, "FROM", &["alpine"], "FROM alpine"),
                node(
                    2,
                    "RUN",
                    &["chmod 755 /entrypoint.sh"],
                    "RUN chmod 755 /entrypoint.sh",
                ),
            ],
            warnings: Vec::new(),
            includes: Vec::new(),
        };
        let parsed = mstage_syntax::instructions::parse_dockerfile(&df).unwrap();
        let req = BuildRequest::golden(b"FROM alpine\nRUN chmod 755 /entrypoint.sh\n".to_vec());
        let words = frontend::ShellWords { escape: '\\' };
        let c = compile_unchecked(&req, &parsed, &words);
        let digests: Vec<String> = c
            .build
            .definition
            .def
            .iter()
            .map(|b| llb_gen::op_digest(b))
            .collect();
        assert!(
            digests.contains(
                &"sha256:a7f9733e307dd352c82d43053b783dd17bb2ec2c36214908ce393e41545c8b51"
                    .to_string()
            ),
            "{digests:?}"
        );
        assert_eq!(digests.len(), 3);
    }

    /// `context:alpine=docker-image://busybox:1.36` replaces the base image;
    /// `context:base=local:src` replaces a whole stage.
    #[test]
    fn named_contexts_replace_bases_and_stages() {
        let df = Dockerfile {
            escape: '\\',
            directives: Vec::new(),
            instructions: vec![
                node(1, "FROM", &["alpine"], "FROM alpine"),
                node(2, "RUN", &["true"], "RUN true"),
            ],
            warnings: Vec::new(),
            includes: Vec::new(),
        };
        let parsed = mstage_syntax::instructions::parse_dockerfile(&df).unwrap();
        let mut req = BuildRequest::golden(b"FROM alpine\nRUN true\n".to_vec());
        req.named_contexts.insert(
            "alpine".into(),
            NamedContext::Image {
                reference: "busybox:1.36".into(),
            },
        );
        let words = frontend::ShellWords { escape: '\\' };
        let c = compile_unchecked(&req, &parsed, &words);
        let dump = serde_json::to_string(&definition_json(&c.build.definition)).unwrap();
        assert!(
            dump.contains("docker-image://docker.io/library/busybox:1.36"),
            "{dump}"
        );
        assert!(!dump.contains("library/alpine"), "{dump}");
        assert_eq!(
            c.resolved,
            vec!["docker.io/library/busybox:1.36".to_string()]
        );
    }
}

#[cfg(test)]
mod perf {
    use super::*;
    use mstage_syntax::parser::{Dockerfile, Node, SourceRange};

    fn node(line: usize, keyword: &str, args: Vec<String>, flags: Vec<String>) -> Node {
        let original = format!(
            "{} {}{}",
            keyword,
            flags.iter().map(|f| format!("{f} ")).collect::<String>(),
            args.join(" ")
        );
        Node {
            keyword: keyword.to_lowercase().into(),
            keyword_original: keyword.to_string().into(),
            flags,
            args,
            json_form: false,
            sub: None,
            heredocs: Vec::new(),
            comments: Vec::new(),
            original,
            range: SourceRange {
                start_line: line,
                end_line: line,
                ..Default::default()
            },
        }
    }

    fn compile_nodes(nodes: Vec<Node>) -> (std::time::Duration, usize) {
        let df = Dockerfile {
            escape: '\\',
            directives: Vec::new(),
            instructions: nodes,
            warnings: Vec::new(),
            includes: Vec::new(),
        };
        let t = std::time::Instant::now();
        let parsed = mstage_syntax::instructions::parse_dockerfile(&df).unwrap();
        let req = BuildRequest::golden(b"x".to_vec());
        let words = frontend::ShellWords { escape: '\\' };
        let c = compile_unchecked(&req, &parsed, &words);
        (t.elapsed(), c.build.definition.def.len())
    }

    /// A chain of 2,000 stages (each FROM the previous) and 200 stages fanned into one:
    /// linear work, no deep recursion.
    #[test]
    fn large_dockerfiles_compile_quickly() {
        let mut nodes = vec![node(
            1,
            "FROM",
            vec!["alpine".into(), "AS".into(), "s0".into()],
            vec![],
        )];
        for i in 1..2000 {
            nodes.push(node(
                2 * i,
                "FROM",
                vec![format!("s{}", i - 1), "AS".into(), format!("s{i}")],
                vec![],
            ));
            nodes.push(node(2 * i + 1, "RUN", vec![format!("echo {i}")], vec![]));
        }
        let (chain, ops) = compile_nodes(nodes);
        assert_eq!(ops, 2001);

        let mut nodes = Vec::new();
        for i in 0..200 {
            nodes.push(node(
                3 * i + 1,
                "FROM",
                vec![format!("alpine:{i}"), "AS".into(), format!("s{i}")],
                vec![],
            ));
            nodes.push(node(
                3 * i + 2,
                "RUN",
                vec![format!("echo {i} > /out")],
                vec![],
            ));
        }
        nodes.push(node(1000, "FROM", vec!["scratch".into()], vec![]));
        for i in 0..200 {
            nodes.push(node(
                1001 + i,
                "COPY",
                vec!["/out".into(), format!("/out{i}")],
                vec![format!("--from=s{i}")],
            ));
        }
        let (fan, _) = compile_nodes(nodes);
        eprintln!("chain of 2000: {chain:?}; 200 stages fanned in: {fan:?}");
        // Generous bounds for unoptimised test builds; release is far faster.
        assert!(chain.as_millis() < 5000, "{chain:?}");
        assert!(fan.as_millis() < 1000, "{fan:?}");
    }
}

#[cfg(test)]
mod perf_text {
    use super::*;
    use crate::lower::*;

    fn time(df: String) -> std::time::Duration {
        let req = BuildRequest::golden(df.into_bytes());
        let t = std::time::Instant::now();
        let c = compile_blocking(&req, &NoneResolver).unwrap();
        assert!(!c[0].build.definition.def.is_empty());
        t.elapsed()
    }

    /// Parse + plan + lower + marshal from Dockerfile text: a 200-stage fan-in with ARG,
    /// ENV, WORKDIR, COPY and cache mounts per stage, and a 2,000-stage chain.
    #[test]
    fn text_to_definition_scales_linearly() {
        let mut s = String::new();
        for i in 0..200 {
            s.push_str(&format!(
                "FROM alpine:3.{} AS s{i}\nARG V{i}=x\nENV A{i}=${{V{i}}}\nWORKDIR /w{i}\nCOPY f{i} /f\nRUN --mount=type=cache,target=/c echo {i} > /out\n",
                i % 20
            ));
        }
        s.push_str("FROM scratch\n");
        for i in 0..200 {
            s.push_str(&format!("COPY --from=s{i} /out /o{i}\n"));
        }
        let fan = time(s);
        let mut c = String::from("FROM alpine AS s0\nRUN echo 0\n");
        for i in 1..2000 {
            c.push_str(&format!("FROM s{} AS s{i}\nRUN echo {i}\n", i - 1));
        }
        let chain = time(c);
        let mut simple = String::new();
        for i in 0..200 {
            simple.push_str(&format!("FROM alpine AS s{i}\nRUN echo {i} > /out\n"));
        }
        simple.push_str("FROM scratch\n");
        for i in 0..200 {
            simple.push_str(&format!("COPY --from=s{i} /out /o{i}\n"));
        }
        let simple = time(simple);
        eprintln!("simple 200 stages: {simple:?}");
        eprintln!("200 stages: {fan:?}; chain of 2000: {chain:?}");
        // Generous bounds so unoptimised test builds pass; release builds are ~10x faster.
        assert!(fan.as_millis() < 1000, "{fan:?}");
        assert!(chain.as_millis() < 5000, "{chain:?}");
    }
}

#[cfg(test)]
mod unused_stages {
    use super::*;
    use crate::lower::*;

    #[test]
    fn a_malformed_base_fails_the_build_even_in_a_stage_the_target_does_not_need() {
        let mut req = BuildRequest::golden("FROM alpine:$NOTAG AS a\nFROM busybox AS b\n");
        req.target = Some("b".into());
        let Err(e) = compile_blocking(&req, &NoneResolver) else {
            panic!("BuildKit parses every base image reference")
        };
        assert_eq!(
            e.message,
            "failed to parse stage name \"alpine:\": invalid reference format"
        );
        assert_eq!(e.range.map(|r| r.start_line), Some(1));
        // A well-formed one is still neither resolved nor lowered.
        let req = BuildRequest {
            target: Some("b".into()),
            ..BuildRequest::golden("FROM alpine:3 AS a\nFROM busybox AS b\n")
        };
        let compiled = compile_blocking(&req, &NoneResolver).unwrap();
        assert_eq!(compiled[0].resolved, ["docker.io/library/busybox:latest"]);
    }
}
