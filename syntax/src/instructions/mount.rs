//! `RUN --mount=...` options, validated as BuildKit's `runmount.go` does.
//!
//! Two phases, as upstream: at parse time only the CSV shape and the `from` key are checked
//! (`from` must not use variables); every other value is validated after expansion, because
//! it may come from an ARG or ENV.

use std::fmt;

use super::dialect::Dialect;
use super::errors::ErrorKind;
use super::suggest::suggest;
use super::values::{csv_fields, go_bool, go_u32, ram_in_bytes};

/// The kind of a `RUN --mount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MountType {
    Bind,
    Cache,
    Tmpfs,
    Secret,
    Ssh,
}

impl MountType {
    pub fn as_str(self) -> &'static str {
        match self {
            MountType::Bind => "bind",
            MountType::Cache => "cache",
            MountType::Tmpfs => "tmpfs",
            MountType::Secret => "secret",
            MountType::Ssh => "ssh",
        }
    }
}

impl fmt::Display for MountType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `sharing=` of a cache mount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CacheSharing {
    Shared,
    Private,
    Locked,
}

/// One `--mount`, after expansion and validation. Empty strings count as unset, as upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub mount_type: MountType,
    /// Stage name or index, named context or image to mount from (`from=`); never expanded.
    pub from: Option<String>,
    /// `source=`/`src=`: path inside `from` (or the secret id for secrets).
    pub source: Option<String>,
    /// `target=`/`dst=`/`destination=`; may be relative to the working directory.
    pub target: Option<String>,
    /// After defaults: bind and secret and ssh are read-only unless `rw`; cache and tmpfs writable.
    pub readonly: bool,
    /// `size=` of a tmpfs mount in bytes.
    pub size_limit: Option<i64>,
    /// `id=`: cache id, secret id or ssh id.
    pub id: Option<String>,
    pub sharing: Option<CacheSharing>,
    /// `required` for secret and ssh mounts.
    pub required: bool,
    /// `env=` of a secret mount: expose it as this env var; `Some("")` means the default name.
    pub env: Option<String>,
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
}

/// A `--mount` value as written, checked only as far as BuildKit checks it before expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountSpec {
    /// The flag value, e.g. `type=cache,target=/root/.cache`.
    pub raw: String,
    fields: Vec<String>,
}

const ALL_KEYS: &[&str] = &[
    "type",
    "from",
    "source",
    "target",
    "readonly",
    "id",
    "sharing",
    "required",
    "size",
    "mode",
    "uid",
    "gid",
    "src",
    "dst",
    "destination",
    "ro",
    "rw",
    "readwrite",
    "env",
];

impl MountSpec {
    /// Parse-time check: CSV shape and no variables in `from`.
    pub fn parse(raw: &str) -> Result<Self, ErrorKind> {
        Self::parse_in(raw, Dialect::Stock)
    }

    /// [`MountSpec::parse`] in `dialect`: mstage allows variables in `from` (the plan
    /// expands them).
    pub fn parse_in(raw: &str, dialect: Dialect) -> Result<Self, ErrorKind> {
        let fields = csv_fields(raw).map_err(|reason| ErrorKind::MountCsv { reason })?;
        for field in fields.iter().filter(|_| !dialect.extensions()) {
            if let Some((key, value)) = field.split_once('=') {
                if key.eq_ignore_ascii_case("from") {
                    // A trailing `$` is literal; any other `$` would expand.
                    if let Some(i) = value.find('$') {
                        if i != value.len() - 1 {
                            return Err(ErrorKind::MountFromVariable {
                                key: key.to_lowercase(),
                            });
                        }
                    }
                }
            }
        }
        Ok(Self {
            raw: raw.to_string(),
            fields,
        })
    }

