//! Shell word expansion as BuildKit's `frontend/dockerfile/shell` does it: `$VAR`, `${VAR}`,
//! `${VAR:-w}` `${VAR-w}` `${VAR:+w}` `${VAR+w}` `${VAR:?m}` `${VAR?m}`, `${VAR#p}` `${VAR##p}`
//! `${VAR%p}` `${VAR%%p}` (glob patterns), `${VAR/p/r}` `${VAR//p/r}`, single and double
//! quotes, the escape character, and word splitting.
//!
//! ```
//! use mstage_syntax::shell::Lexer;
//! let env = [("NAME", "world"), ("EMPTY", "")];
//! let lex = Lexer::new('\\');
//! assert_eq!(lex.process_word("hello ${NAME}", &env).unwrap(), "hello world");
//! assert_eq!(lex.process_word("${EMPTY:-x}${UNSET-y}", &env).unwrap(), "xy");
//! assert_eq!(lex.process_words("a 'b c' $NAME", &env).unwrap(), ["a", "b c", "world"]);
//! ```

mod env;
mod lex;
mod pattern;

pub use env::{EnvLookup, NoEnv};
pub use lex::{Expansion, Lexer, ShellError, MAX_NESTING};

#[cfg(test)]
mod tests;
