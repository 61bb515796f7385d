//! Encoding in the byte layout BuildKit's Go code produces.
//!
//! Two differences between prost and Go's protobuf encoders matter for LLB:
//!
//! - Go (`protobuf-go` deterministic mode and vtprotobuf alike) writes the
//!   fields of a oneof *after* all ordinary fields; prost writes every field
//!   in tag order. `pb.Op` has its oneof (tags 2..8) before `platform` (10)
//!   and `constraints` (11).
//! - Go writes both key and value of every map entry; prost leaves out a
//!   key or value equal to its default (an empty attr value, a `false` cap,
//!   an empty `Locations`).
//!
//! LLB identifies an op by the sha256 of its bytes, so [`encode_op`] must
//! match Go exactly. [`encode_definition`] follows the same rules and sorts
//! map keys (Go leaves the Definition's maps in random order, so only the
//! op bytes are reproducible there).

use crate::pb;
use prost::encoding::{encode_key, encode_varint, WireType};
use std::collections::BTreeMap;

/// Encodes an [`pb::Op`] exactly as BuildKit's Go client does: `inputs`,
/// `platform`, `constraints`, then the op body.
pub fn encode_op(op: &pb::Op) -> Vec<u8> {
    // Most ops encode to a few hundred bytes: one allocation, without the extra pass over
    // the whole message that `encoded_len` would take.
    let mut buf = Vec::with_capacity(512);
    encode_op_into(op, &mut buf);
    buf
}

/// Like [`encode_op`], appending to `buf`.
pub fn encode_op_into(op: &pb::Op, buf: &mut Vec<u8>) {
    for input in &op.inputs {
        prost::encoding::message::encode(1, input, buf);
    }
    if let Some(p) = &op.platform {
        prost::encoding::message::encode(10, p, buf);
    }
    if let Some(c) = &op.constraints {
        prost::encoding::message::encode(11, c, buf);
    }
    match &op.op {
        None => {}
        // The only op bodies with maps: write their entries the Go way.
        Some(pb::op::Op::Source(src)) => {
            let body = encode_source_op(src);
            len_delimited(3, &body, buf);
        }
        Some(pb::op::Op::Build(b)) => {
            let body = encode_build_op(b);
            len_delimited(5, &body, buf);
        }
        Some(body) => body.encode(buf),
    }
}

fn encode_source_op(src: &pb::SourceOp) -> Vec<u8> {
    let mut b = Vec::new();
    if !src.identifier.is_empty() {
        prost::encoding::string::encode(1, &src.identifier, &mut b);
    }
    string_map(2, &src.attrs, &mut b);
    b
}

fn encode_build_op(op: &pb::BuildOp) -> Vec<u8> {
    let mut b = Vec::new();
    if op.builder != 0 {
        prost::encoding::int64::encode(1, &op.builder, &mut b);
    }
    for (k, v) in &op.inputs {
        let mut e = Vec::new();
        prost::encoding::string::encode(1, k, &mut e);
        prost::encoding::message::encode(2, v, &mut e);
        len_delimited(2, &e, &mut b);
    }
    if let Some(def) = &op.def {
        len_delimited(3, &encode_definition(def), &mut b);
    }
    string_map(4, &op.attrs, &mut b);
    b
}

/// Encodes a [`pb::Definition`] with Go's map-entry layout and sorted keys.
pub fn encode_definition(def: &pb::Definition) -> Vec<u8> {
    let mut b = Vec::new();
    for op in &def.def {
        prost::encoding::bytes::encode(1, op, &mut b);
    }
    for (k, md) in &def.metadata {
        let mut e = Vec::new();
        prost::encoding::string::encode(1, k, &mut e);
        len_delimited(2, &encode_op_metadata(md), &mut e);
        len_delimited(2, &e, &mut b);
    }
    if let Some(src) = &def.source {
        len_delimited(3, &encode_source(src), &mut b);
    }
    b
}

