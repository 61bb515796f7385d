//! Image configs and platforms: the OCI image config (with Docker's extensions) that the
//! build returns, base-image configs from resolvers, and OCI platforms.

mod config;
mod platform;
mod reference;

pub use config::{
    Empty, HealthConfig, History, ImageConfig, NameSet, RootFs, RunConfig, HISTORY_COMMENT,
};
pub use platform::{host_arch, host_os, Platform, PlatformError, DEFAULT_PATH_ENV};
pub use reference::{ImageRef, ReferenceError};
