//! Instruction flags (`--name`, `--name=value`), parsed the way BuildKit's `BFlags` does:
//! each instruction declares the flags it knows; anything else is an error.

use std::collections::BTreeMap;

use super::errors::ErrorKind;
use super::suggest::suggest;

/// How a flag takes its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlagKind {
    /// `--link`, `--link=true`, `--link=false` (case-insensitive); at most once.
    Bool,
    /// `--from=x`; a value is required; at most once.
    String,
    /// `--mount=...`; a value is required; may repeat.
    Strings,
}

/// Values of the flags that were given, by name (without `--`).
#[derive(Debug, Default)]
pub(crate) struct Flags {
    bools: BTreeMap<&'static str, bool>,
    strings: BTreeMap<&'static str, String>,
    lists: BTreeMap<&'static str, Vec<String>>,
}

impl Flags {
    /// `Some(value)` when the bool flag was given.
    pub fn bool(&self, name: &str) -> Option<bool> {
        self.bools.get(name).copied()
    }
    pub fn string(&self, name: &str) -> Option<String> {
        self.strings.get(name).cloned()
    }
    pub fn strings(&self, name: &str) -> Vec<String> {
        self.lists.get(name).cloned().unwrap_or_default()
    }
    /// Names of the flags that were given, sorted.
    pub fn used(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .bools
            .keys()
            .chain(self.strings.keys())
            .chain(self.lists.keys())
            .map(|s| s.to_string())
            .collect();
        v.sort();
        v
    }
}

/// Parses `raw` (as written, e.g. `--chown=1:1`) against the declared `specs`.
pub(crate) fn parse_flags(
    raw: &[String],
    specs: &[(&'static str, FlagKind)],
) -> Result<Flags, ErrorKind> {
    let mut out = Flags::default();
    for arg in raw {
        if arg == "--" {
            // POSIX end of options; the parser normally drops it already.
            break;
        }
        let Some(body) = arg.strip_prefix("--") else {
            return Err(ErrorKind::NotAFlag { arg: arg.clone() });
        };
        let (name, value) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (body, None),
        };
        // `--name`, as error messages show it.
        let flag = || ["--", name].concat();
        let Some(&(name, kind)) = specs.iter().find(|(n, _)| *n == name) else {
            let names: Vec<&str> = specs.iter().map(|(n, _)| *n).collect();
            // Suggested without `--`, as upstream ("did you mean mount?"): tools grep for it.
            return Err(ErrorKind::UnknownFlag {
                suggestion: suggest(name, &names, true),
                flag: flag(),
            });
        };
        let seen = out.bools.contains_key(name) || out.strings.contains_key(name);
        if seen && kind != FlagKind::Strings {
            return Err(ErrorKind::DuplicateFlag { flag: flag() });
        }
        match kind {
            FlagKind::Bool => {
                let b = match value.map(str::to_lowercase).as_deref() {
                    None | Some("true") => true,
                    Some("false") => false,
                    Some("") => return Err(ErrorKind::MissingFlagValue { flag: flag() }),
                    Some(_) => {
                        return Err(ErrorKind::NotABool {
                            flag: flag(),
                            value: value.unwrap_or_default().to_string(),
                        })
                    }
                };
                out.bools.insert(name, b);
            }
            FlagKind::String => {
                let v = value.ok_or_else(|| ErrorKind::MissingFlagValue { flag: flag() })?;
                out.strings.insert(name, v.to_string());
            }
            FlagKind::Strings => {
                let v = value.ok_or_else(|| ErrorKind::MissingFlagValue { flag: flag() })?;
                out.lists.entry(name).or_default().push(v.to_string());
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[(&str, FlagKind)] = &[
        ("link", FlagKind::Bool),
        ("from", FlagKind::String),
        ("exclude", FlagKind::Strings),
    ];

    fn p(args: &[&str]) -> Result<Flags, ErrorKind> {
        let raw: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        parse_flags(&raw, SPECS)
    }

    #[test]
    fn bool_flags_accept_bare_true_false_any_case() {
        assert_eq!(p(&["--link"]).unwrap().bool("link"), Some(true));
        assert_eq!(p(&["--link=true"]).unwrap().bool("link"), Some(true));
        assert_eq!(p(&["--link=FALSE"]).unwrap().bool("link"), Some(false));
        assert_eq!(p(&[]).unwrap().bool("link"), None);
        assert_eq!(
            p(&["--link=yes"]).unwrap_err().to_string(),
            "expecting boolean value for flag --link, not: yes"
        );
        assert_eq!(
            p(&["--link="]).unwrap_err().to_string(),
            "missing a value on flag: --link"
        );
    }

    #[test]
    fn string_flags_need_a_value_and_appear_once() {
        assert_eq!(
            p(&["--from=a"]).unwrap().string("from").as_deref(),
            Some("a")
        );
        assert_eq!(p(&["--from="]).unwrap().string("from").as_deref(), Some(""));
        assert_eq!(
            p(&["--from"]).unwrap_err().to_string(),
            "missing a value on flag: --from"
        );
        assert_eq!(
            p(&["--from=a", "--from=b"]).unwrap_err().to_string(),
            "duplicate flag specified: --from"
        );
        assert_eq!(
            p(&["--link", "--link=false"]).unwrap_err().to_string(),
            "duplicate flag specified: --link"
        );
    }

    #[test]
    fn repeatable_flags_collect_in_order() {
        let f = p(&["--exclude=a", "--exclude=b=c"]).unwrap();
        assert_eq!(f.strings("exclude"), vec!["a", "b=c"]);
        assert_eq!(f.used(), vec!["exclude"]);
    }

    #[test]
    fn unknown_flags_get_a_suggestion() {
        assert_eq!(
            p(&["--lnk"]).unwrap_err().to_string(),
            "unknown flag: --lnk (did you mean link?)"
        );
        assert_eq!(
            p(&["--platform=x"]).unwrap_err().to_string(),
            "unknown flag: --platform"
        );
        assert_eq!(
            p(&["-x"]).unwrap_err().to_string(),
            "arg should start with -- : -x"
        );
        // Everything after `--` is not a flag.
        assert!(p(&["--", "--nope"]).is_ok());
    }
}
