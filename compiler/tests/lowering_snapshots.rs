//! Snapshots of the JSON dump (`mstage llb --format json`) for Dockerfiles that together use
//! every instruction and flag, plus the multi-stage shapes (diamond, chain, unreachable
//! stage, --target in the middle, COPY --from by index/name/image, global ARG in FROM, ARG
//! redeclared, build-arg override). Conditions are the llb-golden ones (`--resolve none`).

use std::collections::BTreeMap;

use mstage_compiler::lower::{compile_blocking, definition_json, BuildRequest, NoneResolver};

fn case(file: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/lowering")
        .join(file);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn dump(req: &BuildRequest) -> String {
    let builds = compile_blocking(req, &NoneResolver)
        .unwrap_or_else(|e| panic!("{}", e.render("Dockerfile", &req.dockerfile)));
    let b = &builds[0].build;
    let v = serde_json::json!({
        "definition": definition_json(&b.definition),
        "image_config": serde_json::from_slice::<serde_json::Value>(&b.image_config).unwrap(),
    });
    serde_json::to_string_pretty(&v).unwrap()
}

fn golden(file: &str) -> BuildRequest {
    BuildRequest::golden(case(file))
}

#[test]
fn all_instructions() {
    insta::assert_snapshot!(dump(&golden("all_instructions.Dockerfile")));
}

#[test]
fn run_flags() {
    insta::assert_snapshot!(dump(&golden("run_flags.Dockerfile")));
}

#[test]
fn diamond() {
    insta::assert_snapshot!(dump(&golden("diamond.Dockerfile")));
}

#[test]
fn chain() {
    insta::assert_snapshot!(dump(&golden("chain.Dockerfile")));
}

#[test]
fn unreachable_stage() {
    insta::assert_snapshot!(dump(&golden("unreachable.Dockerfile")));
}

#[test]
fn target_in_the_middle() {
    let mut req = golden("chain.Dockerfile");
    req.target = Some("two".into());
    insta::assert_snapshot!(dump(&req));
}

#[test]
fn copy_from_index_name_image() {
    insta::assert_snapshot!(dump(&golden("copy_from.Dockerfile")));
}

#[test]
fn global_arg_in_from_and_redeclared() {
    insta::assert_snapshot!(dump(&golden("args.Dockerfile")));
}

#[test]
fn build_arg_override() {
    let mut req = golden("args.Dockerfile");
    req.build_args = BTreeMap::from([
        ("TAG".to_string(), "3.19".to_string()),
        ("GREETING".to_string(), "hi".to_string()),
        ("LOCAL".to_string(), "from-cli".to_string()),
    ]);
    insta::assert_snapshot!(dump(&req));
}

#[test]
fn multi_platform_names_carry_the_platform() {
    let mut req = golden("chain.Dockerfile");
    req.target_platforms = vec![
        mstage_compiler::image::Platform::new("linux", "amd64", ""),
        mstage_compiler::image::Platform::new("linux", "arm64", ""),
    ];
    let builds = compile_blocking(&req, &NoneResolver).unwrap();
    assert_eq!(builds.len(), 2);
    let names: Vec<String> = builds
        .iter()
        .flat_map(|b| {
            b.build
                .definition
                .metadata
                .values()
                .filter_map(|m| m.description.get("llb.customname").cloned())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(names.iter().any(|n| n.starts_with("[linux/arm64 three")));
    assert!(names.iter().any(|n| n.starts_with("[linux/amd64 three")));
}

#[test]
fn graph_marks_stages_the_target_does_not_need() {
    let mut req = golden("unreachable.Dockerfile");
    let plan = mstage_compiler::lower::plan(&req).unwrap();
    let g = serde_json::to_value(plan.graph()).unwrap();
    insta::assert_snapshot!(serde_json::to_string_pretty(&g).unwrap());
    // With the middle stage as target, the last stage is not needed either.
    req.target = Some("used".into());
    let plan = mstage_compiler::lower::plan(&req).unwrap();
    let g = serde_json::to_value(plan.graph()).unwrap();
    let needed: Vec<(String, bool)> = g["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["needed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        needed,
        vec![
            ("used".to_string(), true),
            ("unused".to_string(), false),
            ("stage-2".to_string(), false)
        ]
    );
}

#[test]
fn graph_of_a_diamond() {
    let plan = mstage_compiler::lower::plan(&golden("diamond.Dockerfile")).unwrap();
    insta::assert_snapshot!(serde_json::to_string_pretty(&plan.graph()).unwrap());
}
