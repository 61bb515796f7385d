//! Parser + shell expansion on arbitrary bytes: must never panic, hang or blow up memory.
//! The first byte picks lexer modes; the input is parsed as a Dockerfile, then every
//! argument, flag and heredoc body is expanded in the picked mode against a small env,
//! and the dump is produced.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mstage_syntax::shell::Lexer;
use mstage_syntax::parser;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let escape = if mode & 1 == 0 { '\\' } else { '`' };
    let lex = Lexer::new(escape)
        .with_raw_quotes(mode & 2 != 0)
        .with_raw_escapes(mode & 4 != 0)
        .with_skip_process_quotes(mode & 8 != 0)
        .with_skip_unset_env(mode & 16 != 0);
    let env = [("A", "x y"), ("EMPTY", ""), ("P", "/a/b.c"), ("G", "*?\\")];

    let _ = parser::detect_syntax(rest);
    if let Ok(df) = parser::parse(rest) {
        let _ = parser::dump(&df);
        let mut n = 0;
        for node in df
            .instructions
            .iter()
            .chain(df.instructions.iter().filter_map(|n| n.sub.as_deref()))
        {
            for w in node.args.iter().chain(&node.flags) {
                // Bound the work per input; the expander is linear but args can be many.
                n += 1;
                if n > 256 {
                    return;
                }
                let _ = lex.process_word(w, &env);
                let _ = lex.process_words(w, &env);
                let _ = lex.process_word_with_matches(w, &env);
            }
            for h in &node.heredocs {
                let _ = parser::chomp_heredoc_content(&h.content);
                let _ = lex.process_word(&h.content, &env);
            }
        }
    }
    // The raw input as one word as well: the lexer sees quoting the parser would reject.
    let text = String::from_utf8_lossy(rest);
    let _ = lex.process_word(&text, &env);
    let _ = lex.process_words(&text, &env);
    let _ = parser::heredocs_from_line(&text);
});
