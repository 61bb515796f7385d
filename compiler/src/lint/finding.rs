//! One finding of one rule, as `mstage lint` and the build warnings report it.

use mstage_syntax::parser::SourceRange;

use super::rules::Rule;

/// One finding of one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    /// The rule's message for this case (`Stage name 'Build' should be lowercase`).
    pub detail: String,
    /// Lines the finding points at.
    pub range: SourceRange,
}

impl Finding {
    /// Each line of the finding: BuildKit gives an instruction's location as one range per
    /// line.
    pub fn lines(&self) -> std::ops::RangeInclusive<usize> {
        self.range.start_line..=self.range.end_line.max(self.range.start_line)
    }

    /// The one-line form BuildKit sends as a build warning: `Rule: detail (line N)`.
    pub fn short(&self) -> String {
        format!(
            "{}: {} (line {})",
            self.rule.name(),
            self.detail,
            self.range.start_line
        )
    }
}
