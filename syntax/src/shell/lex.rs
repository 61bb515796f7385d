//! BuildKit's `shell.Lex`: quote removal, escapes, `$VAR` expansion and word splitting.

use std::collections::BTreeSet;

use super::env::EnvLookup;
use super::pattern;
use crate::golang::{is_digit, is_letter, is_space, quote};

/// Expansion failed. `word` is the input, `message` what went wrong (BuildKit's text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failed to process {}: {message}", quote(word))]
pub struct ShellError {
    pub word: String,
    pub message: String,
}

/// Result of [`Lexer::process_word_with_matches`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expansion {
    /// The expanded word.
    pub result: String,
    /// Variables that were referenced and set.
    pub matched: BTreeSet<String>,
    /// Variables that were referenced but not set.
    pub unmatched: BTreeSet<String>,
}

/// A shell-word lexer with BuildKit's modes.
///
/// The modes, and where the stock frontend uses them:
/// - default: `ProcessWord`/`ProcessWords` for ADD, COPY, ENV, EXPOSE, FROM, LABEL, ...
/// - `raw_quotes` + `skip_unset_env`: RUN vertex names (quotes kept, unset `$X` left as is).
/// - `skip_process_quotes` (escape `\`): heredoc bodies of COPY/ADD with expansion.
/// - `raw_quotes` + `raw_escapes` + `skip_unset_env`: the parser's heredoc marker scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lexer {
    /// Escape character (`\` or `` ` ``).
    pub escape: char,
    /// Keep quote characters in the output (quoted text is still not expanded or split).
    pub raw_quotes: bool,
    /// Keep escape characters in the output.
    pub raw_escapes: bool,
    /// Treat `'` and `"` as ordinary characters.
    pub skip_process_quotes: bool,
    /// Leave references to unset variables as written instead of expanding them to "".
    pub skip_unset_env: bool,
}

impl Lexer {
    pub fn new(escape: char) -> Self {
        Lexer {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_process_quotes: false,
            skip_unset_env: false,
        }
    }

    pub fn with_raw_quotes(mut self, on: bool) -> Self {
        self.raw_quotes = on;
        self
    }

    pub fn with_raw_escapes(mut self, on: bool) -> Self {
        self.raw_escapes = on;
        self
    }

    pub fn with_skip_process_quotes(mut self, on: bool) -> Self {
        self.skip_process_quotes = on;
        self
    }

    pub fn with_skip_unset_env(mut self, on: bool) -> Self {
        self.skip_unset_env = on;
        self
    }

    /// Expands one word (BuildKit `ProcessWord`): spaces are kept, nothing is split.
    pub fn process_word<E: EnvLookup + ?Sized>(
        &self,
        word: &str,
        env: &E,
    ) -> Result<String, ShellError> {
        if self.is_literal(word) {
            return Ok(word.to_string());
        }
        let mut st = State::new(self, word, env, Wanted::RESULT);
        Ok(st.run(word)?.0)
    }

    /// True when expansion cannot change `word`: no variable, quote, escape, heredoc
    /// marker or leading byte-order mark. Most words are like this; they skip the lexer.
    pub(crate) fn is_literal(&self, word: &str) -> bool {
        if word.starts_with('\u{feff}') {
            return false;
        }
        if self.escape.is_ascii() {
            // Every special character is ASCII then, and no byte of a longer character is.
            !word.bytes().any(|b| self.is_special(char::from(b)))
        } else {
            !word.chars().any(|c| self.is_special(c))
        }
    }

    /// A character the lexer may change: variables, quotes, the escape, heredoc markers.
    fn is_special(&self, c: char) -> bool {
        matches!(c, '$' | '\'' | '"' | '<') || c == self.escape
    }

    /// Expands and splits into words (BuildKit `ProcessWords`): unquoted whitespace,
    /// including whitespace from unquoted variable values, separates words.
    pub fn process_words<E: EnvLookup + ?Sized>(
        &self,
        word: &str,
        env: &E,
    ) -> Result<Vec<String>, ShellError> {
        let mut st = State::new(self, word, env, Wanted::WORDS);
        Ok(st.run(word)?.1)
    }

    /// Like [`Lexer::process_word`], also reporting which variables were referenced
    /// (BuildKit `ProcessWordWithMatches`; used for ARG usage tracking and lint warnings).
    pub fn process_word_with_matches<E: EnvLookup + ?Sized>(
        &self,
        word: &str,
        env: &E,
    ) -> Result<Expansion, ShellError> {
        let mut st = State::new(self, word, env, Wanted::MATCHES);
        let result = st.run(word)?.0;
        Ok(Expansion {
            result,
            matched: st.matched,
            unmatched: st.unmatched,
        })
    }

