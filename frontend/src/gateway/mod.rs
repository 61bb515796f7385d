//! The BuildKit gateway frontend: buildkitd starts the mstage image and serves the
//! `LLBBridge` gRPC service on the container's stdin/stdout; mstage is the client.
//!
//! Flow ([`serve`]): options from the environment ([`options`]) -> `Ping` for caps ->
//! read the Dockerfile and `.dockerignore` through the `dockerfile`/`context` locals
//! ([`build`]) -> [`mstage_compiler::lower::compile`] with base images resolved by BuildKit
//! ([`resolver`]) -> `Solve` per platform -> `Return` with the refs and image configs, or
//! with an error that carries the Dockerfile lines ([`errors`]).

pub mod build;
pub mod errors;
pub mod options;
pub mod request;
pub mod resolver;
pub mod subrequests;
pub mod transport;

use mstage_proto::tonic;
use thiserror::Error;

pub use options::FrontendOptions;

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

/// True when this process was started by buildkitd as a gateway frontend.
pub fn started_by_buildkit() -> bool {
    std::env::vars()
        .any(|(k, _)| k.starts_with("BUILDKIT_FRONTEND_OPT_") || k == "BUILDKIT_SESSION_ID")
}

/// Runs one build as a gateway frontend: reads the options from the environment, talks to
/// buildkitd over stdio and returns once `Return` was sent.
pub fn serve() -> Result<(), GatewayError> {
    let opts = FrontendOptions::from_env();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| GatewayError::Connect(e.to_string()))?;
    let result = rt.block_on(async move {
        let client = transport::connect_stdio().await?;
        build::run(client, opts).await
    });
    // buildkitd waits for this process to exit before it reads the result: never wait for
    // stray tasks here.
    rt.shutdown_background();
    result
}
