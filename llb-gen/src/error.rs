//! Errors found while marshalling a graph.

/// Why a graph could not be marshalled. Builders never fail; invalid
/// combinations are reported here, as the Go client does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// An exec op was built with no arguments.
    #[error("exec op: arguments are required")]
    NoArgs,
    /// An exec op ran with an empty working directory.
    #[error("exec op: working directory is required")]
    NoCwd,
    /// A tmpfs mount was given a source state.
    #[error("exec op: tmpfs mount at {0} must use scratch")]
    TmpfsWithSource(String),
    /// A source op has an empty identifier.
    #[error("source identifier can't be empty")]
    EmptySourceIdentifier,
    /// A local source waits for [`crate::LocalPaths`] that were never set.
    #[error("local source {0}: its paths were never set")]
    LocalPathsNotSet(String),
    /// A file op without actions.
    #[error("file op: at least one action is required")]
    NoFileActions,
}
