//! The line scanner of BuildKit's `parser.Parse`: directives, continuation lines, comments,
//! heredoc bodies and line numbers.

use std::borrow::Cow;

use super::ast::{Dockerfile, Heredoc, Node, SourceRange, Warning};
use super::directives::DirectiveParser;
use super::error::{SyntaxError, SyntaxErrorKind, MAX_LINE_LEN, MAX_ONBUILD_NESTING};
use super::heredoc::heredocs_from_line;
use super::line_parsers::{parse_args, split_command};
use crate::golang::is_space;

/// Physical lines, each with its `\n`. Like Go's `bufio.Scanner`, stops for good at a line
/// longer than [`MAX_LINE_LEN`] and remembers that.
struct Lines<'a> {
    text: &'a str,
    pos: usize,
    too_long: bool,
}

impl<'a> Lines<'a> {
    fn next(&mut self) -> Option<&'a str> {
        if self.too_long || self.pos >= self.text.len() {
            return None;
        }
        let rest = &self.text[self.pos..];
        let (line, content_len) = match rest.find('\n') {
            Some(i) => (&rest[..=i], i),
            None => (rest, rest.len()),
        };
        if content_len > MAX_LINE_LEN {
            self.too_long = true;
            return None;
        }
        self.pos += line.len();
        Some(line)
    }
}

fn trim_newline(s: &str) -> &str {
    s.trim_end_matches(['\r', '\n'])
}

fn is_comment(line: &str) -> bool {
    line.trim_start_matches(is_space).starts_with('#')
}

/// Removes a trailing escape character (and blanks after it) that continues the line.
/// As upstream's regex, an escape preceded by another escape does not continue the line,
/// and neither does it on a line of its own... unless it is the only character.
fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let t = line.trim_end_matches([' ', '\t']);
    let Some(before) = t.strip_suffix(escape) else {
        return (line, true);
    };
    match before.chars().next_back() {
        None => ("", false),
        Some(c) if c == escape => (line, true),
        Some(_) => (before, false),
    }
}

struct State {
    escape: char,
    directive_parser: DirectiveParser,
    directives: Vec<(String, String)>,
}

impl State {
    /// BuildKit `processLine`: strips the newline (and leading blanks on a first line),
    /// looks for a directive, and blanks out comment lines.
    fn process_line<'l>(
        &mut self,
        line: &'l str,
        strip_left: bool,
        line_no: usize,
    ) -> Result<&'l str, SyntaxError> {
        let mut token = trim_newline(line);
        if strip_left {
            token = token.trim_start_matches(is_space);
        }
        let found = self
            .directive_parser
            .parse_line(token)
            .map_err(|k| SyntaxError::new(k, line_no, line_no))?;
        if let Some((key, value)) = found {
            if key == "escape" {
                let mut chars = value.chars();
                self.escape = match (chars.next(), chars.next()) {
                    (Some(c @ ('\\' | '`')), None) => c,
                    _ => {
                        return Err(SyntaxError::new(
                            SyntaxErrorKind::InvalidEscapeToken(value),
                            line_no,
                            line_no,
                        ))
                    }
                };
            }
            self.directives.push((key, value));
        }
        Ok(if is_comment(token) { "" } else { token })
    }
}

/// Parses a Dockerfile into directives and instruction nodes, exactly as BuildKit's parser
/// (`frontend/dockerfile/parser.Parse`). Invalid UTF-8 is replaced by U+FFFD first.
pub fn parse(bytes: &[u8]) -> Result<Dockerfile, SyntaxError> {
    let text = String::from_utf8_lossy(bytes);
    // At most one instruction per line: reserving that once spares the copies of a growing
    // vector of large nodes (a few hundred kilobytes for a 2,000-instruction file). Capped,
    // so that a huge file of blank lines or comments does not reserve a node per line.
    const MAX_RESERVED_NODES: usize = 4096;
    let line_count = text.bytes().filter(|&b| b == b'\n').count() + 1;
    let mut instructions: Vec<Node> = Vec::with_capacity(line_count.min(MAX_RESERVED_NODES));
    let mut scanner = Scanner::new(&text);
    while let Some((line, start)) = scanner.logical_line()? {
        instructions.push(scanner.instruction(line, start)?);
    }
    scanner.finish(instructions)
}

