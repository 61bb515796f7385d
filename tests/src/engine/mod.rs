//! Building through a real BuildKit (the Docker engine) and checking what came out: shared
//! by the BuildKit integration runner and the end-to-end tests.

pub mod case;
pub mod check;
pub mod compare;
pub mod container;
pub mod docker;
pub mod expect;
pub mod http;
pub mod oci;
pub mod prepare;
pub mod procs;
pub mod progress;
pub mod search;
pub mod tree;
