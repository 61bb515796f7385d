//! gRPC over the container's stdin/stdout. buildkitd runs an HTTP/2 server (h2c, prior
//! knowledge) directly on the pipe, so the "connection" is the pair of standard streams,
//! and there is exactly one: a reconnect cannot happen.

use std::sync::Mutex;

use hyper_util::rt::TokioIo;
use mstage_proto::gateway::llb_bridge_client::LlbBridgeClient;
use mstage_proto::tonic::transport::{Channel, Endpoint};

use super::GatewayError;

/// BuildKit's limit for gateway messages (containerd's default), both ways.
pub const MAX_MESSAGE_SIZE: usize = 16 << 20;

pub type Client = LlbBridgeClient<Channel>;

/// Connects to the bridge served on stdin/stdout.
pub async fn connect_stdio() -> Result<Client, GatewayError> {
    let io = Mutex::new(Some(tokio::io::join(tokio::io::stdin(), tokio::io::stdout())));
    let channel = Endpoint::from_static("http://localhost")
        .connect_with_connector(tower::service_fn(move |_| {
            let stream = io.lock().ok().and_then(|mut s| s.take());
            async move {
                stream.map(TokioIo::new).ok_or_else(|| {
                    std::io::Error::new(
                        std::io::ErrorKind::NotConnected,
                        "the stdio connection to buildkitd is gone",
                    )
                })
            }
        }))
        .await
        .map_err(|e| GatewayError::Connect(e.to_string()))?;
    Ok(LlbBridgeClient::new(channel)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE))
}
