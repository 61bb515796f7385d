//! The parse tree. One [`Node`] per instruction, as BuildKit's parser produces it.

use std::borrow::Cow;

/// 1-based, inclusive line range of an instruction in the Dockerfile, including its
/// continuation lines and heredoc bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SourceRange {
    pub start_line: usize,
    pub end_line: usize,
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
}
