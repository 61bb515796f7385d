//! The heredoc and JSON (exec) forms: the input is put after instructions that take them
//! (`RUN`, `COPY`, `CMD`, `ENTRYPOINT`, `SHELL`, `HEALTHCHECK CMD`, `ONBUILD RUN`) in a
//! small Dockerfile that is then parsed and compiled; the heredoc helpers also get the
//! input directly. The first byte picks the instruction.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mstage_compiler::lower::{self, BuildRequest, NoneResolver};
use mstage_syntax::parser;

const PREFIXES: [&str; 8] = [
    "RUN ",
    "COPY ",
    "CMD ",
    "ENTRYPOINT ",
    "SHELL ",
    "HEALTHCHECK CMD ",
    "ONBUILD RUN ",
    "RUN --mount=type=cache,target=/c ",
];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let first_line = text.lines().next().unwrap_or("");
    let _ = parser::heredocs_from_line(first_line);
    for word in first_line.split_whitespace().take(8) {
        let _ = parser::parse_heredoc(word);
    }
    let _ = parser::chomp_heredoc_content(&text);

    let mut dockerfile = b"FROM busybox AS base\n".to_vec();
    dockerfile.extend_from_slice(PREFIXES[usize::from(mode % 8)].as_bytes());
    dockerfile.extend_from_slice(rest);
    dockerfile.extend_from_slice(b"\nFROM base\nRUN true\n");
    if let Ok(df) = parser::parse(&dockerfile) {
        let _ = parser::dump(&df);
    }
    let req = BuildRequest {
        dockerfile,
        dockerfile_name: "Dockerfile".into(),
        ..BuildRequest::default()
    };
    let checked = lower::check_blocking(&req, &NoneResolver);
    if let Err(e) = checked.into_result() {
        let _ = e.render("Dockerfile", &req.dockerfile);
    }
});
