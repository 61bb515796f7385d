//! Build errors as BuildKit wants them in `Return`: a `google.rpc.Status` whose details
//! carry `errdefs.Source` (the Dockerfile and the offending line range), so `docker build`
//! prints the familiar `Dockerfile:5 ... >>> RUN ...` snippet.
//!
//! The detail is the JSON form BuildKit registers for `errdefs.Source` (type URL
//! `github.com/moby/buildkit/errdefs.Source+json`, since v0.8.0), which is what BuildKit's own
//! Go frontend sends. A current BuildKit also decodes the protobuf form
//! (`type.googleapis.com/errdefs.Source`): sending both made Docker 28.5 print the snippet
//! twice.

use base64::Engine as _;
use mstage_proto::{pb, prost_types, rpc};
use serde_json::json;

use mstage_syntax::parser::SourceRange;

/// gRPC `Unknown`, what BuildKit's frontend uses for Dockerfile errors.
const CODE_UNKNOWN: i32 = 2;

/// The Dockerfile an error points into.
pub struct SourceFile<'a> {
    pub filename: &'a str,
    pub data: &'a [u8],
    /// The Definition of the local that loaded the file.
    pub definition: Option<&'a pb::Definition>,
}

/// An error status; with `range`, it carries the Dockerfile lines.
pub fn status(
    message: &str,
    range: Option<SourceRange>,
    file: Option<&SourceFile<'_>>,
) -> rpc::Status {
    let mut details = Vec::new();
    if let (Some(r), Some(f)) = (range, file) {
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        let mut info = json!({
            "filename": f.filename,
            "data": b64(f.data),
            "language": "Dockerfile",
        });
        // Go's encoding of the Definition: its ops; the metadata is not needed to show lines.
        if let Some(def) = f.definition {
            let ops: Vec<String> = def.def.iter().map(|op| b64(op)).collect();
            info["definition"] = json!({ "def": ops });
        }
        let body = json!({
            "info": info,
            "ranges": [{
                "start": {"line": r.start_line},
                "end": {"line": r.end_line},
            }],
        });
        details.push(prost_types::Any {
            type_url: "github.com/moby/buildkit/errdefs.Source+json".into(),
            value: body.to_string().into_bytes(),
        });
    }
    rpc::Status {
        code: CODE_UNKNOWN,
        message: message.to_string(),
        details,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_detail_decodes_to_the_dockerfile_and_its_lines() {
        let f = SourceFile {
            filename: "Dockerfile",
            data: b"FROM busybox\nRUNN x\n",
            definition: None,
        };
        let st = status(
            "unknown instruction: RUNN",
            Some(SourceRange {
                start_line: 2,
                end_line: 2,
                ..Default::default()
            }),
            Some(&f),
        );
        assert_eq!(
            st.details.len(),
            1,
            "one detail, or BuildKit prints the lines twice"
        );
        assert_eq!(
            st.details[0].type_url,
            "github.com/moby/buildkit/errdefs.Source+json"
        );
        let j: serde_json::Value = serde_json::from_slice(&st.details[0].value).unwrap();
        assert_eq!(j["info"]["data"], "RlJPTSBidXN5Ym94ClJVTk4geAo=");
        assert_eq!(j["ranges"][0]["start"]["line"], 2);
        assert_eq!(j["ranges"][0]["end"]["line"], 2);
    }

    #[test]
    fn errors_without_a_range_carry_no_source() {
        assert!(status("target stage x not found", None, None)
            .details
            .is_empty());
    }
}
