//! Expansion behaviour beyond the upstream vector files: pattern operators, matches and
//! the lexer modes (facts from BuildKit's `lex_test.go`).

use std::collections::BTreeSet;

use super::*;

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Input, environment, expected expansion.
type Case = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

fn word(input: &str, env: &[(&str, &str)]) -> Result<String, ShellError> {
    Lexer::new('\\').process_word(input, env)
}

#[test]
fn prefix_and_suffix_removal() {
    let cases: &[Case] = &[
        (
            r"${FOO#()[]{\}^$.\*\?|\\}",
            &[("FOO", r"()[]{}^$.*?|\x")],
            "x",
        ),
        (r"${FOO%%\**}", &[("FOO", "xx**")], "xx"),
        ("${FOO#*x*y}", &[("FOO", "xxyy")], "y"),
        ("${FOO#*}", &[("FOO", "xxyy")], "xxyy"),
        ("${FOO#$BAR}", &[("FOO", "xxyy"), ("BAR", "x")], "xyy"),
        ("${FOO#$BAR}", &[("FOO", "xxyy"), ("BAR", "")], "xxyy"),
        ("${FOO#}", &[("FOO", "xxyy")], "xxyy"),
        ("${FOO##*x}", &[("FOO", "xxyy")], "yy"),
        ("${FOO##}", &[("FOO", "xxyy")], "xxyy"),
        (r"${FOO#?\?}", &[("FOO", "???y")], "?y"),
        ("${ABC:-.}${FOO%x}${ABC:-.}", &[("FOO", "xxyy")], ".xxyy."),
        (r"${FOO%%\**\*}", &[("FOO", "a***yy*")], "a"),
        ("${FOO%}", &[("FOO", "xxyy")], "xxyy"),
        ("${FOO%%$BAR}", &[("FOO", "xxyy"), ("BAR", "")], "xxyy"),
        ("${FOO%y*}", &[("FOO", "a.tar.gz.y1y2")], "a.tar.gz.y1"),
        ("${FOO%%.*}", &[("FOO", "a.tar.gz")], "a"),
        ("${FOO%.*}", &[("FOO", "a.tar.gz")], "a.tar"),
        ("${FOO#*/}", &[("FOO", "x/y/z")], "y/z"),
        ("${FOO##*/}", &[("FOO", "x/y/z")], "z"),
        ("${UNSET#x}", &[], ""),
    ];
    for (input, env, want) in cases {
        assert_eq!(word(input, env).as_deref(), Ok(*want), "{input}");
    }
    for bad in [
        "${FOO:#}",
        "${FOO:##}",
        "${FOO:%}",
        "${FOO:%%}",
        r"${FOO#\a}",
    ] {
        assert!(word(bad, &[("FOO", "x")]).is_err(), "{bad}");
    }
}

#[test]
fn substitution() {
    let cases: &[Case] = &[
        (
            "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}",
            &[("FOO", "/foo*/*/*.txt"), ("NEEDLE", r"\*/")],
            "/foo.*/*.txt - /foo..*.txt",
        ),
        (
            "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}",
            &[("FOO", "/tmp/tmp/bar.txt"), ("NEEDLE", "/tmp")],
            "/tmp/bar.txt - /bar.txt",
        ),
        (
            "${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}",
            &[
                ("FOO", "/a/foo/b/c.txt"),
                ("NEEDLE", "/?/"),
                ("REPLACEMENT", "/"),
            ],
            "/foo/b/c.txt - /foo/c.txt",
        ),
        (
            "${FOO/$NEEDLE/$REPLACEMENT}",
            &[
                ("FOO", "http://google.de"),
                ("NEEDLE", "http://"),
                ("REPLACEMENT", "https://"),
            ],
            "https://google.de",
        ),
        (
            r"${FOO//\//\/}",
            &[("FOO", "/tmp/foo.txt")],
            r"\/tmp\/foo.txt",
        ),
        ("${FOO/$BAR/ww}", &[("FOO", "xxyy"), ("BAR", "")], "wwxxyy"),
        ("${FOO///}", &[("FOO", "xxyy")], "xxyy"),
        ("${FOO///}", &[], ""),
        ("${FOO/x*/z}", &[("FOO", "axbxc")], "az"),
        ("${FOO//?/-}", &[("FOO", "한국")], "--"),
    ];
    for (input, env, want) in cases {
        assert_eq!(word(input, env).as_deref(), Ok(*want), "{input}");
    }
    for bad in ["${FOO//ww}", "${FOO//}", "${FOO/a"] {
        assert!(word(bad, &[("FOO", "xxyy")]).is_err(), "{bad}");
    }
}

#[test]
fn defaults_alternatives_and_required() {
    let env = [("FOO", "xxx"), ("BAR", "")];
    assert_eq!(
        word("${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}", &env).unwrap(),
        "xxx  ccc"
    );
    assert_eq!(
        word("${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", &env).unwrap(),
        "xxx bbb ccc"
    );
    assert_eq!(
        word("${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}", &env).unwrap(),
        "aaa bbb "
    );
    assert_eq!(
        word("${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}", &env).unwrap(),
        "aaa  "
    );
    assert_eq!(word("${FOO?aaa}${BAR?bbb}", &env).unwrap(), "xxx");
    let e = word("${BAZ?must be set}", &env).unwrap_err();
    assert_eq!(e.message, "BAZ: must be set");
    assert_eq!(
        e.to_string(),
        r#"failed to process "${BAZ?must be set}": BAZ: must be set"#
    );
    assert_eq!(
        word("${BAR:?}", &env).unwrap_err().message,
        "BAR: is not allowed to be empty"
    );
    assert_eq!(
        word("${BAZ:?}", &env).unwrap_err().message,
        "BAZ: is not allowed to be unset"
    );
    for bad in [
        "${FOO=aaa}",
        "${FOO=:aaa}",
        "${FOO:x}",
        "${",
        "${}",
        "${FOO",
    ] {
        assert!(word(bad, &env).is_err(), "{bad}");
    }
    assert_eq!(
        word("${FOO:x}", &env).unwrap_err().message,
        "unsupported modifier (:x) in substitution"
    );
}