    /// The expansion and its words (both always computed; for tests of the fast paths).
    #[cfg(test)]
    pub(crate) fn process<E: EnvLookup + ?Sized>(
        &self,
        word: &str,
        env: &E,
    ) -> Result<(String, Vec<String>), ShellError> {
        State::new(self, word, env, Wanted::ALL).run(word)
    }
}

/// Word-splitting state of one `processStopOn` call. The buffer itself lives in [`State`]
/// and is shared by nested calls, as in BuildKit (a nested `${x:-...}` clears it).
#[derive(Default)]
struct Words {
    /// False when the caller wants only the expansion: then nothing is recorded.
    enabled: bool,
    words: Vec<String>,
    in_word: bool,
}

impl Words {
    fn new(enabled: bool) -> Self {
        Words {
            enabled,
            ..Default::default()
        }
    }

    fn add_char(&mut self, buf: &mut String, ch: char) {
        if !self.enabled {
            return;
        }
        if is_space(ch) && self.in_word {
            if !buf.is_empty() {
                self.words.push(std::mem::take(buf));
                self.in_word = false;
            }
        } else if !is_space(ch) {
            self.add_raw_char(buf, ch);
        }
    }

    fn add_raw_char(&mut self, buf: &mut String, ch: char) {
        if !self.enabled {
            return;
        }
        buf.push(ch);
        self.in_word = true;
    }

    fn add_string(&mut self, buf: &mut String, s: &str) {
        if !self.enabled {
            return;
        }
        for ch in s.chars() {
            self.add_char(buf, ch);
        }
    }

    fn add_raw_string(&mut self, buf: &mut String, s: &str) {
        if !self.enabled {
            return;
        }
        buf.push_str(s);
        self.in_word = true;
    }

    fn finish(mut self, buf: &mut String) -> Vec<String> {
        if !buf.is_empty() {
            self.words.push(std::mem::take(buf));
            self.in_word = false;
        }
        self.words
    }
}

/// What a caller needs beyond the expanded string; the rest is not computed.
#[derive(Clone, Copy)]
struct Wanted {
    words: bool,
    matches: bool,
}

impl Wanted {
    const RESULT: Wanted = Wanted {
        words: false,
        matches: false,
    };
    const WORDS: Wanted = Wanted {
        words: true,
        matches: false,
    };
    const MATCHES: Wanted = Wanted {
        words: false,
        matches: true,
    };
    #[cfg(test)]
    const ALL: Wanted = Wanted {
        words: true,
        matches: true,
    };
}

struct State<'a, E: ?Sized> {
    lex: &'a Lexer,
    wanted: Wanted,
    env: &'a E,
    chars: Vec<char>,
    pos: usize,
    raw_escapes: bool,
    words_buf: String,
    matched: BTreeSet<String>,
    unmatched: BTreeSet<String>,
    depth: usize,
}

/// Deepest `${...${...}}` nesting accepted. BuildKit (Go, growable stacks) has no limit;
/// here each level is a native stack frame, so absurd input is refused instead of
/// overflowing the stack.
pub const MAX_NESTING: usize = 20_000;

type Step<T> = Result<T, String>;

impl<'a, E: EnvLookup + ?Sized> State<'a, E> {
    fn new(lex: &'a Lexer, word: &str, env: &'a E, wanted: Wanted) -> Self {
        let mut chars: Vec<char> = word.chars().collect();
        // Go's text/scanner drops a byte-order mark at the very start.
        if chars.first() == Some(&'\u{feff}') {
            chars.remove(0);
        }
        State {
            lex,
            wanted,
            env,
            chars,
            pos: 0,
            raw_escapes: lex.raw_escapes,
            words_buf: String::new(),
            matched: BTreeSet::new(),
            unmatched: BTreeSet::new(),
            depth: 0,
        }
    }

    fn run(&mut self, source: &str) -> Result<(String, Vec<String>), ShellError> {
        let raw = self.lex.raw_escapes;
        self.process_stop_on(None, raw)
            .map_err(|message| ShellError {
                word: source.to_string(),
                message,
            })
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let ch = self.peek();
        if ch.is_some() {
            self.pos += 1;
        }
        ch
    }

    fn get_env(&mut self, name: &str) -> Option<String> {
        match self.env.lookup(name) {
            Some(v) => {
                if self.wanted.matches {
                    self.matched.insert(name.to_string());
                }
                Some(v.to_string())
            }
            None => {
                if self.wanted.matches {
                    self.unmatched.insert(name.to_string());
                }
                None
            }
        }
    }

