//! How BuildKit's parser splits the arguments of each instruction (`line_parsers.go`,
//! `split_command.go`). Quotes and escapes are kept; expansion happens later.

use std::borrow::Cow;

use super::error::SyntaxErrorKind;
use super::json::{parse_string_array, JsonArray};
use crate::golang::{is_space, is_space_byte};

/// Arguments of one instruction as the parser leaves them.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Args {
    pub args: Vec<String>,
    pub json: bool,
    /// The line of the nested instruction (ONBUILD).
    pub sub: Option<String>,
}

impl Args {
    fn plain(args: Vec<String>) -> Self {
        Args {
            args,
            ..Args::default()
        }
    }
}

/// Go `regexp.MustCompile("[\t\v\f\r ]+")`.
fn is_re_ws(c: char) -> bool {
    matches!(c, '\t' | '\x0b' | '\x0c' | '\r' | ' ')
}

/// Go `reWhitespace.Split(s, n)` (`n < 0`: no limit).
pub(crate) fn split_ws(s: &str, n: isize) -> Vec<&str> {
    if s.is_empty() {
        return vec![""];
    }
    let mut out = Vec::new();
    let (mut beg, mut end) = (0, 0);
    let mut i = 0;
    let bytes = s.as_bytes();
    while i < bytes.len() {
        if !is_re_ws(bytes[i] as char) {
            i += 1;
            continue;
        }
        let m0 = i;
        while i < bytes.len() && is_re_ws(bytes[i] as char) {
            i += 1;
        }
        if n > 0 && out.len() as isize == n - 1 {
            break;
        }
        end = m0;
        if i != 0 {
            out.push(&s[beg..end]);
        }
        beg = i;
    }
    if end != s.len() {
        out.push(&s[beg..]);
    }
    out
}

/// Keyword, flags and the rest of a logical line (BuildKit `splitCommand`).
pub(crate) fn split_command(line: &str, escape: char) -> (&str, Vec<String>, Cow<'_, str>) {
    let trimmed = line.trim_matches(is_space);
    // `split_ws(trimmed, 2)` without the list: the line is trimmed, so the first
    // whitespace run is inside it.
    let (cmd, rest) = match trimmed.find(is_re_ws) {
        Some(at) => (
            &trimmed[..at],
            Some(trimmed[at..].trim_start_matches(is_re_ws)),
        ),
        None => (trimmed, None),
    };
    let (rest, flags) = match rest {
        Some(rest) => extract_builder_flags(rest, escape),
        None => (Cow::Borrowed(""), Vec::new()),
    };
    let rest = match rest {
        Cow::Borrowed(r) => Cow::Borrowed(r.trim_matches(is_space)),
        Cow::Owned(r) => Cow::Owned(r.trim_matches(is_space).to_string()),
    };
    (cmd, flags, rest)
}

