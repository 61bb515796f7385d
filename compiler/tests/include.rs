//! `INCLUDE <path>` (an mstage extension): splicing whole stages and instructions inside a
//! stage, nesting, global ARGs, locations that point into the fragment (errors, warnings,
//! the Definition's source map), and the errors (cycle, missing file, escaping path), each
//! naming the INCLUDE line as `file:line`.

use mstage_compiler::lower::{
    check_blocking, compile_blocking, parse_instructions, parse_tree, BuildRequest, NoneResolver,
};
use mstage_syntax::instructions::Instruction;

/// The llb-golden conditions, the Dockerfile `main` and the fragments `(path, text)`.
fn request(main: &str, fragments: &[(&str, &str)]) -> BuildRequest {
    let mut req = BuildRequest::golden(main.as_bytes().to_vec());
    for (path, text) in fragments {
        req.fragments
            .insert(path.to_string(), text.as_bytes().to_vec());
    }
    req
}

/// Every instruction as `file:line KEYWORD ...`, stage by stage.
fn listing(req: &BuildRequest) -> String {
    let parsed = parse_instructions(req).unwrap_or_else(|e| panic!("{}", req.render_error(&e)));
    let at = |r: mstage_syntax::parser::SourceRange| {
        let (name, _) = req.source_file(r.file).unwrap();
        format!("{name}:{}", r.start_line)
    };
    let mut out = String::new();
    for a in &parsed.meta_args {
        out.push_str(&format!("{} {}\n", at(a.origin.range), a.origin.original));
    }
    for st in &parsed.stages {
        out.push_str(&format!("{} {}\n", at(st.range()), st.origin().original));
        for c in &st.commands {
            let o = c.origin();
            out.push_str(&format!("  {} {}\n", at(o.range), o.original));
        }
    }
    out
}

const BUILDER: &str = "# the shared builder\n\
    FROM ${BASE} AS builder\n\
    INCLUDE steps.Dockerfile\n\
    RUN mkdir -p /out && echo built > /out/app\n";
const STEPS: &str = "WORKDIR /src\nRUN echo step\n";
const MAIN: &str = "ARG BASE=busybox:latest\n\
    FROM ${BASE} AS base\n\
    RUN echo base\n\
    INCLUDE common/builder.Dockerfile\n\
    FROM base AS final\n\
    INCLUDE common/steps.Dockerfile\n\
    COPY --from=builder /out /out\n";

fn monorepo() -> BuildRequest {
    request(
        MAIN,
        &[
            ("common/builder.Dockerfile", BUILDER),
            ("common/steps.Dockerfile", STEPS),
        ],
    )
}

