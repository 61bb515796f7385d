//! Frontend options as buildkitd sends them: each input line is one
//! `BUILDKIT_FRONTEND_OPT_<i>` value (`key=value`), except `BUILDKIT_WORKERS=<json>` and
//! `BUILDKIT_SESSION_ID=<id>`; after a `\0` line comes the `.dockerignore`. The options
//! become a compile request (`mstage::gateway::request::from_options`), which then compiles
//! a small multi-stage Dockerfile.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mstage::gateway::{request, FrontendOptions};
use mstage_compiler::image::Platform;
use mstage_compiler::lower::{self, NoneResolver};

const DOCKERFILE: &[u8] = b"ARG BASE=busybox\nFROM $BASE AS a\nARG X\nRUN echo $X > /x\nFROM a AS b\nCOPY --from=a /x /y\nADD . /src\nRUN --network=default true\n";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (opts_text, ignore) = match text.split_once("\n\0\n") {
        Some((o, i)) => (o, i),
        None => (&*text, ""),
    };
    let vars = opts_text.lines().enumerate().map(|(i, line)| {
        for env in ["BUILDKIT_WORKERS=", "BUILDKIT_SESSION_ID="] {
            if let Some(v) = line.strip_prefix(env) {
                return (env.trim_end_matches('=').to_string(), v.to_string());
            }
        }
        (format!("BUILDKIT_FRONTEND_OPT_{i}"), line.to_string())
    });
    let opts = FrontendOptions::from_vars(vars);
    let Ok(mut req) = request::from_options(&opts, ignore.as_bytes()) else {
        return;
    };
    req.dockerfile = DOCKERFILE.to_vec();
    req.dockerfile_name = "Dockerfile".into();
    req.build_platforms = if opts.worker_platforms.is_empty() {
        vec![Platform::new("linux", "amd64", "")]
    } else {
        opts.worker_platforms.iter().take(2).cloned().collect()
    };
    // Bound the work: a handful of platforms is enough to reach every path.
    req.target_platforms.truncate(3);
    let checked = lower::check_blocking(&req, &NoneResolver);
    if let Err(e) = checked.into_result() {
        let _ = e.render("Dockerfile", &req.dockerfile);
    }
});
