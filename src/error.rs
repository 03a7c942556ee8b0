//! The one error type of the core.
//!
//! Every fallible call of the core returns [`Error`]. Each variant has a stable
//! [`Error::code`] string (the JS layer copies it into `error.code`) and a lowercase
//! message that names the field and the offending value.

use std::fmt;

use crate::message_text::{quoted, shortened, ValueText};

/// Everything that can go wrong in the core.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A field of a trigger, job or configuration has a value that is not allowed.
    InvalidArgument {
        /// The option or field name, as the user spelled it (`day_of_week`, `run_date`, …).
        field: String,
        /// The offending value, as text.
        value: String,
        /// Why the value is refused.
        reason: String,
    },
    /// A time zone name that is neither `UTC`, a fixed offset nor an IANA zone.
    UnknownTimezone {
        /// The name that was given.
        name: String,
    },
    /// A job with this id already exists in the job store (or among the pending jobs).
    ConflictingId {
        /// The duplicate id.
        id: String,
    },
    /// The id belongs to a stored record that could not be loaded (code `CONFLICTING_ID`):
    /// adding a job with it needs `replace_existing`, which overwrites the record.
    UnreadableRecordId {
        /// The id of the unreadable record.
        id: String,
    },
    /// No job with this id exists.
    JobNotFound {
        /// The id that was looked up.
        id: String,
    },
    /// The operation needs a stopped scheduler, but it is running or paused.
    SchedulerAlreadyRunning,
    /// The operation needs a started scheduler, but it is stopped.
    SchedulerNotRunning,
    /// No job store or executor is registered under this alias, or the alias is taken.
    UnknownAlias {
        /// `"jobstore"` or `"executor"`.
        kind: &'static str,
        /// The alias that was given.
        alias: String,
    },
    /// A value that must be stored as JSON cannot be.
    Unserializable {
        /// The field holding the value (`args`, `kwargs`, …).
        field: String,
        /// Why it cannot be serialized.
        reason: String,
    },
    /// A stored job record could not be decoded; the record is left untouched.
    CorruptRecord {
        /// The record's job id, or the store key when no id could be read.
        id: String,
        /// Why decoding failed.
        reason: String,
    },
}

impl Error {
    /// The stable code users switch on (`INVALID_ARGUMENT`, `UNKNOWN_TIMEZONE`, …).
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidArgument { .. } => "INVALID_ARGUMENT",
            Error::UnknownTimezone { .. } => "UNKNOWN_TIMEZONE",
            Error::ConflictingId { .. } | Error::UnreadableRecordId { .. } => "CONFLICTING_ID",
            Error::JobNotFound { .. } => "JOB_NOT_FOUND",
            Error::SchedulerAlreadyRunning => "SCHEDULER_ALREADY_RUNNING",
            Error::SchedulerNotRunning => "SCHEDULER_NOT_RUNNING",
            Error::UnknownAlias { .. } => "UNKNOWN_ALIAS",
            Error::Unserializable { .. } => "UNSERIALIZABLE",
            Error::CorruptRecord { .. } => "CORRUPT_RECORD",
        }
    }

    /// Shorthand for [`Error::InvalidArgument`]; `value` is shown by its [`ValueText`].
    pub fn invalid(field: &str, value: impl ValueText, reason: impl Into<String>) -> Error {
        Error::InvalidArgument { field: field.to_string(), value: value.value_text(), reason: reason.into() }
    }
}

impl fmt::Display for Error {
    /// The texts of the npm package's messages too: its JS formatter (`js/error-text.js`,
    /// which the wasm bindings call) writes the same ones, and the tests of both check them.
    /// Values are double-quoted with JSON escapes ([`quoted`]); values and field names longer
    /// than [`SHOWN_CHARS`](crate::message_text::SHOWN_CHARS) characters are [`shortened`]
    /// (a field can be a user's unknown key), so every message stays short.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidArgument { field, value, reason } => {
                write!(f, "invalid {} {}: {reason}", shortened(field), quoted(value))
            }
            Error::UnknownTimezone { name } => write!(f, "unknown time zone {}", quoted(name)),
            Error::ConflictingId { id } => write!(f, "a job with id {} already exists", quoted(id)),
            Error::UnreadableRecordId { id } => write!(
                f,
                "a stored job record with id {} exists but cannot be read (left in place); replace_existing overwrites it",
                quoted(id)
            ),
            Error::JobNotFound { id } => write!(f, "no job by the id of {} was found", quoted(id)),
            Error::SchedulerAlreadyRunning => write!(f, "the scheduler is already running"),
            Error::SchedulerNotRunning => write!(f, "the scheduler is not running"),
            Error::UnknownAlias { kind, alias } => write!(f, "no {kind} with alias {}", quoted(alias)),
            Error::Unserializable { field, reason } => {
                write!(f, "{} cannot be stored as JSON: {reason}", shortened(field))
            }
            Error::CorruptRecord { id, reason } => {
                write!(f, "stored job record {} cannot be decoded: {reason}", quoted(id))
            }
        }
    }
}

impl std::error::Error for Error {}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_quote_values_with_json_escapes() {
        let e = Error::invalid("jitter", -1.5, "must be a finite number of seconds >= 0");
        assert_eq!(e.to_string(), r#"invalid jitter "-1.5": must be a finite number of seconds >= 0"#);
        assert_eq!(e, Error::InvalidArgument { field: "jitter".into(), value: "-1.5".into(), reason: "must be a finite number of seconds >= 0".into() });
        let e = Error::invalid("start_date", f64::NAN, "not a finite number of milliseconds");
        assert_eq!(e.to_string(), r#"invalid start_date "NaN": not a finite number of milliseconds"#);
        let e = Error::JobNotFound { id: "a \"b\"\n\\c".into() };
        assert_eq!(e.to_string(), r#"no job by the id of "a \"b\"\n\\c" was found"#);
        let e = Error::UnknownTimezone { name: "Mars/Olympus\t".into() };
        assert_eq!(e.to_string(), r#"unknown time zone "Mars/Olympus\t""#);
        let e = Error::CorruptRecord { id: "r1".into(), reason: "missing field `id`".into() };
        assert_eq!(e.to_string(), r#"stored job record "r1" cannot be decoded: missing field `id`"#);
    }

    #[test]
    fn long_values_and_fields_are_shortened() {
        let long = "x".repeat(1_000_000);
        let e = Error::invalid(&long, long.as_str(), "unknown key");
        let x64 = "x".repeat(64);
        assert_eq!(e.to_string(), format!(r#"invalid {x64}… "{x64}…" (1000000 characters): unknown key"#));
        let e = Error::JobNotFound { id: long.clone() };
        assert_eq!(e.to_string(), format!(r#"no job by the id of "{x64}…" (1000000 characters) was found"#));
        let e = Error::Unserializable { field: long, reason: "a cycle".into() };
        assert_eq!(e.to_string(), format!("{x64}… cannot be stored as JSON: a cycle"));
    }
}
