//! Build checks: the rules BuildKit's Dockerfile frontend reports as warnings
//! (`docker build` prints them, `docker buildx build --check` asks for them through the
//! `frontend.lint` subrequest), configured by `# check=` and `BUILDKIT_DOCKERFILE_CHECK`.
//!
//! The rules run where the information they need appears, as upstream's do:
//! - [`checks::syntax`] on the parse tree, then [`checks::typed`] on the typed stages,
//!   before planning;
//! - [`checks::from_line`] on each stage's FROM, with the global ARGs;
//! - `InvalidBaseImagePlatform` where the lowering reads a resolved base image's config;
//! - [`checks::instruction`] on each instruction as the lowering dispatches it (it needs the
//!   stage's environment at that point), and [`checks::copy_source`] on each COPY/ADD source
//!   from the build context.
//!
//! Only the first target platform is checked, and in a build only the stages the target
//! needs ([`crate::lower::BuildRequest::all_stages`] checks them all).
//!
//! Findings go to a [`Linter`]; with `error=true`, any finding fails the build
//! ([`Linter::violation`]).

pub mod checks;
mod config;
mod finding;
mod report;
mod rules;

use std::collections::BTreeMap;

pub use config::{CheckConfig, CheckConfigError};
pub use finding::Finding;
pub use report::{results_json, results_text, snippet};
pub use rules::Rule;

use crate::dockerignore::IgnoreMatcher;
use mstage_syntax::parser::{Dockerfile, SourceRange};

/// The build arg that overrides the `# check=` directive.
pub const CHECK_BUILD_ARG: &str = "BUILDKIT_DOCKERFILE_CHECK";

/// Collects the findings of one build under its configuration.
#[derive(Debug, Default)]
pub struct Linter {
    config: CheckConfig,
    findings: Vec<Finding>,
}

/// A [`Linter`] shared by the compile of one platform, with what the rules read besides
/// the Dockerfile.
#[derive(Debug)]
pub struct LintSink {
    linter: std::sync::Mutex<Linter>,
    /// The context's `.dockerignore` (`CopyIgnoredFile`); `None` without patterns.
    pub ignore: Option<IgnoreMatcher>,
}

impl LintSink {
    pub fn new(linter: Linter, dockerignore: &[String]) -> Self {
        LintSink {
            linter: std::sync::Mutex::new(linter),
            ignore: (!dockerignore.is_empty()).then(|| IgnoreMatcher::new(dockerignore)),
        }
    }

    pub fn into_linter(self) -> Linter {
        // A poisoned lock only means a report panicked; the findings are still whole.
        self.linter.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Linter {
    pub fn new(config: CheckConfig) -> Self {
        Linter {
            config,
            findings: Vec::new(),
        }
    }

    pub fn config(&self) -> &CheckConfig {
        &self.config
    }

    /// Records a finding of `rule` at `range`, unless the configuration, merged with a
    /// `# check=` comment among `comments` (those just above the instruction), turns the
    /// rule off.
    pub fn report(&mut self, comments: &[String], rule: Rule, range: SourceRange, detail: String) {
        let enabled = match comment_config(comments) {
            Some(local) => self.config.merged(&local).enabled(rule),
            None => self.config.enabled(rule),
        };
        if enabled {
            self.findings.push(Finding {
                rule,
                detail,
                range,
            });
        }
    }

    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }

    /// With `error=true` and at least one finding: the error that fails the build, naming
    /// each rule once, in the order they were first found.
    pub fn violation(&self) -> Option<String> {
        if !self.config.error || self.findings.is_empty() {
            return None;
        }
        let mut names: Vec<&str> = Vec::new();
        for f in &self.findings {
            if !names.contains(&f.rule.name()) {
                names.push(f.rule.name());
            }
        }
        Some(format!(
            "lint violation found for rules: {}",
            names.join(", ")
        ))
    }
}

/// Reports through an optional shared linter (`None` = checks are off for this compile).
pub fn report(
    sink: Option<&LintSink>,
    comments: &[String],
    rule: Rule,
    range: SourceRange,
    detail: impl FnOnce() -> String,
) {
    if let Some(sink) = sink {
        let mut linter = sink.linter.lock().unwrap_or_else(|e| e.into_inner());
        linter.report(comments, rule, range, detail());
    }
}

/// The configuration of a build: `BUILDKIT_DOCKERFILE_CHECK` when given, else the
/// Dockerfile's `# check=` directive. Errors read as BuildKit's.
pub fn build_config(
    df: &Dockerfile,
    build_args: &BTreeMap<String, String>,
) -> Result<CheckConfig, String> {
    if let Some(v) = build_args.get(CHECK_BUILD_ARG) {
        return CheckConfig::parse(v)
            .map_err(|e| format!("failed to parse build-arg:{CHECK_BUILD_ARG}: {e}"));
    }
    // The directive's value ends at its first space, as in BuildKit.
    let directive = df
        .directives
        .iter()
        .find(|(k, _)| k == "check")
        .map_or("", |(_, v)| v.split(' ').next().unwrap_or_default());
    CheckConfig::parse(directive).map_err(|e| format!("failed to parse check options: {e}"))
}

/// The first `check=` comment among an instruction's comments, as a configuration. An
/// invalid one counts as none, as upstream ignores it.
fn comment_config(comments: &[String]) -> Option<CheckConfig> {
    let value = comments.iter().find_map(|c| {
        let (key, value) = mstage_syntax::parser::split_directive(c)?;
        key.eq_ignore_ascii_case("check").then_some(value)
    })?;
    let value = value.split(' ').next().unwrap_or_default();
    CheckConfig::parse(value).ok()
}
