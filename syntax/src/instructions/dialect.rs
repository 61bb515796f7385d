//! Which Dockerfile language the typing accepts: exactly the stock frontend's, or that
//! plus mstage's extensions (everything the stock frontend rejects as an unknown
//! instruction or flag, or as a variable in `--from`).

/// The language of a Dockerfile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// BuildKit's Dockerfile syntax, with its errors for everything else (the conformance
    /// suites check this one).
    #[default]
    Stock,
    /// Stock plus mstage's extensions: variables in `COPY --from` / `--mount from=`,
    /// `RUN --no-cache`, the `MOUNT` instruction. A file the stock frontend accepts types
    /// the same in both.
    Mstage,
}

impl Dialect {
    pub fn extensions(self) -> bool {
        self == Dialect::Mstage
    }
}
