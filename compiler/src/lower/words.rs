//! Word expansion as the lowering needs it, on top of [`mstage_syntax::shell`] (BuildKit's
//! `shell.Lex`), in the variants the stock frontend uses.

use crate::plan::EnvList;

/// The expansion variants of `dockerfile2llb`.
pub trait Words {
    /// `ProcessWord`: quotes removed, variables substituted.
    fn word(&self, w: &str, env: &EnvList) -> Result<String, String>;
    /// `ProcessWords`: like `word`, then split into fields (EXPOSE).
    fn words(&self, w: &str, env: &EnvList) -> Result<Vec<String>, String>;
    /// Vertex names of RUN: quotes kept, unset variables left as written; the input on error.
    fn name_raw(&self, w: &str, env: &EnvList) -> String;
    /// Vertex names of COPY/ADD/WORKDIR: a plain `ProcessWord`; the input on error.
    fn name(&self, w: &str, env: &EnvList) -> String {
        self.word(w, env).unwrap_or_else(|_| w.to_string())
    }
    /// Heredoc bodies of COPY/ADD: quotes kept (`SkipProcessQuotes`), escape `\`.
    fn keep_quotes(&self, w: &str, env: &EnvList) -> Result<String, String>;
    /// The Dockerfile's escape character (the build checks expand words themselves).
    fn escape(&self) -> char;
}
