//! Image references as `FROM`, `COPY --from` and named contexts give them: parse and
//! normalise, then every rendering.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mstage_compiler::image::ImageRef;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(r) = ImageRef::parse_normalized(s) {
        let _ = (r.name(), r.familiar(), r.to_string());
        let t = r.clone().with_default_tag();
        let _ = (t.familiar(), t.to_string());
        let d = r
            .with_digest("sha256:0000000000000000000000000000000000000000000000000000000000000000");
        // A rendered reference parses again.
        let again = d.to_string();
        let _ = ImageRef::parse_normalized(&again);
    }
});