    /// The `from=` value as written (stage, context or image), for dependency discovery
    /// before anything is expanded.
    pub fn from(&self) -> Option<&str> {
        // The last `from=` wins, and an empty one means "none", as when parsing.
        let v = self.fields.iter().rev().find_map(|f| {
            let (k, v) = f.split_once('=')?;
            k.eq_ignore_ascii_case("from").then_some(v)
        })?;
        (!v.is_empty()).then_some(v)
    }

    /// Expands every value with `expand` and validates the result into a [`Mount`].
    pub fn expand<E, F: FnMut(&str) -> Result<String, E> + ?Sized>(
        &self,
        expand: &mut F,
    ) -> Result<Result<Mount, ErrorKind>, E> {
        let mut draft = Draft::new();
        for field in &self.fields {
            let applied = match field.split_once('=') {
                None => draft.apply_word(field),
                Some((key, value)) => {
                    let key = key.to_lowercase();
                    let value = expand(value)?;
                    draft.apply_option(key, value, field)
                }
            };
            if let Err(e) = applied {
                return Ok(Err(e));
            }
        }
        Ok(finish(draft.mount, draft.ro_auto))
    }
}

/// A mount while its fields are applied, in the order written (later fields win).
struct Draft {
    mount: Mount,
    /// No `ro`/`rw` field yet: the mount type decides at the end.
    ro_auto: bool,
}

impl Draft {
    fn new() -> Self {
        Self {
            mount: Mount {
                mount_type: MountType::Bind,
                from: None,
                source: None,
                target: None,
                readonly: true,
                size_limit: None,
                id: None,
                sharing: None,
                required: false,
                env: None,
                mode: None,
                uid: None,
                gid: None,
            },
            ro_auto: true,
        }
    }

    /// A field without `=`: `ro`, `rw` or `required`.
    fn apply_word(&mut self, field: &str) -> Result<(), ErrorKind> {
        match field.to_lowercase().as_str() {
            "readonly" | "ro" => self.set_readonly(true),
            "readwrite" | "rw" => self.set_readonly(false),
            "required" => {
                self.only_for("required", &[MountType::Secret, MountType::Ssh])?;
                self.mount.required = true;
            }
            _ => {
                return Err(ErrorKind::NotKeyValue {
                    field: field.to_string(),
                })
            }
        }
        Ok(())
    }

    /// A `key=value` field, `key` lower-cased and `value` expanded.
    fn apply_option(&mut self, key: String, value: String, field: &str) -> Result<(), ErrorKind> {
        let nonempty = |v: String| (!v.is_empty()).then_some(v);
        let m = &mut self.mount;
        match key.as_str() {
            "type" => m.mount_type = mount_type(value)?,
            "from" => m.from = nonempty(value),
            "source" | "src" => m.source = nonempty(value),
            "target" | "dst" | "destination" => m.target = nonempty(value),
            "readonly" | "ro" => self.set_readonly(bool_value(&key, &value)?),
            "readwrite" | "rw" => self.set_readonly(!bool_value(&key, &value)?),
            "required" => {
                self.only_for(&key, &[MountType::Secret, MountType::Ssh])?;
                self.mount.required = bool_value(&key, &value)?;
            }
            "size" => {
                self.only_for(&key, &[MountType::Tmpfs])?;
                let bytes = ram_in_bytes(&value).ok_or_else(|| invalid_value(&key, &value))?;
                self.mount.size_limit = Some(bytes);
            }
            "id" => m.id = nonempty(value),
            "sharing" => m.sharing = Some(cache_sharing(value)?),
            "mode" => m.mode = Some(mode_value(value)?),
            "uid" => m.uid = Some(id_value("uid", value)?),
            "gid" => m.gid = Some(id_value("gid", value)?),
            "env" => m.env = Some(value),
            _ => {
                return Err(ErrorKind::UnknownKey {
                    suggestion: suggest(&key, ALL_KEYS, true),
                    key,
                    field: field.to_string(),
                })
            }
        }
        Ok(())
    }

