//! Frontend containers seen from the host: BuildKit starts a frontend image's process with the
//! build's options in its environment (`BUILDKIT_FRONTEND_OPT_<n>=build-arg:NAME=VALUE`), so a
//! build arg with a value made for one run finds that run's frontend processes, and only
//! those, even on an engine others build on at the same time.

use std::fs;

/// The environment entry a frontend process of a build with `--build-arg NAME=VALUE` has.
pub fn build_arg_marker(name: &str, value: &str) -> String {
    format!("build-arg:{name}={value}")
}

/// PIDs of the processes whose environment has a `BUILDKIT_FRONTEND_OPT_*` entry equal to
/// `marker` (processes we may not read are left out: these tests run as root).
pub fn frontend_processes(marker: &str) -> Vec<u32> {
    let Ok(dir) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            fs::read(format!("/proc/{pid}/environ")).is_ok_and(|env| has_frontend_opt(&env, marker))
        })
        .collect()
}

/// PIDs of the processes whose environment holds exactly `entry` (`NAME=VALUE`): e.g. the
/// RUN of a build whose ARG has a value made for one run.
pub fn with_env(entry: &str) -> Vec<u32> {
    matching(|env| env.split(|b| *b == 0).any(|e| e == entry.as_bytes()))
}

fn matching(wanted: impl Fn(&[u8]) -> bool) -> Vec<u32> {
    let Ok(dir) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| fs::read(format!("/proc/{pid}/environ")).is_ok_and(|env| wanted(&env)))
        .collect()
}

fn has_frontend_opt(environ: &[u8], marker: &str) -> bool {
    environ.split(|b| *b == 0).any(|entry| {
        let entry = String::from_utf8_lossy(entry);
        entry
            .strip_prefix("BUILDKIT_FRONTEND_OPT_")
            .and_then(|rest| rest.split_once('='))
            .is_some_and(|(_, value)| value == marker)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_build_arg_among_frontend_options() {
        let marker = build_arg_marker("RUN_ID", "42");
        let env = b"PATH=/bin\0BUILDKIT_FRONTEND_OPT_0=filename=Dockerfile\0BUILDKIT_FRONTEND_OPT_3=build-arg:RUN_ID=42\0";
        assert!(has_frontend_opt(env, &marker));
        assert!(!has_frontend_opt(b"RUN_ID=42\0", &marker));
        assert!(!has_frontend_opt(
            b"BUILDKIT_FRONTEND_OPT_3=build-arg:RUN_ID=421",
            &marker
        ));
    }

    #[test]
    fn finds_this_process_by_its_environment() {
        let path = std::env::var("PATH").unwrap_or_default();
        assert!(with_env(&format!("PATH={path}")).contains(&std::process::id()));
    }

    #[test]
    fn this_process_is_no_frontend() {
        assert!(!frontend_processes(&build_arg_marker("NO_SUCH_ARG", "x"))
            .contains(&std::process::id()));
    }
}
