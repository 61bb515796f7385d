//! Shared helpers for the conformance and end-to-end runners.

pub mod conformance;
pub mod engine;
pub mod hostile;