    fn set_readonly(&mut self, readonly: bool) {
        self.mount.readonly = readonly;
        self.ro_auto = false;
    }

    /// Refuses `key` unless the mount type (as set so far) is one of `types`.
    fn only_for(&self, key: &str, types: &[MountType]) -> Result<(), ErrorKind> {
        if types.contains(&self.mount.mount_type) {
            Ok(())
        } else {
            Err(ErrorKind::KeyNotForMountType {
                key: key.to_string(),
                mount_type: self.mount.mount_type.to_string(),
            })
        }
    }
}

fn invalid_value(key: &str, value: &str) -> ErrorKind {
    ErrorKind::InvalidValue {
        key: key.to_string(),
        value: value.to_string(),
    }
}

fn bool_value(key: &str, value: &str) -> Result<bool, ErrorKind> {
    go_bool(value).ok_or_else(|| invalid_value(key, value))
}

/// `type=`, case-insensitive.
fn mount_type(value: String) -> Result<MountType, ErrorKind> {
    Ok(match value.to_lowercase().as_str() {
        "bind" => MountType::Bind,
        "cache" => MountType::Cache,
        "tmpfs" => MountType::Tmpfs,
        "secret" => MountType::Secret,
        "ssh" => MountType::Ssh,
        _ => {
            return Err(ErrorKind::MountType {
                suggestion: suggest(&value, &["bind", "cache", "tmpfs", "secret", "ssh"], true),
                value,
            })
        }
    })
}

/// `sharing=`, case-insensitive.
fn cache_sharing(value: String) -> Result<CacheSharing, ErrorKind> {
    Ok(match value.to_lowercase().as_str() {
        "shared" => CacheSharing::Shared,
        "private" => CacheSharing::Private,
        "locked" => CacheSharing::Locked,
        _ => {
            return Err(ErrorKind::MountSharing {
                suggestion: suggest(&value, &["shared", "private", "locked"], true),
                value,
            })
        }
    })
}

/// `mode=`: octal.
fn mode_value(value: String) -> Result<u32, ErrorKind> {
    go_u32(&value, 8).ok_or(ErrorKind::InvalidNumber {
        key: "mode",
        value,
        expected: "an octal number such as 0644",
    })
}

/// `uid=` / `gid=`: decimal.
fn id_value(key: &'static str, value: String) -> Result<u32, ErrorKind> {
    go_u32(&value, 10).ok_or(ErrorKind::InvalidNumber {
        key,
        value,
        expected: "a decimal number",
    })
}

/// Cross-field rules that need the whole mount.
fn finish(mut m: Mount, ro_auto: bool) -> Result<Mount, ErrorKind> {
    let file_info_allowed = matches!(
        m.mount_type,
        MountType::Secret | MountType::Ssh | MountType::Cache
    );
    if !file_info_allowed {
        for (set, option) in [
            (m.mode.is_some(), "mode"),
            (m.uid.is_some(), "uid"),
            (m.gid.is_some(), "gid"),
        ] {
            if set {
                return Err(ErrorKind::FileInfoNotAllowed {
                    option,
                    mount_type: m.mount_type.to_string(),
                });
            }
        }
    }
    if ro_auto {
        m.readonly = !matches!(m.mount_type, MountType::Cache | MountType::Tmpfs);
    }
    if m.mount_type == MountType::Secret {
        if m.from.is_some() {
            return Err(ErrorKind::SecretFrom);
        }
        if m.sharing.is_some() {
            return Err(ErrorKind::SecretSharing);
        }
        if m.source.is_none() && m.target.is_none() && m.id.is_none() {
            return Err(ErrorKind::SecretNoTarget);
        }
        if m.source.is_some() && m.id.is_some() {
            return Err(ErrorKind::SecretSourceAndId);
        }
    }
    if m.sharing.is_some() && m.mount_type != MountType::Cache {
        return Err(ErrorKind::SharingNotCache {
            mount_type: m.mount_type.to_string(),
        });
    }
    // Checked by BuildKit's dispatcher rather than its parser; caught here so the
    // lowering sees only mounts it can build.
    if m.mount_type == MountType::Ssh && m.source.is_some() {
        return Err(ErrorKind::SshSource);
    }
    if let Some(t) = &m.target {
        if !t.is_empty() && t.chars().all(|c| c == '/') {
            return Err(ErrorKind::InvalidMountTarget { target: t.clone() });
        }
    }
    Ok(m)
}

