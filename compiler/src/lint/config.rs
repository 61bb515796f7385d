//! `# check=skip=<rules|all>;error=<bool>;experimental=<rules|all>`, the same syntax in the
//! `BUILDKIT_DOCKERFILE_CHECK` build arg, and per-instruction `# check=` comments.

use std::collections::BTreeSet;

use super::rules::Rule;

/// Which checks run, and whether a finding fails the build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckConfig {
    pub skip_all: bool,
    /// Rule names as written; unknown names are kept (and match nothing), as BuildKit does.
    pub skip: BTreeSet<String>,
    pub experimental_all: bool,
    pub experimental: BTreeSet<String>,
    /// `error=true`: any finding fails the build.
    pub error: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckConfigError {
    #[error("invalid check option {0:?}")]
    Option(String),
    /// The part, and the value that is not a Go boolean.
    #[error(
        "failed to parse check option {0:?}: strconv.ParseBool: parsing {1:?}: invalid syntax"
    )]
    Bool(String, String),
}

impl CheckConfig {
    /// Parses a `check` value. At most three `;`-separated parts are split off, as
    /// BuildKit's `strings.SplitN(s, ";", 3)`; whatever follows stays in the third part.
    pub fn parse(value: &str) -> Result<CheckConfig, CheckConfigError> {
        let mut config = CheckConfig::default();
        let value = value.trim();
        if value.is_empty() {
            return Ok(config);
        }
        for part in value.splitn(3, ';') {
            let Some((key, val)) = part.split_once('=') else {
                return Err(CheckConfigError::Option(part.to_string()));
            };
            let val = val.trim();
            match key.trim() {
                "skip" => set_list(val, &mut config.skip_all, &mut config.skip),
                "experimental" => {
                    set_list(val, &mut config.experimental_all, &mut config.experimental)
                }
                "error" => {
                    config.error = parse_go_bool(val)
                        .ok_or_else(|| CheckConfigError::Bool(part.to_string(), val.to_string()))?
                }
                other => return Err(CheckConfigError::Option(other.to_string())),
            }
        }
        Ok(config)
    }

    /// This configuration with a per-instruction one on top: skips and experimental rules
    /// add up; `error` stays as the file set it.
    pub fn merged(&self, other: &CheckConfig) -> CheckConfig {
        let mut out = self.clone();
        out.skip_all |= other.skip_all;
        out.experimental_all |= other.experimental_all;
        out.skip.extend(other.skip.iter().cloned());
        out.experimental.extend(other.experimental.iter().cloned());
        out
    }

    /// Whether findings of `rule` are reported.
    pub fn enabled(&self, rule: Rule) -> bool {
        if rule.experimental() {
            self.experimental_all || self.experimental.contains(rule.name())
        } else {
            !(self.skip_all || self.skip.contains(rule.name()))
        }
    }
}

fn set_list(val: &str, all: &mut bool, names: &mut BTreeSet<String>) {
    if val == "all" {
        *all = true;
    } else {
        names.extend(val.split(',').map(|n| n.trim().to_string()));
    }
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_part() {
        let c =
            CheckConfig::parse(" skip=StageNameCasing, FromAsCasing ;error=true;experimental=all")
                .unwrap();
        assert!(c.error && c.experimental_all && !c.skip_all);
        assert!(!c.enabled(Rule::StageNameCasing));
        assert!(!c.enabled(Rule::FromAsCasing));
        assert!(c.enabled(Rule::MaintainerDeprecated));
        assert!(c.enabled(Rule::InvalidDefinitionDescription));
    }

    #[test]
    fn experimental_rules_are_off_by_default_and_skip_all_keeps_them_on_demand() {
        let c = CheckConfig::default();
        assert!(!c.enabled(Rule::InvalidDefinitionDescription));
        assert!(c.enabled(Rule::UndefinedVar));
        let c = CheckConfig::parse("skip=all;experimental=InvalidDefinitionDescription").unwrap();
        assert!(!c.enabled(Rule::UndefinedVar));
        assert!(c.enabled(Rule::InvalidDefinitionDescription));
    }

    #[test]
    fn rejects_what_buildkit_rejects() {
        assert_eq!(
            CheckConfig::parse("skip"),
            Err(CheckConfigError::Option("skip".into()))
        );
        assert_eq!(
            CheckConfig::parse("colour=red"),
            Err(CheckConfigError::Option("colour".into()))
        );
        assert_eq!(
            CheckConfig::parse("error=yes"),
            Err(CheckConfigError::Bool("error=yes".into(), "yes".into()))
        );
        assert_eq!(CheckConfig::parse("  "), Ok(CheckConfig::default()));
    }

    #[test]
    fn merging_adds_skips_but_keeps_error() {
        let file = CheckConfig::parse("error=true").unwrap();
        let here = CheckConfig::parse("skip=UndefinedVar;error=false").unwrap();
        let m = file.merged(&here);
        assert!(m.error);
        assert!(!m.enabled(Rule::UndefinedVar));
    }
}