/// Leading `--flag[=value]` words (BuildKit `extractBuilderFlags`). Upstream walks the line
/// byte by byte and widens each byte to a rune; so does this, to give the same flags for
/// non-ASCII text.
fn extract_builder_flags(line: &str, escape: char) -> (Cow<'_, str>, Vec<String>) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let b = line.as_bytes();
    // The rest starts after an ASCII byte except after 0x85 or 0xA0 (spaces to Go when
    // widened), which may split a character.
    let rest_at = |pos: usize| match line.get(pos..) {
        Some(rest) => Cow::Borrowed(rest),
        None => String::from_utf8_lossy(&b[pos..]),
    };
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote = 0u8;
    let mut blank_ok = false;
    let mut pos = 0;
    while pos <= b.len() {
        let ch = b.get(pos).copied().unwrap_or(0);
        if phase == Phase::Spaces {
            if pos == b.len() {
                break;
            }
            if is_space_byte(ch) {
                pos += 1;
                continue;
            }
            if ch != b'-' || pos + 1 == b.len() || b[pos + 1] != b'-' {
                return (rest_at(pos), words);
            }
            phase = Phase::Word;
        }
        if pos == b.len() {
            if word != "--" && (blank_ok || !word.is_empty()) {
                words.push(word);
            }
            break;
        }
        let mut ch = ch;
        if phase == Phase::Word {
            if is_space_byte(ch) {
                phase = Phase::Spaces;
                if word == "--" {
                    return (rest_at(pos), words);
                }
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                word.clear();
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == b'\'' || ch == b'"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
                pos += 1;
                continue;
            }
            if ch as char == escape {
                if pos + 1 == b.len() {
                    pos += 1;
                    continue;
                }
                pos += 1;
                ch = b[pos];
            }
            word.push(ch as char);
            pos += 1;
            continue;
        }
        // Phase::Quote
        if ch == quote {
            phase = Phase::Word;
            pos += 1;
            continue;
        }
        if ch as char == escape {
            if pos + 1 == b.len() {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            pos += 1;
            ch = b[pos];
        }
        word.push(ch as char);
        pos += 1;
    }
    (Cow::Borrowed(""), words)
}

/// Words separated by whitespace, quotes and escapes kept (BuildKit `parseWords`).
pub(crate) fn parse_words(rest: &str, escape: char) -> Vec<String> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let mut chars = rest.chars().peekable();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut word = String::new();
    while let Some(mut ch) = chars.next() {
        let last = chars.peek().is_none();
        if phase == Phase::Spaces {
            if is_space(ch) {
                continue;
            }
            phase = Phase::Word;
        }
        if phase == Phase::Word {
            if is_space(ch) {
                phase = Phase::Spaces;
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                blank_ok = false;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
            if ch == escape {
                if last {
                    continue; // an escape at the very end is dropped
                }
                // Unquoted: keep the escape and the escaped character, even a quote.
                word.push(ch);
                ch = chars.next().unwrap_or(ch);
            }
            word.push(ch);
            continue;
        }
        // Phase::Quote
        if ch == quote {
            phase = Phase::Word;
        }
        if ch == escape && quote != '\'' {
            if last {
                phase = Phase::Word;
                continue;
            }
            word.push(ch);
            ch = chars.next().unwrap_or(ch);
        }
        word.push(ch);
    }
    // The end of input ends a word (or a quote) in progress.
    if phase != Phase::Spaces && (blank_ok || !word.is_empty()) {
        words.push(word);
    }
    words
}

/// ENV and LABEL: `(name, value, "=")` triples, or one `(name, rest, "")` triple for the
/// legacy `NAME value` form.
fn parse_name_val(rest: &str, key: &str, escape: char) -> Result<Args, SyntaxErrorKind> {
    let words = parse_words(rest, escape);
    if words.is_empty() {
        return Ok(Args::default());
    }
    if !words[0].contains('=') {
        let parts = split_ws(rest, 2);
        if parts.len() < 2 {
            return Err(SyntaxErrorKind::MissingValue(key.to_string()));
        }
        return Ok(Args::plain(vec![
            parts[0].to_string(),
            parts[1].to_string(),
            String::new(),
        ]));
    }
    let mut args = Vec::with_capacity(words.len() * 3);
    for mut word in words {
        let Some(eq) = word.find('=') else {
            return Err(SyntaxErrorKind::MissingEquals(word));
        };
        // The word's own buffer keeps the name.
        let value = word[eq + 1..].to_string();
        word.truncate(eq);
        args.extend([word, value, "=".to_string()]);
    }
    Ok(Args::plain(args))
}

fn parse_strings_whitespace_delimited(rest: &str) -> Args {
    if rest.is_empty() {
        return Args::default();
    }
    Args::plain(split_ws(rest, -1).into_iter().map(str::to_string).collect())
}

fn parse_string(rest: &str) -> Args {
    if rest.is_empty() {
        return Args::default();
    }
    Args::plain(vec![rest.to_string()])
}

/// `Ok(None)`: not a JSON array (shell form).
fn parse_json(rest: &str) -> Result<Option<Args>, SyntaxErrorKind> {
    let rest = rest.trim_start_matches(is_space);
    if !rest.starts_with('[') {
        return Ok(None);
    }
    match parse_string_array(rest) {
        JsonArray::Strings(args) => Ok(Some(Args {
            args,
            json: true,
            sub: None,
        })),
        JsonArray::NotStrings => Err(SyntaxErrorKind::JsonNotStrings),
        JsonArray::Invalid => Ok(None),
    }
}

/// RUN, CMD, ENTRYPOINT, SHELL: JSON array, else the whole rest as one argument.
fn parse_maybe_json(rest: &str) -> Result<Args, SyntaxErrorKind> {
    if rest.is_empty() {
        return Ok(Args::default());
    }
    Ok(parse_json(rest)?.unwrap_or_else(|| parse_string(rest)))
}

/// ADD, COPY, VOLUME: JSON array, else whitespace-separated words.
fn parse_maybe_json_to_list(rest: &str) -> Result<Args, SyntaxErrorKind> {
    Ok(parse_json(rest)?.unwrap_or_else(|| parse_strings_whitespace_delimited(rest)))
}

/// HEALTHCHECK: the sub-command word, then the command like CMD. Upstream looks for the
/// first space byte by byte (see [`is_space_byte`]).
fn parse_health_config(rest: &str) -> Result<Args, SyntaxErrorKind> {
    let b = rest.as_bytes();
    let sep = b.iter().position(|&c| is_space_byte(c)).unwrap_or(b.len());
    if sep == 0 {
        return Ok(Args::default());
    }
    let next = b[sep..]
        .iter()
        .position(|&c| !is_space_byte(c))
        .map_or(b.len(), |p| sep + p);
    let typ = String::from_utf8_lossy(&b[..sep]).into_owned();
    let cmd = parse_maybe_json(&String::from_utf8_lossy(&b[next..]))?;
    let mut args = vec![typ];
    args.extend(cmd.args);
    Ok(Args {
        args,
        json: cmd.json,
        sub: None,
    })
}

/// Splits the arguments of instruction `keyword` (lower case). Unknown keywords keep one
/// empty argument, as upstream (the instruction layer rejects them).
pub(crate) fn parse_args(keyword: &str, rest: &str, escape: char) -> Result<Args, SyntaxErrorKind> {
    match keyword {
        "add" | "copy" | "volume" => parse_maybe_json_to_list(rest),
        "cmd" | "entrypoint" | "run" | "shell" => parse_maybe_json(rest),
        "arg" => Ok(Args::plain(parse_words(rest, escape))),
        "env" => parse_name_val(rest, "ENV", escape),
        "label" => parse_name_val(rest, "LABEL", escape),
        "expose" | "from" => Ok(parse_strings_whitespace_delimited(rest)),
        "healthcheck" => parse_health_config(rest),
        "maintainer" | "stopsignal" | "user" | "workdir" => Ok(parse_string(rest)),
        "onbuild" => Ok(Args {
            sub: (!rest.is_empty()).then(|| rest.to_string()),
            ..Args::default()
        }),
        _ => Ok(Args::plain(vec![String::new()])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `split_command` splits the keyword off the way `split_ws(trimmed, 2)` would.
    #[test]
    fn keyword_split_matches_the_whitespace_regex() {
        for line in [
            "RUN echo hi",
            "RUN \t\x0b echo  hi ",
            "FROM\ta",
            "CMD",
            "",
            "  ENV a=b",
            "ENV\u{a0}x y",
            "WORKDIR\r/x",
        ] {
            let trimmed = line.trim_matches(is_space);
            let parts = split_ws(trimmed, 2);
            let (cmd, _, rest) = split_command(line, '\\');
            assert_eq!(cmd, parts[0], "{line:?}");
            let want = parts.get(1).map_or("", |r| r.trim_matches(is_space));
            assert_eq!(rest, want, "{line:?}");
        }
    }

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn words() {
        assert_eq!(parse_words("foo bar", '\\'), v(&["foo", "bar"]));
        assert_eq!(
            parse_words(r#"abc="123 456" def"#, '\\'),
            v(&[r#"abc="123 456""#, "def"])
        );
        assert_eq!(
            parse_words(r#"a\ b 'c\' d"#, '\\'),
            v(&[r#"a\ b"#, r#"'c\'"#, "d"])
        );
        assert_eq!(parse_words(r#""" x"#, '\\'), v(&[r#""""#, "x"]));
        assert_eq!(parse_words("a\\", '\\'), v(&["a"]));
    }

    #[test]
    fn flags() {
        let (cmd, flags, rest) = split_command("COPY --from=a --chown='x y' -- --b c", '\\');
        assert_eq!((cmd, &*rest), ("COPY", "--b c"));
        assert_eq!(flags, v(&["--from=a", "--chown=x y"]));
        let (_, flags, rest) = split_command("RUN --x=\"\" echo", '\\');
        assert_eq!((flags, &*rest), (v(&["--x="]), "echo"));
        let (_, flags, rest) = split_command("RUN --a", '\\');
        assert_eq!((flags, &*rest), (v(&["--a"]), ""));
        // Bytes widened to runes, as upstream.
        let (_, flags, _) = split_command("COPY --chown=é a b", '\\');
        assert_eq!(flags, v(&["--chown=Ã©"]));
        // U+2801 is E2 A0 81: A0 ends the flag (a space to Go) and the rest starts inside
        // the character; its stray byte is read as U+FFFD.
        let (_, flags, rest) = split_command("RUN --a\u{2801}b echo", '\\');
        assert_eq!((flags, &*rest), (v(&["--a\u{e2}"]), "\u{fffd}b echo"));
    }

    #[test]
    fn name_values() {
        let a = parse_name_val("a=1 b=\"x y\"", "ENV", '\\').unwrap();
        assert_eq!(a.args, v(&["a", "1", "=", "b", "\"x y\"", "="]));
        let a = parse_name_val("PATH  /a b", "ENV", '\\').unwrap();
        assert_eq!(a.args, v(&["PATH", "/a b", ""]));
        assert_eq!(
            parse_name_val("PATH", "ENV", '\\'),
            Err(SyntaxErrorKind::MissingValue("ENV".into()))
        );
        assert!(
            matches!(parse_name_val("a=1 b", "LABEL", '\\'), Err(SyntaxErrorKind::MissingEquals(w)) if w == "b")
        );
    }

    #[test]
    fn health_and_json() {
        let a = parse_health_config("CMD [\"a\", \"b\"]").unwrap();
        assert_eq!((a.args, a.json), (v(&["CMD", "a", "b"]), true));
        let a = parse_health_config("NONE").unwrap();
        assert_eq!(a.args, v(&["NONE"]));
        let a = parse_maybe_json("[\"a\" 'b']").unwrap();
        assert_eq!((a.args, a.json), (v(&["[\"a\" 'b']"]), false));
        let a = parse_maybe_json_to_list("[\"a\", \"b\"").unwrap();
        assert_eq!(a.args, v(&["[\"a\",", "\"b\""]));
        assert_eq!(split_ws("a \t b", -1), v(&["a", "b"]));
        assert_eq!(split_ws("a  b c", 2), v(&["a", "b c"]));
    }
}