/// Checks that no two mounts of one RUN use the same absolute target (after
/// removing `.`/trailing-slash noise); relative targets are left to the lowering,
/// which knows the working directory.
pub(crate) fn check_duplicate_targets(mounts: &[Mount]) -> Result<(), ErrorKind> {
    let mut seen = std::collections::BTreeSet::new();
    for m in mounts {
        let Some(t) = &m.target else { continue };
        if !t.starts_with('/') {
            continue;
        }
        let clean: Vec<&str> = t
            .split('/')
            .filter(|s| !s.is_empty() && *s != ".")
            .collect();
        let clean = format!("/{}", clean.join("/"));
        if !seen.insert(clean) {
            return Err(ErrorKind::DuplicateMountTarget { target: t.clone() });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mount(s: &str) -> Result<Mount, String> {
        let spec = MountSpec::parse(s).map_err(|e| e.to_string())?;
        let mut ident = |w: &str| Ok::<_, String>(w.to_string());
        spec.expand(&mut ident).unwrap().map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_per_type() {
        let m = mount("target=/src").unwrap();
        assert_eq!(m.mount_type, MountType::Bind);
        assert!(m.readonly, "bind mounts are read-only by default");
        let m = mount("type=cache,target=/root/.cache").unwrap();
        assert!(!m.readonly, "cache mounts are writable by default");
        let m = mount("type=tmpfs,target=/t,size=64m").unwrap();
        assert!(!m.readonly);
        assert_eq!(m.size_limit, Some(64 << 20));
        let m = mount("type=bind,target=/x,rw").unwrap();
        assert!(!m.readonly);
        let m = mount("type=cache,target=/x,ro=true").unwrap();
        assert!(m.readonly);
        let m = mount("type=cache,target=/x,readwrite=false").unwrap();
        assert!(m.readonly);
    }

    #[test]
    fn all_option_spellings() {
        let m = mount("type=CACHE,id=go,dst=/go/pkg,sharing=LOCKED,mode=0755,uid=1000,gid=1000,from=base,source=/seed").unwrap();
        assert_eq!(m.mount_type, MountType::Cache);
        assert_eq!(m.id.as_deref(), Some("go"));
        assert_eq!(m.target.as_deref(), Some("/go/pkg"));
        assert_eq!(m.sharing, Some(CacheSharing::Locked));
        assert_eq!(m.mode, Some(0o755));
        assert_eq!((m.uid, m.gid), (Some(1000), Some(1000)));
        assert_eq!(m.from.as_deref(), Some("base"));
        assert_eq!(m.source.as_deref(), Some("/seed"));
        let m = mount("type=secret,id=tok,env=TOKEN,required").unwrap();
        assert_eq!(m.env.as_deref(), Some("TOKEN"));
        assert!(m.required);
        let m = mount("type=ssh,required=false,destination=/s").unwrap();
        assert!(!m.required);
        assert_eq!(m.target.as_deref(), Some("/s"));
        let m = mount("src=a,TARGET=/b").unwrap();
        assert_eq!(m.source.as_deref(), Some("a"));
        assert_eq!(m.target.as_deref(), Some("/b"));
    }

    #[test]
    fn rejections_match_upstream() {
        let cases = [
            ("type=volume,target=/x", "unsupported mount type \"volume\""),
            ("type=cach,target=/x", "(did you mean cache?)"),
            (
                "target=/x,bogus",
                "invalid field 'bogus' must be a key=value pair",
            ),
            (
                "target=/x,required",
                "unexpected key 'required' for mount type 'bind'",
            ),
            (
                "target=/x,size=1m",
                "unexpected key 'size' for mount type 'bind'",
            ),
            (
                "type=tmpfs,target=/x,size=big",
                "invalid value for size: big",
            ),
            ("target=/x,ro=maybe", "invalid value for ro: maybe"),
            (
                "type=cache,target=/x,sharing=all",
                "unsupported sharing value \"all\"",
            ),
            (
                "type=cache,target=/x,mode=999",
                "invalid value 999 for mode",
            ),
            ("type=cache,target=/x,uid=-1", "invalid value -1 for uid"),
            (
                "target=/x,mode=0644",
                "mode not allowed for \"bind\" type mounts",
            ),
            (
                "type=tmpfs,target=/x,uid=1",
                "uid not allowed for \"tmpfs\" type mounts",
            ),
            (
                "type=secret,id=a,from=b",
                "secret mount should not have a from",
            ),
            (
                "type=secret,id=a,sharing=shared",
                "secret mount should not define sharing",
            ),
            (
                "type=secret",
                "invalid secret mount. one of source, target required",
            ),
            (
                "type=secret,id=a,source=b",
                "both source and id can't be set",
            ),
            (
                "type=bind,target=/x,sharing=locked",
                "invalid cache sharing set for bind mount",
            ),
            ("type=ssh,source=x", "ssh does not support source"),
            (
                "target=/x,tagret=/y",
                "unexpected key 'tagret' in 'tagret=/y' (did you mean target?)",
            ),
            ("target=/", "invalid mount target \"/\""),
            ("target=\"/x", "failed to parse csv mounts"),
        ];
        for (input, want) in cases {
            let got = mount(input).expect_err(input);
            assert!(got.contains(want), "{input}: got {got:?}, want {want:?}");
        }
    }

    #[test]
    fn from_with_variable_is_refused_before_expansion() {
        let e = MountSpec::parse("type=bind,from=$STAGE,target=/x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "'from' doesn't support variable expansion, define alias stage instead"
        );
        assert!(MountSpec::parse("from=${X},target=/x").is_err());
        // A trailing `$` does not expand.
        assert!(MountSpec::parse("from=a$,target=/x").is_ok());
        // Other values may use variables.
        let spec = MountSpec::parse("type=cache,target=$DIR,id=$ID").unwrap();
        assert_eq!(spec.from(), None);
        let last = MountSpec::parse("from=a,FROM=b,target=/x").unwrap();
        assert_eq!(last.from(), Some("b"));
        let cleared = MountSpec::parse("from=a,from=,target=/x").unwrap();
        assert_eq!(cleared.from(), None);
        let mut ex = |w: &str| Ok::<_, String>(w.replace("$DIR", "/c").replace("$ID", "c1"));
        let m = spec.expand(&mut ex).unwrap().unwrap();
        assert_eq!(m.target.as_deref(), Some("/c"));
        assert_eq!(m.id.as_deref(), Some("c1"));
    }

    #[test]
    fn expander_errors_pass_through() {
        let spec = MountSpec::parse("target=${X:?need X}").unwrap();
        let mut ex = |_: &str| Err::<String, _>("X: need X".to_string());
        assert_eq!(spec.expand(&mut ex).unwrap_err(), "X: need X");
    }

    #[test]
    fn duplicate_targets() {
        let a = mount("type=cache,target=/root/.cache").unwrap();
        let b = mount("type=bind,target=/root/.cache/").unwrap();
        let c = mount("type=bind,target=/src").unwrap();
        assert!(check_duplicate_targets(&[a.clone(), c]).is_ok());
        let e = check_duplicate_targets(&[a, b]).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("duplicate mount target \"/root/.cache/\""));
    }
}
