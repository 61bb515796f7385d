//! mstage's extensions beyond the stock frontend: variables in `--from`, `RUN --no-cache`,
//! `MOUNT`, and the `MstageExtension` check. Snapshots of the JSON dump and the stage graph
//! under the llb-golden conditions (`--resolve none`), and the errors they can give.

use std::collections::BTreeMap;

use mstage_compiler::lower::{
    check_blocking, compile_blocking, definition_json, plan, BuildRequest, NoneResolver,
};

fn case(file: &str) -> BuildRequest {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/extensions")
        .join(file);
    let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    BuildRequest::golden(bytes)
}

fn with_arg(mut req: BuildRequest, k: &str, v: &str) -> BuildRequest {
    req.build_args = BTreeMap::from([(k.to_string(), v.to_string())]);
    req
}

fn dump(req: &BuildRequest) -> String {
    let builds = compile_blocking(req, &NoneResolver)
        .unwrap_or_else(|e| panic!("{}", e.render("Dockerfile", &req.dockerfile)));
    serde_json::to_string_pretty(&definition_json(&builds[0].build.definition)).unwrap()
}

/// The rendered error (`Dockerfile:N`, the lines, the message).
fn error(dockerfile: &str) -> String {
    let req = BuildRequest::golden(dockerfile);
    match compile_blocking(&req, &NoneResolver) {
        Ok(_) => panic!("compiled: {dockerfile}"),
        Err(e) => e.render("Dockerfile", &req.dockerfile),
    }
}

#[test]
fn variable_in_from_picks_the_stage_of_the_build_arg() {
    insta::assert_snapshot!(dump(&case("variant.Dockerfile")));
    let graph =
        |req: &BuildRequest| serde_json::to_string_pretty(&plan(req).unwrap().graph()).unwrap();
    insta::assert_snapshot!("variant_graph_release", graph(&case("variant.Dockerfile")));
    let debug = with_arg(case("variant.Dockerfile"), "VARIANT", "debug");
    insta::assert_snapshot!("variant_graph_debug", graph(&debug));
}

#[test]
fn the_stage_of_the_other_value_is_neither_lowered_nor_resolved() {
    let c = compile_blocking(&case("variant.Dockerfile"), &NoneResolver).unwrap();
    assert!(c[0]
        .resolved
        .iter()
        .all(|r| r == "docker.io/library/busybox:1.36"));
    assert_eq!(c[0].dispatched, [true, false, true]);
    let debug = with_arg(case("variant.Dockerfile"), "VARIANT", "debug");
    let c = compile_blocking(&debug, &NoneResolver).unwrap();
    assert_eq!(c[0].dispatched, [false, true, true]);
    assert!(c[0]
        .resolved
        .contains(&"docker.io/library/alpine:3.20".to_string()));
}

#[test]
fn from_sees_env_of_base_stages_and_defaults() {
    let df = "FROM busybox AS a\nRUN touch /a\nFROM busybox AS b\nRUN touch /b\n\
              FROM busybox AS pick\nENV SRC=a\nFROM pick\nCOPY --from=$SRC /a /a\n\
              COPY --from=${OTHER:-b} /b /b\n";
    let p = plan(&BuildRequest::golden(df)).unwrap();
    let edges: Vec<(String, String)> = p
        .graph()
        .edges
        .iter()
        .map(|e| (e.from.clone(), e.to.clone()))
        .collect();
    assert!(edges.contains(&("a".into(), "stage-3".into())), "{edges:?}");
    assert!(edges.contains(&("b".into(), "stage-3".into())), "{edges:?}");
}

#[test]
fn an_undefined_variable_in_from_names_the_file_and_line() {
    insta::assert_snapshot!(
        "undefined_in_copy_from",
        error("FROM busybox AS build-release\nRUN true\nFROM busybox\nCOPY --from=build-${VARIANT} /out /out\n")
    );
    insta::assert_snapshot!(
        "undefined_in_mount_from",
        error("FROM busybox\nRUN --mount=from=$STAGE,target=/x true\n")
    );
    // Defined but empty.
    let e = error("FROM busybox\nARG S=\nCOPY --from=$S /a /b\n");
    assert!(e.starts_with("Dockerfile:3\n"), "{e}");
    assert!(
        e.ends_with("ERROR: dockerfile line 3: --from=$S expands to an empty value"),
        "{e}"
    );
}

#[test]
fn run_no_cache_marks_only_that_op() {
    let out = dump(&case("no_cache.Dockerfile"));
    insta::assert_snapshot!(out);
    let c = compile_blocking(&case("no_cache.Dockerfile"), &NoneResolver).unwrap();
    let ignored: Vec<String> = c[0]
        .build
        .definition
        .metadata
        .values()
        .filter(|m| m.ignore_cache)
        .filter_map(|m| m.description.get("llb.customname").cloned())
        .collect();
    assert_eq!(ignored, ["[3/4] RUN --no-cache date +%s%N > /stamp"]);
}

