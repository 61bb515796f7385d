//! Build errors as BuildKit wants them in `Return`: a `google.rpc.Status` whose details
//! carry `errdefs.Source` (the Dockerfile and the offending line range), so `docker build`
//! prints the familiar `Dockerfile:5 ... >>> RUN ...` snippet.
//!
//! Older BuildKits (v0.8, in dockerd 20.10) decode details registered by protobuf message
//! name (`type.googleapis.com/errdefs.Source`, protobuf body); current ones use a
//! `github.com/moby/buildkit/errdefs.Source+json` type with a JSON body. Both are sent;
//! each side skips the one it does not know.

use base64::Engine as _;
use mstage_proto::{pb, prost, prost_types, rpc};
use serde_json::json;

use crate::syntax::SourceRange;

/// gRPC `Unknown`, what BuildKit's frontend uses for Dockerfile errors.
const CODE_UNKNOWN: i32 = 2;

/// `errdefs.Source` (solver/errdefs/errdefs.proto).
#[derive(Clone, PartialEq, prost::Message)]
struct ErrdefsSource {
    #[prost(message, optional, tag = "1")]
    info: Option<pb::SourceInfo>,
    #[prost(message, repeated, tag = "2")]
    ranges: Vec<pb::Range>,
}

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
        let pb_range = pb::Range {
            start: Some(pb::Position {
                line: r.start_line as i32,
                character: 0,
            }),
            end: Some(pb::Position {
                line: r.end_line as i32,
                character: 0,
            }),
        };
        let src = ErrdefsSource {
            info: Some(pb::SourceInfo {
                filename: f.filename.to_string(),
                data: f.data.to_vec(),
                definition: f.definition.cloned(),
                language: "Dockerfile".into(),
            }),
            ranges: vec![pb_range],
        };
        details.push(prost_types::Any {
            type_url: "type.googleapis.com/errdefs.Source".into(),
            value: prost::Message::encode_to_vec(&src),
        });
        let body = json!({
            "info": {
                "filename": f.filename,
                "data": base64::engine::general_purpose::STANDARD.encode(f.data),
                "language": "Dockerfile",
            },
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
            }),
            Some(&f),
        );
        assert_eq!(st.details.len(), 2);
        let src: ErrdefsSource = prost::Message::decode(&st.details[0].value[..]).unwrap();
        let info = src.info.unwrap();
        assert_eq!(info.data, f.data);
        assert_eq!(src.ranges[0].start.unwrap().line, 2);
        let j: serde_json::Value = serde_json::from_slice(&st.details[1].value).unwrap();
        assert_eq!(j["ranges"][0]["end"]["line"], 2);
    }

    #[test]
    fn errors_without_a_range_carry_no_source() {
        assert!(status("target stage x not found", None, None)
            .details
            .is_empty());
    }
}