#[test]
fn splices_stages_and_instructions_nested_with_their_files_and_lines() {
    insta::assert_snapshot!(listing(&monorepo()), @r"
    Dockerfile:1 ARG BASE=busybox:latest
    Dockerfile:2 FROM ${BASE} AS base
      Dockerfile:3 RUN echo base
    common/builder.Dockerfile:2 FROM ${BASE} AS builder
      common/steps.Dockerfile:1 WORKDIR /src
      common/steps.Dockerfile:2 RUN echo step
      common/builder.Dockerfile:4 RUN mkdir -p /out && echo built > /out/app
    Dockerfile:5 FROM base AS final
      common/steps.Dockerfile:1 WORKDIR /src
      common/steps.Dockerfile:2 RUN echo step
      Dockerfile:7 COPY --from=builder /out /out
    ");
}

#[test]
fn includes_are_listed_with_file_and_line() {
    let df = parse_tree(&monorepo()).unwrap();
    let sites: Vec<String> = df
        .includes
        .iter()
        .map(|s| format!("{:?}:{} {}", s.range.file, s.range.start_line, s.path))
        .collect();
    assert_eq!(
        sites,
        [
            "FileId(0):4 common/builder.Dockerfile",
            "FileId(1):3 steps.Dockerfile",
            "FileId(0):6 common/steps.Dockerfile",
        ]
    );
    let plain = parse_tree(&request("FROM busybox\nRUN true\n", &[])).unwrap();
    assert!(plain.includes.is_empty());
}

/// The spliced build is the build of the same instructions written in one file: same ops,
/// same digests (global ARGs of the including file are in scope in the fragment's FROM).
#[test]
fn a_spliced_build_is_the_inline_build() {
    let inline = "ARG BASE=busybox:latest\n\
        FROM ${BASE} AS base\n\
        RUN echo base\n\
        FROM ${BASE} AS builder\n\
        WORKDIR /src\n\
        RUN echo step\n\
        RUN mkdir -p /out && echo built > /out/app\n\
        FROM base AS final\n\
        WORKDIR /src\n\
        RUN echo step\n\
        COPY --from=builder /out /out\n";
    let a = compile_blocking(&monorepo(), &NoneResolver).unwrap();
    let b = compile_blocking(&request(inline, &[]), &NoneResolver).unwrap();
    assert_eq!(a[0].build.definition, b[0].build.definition);
    assert_eq!(a[0].build.image_config, b[0].build.image_config);
}

#[test]
fn the_source_map_carries_each_file_once_and_ops_point_into_fragments() {
    let mut req = monorepo();
    req.source_map = true;
    let builds = compile_blocking(&req, &NoneResolver).unwrap();
    let source = builds[0].build.definition.source.clone().unwrap();
    let names: Vec<&str> = source.infos.iter().map(|i| i.filename.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), names.len(), "each file once: {names:?}");
    assert_eq!(
        sorted,
        [
            "Dockerfile",
            "common/builder.Dockerfile",
            "common/steps.Dockerfile"
        ]
    );
    let steps = names
        .iter()
        .position(|n| *n == "common/steps.Dockerfile")
        .unwrap() as i32;
    let info = &source.infos[steps as usize];
    assert_eq!(info.data, STEPS.as_bytes());
    // `RUN echo step` (line 2 of the fragment), in both stages that include it.
    let at_steps_line_2 = source
        .locations
        .values()
        .flat_map(|l| &l.locations)
        .filter(|l| l.source_index == steps)
        .filter(|l| l.ranges.iter().any(|r| r.start.as_ref().unwrap().line == 2))
        .count();
    assert_eq!(at_steps_line_2, 2);
}

/// A file without INCLUDE compiles exactly as before, whatever fragments the request holds.
#[test]
fn without_include_the_fragments_change_nothing() {
    let df = "FROM busybox AS a\nRUN echo a\n";
    let mut with = request(df, &[("x.Dockerfile", "RUN nope\n")]);
    with.source_map = true;
    let mut without = request(df, &[]);
    without.source_map = true;
    let a = compile_blocking(&with, &NoneResolver).unwrap();
    let b = compile_blocking(&without, &NoneResolver).unwrap();
    assert_eq!(a[0].build.definition, b[0].build.definition);
}

fn compile_error(req: &BuildRequest) -> mstage_compiler::lower::CompileError {
    match compile_blocking(req, &NoneResolver) {
        Ok(_) => panic!("compiled, but must fail"),
        Err(e) => e,
    }
}

fn error(req: &BuildRequest) -> String {
    req.render_error(&compile_error(req))
}