#[test]
fn matched_and_unmatched_names() {
    let lex = Lexer::new('\\');
    let env = [("FOO", "xxx"), ("BAR", "")];
    let r = lex
        .process_word_with_matches("${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", &env)
        .unwrap();
    assert_eq!(r.result, "xxx bbb ccc");
    assert_eq!(
        (r.matched, r.unmatched),
        (set(&["FOO", "BAR"]), set(&["BAZ"]))
    );
    let r = lex.process_word_with_matches("x", &env).unwrap();
    assert!(r.matched.is_empty() && r.unmatched.is_empty());
    let r = lex
        .process_word_with_matches("$FOO ${FOO#$NEEDLE} '$QUOTED'", &env)
        .unwrap();
    assert_eq!((r.matched, r.unmatched), (set(&["FOO"]), set(&["NEEDLE"])));
}

#[test]
fn modes() {
    let env = [("A", "1")];
    // RUN vertex names: quotes kept, unset variables left as written.
    let raw = Lexer::new('\\')
        .with_raw_quotes(true)
        .with_skip_unset_env(true);
    assert_eq!(
        raw.process_word(r#"echo "$A" '$A' $B ${C} ${D:-x}"#, &env)
            .unwrap(),
        r#"echo "1" '$A' $B ${C} ${D:-x}"#
    );
    // Heredoc bodies: quotes are ordinary characters.
    let keep = Lexer::new('\\').with_skip_process_quotes(true);
    assert_eq!(
        keep.process_word(r#"say "$A" 'x'"#, &env).unwrap(),
        r#"say "1" 'x'"#
    );
    // Raw escapes keep the escape character.
    let esc = Lexer::new('\\').with_raw_escapes(true);
    assert_eq!(esc.process_word(r"a\ b\$A", &env).unwrap(), r"a\ b\$A");
    // Backtick as escape character.
    let tick = Lexer::new('`');
    assert_eq!(
        tick.process_word(r"C:\path `$A", &env).unwrap(),
        r"C:\path $A"
    );
}

#[test]
fn word_splitting() {
    let lex = Lexer::new('\\');
    let env = [("V", "a  b")];
    assert_eq!(
        lex.process_words("x${V}y \"$V\" ''", &env).unwrap(),
        ["xa", "by", "a  b"]
    );
    assert_eq!(
        lex.process_words("<< EOF <<-X", &env).unwrap(),
        ["<< EOF", "<<-X"]
    );
    // Upstream quirk kept: a nested ${...} with a modifier restarts the pending word.
    assert_eq!(lex.process_words("abc${U:-d}e", &env).unwrap(), ["de"]);
}

#[test]
fn env_sources() {
    let pairs = vec![
        ("A".to_string(), "1".to_string()),
        ("A".to_string(), "2".to_string()),
    ];
    assert_eq!(
        Lexer::new('\\').process_word("$A", &pairs).unwrap(),
        "2",
        "last definition wins"
    );
    let map: std::collections::BTreeMap<String, String> =
        [("A".to_string(), "m".to_string())].into();
    assert_eq!(Lexer::new('\\').process_word("$A", &map).unwrap(), "m");
    assert_eq!(Lexer::new('\\').process_word("[$A]", &NoEnv).unwrap(), "[]");
}

/// Words without `$`, quotes, the escape character, `<` or a leading BOM skip the lexer;
/// the result must be what the lexer would have produced, in every mode.
#[test]
fn literal_words_skip_the_lexer_with_the_same_result() {
    let words = [
        "",
        "plain",
        "  spaces\tand\ttabs  ",
        "/usr/local/bin:/usr/bin",
        "ünïcødé ✓",
        "a=b,c=d",
        "{}[]()*?!#%&",
        "`backtick` words",
    ];
    let env: &[(&str, &str)] = &[("a", "x")];
    for escape in ['\\', '`'] {
        let lexers = [
            Lexer::new(escape),
            Lexer::new(escape)
                .with_raw_quotes(true)
                .with_skip_unset_env(true),
            Lexer::new(escape).with_skip_process_quotes(true),
            Lexer::new(escape).with_raw_escapes(true),
        ];
        for lex in &lexers {
            for w in words {
                let literal = lex.is_literal(w);
                assert_eq!(literal, !(escape == '`' && w.contains('`')), "{w:?}");
                assert_eq!(
                    lex.process_word(w, env).unwrap(),
                    lex.process(w, env).unwrap().0,
                    "{w:?} with escape {escape:?}"
                );
            }
        }
    }
    // Words that need the lexer: computing only the expansion gives the same string.
    for w in [
        "$a b",
        "'$a' \"$a\"",
        "${a:-x y}z",
        "${b:+q} \\$a",
        "<<EOF $a",
    ] {
        let lex = Lexer::new('\\');
        assert!(!lex.is_literal(w));
        let (result, words) = lex.process(w, env).unwrap();
        assert_eq!(lex.process_word(w, env).unwrap(), result, "{w:?}");
        assert_eq!(lex.process_words(w, env).unwrap(), words, "{w:?}");
    }
    assert!(!Lexer::new('\\').is_literal("$a"));
    assert!(!Lexer::new('\\').is_literal("\u{feff}x"));
    assert!(!Lexer::new('\\').is_literal("a'b"));
}