fn encode_op_metadata(md: &pb::OpMetadata) -> Vec<u8> {
    let mut b = Vec::new();
    if md.ignore_cache {
        prost::encoding::bool::encode(1, &md.ignore_cache, &mut b);
    }
    string_map(2, &md.description, &mut b);
    if let Some(ec) = &md.export_cache {
        prost::encoding::message::encode(4, ec, &mut b);
    }
    for (k, v) in &md.caps {
        let mut e = Vec::new();
        prost::encoding::string::encode(1, k, &mut e);
        encode_key(2, WireType::Varint, &mut e);
        encode_varint(u64::from(*v), &mut e);
        len_delimited(5, &e, &mut b);
    }
    if let Some(pg) = &md.progress_group {
        prost::encoding::message::encode(6, pg, &mut b);
    }
    if let Some(lr) = &md.linux_resources {
        prost::encoding::message::encode(7, lr, &mut b);
    }
    b
}

fn encode_source(src: &pb::Source) -> Vec<u8> {
    let mut b = Vec::new();
    for (k, locs) in &src.locations {
        let mut e = Vec::new();
        prost::encoding::string::encode(1, k, &mut e);
        prost::encoding::message::encode(2, locs, &mut e);
        len_delimited(1, &e, &mut b);
    }
    for info in &src.infos {
        let mut i = Vec::new();
        if !info.filename.is_empty() {
            prost::encoding::string::encode(1, &info.filename, &mut i);
        }
        if !info.data.is_empty() {
            prost::encoding::bytes::encode(2, &info.data, &mut i);
        }
        if let Some(def) = &info.definition {
            len_delimited(3, &encode_definition(def), &mut i);
        }
        if !info.language.is_empty() {
            prost::encoding::string::encode(4, &info.language, &mut i);
        }
        len_delimited(2, &i, &mut b);
    }
    b
}

fn string_map(tag: u32, map: &BTreeMap<String, String>, buf: &mut Vec<u8>) {
    for (k, v) in map {
        let mut e = Vec::with_capacity(k.len() + v.len() + 4);
        prost::encoding::string::encode(1, k, &mut e);
        // Written even when empty, as Go does.
        encode_key(2, WireType::LengthDelimited, &mut e);
        encode_varint(v.len() as u64, &mut e);
        e.extend_from_slice(v.as_bytes());
        len_delimited(tag, &e, buf);
    }
}

fn len_delimited(tag: u32, body: &[u8], buf: &mut Vec<u8>) {
    encode_key(tag, WireType::LengthDelimited, buf);
    encode_varint(body.len() as u64, buf);
    buf.extend_from_slice(body);
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    fn top_level_tags(mut rest: &[u8]) -> Vec<u8> {
        // All fields in these tests are length-delimited with short bodies.
        let mut out = vec![];
        while !rest.is_empty() {
            out.push(rest[0] >> 3);
            let len = rest[1] as usize;
            rest = &rest[2 + len..];
        }
        out
    }

    #[test]
    fn body_goes_after_platform_and_constraints() {
        let op = pb::Op {
            inputs: vec![pb::Input {
                digest: "sha256:x".into(),
                index: 0,
            }],
            op: Some(pb::op::Op::Source(pb::SourceOp {
                identifier: "local://a".into(),
                attrs: Default::default(),
            })),
            platform: Some(pb::Platform {
                os: "linux".into(),
                ..Default::default()
            }),
            constraints: Some(pb::WorkerConstraints::default()),
        };
        let bytes = encode_op(&op);
        assert_eq!(top_level_tags(&bytes), [1, 10, 11, 3]);
        assert_eq!(pb::Op::decode(bytes.as_slice()).unwrap(), op);
    }

    #[test]
    fn empty_map_values_are_written() {
        let mut attrs = BTreeMap::new();
        attrs.insert("b".to_string(), String::new());
        attrs.insert("a".to_string(), "x".to_string());
        let op = pb::Op {
            op: Some(pb::op::Op::Source(pb::SourceOp {
                identifier: "i".into(),
                attrs,
            })),
            ..Default::default()
        };
        let bytes = encode_op(&op);
        // source{ identifier "i", attrs{a:x}, attrs{b:""} } with the empty
        // value spelled out as `0x12 0x00`.
        let want: &[u8] = &[
            0x1a, 0x12, 0x0a, 0x01, b'i', 0x12, 0x06, 0x0a, 0x01, b'a', 0x12, 0x01, b'x', 0x12,
            0x05, 0x0a, 0x01, b'b', 0x12, 0x00,
        ];
        assert_eq!(bytes, want);
        assert_eq!(pb::Op::decode(bytes.as_slice()).unwrap(), op);
    }
}
