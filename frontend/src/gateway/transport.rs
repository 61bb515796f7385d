//! gRPC over the container's stdin/stdout. buildkitd runs an HTTP/2 server (h2c, prior
//! knowledge) directly on the pipe, so the "connection" is the pair of standard streams,
//! and there is exactly one: a reconnect cannot happen.

use std::os::fd::AsFd;
use std::sync::Mutex;

use hyper_util::rt::TokioIo;
use mstage_proto::gateway::llb_bridge_client::LlbBridgeClient;
use mstage_proto::tonic::transport::{Channel, Endpoint};
use tokio::net::unix::pipe;

use thiserror::Error;

/// BuildKit's limit for gateway messages (containerd's default), both ways.
pub const MAX_MESSAGE_SIZE: usize = 16 << 20;

pub type Client = LlbBridgeClient<Channel>;

/// The container's stdin and stdout as one duplex byte stream.
type Stdio = tokio::io::Join<pipe::Receiver, pipe::Sender>;

/// buildkitd hands the frontend two pipes. They are used non-blocking through the reactor:
/// `tokio::io::stdin` would park a thread in a `read` that cannot be cancelled, and since
/// buildkitd keeps the pipe open until this process exits, nothing could end it cleanly.
fn stdio_pipes() -> std::io::Result<Stdio> {
    let stdin = pipe::Receiver::from_owned_fd(std::io::stdin().as_fd().try_clone_to_owned()?)?;
    let stdout = pipe::Sender::from_owned_fd(std::io::stdout().as_fd().try_clone_to_owned()?)?;
    Ok(tokio::io::join(stdin, stdout))
}

/// Connects to the bridge served on stdin/stdout.
pub async fn connect_stdio() -> Result<Client, GatewayError> {
    let stdio = stdio_pipes().map_err(|e| {
        GatewayError::Connect(format!(
            "stdin and stdout must be the pipes buildkitd passes a frontend: {e}"
        ))
    })?;
    let io = Mutex::new(Some(stdio));
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

/// A failure talking to BuildKit (as opposed to a build error, which goes back in `Return`).
#[derive(Debug, Error)]
pub enum GatewayError {
    #[error("cannot connect to the BuildKit gateway on stdio: {0}")]
    Connect(String),
    #[error("BuildKit gateway call {call} failed: {status}")]
    Rpc {
        call: &'static str,
        status: Box<tonic::Status>,
    },
    #[error("unexpected gateway response: {0}")]
    Protocol(String),
}

impl GatewayError {
    pub(crate) fn rpc(call: &'static str) -> impl FnOnce(tonic::Status) -> GatewayError {
        move |status| GatewayError::Rpc {
            call,
            status: Box::new(status),
        }
    }
}