    /// Processes until `stop` (consumed) or the end of input.
    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Step<(String, Vec<String>)> {
        if self.depth >= MAX_NESTING {
            return Err(format!(
                "variable substitutions nested more than {MAX_NESTING} levels deep"
            ));
        }
        self.depth += 1;
        let saved = std::mem::replace(&mut self.raw_escapes, raw_escapes);
        let r = self.stop_on_inner(stop);
        self.raw_escapes = saved;
        self.depth -= 1;
        r
    }

    fn stop_on_inner(&mut self, stop: Option<char>) -> Step<(String, Vec<String>)> {
        // Usually the rest of the word comes out about as long as it went in.
        let mut result = String::with_capacity(self.chars.len().saturating_sub(self.pos));
        self.words_buf.clear();
        let mut words = Words::new(self.wanted.words);
        let quotes = !self.lex.skip_process_quotes;

        while let Some(ch) = self.peek() {
            if !words.enabled {
                // A run of characters the lexer copies as they are goes over in one step.
                let plain = self.chars[self.pos..]
                    .iter()
                    .take_while(|&&c| !self.lex.is_special(c) && Some(c) != stop)
                    .count();
                if plain > 0 {
                    result.extend(&self.chars[self.pos..self.pos + plain]);
                    self.pos += plain;
                    continue;
                }
            }
            if stop == Some(ch) {
                self.next();
                let w = words.finish(&mut self.words_buf);
                return Ok((result, w));
            }
            match ch {
                '$' => {
                    let tmp = self.process_dollar()?;
                    result.push_str(&tmp);
                    words.add_string(&mut self.words_buf, &tmp);
                    continue;
                }
                '<' => {
                    let tmp = self.process_possible_heredoc();
                    result.push_str(&tmp);
                    words.add_raw_string(&mut self.words_buf, &tmp);
                    continue;
                }
                '\'' if quotes => {
                    let tmp = self.process_single_quote()?;
                    result.push_str(&tmp);
                    words.add_raw_string(&mut self.words_buf, &tmp);
                    continue;
                }
                '"' if quotes => {
                    let tmp = self.process_double_quote()?;
                    result.push_str(&tmp);
                    words.add_raw_string(&mut self.words_buf, &tmp);
                    continue;
                }
                _ => {}
            }
            let mut ch = self.next().unwrap_or_default();
            if ch == self.lex.escape {
                if self.raw_escapes {
                    words.add_raw_char(&mut self.words_buf, ch);
                    result.push(ch);
                }
                // The escape character escapes anything, except at the end of input.
                match self.next() {
                    None => break,
                    Some(c) => ch = c,
                }
                words.add_raw_char(&mut self.words_buf, ch);
            } else {
                words.add_char(&mut self.words_buf, ch);
            }
            result.push(ch);
        }
        if let Some(stop) = stop {
            return Err(format!(
                "unexpected end of statement while looking for matching {stop}"
            ));
        }
        let w = words.finish(&mut self.words_buf);
        Ok((result, w))
    }

