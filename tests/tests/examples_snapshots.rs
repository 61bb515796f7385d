//! Snapshots of every example of `examples/` as mstage lowers it (`mstage llb --format json`
//! conditions: `--resolve none`, the example's `.dockerignore` applied): each `Dockerfile`
//! and `Dockerfile.single`, plus the targets and platforms the examples' READMEs use. A new
//! example without a reviewed snapshot fails here. `scripts/examples.sh` builds and runs
//! the same Dockerfiles on a real BuildKit.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mstage_compiler::image::Platform;
use mstage_compiler::lower::{compile_blocking, definition_json, BuildRequest, NoneResolver};
use serde_json::Value;

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

fn example_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(examples_dir())
        .expect("examples/")
        .flatten()
        .filter(|e| e.path().join("Dockerfile").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn request(example: &str, file: &str) -> BuildRequest {
    let dir = examples_dir().join(example);
    let df = std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{example}/{file}: {e}"));
    let mut req = BuildRequest::golden(df);
    req.dockerfile_name = file.to_string();
    if let Ok(ignore) = std::fs::read_to_string(dir.join(".dockerignore")) {
        req.dockerignore = mstage_compiler::dockerignore::parse(&ignore)
            .unwrap_or_else(|e| panic!("{example}/.dockerignore: {e}"));
    }
    req
}

/// The lowered build as JSON: the Definition and the image config.
fn lower(req: &BuildRequest, what: &str) -> Value {
    let builds = compile_blocking(req, &NoneResolver)
        .unwrap_or_else(|e| panic!("{what}: {}", e.render("Dockerfile", &req.dockerfile)));
    assert_eq!(builds.len(), 1, "{what}: one platform");
    let b = &builds[0].build;
    serde_json::json!({
        "definition": definition_json(&b.definition),
        "image_config": serde_json::from_slice::<Value>(&b.image_config).unwrap(),
    })
}

fn snapshot(name: &str, v: &Value) {
    insta::assert_snapshot!(name, serde_json::to_string_pretty(v).unwrap());
}

/// Exec ops of a lowered build: (vertex name, platform, env, args joined).
fn execs(v: &Value) -> Vec<(String, String, Vec<String>, String)> {
    v["definition"]["ops"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|op| op["op"]["type"] == "exec")
        .map(|op| {
            let s = |x: &Value| x.as_str().unwrap_or_default().to_string();
            let env = op["op"]["env"]
                .as_array()
                .map(|a| a.iter().map(&s).collect())
                .unwrap_or_default();
            let args: Vec<String> = op["op"]["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(&s)
                .collect();
            (s(&op["name"]), s(&op["platform"]), env, args.join(" "))
        })
        .collect()
}

#[test]
fn every_example_lowers_as_snapshotted() {
    let names = example_names();
    assert!(names.len() >= 9, "examples found: {names:?}");
    for name in &names {
        let dir = examples_dir().join(name);
        assert!(dir.join("README.md").is_file(), "{name}: no README.md");
        let first = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
        assert!(
            first.starts_with("# syntax=mstage:dev\n"),
            "{name}/Dockerfile must start with the mstage syntax line"
        );
        snapshot(name, &lower(&request(name, "Dockerfile"), name));
        // Every example but the placeholder compares itself with a single-stage build.
        if dir.join("Dockerfile.single").exists() {
            let what = format!("{name}.single");
            snapshot(&what, &lower(&request(name, "Dockerfile.single"), &what));
        } else {
            assert_eq!(name, "hello", "{name}: no Dockerfile.single");
        }
    }
}

#[test]
fn test_stage_runs_only_for_target_test() {
    let default = lower(&request("build-test-runtime", "Dockerfile"), "default");
    let mut req = request("build-test-runtime", "Dockerfile");
    req.target = Some("test".into());
    let test = lower(&req, "--target test");
    snapshot("build-test-runtime.target-test", &test);
    let runs_tests = |v: &Value| execs(v).iter().any(|(_, _, _, a)| a.contains("go test"));
    assert!(runs_tests(&test), "--target test must run go test");
    assert!(
        !runs_tests(&default),
        "the default target must not run go test"
    );
    // Both compile the binary.
    for v in [&default, &test] {
        assert!(execs(v).iter().any(|(_, _, _, a)| a.contains("go build")));
    }
}

#[test]
fn dev_and_prod_targets() {
    let mut dev = request("dev-prod-targets", "Dockerfile");
    dev.target = Some("dev".into());
    let dev = lower(&dev, "--target dev");
    snapshot("dev-prod-targets.target-dev", &dev);
    let mut prod = request("dev-prod-targets", "Dockerfile");
    prod.target = Some("prod".into());
    let prod = lower(&prod, "--target prod");
    let default = lower(&request("dev-prod-targets", "Dockerfile"), "default");
    assert_eq!(prod, default, "the default target is prod");
    let npm = |v: &Value| -> Vec<String> {
        execs(v)
            .into_iter()
            .map(|(_, _, _, a)| a)
            .filter(|a| a.contains("npm ci"))
            .collect()
    };
    assert_eq!(npm(&dev), ["/bin/sh -c npm ci"]);
    assert_eq!(
        npm(&prod),
        ["/bin/sh -c npm ci --omit=dev && npm cache clean --force"]
    );
    assert_eq!(prod["image_config"]["config"]["User"], "node");
    assert_eq!(dev["image_config"]["config"]["User"], Value::Null);
}

#[test]
fn cross_compiles_from_the_build_platform() {
    let mut req = request("buildkit-extras", "Dockerfile");
    req.target_platforms = vec![Platform::new("linux", "arm64", "")];
    req.build_args = BTreeMap::from([("APP_VERSION".to_string(), "2.0.0".to_string())]);
    let v = lower(&req, "--platform linux/arm64");
    snapshot("buildkit-extras.linux-arm64", &v);
    let build = execs(&v)
        .into_iter()
        .find(|(_, _, _, a)| a.contains("go build"))
        .expect("a go build step");
    assert_eq!(build.1, "linux/amd64", "the compiler runs on BUILDPLATFORM");
    for want in ["TARGETOS=linux", "TARGETARCH=arm64", "APP_VERSION=2.0.0"] {
        assert!(build.2.iter().any(|e| e == want), "{want} in {:?}", build.2);
    }
    assert_eq!(v["image_config"]["architecture"], "arm64");
    // The secret is mounted, required, in the module download step and nowhere in the config.
    let text = serde_json::to_string(&v).unwrap();
    assert!(text.contains(r#""id":"netrc","mode":"400","optional":false"#));
}

/// monorepo-include (its Dockerfiles are `api.Dockerfile` and `worker.Dockerfile`, which
/// INCLUDE the shared fragments): both services lower, and the shared builder's first step
/// is the same op for both (one cache entry for both services).
#[test]
fn monorepo_include_services_share_the_builder_steps() {
    let dir = examples_dir().join("monorepo-include");
    let with_fragments = |file: &str| {
        let mut req = request("monorepo-include", file);
        for f in ["common/builder.Dockerfile", "common/runtime.Dockerfile"] {
            let data = std::fs::read(dir.join(f)).unwrap();
            req.fragments.insert(f.to_string(), data);
        }
        req
    };
    let ops = |file: &str| -> BTreeMap<String, String> {
        let v = lower(&with_fragments(file), file);
        v["definition"]["ops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|op| {
                let s = |x: &Value| x.as_str().unwrap_or_default().to_string();
                (s(&op["name"]), s(&op["digest"]))
            })
            .collect()
    };
    let (api, worker) = (ops("api.Dockerfile"), ops("worker.Dockerfile"));
    let workdir = "[builder 2/6] WORKDIR /build";
    assert!(api.contains_key(workdir), "{api:#?}");
    assert_eq!(api[workdir], worker[workdir]);
    // The self-test runs each service's own build: different ops.
    let test = |m: &BTreeMap<String, String>| {
        m.iter()
            .find(|(k, _)| k.starts_with("[builder 6/6] RUN") && k.ends_with("--self-test"))
            .map(|(_, d)| d.clone())
            .unwrap_or_else(|| panic!("no self-test step: {m:#?}"))
    };
    assert_ne!(test(&api), test(&worker));
}
