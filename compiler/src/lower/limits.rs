//! Limits of the BuildKit this build is sent to, checked before anything is sent so that
//! the user gets the size and the limit rather than a gRPC `ResourceExhausted`.

use mstage_proto::pb;

use crate::error::{CompileError, ErrorKind};

/// The largest gRPC message buildkitd (and its gateway service) accepts: grpc-go's
/// default receive limit, which BuildKit raises to 16 MiB for its servers.
pub const MAX_MESSAGE_BYTES: usize = 16 << 20;

/// Refuses a Definition too large for one gRPC message. The encoded length is summed
/// without encoding (`prost`'s `encoded_len` equals the bytes `wire::encode_definition`
/// writes: same fields, and map order does not change the length).
pub(crate) fn check_definition_size(def: &pb::Definition) -> Result<(), CompileError> {
    let size = prost::Message::encoded_len(def);
    if size <= MAX_MESSAGE_BYTES {
        return Ok(());
    }
    Err(CompileError::new(
        ErrorKind::Invalid,
        None,
        too_large("the LLB Definition of this build", size),
    ))
}

/// `<what> is N bytes (X MiB), over BuildKit's gRPC message limit of 16777216 bytes (16 MiB)`.
pub fn too_large(what: &str, size: usize) -> String {
    format!(
        "{what} is {size} bytes ({:.1} MiB), over BuildKit's gRPC message limit of \
         {MAX_MESSAGE_BYTES} bytes (16 MiB): BuildKit would refuse it",
        size as f64 / f64::from(1u32 << 20)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_definition_over_16_mib_is_refused_with_its_size_and_the_limit() {
        let small = pb::Definition {
            def: vec![vec![0; 1024]],
            ..Default::default()
        };
        assert!(check_definition_size(&small).is_ok());
        let big = pb::Definition {
            def: vec![vec![0; MAX_MESSAGE_BYTES]],
            ..Default::default()
        };
        let e = check_definition_size(&big).unwrap_err();
        assert!(e.message.contains("16777216 bytes (16 MiB)"), "{e}");
        // One tag byte and a four-byte length prefix around the op.
        let size = format!("{} bytes", MAX_MESSAGE_BYTES + 5);
        assert!(e.message.contains(&size), "{e}");
    }

    #[test]
    fn encoded_len_is_the_wire_length() {
        let mut def = pb::Definition {
            def: vec![vec![1, 2, 3], vec![4; 300]],
            ..Default::default()
        };
        def.metadata.insert(
            "sha256:aa".into(),
            pb::OpMetadata {
                ignore_cache: true,
                ..Default::default()
            },
        );
        assert_eq!(
            prost::Message::encoded_len(&def),
            mstage_proto::wire::encode_definition(&def).len()
        );
    }
}