    fn process_single_quote(&mut self) -> Step<String> {
        // Everything up to the next ' is literal; ' cannot be escaped.
        let mut result = String::new();
        let open = self.next().unwrap_or('\'');
        if self.lex.raw_quotes {
            result.push(open);
        }
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .to_string(),
                    )
                }
                Some('\'') => {
                    if self.lex.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(c) => result.push(c),
            }
        }
    }

    fn process_double_quote(&mut self) -> Step<String> {
        // Literal except `$`, and the escape character before `"`, `$` or itself.
        let mut result = String::new();
        let open = self.next().unwrap_or('"');
        if self.lex.raw_quotes {
            result.push(open);
        }
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .to_string(),
                    )
                }
                Some('"') => {
                    self.next();
                    if self.lex.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let v = self.process_dollar()?;
                    result.push_str(&v);
                }
                Some(_) => {
                    let mut ch = self.next().unwrap_or_default();
                    if ch == self.lex.escape {
                        if self.raw_escapes {
                            result.push(ch);
                        }
                        match self.peek() {
                            None => continue,
                            Some(c) if c == '"' || c == '$' || c == self.lex.escape => {
                                ch = c;
                                self.next();
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(ch);
                }
            }
        }
    }

    fn process_dollar(&mut self) -> Step<String> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                return Ok("$".to_string());
            }
            return Ok(match self.get_env(&name) {
                Some(v) => v,
                None if self.lex.skip_unset_env => format!("${name}"),
                None => String::new(),
            });
        }
        self.next();
        match self.peek() {
            None => return Err("syntax error: missing '}'".to_string()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".to_string()),
            _ => {}
        }
        let name = self.process_name();
        let mut ch = self.next();
        // Go renders a missing rune (EOF) as U+FFFD in messages.
        let show = |c: Option<char>| c.unwrap_or('\u{fffd}');
        let mut chs = show(ch).to_string();
        let mut null_is_unset = false;

        match ch {
            Some('}') => {
                return Ok(match self.get_env(&name) {
                    Some(v) => v,
                    None if self.lex.skip_unset_env => format!("${{{name}}}"),
                    None => String::new(),
                });
            }
            Some('/') => return self.process_replace(&name),
            Some(':') => {
                null_is_unset = true;
                ch = self.next();
                chs.push(show(ch));
            }
            Some('+' | '-' | '?' | '#' | '%') => {}
            _ => return Err(format!("unsupported modifier ({chs}) in substitution")),
        }

        let raw = matches!(ch, Some('#' | '%'));
        if null_is_unset && raw {
            return Err(format!("unsupported modifier ({chs}) in substitution"));
        }
        let (word, _) = self.process_stop_on(Some('}'), raw).map_err(|e| {
            if self.peek().is_none() {
                "syntax error: missing '}'".to_string()
            } else {
                e
            }
        })?;

        let value = self.get_env(&name);
        let Some(value) = value else {
            if self.lex.skip_unset_env {
                return Ok(format!("${{{name}{chs}{word}}}"));
            }
            return match ch {
                Some('-') => Ok(word),
                Some('+') => Ok(String::new()),
                Some('?') => {
                    let msg = if word.is_empty() {
                        "is not allowed to be unset"
                    } else {
                        &word
                    };
                    Err(format!("{name}: {msg}"))
                }
                Some(c @ ('#' | '%')) => self.trim(c, word, ""),
                _ => Err(format!("unsupported modifier ({chs}) in substitution")),
            };
        };
        let empty = null_is_unset && value.is_empty();
        match ch {
            Some('-') => Ok(if empty { word } else { value }),
            Some('+') => Ok(if empty { String::new() } else { word }),
            Some('?') => {
                if empty {
                    let msg = if word.is_empty() {
                        "is not allowed to be empty"
                    } else {
                        &word
                    };
                    return Err(format!("{name}: {msg}"));
                }
                Ok(value)
            }
            Some(c @ ('#' | '%')) => self.trim(c, word, &value),
            _ => Err(format!("unsupported modifier ({chs}) in substitution")),
        }
    }

    /// `${VAR#pat}`, `${VAR##pat}`, `${VAR%pat}`, `${VAR%%pat}`.
    fn trim(&self, op: char, word: String, value: &str) -> Step<String> {
        let (greedy, pat) = match word.strip_prefix(op) {
            Some(rest) => (true, rest),
            None => (false, word.as_str()),
        };
        if op == '%' {
            pattern::trim_suffix(pat, value, greedy)
        } else {
            pattern::trim_prefix(pat, value, greedy)
        }
    }

    /// `${VAR/pat/repl}` and `${VAR//pat/repl}` (after the first `/`).
    fn process_replace(&mut self, name: &str) -> Step<String> {
        let all = self.peek() == Some('/');
        if all {
            self.next();
        }
        let (pat, _) = self.process_stop_on(Some('/'), true).map_err(|e| {
            if self.peek().is_none() {
                "syntax error: missing '/' in ${}".to_string()
            } else {
                e
            }
        })?;
        let (repl, _) = self.process_stop_on(Some('}'), true).map_err(|e| {
            if self.peek().is_none() {
                "syntax error: missing '}'".to_string()
            } else {
                e
            }
        })?;
        match self.get_env(name) {
            Some(value) => pattern::replace(&pat, &value, &repl, all),
            None if self.lex.skip_unset_env => Ok(format!("${{{name}/{pat}/{repl}}}")),
            None => pattern::replace(&pat, "", &repl, all),
        }
    }

    /// A variable name: letters, digits, `_`; or a run of digits (positional); or one
    /// special parameter character.
    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && is_digit(ch) {
                while let Some(d) = self.peek().filter(|&c| is_digit(c)) {
                    self.next();
                    name.push(d);
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.next();
                return ch.to_string();
            }
            if !is_letter(ch) && !is_digit(ch) && ch != '_' {
                break;
            }
            self.next();
            name.push(ch);
        }
        name
    }

    /// `<<` (and following blanks) stays together in one word, so heredoc markers such as
    /// `<< EOF` survive splitting.
    fn process_possible_heredoc(&mut self) -> String {
        self.next();
        if self.peek() != Some('<') {
            return "<".to_string();
        }
        self.next();
        let mut out = "<<".to_string();
        while let Some(c) = self.peek().filter(|c| matches!(c, '\t' | '\r' | ' ')) {
            out.push(c);
            self.next();
        }
        out
    }
}