/// The scanner's state from one line to the next.
struct Scanner<'a> {
    lines: Lines<'a>,
    st: State,
    /// Physical lines consumed so far, i.e. the number of the last one read.
    current: usize,
    /// Comment lines since the last instruction.
    comments: Vec<String>,
    warnings: Vec<Warning>,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            lines: Lines {
                text,
                pos: 0,
                too_long: false,
            },
            st: State {
                escape: '\\',
                directive_parser: DirectiveParser::new("#"),
                directives: Vec::new(),
            },
            current: 0,
            comments: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// The next instruction's logical line (continuations joined) and its first line
    /// number, or `None` at the end of the file.
    fn logical_line(&mut self) -> Result<Option<(String, usize)>, SyntaxError> {
        while let Some(raw) = self.lines.next() {
            let raw = if self.current == 0 {
                raw.strip_prefix('\u{feff}').unwrap_or(raw)
            } else {
                raw
            };
            // BuildKit keeps the comments above an instruction (`PrevComment`): a comment
            // line adds one (its first byte dropped, then trimmed, as upstream does), an empty
            // comment clears them, a directive is not one of them, and an instruction takes
            // them.
            let comment = is_comment(raw).then(|| raw[1..].trim_matches(is_space).to_string());
            let directives_before = self.st.directives.len();
            let first = self.st.process_line(raw, true, self.current + 1)?;
            match comment {
                Some(c) if self.st.directives.len() > directives_before => drop(c),
                Some(c) if c.is_empty() => self.comments.clear(),
                Some(c) => self.comments.push(c),
                None => {}
            }
            self.current += 1;
            let start = self.current;
            let (first, end_of_line) = trim_continuation(first, self.st.escape);
            if end_of_line && first.is_empty() {
                continue;
            }
            let mut line = String::from(first);
            if !end_of_line {
                self.continuation_lines(&mut line)?;
            }
            return Ok(Some((line, start)));
        }
        Ok(None)
    }

    /// Appends the lines that continue `line`, skipping comments and blank lines (with a
    /// warning for the latter).
    fn continuation_lines(&mut self, line: &mut String) -> Result<(), SyntaxError> {
        let mut empty_continuation = false;
        while let Some(raw) = self.lines.next() {
            let cont = self.st.process_line(raw, false, self.current + 1)?;
            self.current += 1;
            if is_comment(raw) {
                continue;
            }
            if cont.trim_start_matches(is_space).is_empty() {
                empty_continuation = true;
                continue;
            }
            let (cont, end_of_line) = trim_continuation(cont, self.st.escape);
            line.push_str(cont);
            if end_of_line {
                break;
            }
        }
        if empty_continuation {
            self.warnings.push(Warning {
                message: format!("Empty continuation line found in: {line}"),
                range: SourceRange {
                    start_line: self.current,
                    end_line: self.current,
                    ..Default::default()
                },
            });
        }
        Ok(())
    }

    /// The node of a logical line that began on line `start`, with its heredoc bodies
    /// (read from the lines that follow) and the comments above it.
    fn instruction(&mut self, line: String, start: usize) -> Result<Node, SyntaxError> {
        let mut node = node_from_line(line, self.st.escape)
            .map_err(|k| SyntaxError::new(k, start, self.current))?;
        if can_contain_heredoc(&node) && node.original.contains("<<") {
            let docs = heredocs_from_line(&node.original)
                .map_err(|k| SyntaxError::new(k, start, self.current))?;
            for mut doc in docs {
                doc.content = self.heredoc_body(&doc, start)?;
                node.heredocs.push(doc);
            }
        }
        let range = SourceRange {
            start_line: start,
            end_line: self.current,
            ..Default::default()
        };
        node.range = range;
        if let Some(sub) = node.sub.as_mut() {
            sub.range = range;
        }
        node.comments = std::mem::take(&mut self.comments);
        Ok(node)
    }

    /// The lines up to the heredoc's terminator (excluded), each with its newline.
    fn heredoc_body(&mut self, doc: &Heredoc, start: usize) -> Result<String, SyntaxError> {
        let mut content = String::new();
        while let Some(raw) = self.lines.next() {
            self.current += 1;
            let mut candidate = trim_newline(raw);
            if doc.chomp {
                candidate = candidate.trim_start_matches('\t');
            }
            if candidate == doc.name {
                return Ok(content);
            }
            content.push_str(raw);
        }
        Err(SyntaxError::new(
            SyntaxErrorKind::UnterminatedHeredoc(doc.name.clone()),
            start,
            self.current,
        ))
    }

    /// The file-level errors, checked once every line has been read.
    fn finish(self, instructions: Vec<Node>) -> Result<Dockerfile, SyntaxError> {
        let current = self.current;
        if instructions.is_empty() {
            return Err(SyntaxError::new(
                SyntaxErrorKind::NoInstructions,
                current.max(1),
                current.max(1),
            ));
        }
        if self.lines.too_long {
            return Err(SyntaxError::new(
                SyntaxErrorKind::LineTooLong,
                current + 1,
                current + 1,
            ));
        }
        Ok(Dockerfile {
            escape: self.st.escape,
            directives: self.st.directives,
            instructions,
            warnings: self.warnings,
            includes: Vec::new(),
        })
    }
}

