//! The whole compile on arbitrary input: Dockerfile bytes plus a few build args, a target
//! and a platform, all drawn from the input, through the offline resolver, with the build
//! checks. Must never panic, hang or blow up memory.
//!
//! Input: a mode byte, the Dockerfile, then optionally `\n\0\n` and option lines:
//! `t=STAGE` (target), `p=PLATFORM` (target platforms), anything else `KEY=VALUE` (build
//! arg, at most 4). Without `p=`, the mode byte picks a platform from a small list.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use mstage_compiler::image::Platform;
use mstage_compiler::lower::{self, BuildRequest, NoneResolver};

const PLATFORMS: [&str; 4] = [
    "linux/amd64",
    "linux/arm64",
    "linux/arm/v7,linux/amd64",
    "windows/amd64",
];

fn split_options(rest: &[u8]) -> (&[u8], &[u8]) {
    match rest.windows(3).position(|w| w == b"\n\0\n") {
        Some(i) => (&rest[..i + 1], &rest[i + 3..]),
        None => (rest, &[]),
    }
}

fn platforms(spec: &str) -> Vec<Platform> {
    spec.split(',')
        .filter_map(|p| Platform::parse(p.trim()).ok())
        .map(|p| p.normalize())
        .take(3)
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (dockerfile, options) = split_options(rest);
    let mut req = BuildRequest {
        dockerfile: dockerfile.to_vec(),
        dockerfile_name: "Dockerfile".into(),
        build_platforms: vec![Platform::new("linux", "amd64", "")],
        ..BuildRequest::default()
    };
    let mut platform = PLATFORMS[usize::from(mode >> 6)].to_string();
    let mut args = BTreeMap::new();
    for line in String::from_utf8_lossy(options).lines() {
        if let Some(t) = line.strip_prefix("t=") {
            req.target = Some(t.to_string());
        } else if let Some(p) = line.strip_prefix("p=") {
            platform = p.to_string();
        } else if args.len() < 4 {
            let (k, v) = line.split_once('=').unwrap_or((line, ""));
            args.insert(k.to_string(), v.to_string());
        }
    }
    if mode & 1 != 0 {
        req.target_platforms = platforms(&platform);
    }
    req.multi_platform = mode & 2 != 0;
    req.build_args = args;
    let checked = lower::check_blocking(&req, &NoneResolver);
    for f in &checked.findings {
        let _ = f.short();
    }
    match checked.into_result() {
        Ok(builds) => {
            for b in builds {
                let _ = mstage_proto::wire::encode_definition(&b.build.definition);
                if mode & 4 != 0 {
                    let _ = lower::definition_json(&b.build.definition);
                }
            }
        }
        Err(e) => {
            let _ = e.render("Dockerfile", &req.dockerfile);
        }
    }
});