#[test]
fn a_missing_fragment_names_the_include_line() {
    let req = request("FROM busybox\nINCLUDE nope.Dockerfile\n", &[]);
    insta::assert_snapshot!(error(&req), @r"
    Dockerfile:2
    --------------------
       1 |     FROM busybox
       2 | >>> INCLUDE nope.Dockerfile
    --------------------
    ERROR: Dockerfile:2: INCLUDE nope.Dockerfile: file not found in the Dockerfile's directory
    ");
}

#[test]
fn a_path_leaving_the_directory_names_the_include_line_in_the_fragment() {
    let req = request(
        "FROM busybox\nINCLUDE sub/a.Dockerfile\n",
        &[("sub/a.Dockerfile", "RUN true\nINCLUDE ../../etc/passwd\n")],
    );
    insta::assert_snapshot!(error(&req), @r"
    sub/a.Dockerfile:2
    --------------------
       1 |     RUN true
       2 | >>> INCLUDE ../../etc/passwd
    --------------------
    ERROR: sub/a.Dockerfile:2: INCLUDE ../../etc/passwd: the path leaves the Dockerfile's directory
    ");
    let abs = request("FROM busybox\nINCLUDE /etc/passwd\n", &[]);
    assert!(error(&abs).contains("Dockerfile:2: INCLUDE /etc/passwd: the path leaves"));
}

#[test]
fn a_cycle_names_the_include_line_that_closes_it() {
    let req = request(
        "FROM busybox\nINCLUDE a.Dockerfile\n",
        &[
            ("a.Dockerfile", "RUN echo a\nINCLUDE b/b.Dockerfile\n"),
            ("b/b.Dockerfile", "RUN echo b\n\nINCLUDE ../a.Dockerfile\n"),
        ],
    );
    insta::assert_snapshot!(error(&req), @r"
    b/b.Dockerfile:3
    --------------------
       1 |     RUN echo b
       2 |     
       3 | >>> INCLUDE ../a.Dockerfile
    --------------------
    ERROR: b/b.Dockerfile:3: INCLUDE ../a.Dockerfile: include cycle: a.Dockerfile -> b/b.Dockerfile -> a.Dockerfile
    ");
    let own = request("FROM busybox\nINCLUDE Dockerfile\n", &[]);
    assert!(error(&own)
        .contains("Dockerfile:2: INCLUDE Dockerfile: include cycle: Dockerfile -> Dockerfile"));
}

#[test]
fn malformed_includes_and_fragments_are_errors_with_their_lines() {
    let req = request("FROM busybox\nINCLUDE\n", &[]);
    assert!(error(&req).contains("Dockerfile:2: INCLUDE needs exactly one path"));
    let req = request("FROM busybox\nINCLUDE a b\n", &[]);
    assert!(error(&req).contains("Dockerfile:2: INCLUDE needs exactly one path"));
    // An error in the fragment's instructions points into the fragment.
    let req = request("FROM busybox\nINCLUDE f\n", &[("f", "RUN true\nCOPY\n")]);
    let e = compile_error(&req);
    let r = e.range.unwrap();
    assert_eq!(
        (req.source_file(r.file).unwrap().0, r.start_line),
        ("f".into(), 2)
    );
    assert!(
        req.render_error(&e).starts_with("f:2\n"),
        "{}",
        req.render_error(&e)
    );
}

#[test]
fn warnings_point_into_the_fragment() {
    let req = request(
        "FROM busybox\nINCLUDE meta/m.Dockerfile\n",
        &[("meta/m.Dockerfile", "RUN true\nMAINTAINER me\n")],
    );
    let checked = check_blocking(&req, &NoneResolver);
    let f = &checked.findings[0];
    assert_eq!(f.rule.name(), "MaintainerDeprecated");
    assert_eq!(
        req.source_file(f.range.file).unwrap().0,
        "meta/m.Dockerfile"
    );
    assert_eq!(f.range.start_line, 2);
    let json = mstage_compiler::lint::results_json(&checked.findings, &req.source_texts(), None);
    assert_eq!(json["warnings"][0]["location"]["sourceIndex"], 1);
    assert_eq!(json["sources"][1]["filename"], "meta/m.Dockerfile");
}

/// Fragments keep their keywords typed like any instruction: an INCLUDE inside ONBUILD is
/// not spliced (the trigger is typed later, where INCLUDE is unknown).
#[test]
fn onbuild_include_stays_an_unknown_instruction() {
    let req = request("FROM busybox\nONBUILD INCLUDE x\n", &[("x", "RUN true\n")]);
    let parsed = parse_instructions(&req);
    assert!(
        parsed.is_err() || {
            let p = parsed.unwrap();
            matches!(&*p.stages[0].commands[0], Instruction::Onbuild(_))
        }
    );
}
