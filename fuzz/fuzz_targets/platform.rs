//! Platforms: `--platform`/`platform=` specifiers and the JSON records BUILDKIT_WORKERS and
//! base-image configs carry. Parse, normalise, format, and parse the
//! formatted form again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mstage_compiler::image::Platform;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for spec in text.split(',').take(8) {
        if let Ok(p) = Platform::parse(spec) {
            let n = p.normalize();
            let _ = (p.format(), n.format_all());
            // containerd does not promise a round trip for every input: parse it, no more.
            let _ = Platform::parse(&n.format_all()).map(|q| q.normalize());
        }
    }
    let _ = serde_json::from_slice::<Platform>(data).map(|p| p.normalize().format_all());
});
