//! The parse tree. One [`Node`] per instruction, as BuildKit's parser produces it.

use std::borrow::Cow;

/// Which file an instruction came from: [`FileId::MAIN`] for the Dockerfile itself, else
/// a fragment brought in by `INCLUDE` (see [`crate::parser::include`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct FileId(pub u32);

impl FileId {
    pub const MAIN: FileId = FileId(0);
    pub fn is_main(self) -> bool {
        self == Self::MAIN
    }
}

/// 1-based, inclusive line range of an instruction in the Dockerfile, including its
/// continuation lines and heredoc bodies.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SourceRange {
    pub start_line: usize,
    pub end_line: usize,
    /// The file the lines are in (the Dockerfile itself unless `INCLUDE` brought them in).
    pub file: FileId,
}

impl SourceRange {
    /// Lines `start..=end` of the Dockerfile itself.
    pub fn lines(start_line: usize, end_line: usize) -> Self {
        SourceRange {
            start_line,
            end_line,
            file: FileId::MAIN,
        }
    }
}

// The file is shown only for fragments, so that debug dumps (and snapshots) of Dockerfiles
// without INCLUDE read as they always did.
impl std::fmt::Debug for SourceRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("SourceRange");
        d.field("start_line", &self.start_line)
            .field("end_line", &self.end_line);
        if !self.file.is_main() {
            d.field("file", &self.file.0);
        }
        d.finish()
    }
}

/// A heredoc attached to an instruction (`RUN <<EOF`, `COPY <<A <<B /dst`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// Terminator word after quote removal.
    pub name: String,
    /// File descriptor written before `<<` (0 when absent).
    pub fd: u32,
    /// False when the terminator was quoted: no variable expansion in the body.
    pub expand: bool,
    /// True for `<<-`: leading tabs are stripped when the body is used.
    pub chomp: bool,
    /// Raw body including its final newline; tabs are not yet stripped.
    pub content: String,
}

/// One instruction of the parse tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Keyword in lower case (`from`, `run`, ...). Known keywords are static strings.
    pub keyword: Cow<'static, str>,
    /// Keyword exactly as written (static when written in upper or lower case).
    pub keyword_original: Cow<'static, str>,
    /// Leading `--name[=value]` options, as written (`--` terminator dropped).
    pub flags: Vec<String>,
    /// Arguments split the way BuildKit's parser splits them for this instruction
    /// (see `../shared/conformance/buildkit/NOTICE.md`): for ENV/LABEL triples of
    /// name, value, separator (`=` or empty); for shell forms one string.
    pub args: Vec<String>,
    /// True when the arguments came from a JSON array (exec form).
    pub json_form: bool,
    /// The nested trigger of an `ONBUILD`.
    pub sub: Option<Box<Node>>,
    pub heredocs: Vec<Heredoc>,
    /// Comment lines just above the instruction, `#` and blanks removed (BuildKit's
    /// `PrevComment`): per-instruction `# check=` settings and description comments.
    pub comments: Vec<String>,
    /// Logical line after joining continuations.
    pub original: String,
    pub range: SourceRange,
}

/// Something the parser accepted but a user should hear about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub message: String,
    pub range: SourceRange,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// Escape character in effect (`\` or `` ` ``).
    pub escape: char,
    /// Parser directives at the top of the file, keys lower-cased, in file order.
    pub directives: Vec<(String, String)>,
    pub instructions: Vec<Node>,
    pub warnings: Vec<Warning>,
    /// The `INCLUDE` lines that were spliced, in the order they were met (empty for a
    /// Dockerfile without INCLUDE, i.e. every Dockerfile the stock frontend accepts).
    pub includes: Vec<IncludeSite>,
}

/// One `INCLUDE` line that was resolved and spliced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncludeSite {
    /// The INCLUDE line itself (its file is the including file).
    pub range: SourceRange,
    /// The path as written.
    pub path: String,
    /// The fragment it brought in.
    pub fragment: FileId,
}

impl Dockerfile {
    /// Whether any instruction is an `INCLUDE` (an mstage extension: the stock frontend
    /// rejects it as an unknown instruction).
    pub fn has_include(&self) -> bool {
        self.instructions.iter().any(|n| n.keyword == "include")
    }
}
