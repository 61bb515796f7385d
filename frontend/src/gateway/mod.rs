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
mod fragments;
mod inputs;
pub mod options;
pub mod request;
pub mod resolver;
pub mod subrequests;
pub mod transport;

pub use options::FrontendOptions;
pub use transport::GatewayError;

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
        .thread_stack_size(crate::COMPILE_STACK_BYTES)
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