#[test]
fn no_cache_does_not_change_the_op_digest() {
    let digests = |df: &str| {
        let c = compile_blocking(&BuildRequest::golden(df), &NoneResolver).unwrap();
        let mut d: Vec<String> = c[0]
            .build
            .definition
            .def
            .iter()
            .map(|b| llb_gen::op_digest(b))
            .collect();
        d.sort();
        d
    };
    // Same op bytes: only the metadata says "do not use the cache".
    assert_eq!(
        digests("FROM busybox\nRUN --no-cache echo hi\n"),
        digests("FROM busybox\nRUN echo hi\n")
    );
}

#[test]
fn stage_mounts_reach_every_later_run_of_the_stage_only() {
    insta::assert_snapshot!(dump(&case("stage_mount.Dockerfile")));
}

#[test]
fn a_bad_mount_spec_names_the_line() {
    insta::assert_snapshot!(
        "mount_bad_key",
        error("FROM busybox\nMOUNT type=cache,target=/c,bogus=1\nRUN true\n")
    );
    let e = error("FROM busybox\nRUN true\nMOUNT\n");
    assert!(e.starts_with("Dockerfile:3\n"), "{e}");
    assert!(e.ends_with("MOUNT requires exactly one argument"), "{e}");
    let e = error("FROM busybox\nMOUNT type=cache,target=$NOPE\nRUN true\n");
    assert!(e.starts_with("Dockerfile:2\n"), "{e}");
    assert!(e.ends_with("ERROR: invalid mount target \"\""), "{e}");
    let e = error("FROM busybox\nMOUNT type=bind,from=$NOPE,target=/x\nRUN true\n");
    assert!(e.starts_with("Dockerfile:3\n"), "the RUN that gets it: {e}");
    assert!(e.contains("undefined variable NOPE"), "{e}");
}

fn extension_findings(dockerfile: &str) -> Vec<(usize, String)> {
    let c = check_blocking(&BuildRequest::golden(dockerfile), &NoneResolver);
    c.findings
        .iter()
        .filter(|f| f.rule == mstage_compiler::lint::Rule::MstageExtension)
        .map(|f| (f.range.start_line, f.detail.clone()))
        .collect()
}

#[test]
fn the_mstage_extension_check_is_off_by_default_and_names_each_use() {
    let body = "FROM busybox AS b\nARG V=b\nFROM busybox\nARG V=b\nMOUNT type=cache,target=/c\n\
                COPY --from=$V /a /a\nRUN --no-cache --mount=from=${V},target=/m true\n";
    assert_eq!(extension_findings(body), []);
    let on = format!("# check=experimental=MstageExtension\n{body}");
    insta::assert_debug_snapshot!(extension_findings(&on));
    // A stock Dockerfile has none, even with the check on.
    let stock = "# check=experimental=all\nFROM busybox AS b\nFROM busybox\nCOPY --from=b /a /a\nRUN --mount=type=cache,target=/c true\n";
    assert_eq!(extension_findings(stock), []);
}

/// The hook for `INCLUDE`: the parser splices the fragment away, so the caller passes the
/// lines of its INCLUDEs; each is one finding, in line order with the others.
#[test]
fn include_lines_passed_in_are_findings_too() {
    use mstage_compiler::lint::{checks, CheckConfig, LintSink, Linter, Rule};
    use mstage_syntax::parser::SourceRange;
    let src = b"FROM busybox\nRUN --no-cache true\n";
    let df = mstage_syntax::parser::parse(src).unwrap();
    let parsed = mstage_syntax::instructions::parse_dockerfile_in(
        &df,
        mstage_syntax::instructions::Dialect::Mstage,
    )
    .unwrap();
    let config = CheckConfig::parse("experimental=MstageExtension").unwrap();
    let sink = LintSink::new(Linter::new(config), &[]);
    let include = SourceRange {
        start_line: 3,
        end_line: 3,
        ..Default::default()
    };
    checks::extensions(&sink, &parsed, '\\', &[include]);
    let found: Vec<(usize, Rule, String)> = sink
        .into_linter()
        .into_findings()
        .into_iter()
        .map(|f| (f.range.start_line, f.rule, f.detail))
        .collect();
    assert_eq!(
        found,
        [
            (
                2,
                Rule::MstageExtension,
                "RUN --no-cache needs mstage: the stock Dockerfile frontend rejects it".into()
            ),
            (
                3,
                Rule::MstageExtension,
                "INCLUDE needs mstage: the stock Dockerfile frontend rejects it".into()
            ),
        ]
    );
}
