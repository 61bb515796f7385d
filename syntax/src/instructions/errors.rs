//! Errors of the typed-instruction layer.
//!
//! Messages keep the key phrase of BuildKit's own message (so users who search for it find
//! answers) and add a hint where upstream is terse.

use std::fmt;

use thiserror::Error;

use crate::parser::SourceRange;

/// A problem with one instruction, with the Dockerfile lines it came from.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("dockerfile parse error on line {}: {kind}", range.start_line)]
pub struct InstructionError {
    pub range: SourceRange,
    pub kind: ErrorKind,
}

impl InstructionError {
    pub fn new(range: SourceRange, kind: ErrorKind) -> Self {
        Self { range, kind }
    }
}

/// Formats an optional "did you mean" suffix the way BuildKit's `suggest` package does.
pub(crate) struct Suggest<'a>(pub &'a Option<String>);

impl fmt::Display for Suggest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(s) => write!(f, " (did you mean {s}?)"),
            None => Ok(()),
        }
    }
}

/// "did you mean X?" when there is a close match, else the list of valid values.
pub(crate) struct Hint<'a>(pub &'a Option<String>, pub &'static str);

impl fmt::Display for Hint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(s) => write!(f, " (did you mean {s}?)"),
            None => write!(f, " (expected {})", self.1),
        }
    }
}