/// Go `strings.ToLower` (rune by rune, one rune each).
pub fn go_lower(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars()
        .map(|c| match c {
            '\u{130}' => 'i',
            c => c.to_lowercase().next().unwrap_or(c),
        })
        .collect()
}

/// BuildKit `newNodeFromLine`: keyword, flags, then the instruction's own argument rules.
fn node_from_line(line: String, escape: char) -> Result<Node, SyntaxErrorKind> {
    node_at_depth(line, escape, 0)
}

/// Instruction keywords (upper case, lower case).
pub const KEYWORDS: &[(&str, &str)] = &[
    ("ADD", "add"),
    ("ARG", "arg"),
    ("CMD", "cmd"),
    ("COPY", "copy"),
    ("ENTRYPOINT", "entrypoint"),
    ("ENV", "env"),
    ("EXPOSE", "expose"),
    ("FROM", "from"),
    ("HEALTHCHECK", "healthcheck"),
    ("LABEL", "label"),
    ("MAINTAINER", "maintainer"),
    ("ONBUILD", "onbuild"),
    ("RUN", "run"),
    ("SHELL", "shell"),
    ("STOPSIGNAL", "stopsignal"),
    ("USER", "user"),
    ("VOLUME", "volume"),
    ("WORKDIR", "workdir"),
];

/// The keyword in lower case and as written, borrowed from [`KEYWORDS`] when it is a known
/// one written in upper or lower case (two fewer strings per instruction).
fn keyword_forms(cmd: &str) -> (Cow<'static, str>, Cow<'static, str>) {
    for &(upper, lower) in KEYWORDS {
        if cmd.eq_ignore_ascii_case(upper) {
            let original = match cmd {
                c if c == upper => Cow::Borrowed(upper),
                c if c == lower => Cow::Borrowed(lower),
                c => Cow::Owned(c.to_string()),
            };
            return (Cow::Borrowed(lower), original);
        }
    }
    (Cow::Owned(go_lower(cmd)), Cow::Owned(cmd.to_string()))
}

fn node_at_depth(line: String, escape: char, depth: usize) -> Result<Node, SyntaxErrorKind> {
    let (cmd, flags, rest) = split_command(&line, escape);
    let (keyword, keyword_original) = keyword_forms(cmd);
    let args = parse_args(&keyword, &rest, escape)?;
    drop(rest);
    let sub = match args.sub {
        Some(_) if depth >= MAX_ONBUILD_NESTING => return Err(SyntaxErrorKind::OnbuildTooDeep),
        Some(text) => Some(Box::new(node_at_depth(text, escape, depth + 1)?)),
        None => None,
    };
    Ok(Node {
        keyword,
        keyword_original,
        flags,
        args: args.args,
        json_form: args.json,
        sub,
        heredocs: Vec::new(),
        comments: Vec::new(),
        original: line,
        range: SourceRange::default(),
    })
}

/// Heredocs are read for RUN, COPY and ADD in shell form, also as an ONBUILD trigger.
fn can_contain_heredoc(node: &Node) -> bool {
    let n = match (&node.keyword[..], &node.sub) {
        ("onbuild", Some(sub)) => sub,
        _ => node,
    };
    matches!(&n.keyword[..], "add" | "copy" | "run") && !n.json_form
}
