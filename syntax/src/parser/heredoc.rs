//! Heredoc markers (`<<EOF`, `<<-EOF`, `3<<"EOF"`) in RUN, COPY and ADD lines.

use super::ast::Heredoc;
use super::error::SyntaxErrorKind;
use crate::shell::{Lexer, NoEnv};

/// The heredocs a logical line opens, in order (BuildKit `heredocsFromLine`). Bodies are
/// empty; the parser fills them. A line the lexer cannot split opens none.
pub fn heredocs_from_line(line: &str) -> Result<Vec<Heredoc>, SyntaxErrorKind> {
    let lex = Lexer::new('\\')
        .with_raw_quotes(true)
        .with_raw_escapes(true)
        .with_skip_unset_env(true);
    let words = lex.process_words(line, &NoEnv).unwrap_or_default();
    let mut docs = Vec::new();
    for word in words {
        if let Some(doc) = parse_heredoc(&word)? {
            docs.push(doc);
        }
    }
    Ok(docs)
}

/// One word as a heredoc marker (BuildKit `ParseHeredoc`): `^(\d*)<<(-?)\s*([^<]*)$`, the
/// rest being a single shell word. `Ok(None)` when it is not a marker.
pub fn parse_heredoc(word: &str) -> Result<Option<Heredoc>, SyntaxErrorKind> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let Some(rest) = word[digits..].strip_prefix("<<") else {
        return Ok(None);
    };
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let rest = rest.trim_start_matches(['\t', '\n', '\x0c', '\r', ' ']);
    if rest.contains('<') || rest.is_empty() {
        return Ok(None);
    }
    // Go's ParseUint on an empty or overflowing number gives 0.
    let fd = word[..digits].parse::<u32>().unwrap_or(0);

    // Lex the word with and without quote removal: if the counts of quote characters
    // differ, part of the word was quoted and the body is not expanded.
    let lex = Lexer::new('\\').with_skip_unset_env(true);
    let words = lex
        .process_words(rest, &NoEnv)
        .map_err(SyntaxErrorKind::HeredocMarker)?;
    if words.len() != 1 {
        return Ok(None);
    }
    let raw = lex
        .with_raw_quotes(true)
        .process_words(rest, &NoEnv)
        .map_err(SyntaxErrorKind::HeredocMarker)?;
    if raw.len() != words.len() {
        return Err(SyntaxErrorKind::HeredocInconsistent(rest.to_string()));
    }
    let quotes = |s: &str| s.chars().filter(|&c| c == '\'' || c == '"').count();
    let name = words.into_iter().next().unwrap_or_default();
    Ok(Some(Heredoc {
        expand: quotes(&name) == quotes(&raw[0]),
        name,
        fd,
        chomp,
        content: String::new(),
    }))
}

/// Removes leading tabs from every line of a `<<-` body (BuildKit `ChompHeredocContent`).
pub fn chomp_heredoc_content(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    for line in src.split_inclusive('\n') {
        out.push_str(line.trim_start_matches('\t'));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        let h = parse_heredoc("3<<-'EOF'").unwrap().unwrap();
        assert_eq!(
            (h.name.as_str(), h.fd, h.chomp, h.expand),
            ("EOF", 3, true, false)
        );
        let h = parse_heredoc(r"<<eo\'f").unwrap().unwrap();
        assert_eq!((h.name.as_str(), h.expand), ("eo'f", true));
        let h = parse_heredoc("<<$EOF").unwrap().unwrap();
        assert_eq!(h.name, "$EOF");
        assert_eq!(parse_heredoc("<<<EOF").unwrap(), None);
        assert!(parse_heredoc("<<'EOF").is_err());
        assert_eq!(chomp_heredoc_content("\t\ta\n\tb\nc\t\n"), "a\nb\nc\t\n");
    }
}
