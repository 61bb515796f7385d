//! Where a typed Dockerfile uses mstage's extensions (for the `MstageExtension` check):
//! one [`ExtensionUse`] per use, in file order.

use super::commands::Instruction;
use super::parse::would_expand;
use super::stage::Parsed;
use crate::parser::SourceRange;

/// An mstage extension: something the stock frontend rejects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Extension {
    /// A variable in `COPY --from=` or `RUN --mount=...,from=`.
    VariableInFrom,
    /// `RUN --no-cache`.
    RunNoCache,
    /// The `MOUNT` instruction.
    StageMount,
    /// The `INCLUDE` instruction (found by the parser, which splices it away; the caller
    /// adds its uses with [`ExtensionUse::include`]).
    Include,
}

impl Extension {
    /// How the extension reads in a Dockerfile, for messages.
    pub fn syntax(self) -> &'static str {
        match self {
            Extension::VariableInFrom => "a variable in --from",
            Extension::RunNoCache => "RUN --no-cache",
            Extension::StageMount => "MOUNT",
            Extension::Include => "INCLUDE",
        }
    }
}

/// One use of an extension, at an instruction's lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtensionUse {
    pub extension: Extension,
    pub range: SourceRange,
}

impl ExtensionUse {
    /// An `INCLUDE` at `range` (the parser knows where they were).
    pub fn include(range: SourceRange) -> Self {
        ExtensionUse {
            extension: Extension::Include,
            range,
        }
    }
}

/// The extensions `parsed` uses, in file order (one entry per instruction and extension).
/// `escape` tells a variable from a literal `--from`.
pub fn extension_uses(parsed: &Parsed, escape: char) -> Vec<ExtensionUse> {
    let literal = |w: &str| !would_expand(w, escape);
    let mut out = Vec::new();
    for inst in parsed.stages.iter().flat_map(|s| &s.commands) {
        let mut found = |extension| {
            out.push(ExtensionUse {
                extension,
                range: inst.range(),
            })
        };
        match &**inst {
            Instruction::Copy(c) if c.from.as_deref().is_some_and(|f| !literal(f)) => {
                found(Extension::VariableInFrom)
            }
            Instruction::Run(r) => {
                if r.mounts
                    .iter()
                    .any(|m| m.from().is_some_and(|f| !literal(f)))
                {
                    found(Extension::VariableInFrom);
                }
                if r.no_cache {
                    found(Extension::RunNoCache);
                }
            }
            Instruction::Mount(m) => {
                found(Extension::StageMount);
                if m.spec.from().is_some_and(|f| !literal(f)) {
                    found(Extension::VariableInFrom);
                }
            }
            _ => {}
        }
    }
    out
}