/// What is wrong, independent of where.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ErrorKind {
    #[error("unknown instruction: {name}{}", Suggest(suggestion))]
    UnknownInstruction {
        name: String,
        suggestion: Option<String>,
    },

    // ---- flags (BuildKit's bflag.go) ----
    #[error("unknown flag: {flag}{}", Suggest(suggestion))]
    UnknownFlag {
        flag: String,
        suggestion: Option<String>,
    },
    #[error("duplicate flag specified: {flag}")]
    DuplicateFlag { flag: String },
    #[error("missing a value on flag: {flag}")]
    MissingFlagValue { flag: String },
    #[error("expecting boolean value for flag {flag}, not: {value}")]
    NotABool { flag: String, value: String },
    #[error("arg should start with -- : {arg}")]
    NotAFlag { arg: String },

    // ---- argument counts and shapes ----
    #[error("{instruction} requires at least one argument")]
    AtLeastOneArgument { instruction: &'static str },
    #[error("{instruction} requires exactly one argument")]
    ExactlyOneArgument { instruction: &'static str },
    #[error("{instruction} requires at least two arguments, but only one was provided. Destination could not be determined")]
    NoDestination { instruction: &'static str },
    #[error("{instruction} cannot accept a heredoc as a destination")]
    HeredocDestination { instruction: &'static str },
    #[error("{instruction} names can not be blank")]
    BlankName { instruction: &'static str },
    #[error("Bad input to {instruction}, too many arguments")]
    TooManyArguments { instruction: &'static str },
    #[error("{instruction} requires the arguments to be in JSON form, e.g. {instruction} [\"/bin/sh\", \"-c\"]")]
    NotJson { instruction: &'static str },
    #[error("VOLUME specified can not be an empty string")]
    EmptyVolume,

    // ---- FROM / stages ----
    #[error("FROM requires either one or three arguments (FROM image [AS name])")]
    FromArguments,
    #[error("invalid name for build stage: \"{name}\", name can't start with a number or contain symbols")]
    InvalidStageName { name: String },
    #[error("base name ({base}) should not be blank")]
    BlankBaseName { base: String },
    #[error("empty platform value from expression {expression}")]
    EmptyPlatform { expression: String },
    #[error("no build stage in current context: {instruction} must come after a FROM instruction (only ARG may come before the first FROM)")]
    NoBuildStage { instruction: String },
    #[error("dockerfile contains no stages to build")]
    NoStages,

    // ---- ONBUILD ----
    #[error("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")]
    OnbuildChain,
    #[error("{trigger} isn't allowed as an ONBUILD trigger")]
    OnbuildTrigger { trigger: String },

    // ---- HEALTHCHECK ----
    #[error("HEALTHCHECK NONE takes no arguments")]
    HealthcheckNoneArgs,
    #[error("Missing command after HEALTHCHECK CMD")]
    HealthcheckMissingCommand,
    #[error("Unknown type \"{kind}\" in HEALTHCHECK (try CMD)")]
    HealthcheckType { kind: String },
    #[error("{flag}: {reason} (use a number with a unit, e.g. 30s, 1m30s or 500ms)")]
    BadDuration { flag: String, reason: String },
    #[error("Interval \"{flag}\" cannot be less than 1ms (got --{flag}={value})")]
    DurationTooShort { flag: String, value: String },
    #[error("--retries: invalid number \"{value}\"")]
    BadRetries { value: String },
    #[error("--retries cannot be negative ({value})")]
    NegativeRetries { value: i64 },

    // ---- RUN --network / --security / --device ----
    #[error("invalid network mode \"{value}\" (expected default, none or host)")]
    InvalidNetwork { value: String },
    #[error("security \"{value}\" is not valid (expected sandbox or insecure)")]
    InvalidSecurity { value: String },
    #[error("failed to parse csv devices: {reason}")]
    DeviceCsv { reason: String },
    #[error("device name already set to {name}")]
    DeviceNameSet { name: String },

    // ---- RUN --mount ----
    #[error("failed to parse csv mounts: {reason}")]
    MountCsv { reason: String },
    #[error("'{key}' doesn't support variable expansion, define alias stage instead")]
    MountFromVariable { key: String },
    #[error(
        "unsupported mount type \"{value}\"{}",
        Hint(suggestion, "bind, cache, tmpfs, secret or ssh")
    )]
    MountType {
        value: String,
        suggestion: Option<String>,
    },
    #[error(
        "unsupported sharing value \"{value}\"{}",
        Hint(suggestion, "shared, private or locked")
    )]
    MountSharing {
        value: String,
        suggestion: Option<String>,
    },
    #[error("invalid field '{field}' must be a key=value pair")]
    NotKeyValue { field: String },
    #[error("unexpected key '{key}' for mount type '{mount_type}'")]
    KeyNotForMountType { key: String, mount_type: String },
    #[error("unexpected key '{key}' in '{field}'{}", Suggest(suggestion))]
    UnknownKey {
        key: String,
        field: String,
        suggestion: Option<String>,
    },
    #[error("invalid value for {key}: {value}")]
    InvalidValue { key: String, value: String },
    #[error("invalid value {value} for {key} ({expected})")]
    InvalidNumber {
        key: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("{option} not allowed for \"{mount_type}\" type mounts")]
    FileInfoNotAllowed {
        option: &'static str,
        mount_type: String,
    },
    #[error("secret mount should not have a from")]
    SecretFrom,
    #[error("secret mount should not define sharing")]
    SecretSharing,
    #[error("invalid secret mount. one of source, target required")]
    SecretNoTarget,
    #[error("both source and id can't be set")]
    SecretSourceAndId,
    #[error("ssh does not support source")]
    SshSource,
    #[error("invalid cache sharing set for {mount_type} mount")]
    SharingNotCache { mount_type: String },
    #[error("invalid mount target \"{target}\"")]
    InvalidMountTarget { target: String },
    #[error("duplicate mount target \"{target}\": each --mount of one RUN needs its own target")]
    DuplicateMountTarget { target: String },

    // ---- COPY / ADD ----
    #[error("variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround")]
    CopyFromVariable,
    #[error("invalid chmod parameter: '{value}'. it should be octal string and between 0 and 07777, or a symbolic mode such as u+x,go-w")]
    InvalidChmod { value: String },

    // ---- EXPOSE ----
    #[error("invalid port: \"{port}\": {reason}")]
    InvalidPort { port: String, reason: String },
}

/// Failure of an instruction's expansion step: either the caller's expander failed
/// (unset `${X:?}`, bad syntax, ...) or the expanded value is not valid.
#[derive(Debug, Error)]
pub enum ExpandError<E> {
    #[error("dockerfile line {}: {source}", range.start_line)]
    Expander {
        range: SourceRange,
        #[source]
        source: E,
    },
    #[error(transparent)]
    Invalid(#[from] InstructionError),
}

impl<E> ExpandError<E> {
    /// The Dockerfile lines the error is about.
    pub fn range(&self) -> SourceRange {
        match self {
            ExpandError::Expander { range, .. } => *range,
            ExpandError::Invalid(e) => e.range,
        }
    }
}
