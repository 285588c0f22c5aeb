//! The sampling area's error: plans, rates and the fleet arithmetic's inputs.

use alloc::string::String;

use crate::error::{Code, ErrorCode, Quoted, Registered, codes};

/// Why a sampling plan, a rate or an arithmetic input was refused. Codes are `sample.*`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SampleError {
    /// The plan is not JSON of the documented shape (`sample.invalid_json`).
    #[error("invalid sampling plan JSON: {message}")]
    InvalidJson {
        /// What the JSON parser said (with line and column).
        message: String,
    },
    /// A rate is not an integer from 0 to 1000000 ppm (`sample.rate_out_of_range`).
    #[error("rate{} must be an integer from 0 to 1000000 ppm (100%), got {value}", of_class(.class))]
    RateOutOfRange {
        /// The class whose rate it is (empty for a rate given alone).
        class: String,
        /// The value as given.
        value: String,
    },
    /// A rate written as text could not be read (`sample.bad_rate`).
    #[error(
        "cannot read rate {}: write ppm (50000), a percentage (5%, 0.1%) or ppm (50000ppm)",
        Quoted(.text)
    )]
    BadRate {
        /// The text as given.
        text: String,
    },
    /// A class name is empty, longer than 64 bytes, or uses characters other than ASCII
    /// letters, digits, `_`, `-` and `.` (`sample.bad_class_name`).
    #[error("bad class name {}: use 1 to 64 ASCII letters, digits, '_', '-' or '.'", Quoted(.class))]
    BadClassName {
        /// The name as given.
        class: String,
    },
    /// The same class appears twice in a plan (`sample.duplicate_class`).
    #[error("class {} appears twice in the plan", Quoted(.class))]
    DuplicateClass {
        /// The class.
        class: String,
    },
    /// The plan names no class at all (`sample.no_classes`).
    #[error("the plan has no classes")]
    NoClasses,
    /// `period_seconds` is 0 (`sample.zero_period`).
    #[error("period_seconds must be at least 1")]
    ZeroPeriod,
    /// The salt is longer than [`MAX_SALT_LEN`](super::MAX_SALT_LEN) bytes (`sample.salt_too_long`).
    #[error("salt is {len} bytes long; at most 256 are allowed")]
    SaltTooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// A class the plan does not have was asked for (`sample.unknown_class`).
    #[error("the plan has no class {} (it has: {known})", Quoted(.class))]
    UnknownClass {
        /// The class asked for.
        class: String,
        /// The plan's classes, comma-separated.
        known: String,
    },
    /// A moment before the plan's period offset has no period (`sample.before_offset`).
    #[error("time {unix_seconds} is before the period offset {offset_seconds}")]
    BeforeOffset {
        /// The moment, Unix seconds.
        unix_seconds: u64,
        /// The plan's offset.
        offset_seconds: u64,
    },
    /// An input of the fleet arithmetic is out of its range (`sample.bad_input`).
    #[error("{what} must be {expected}, got {value}")]
    BadInput {
        /// Which input (`bug_hours`, `window`, `probability`, ...).
        what: &'static str,
        /// What it must be.
        expected: &'static str,
        /// The value as given.
        value: String,
    },
    /// A duration written as text could not be read (`sample.bad_duration`).
    #[error(
        "cannot read duration {}: write a number with s, m, h or d (36s, 1h, 30d); a bare number is hours",
        Quoted(.text)
    )]
    BadDuration {
        /// The text as given.
        text: String,
    },
    /// An Arrow column's buffers are malformed or do not fit together (`sample.bad_column`).
    #[error("bad column: {what}")]
    BadColumn {
        /// What is wrong, with the numbers.
        what: String,
    },
    /// A row of a period column holds a negative period (`sample.negative_period`).
    #[error("row {row}: period {value} is negative; periods are 0 to 2^64 - 1")]
    NegativePeriod {
        /// The row (0-based, within the array).
        row: usize,
        /// The value.
        value: String,
    },
    /// A row's timestamp is before the plan's period offset (`sample.before_offset`).
    #[error(
        "row {row}: time {unix_seconds} (Unix seconds) is before the period offset {offset_seconds}"
    )]
    RowBeforeOffset {
        /// The row (0-based, within the array).
        row: usize,
        /// The moment, Unix seconds (may be negative).
        unix_seconds: String,
        /// The plan's offset.
        offset_seconds: u64,
    },
    /// A data volume does not fit in 128 bits (`sample.overflow`).
    #[error("data volume overflows: {what}")]
    Overflow {
        /// Which product overflowed.
        what: &'static str,
    },
}

impl SampleError {
    /// `sample.bad_input` for a number given as a float (a JS number), the value shown as
    /// [`to_string`](alloc::string::ToString::to_string) would but without the float formatting code:
    /// whole numbers as integers, others in their shortest form.
    ///
    /// ```
    /// use stepstone::sample::SampleError;
    /// let e = SampleError::bad_number("fleet", "a whole number from 0 to 2^53", 1.5);
    /// assert_eq!(e.to_string(), "fleet must be a whole number from 0 to 2^53, got 1.5");
    /// let e = SampleError::bad_number("fleet", "a whole number from 0 to 2^53", -1.0);
    /// assert_eq!(e.to_string(), "fleet must be a whole number from 0 to 2^53, got -1");
    /// let e = SampleError::bad_number("fleet", "a whole number from 0 to 2^53", f64::NAN);
    /// assert_eq!(e.to_string(), "fleet must be a whole number from 0 to 2^53, got NaN");
    /// ```
    pub fn bad_number(what: &'static str, expected: &'static str, value: f64) -> SampleError {
        SampleError::BadInput {
            what,
            expected,
            value: crate::error::float_text(value),
        }
    }
}

/// ` of class "metrics"`, or nothing for a rate given alone.
fn of_class(class: &str) -> String {
    if class.is_empty() {
        String::new()
    } else {
        alloc::format!(" of class {}", Quoted(class))
    }
}

impl Registered for SampleError {
    fn registered(&self) -> Code {
        match self {
            SampleError::InvalidJson { .. } => codes::SAMPLE_INVALID_JSON,
            SampleError::RateOutOfRange { .. } => codes::SAMPLE_RATE_OUT_OF_RANGE,
            SampleError::BadRate { .. } => codes::SAMPLE_BAD_RATE,
            SampleError::BadClassName { .. } => codes::SAMPLE_BAD_CLASS_NAME,
            SampleError::DuplicateClass { .. } => codes::SAMPLE_DUPLICATE_CLASS,
            SampleError::NoClasses => codes::SAMPLE_NO_CLASSES,
            SampleError::ZeroPeriod => codes::SAMPLE_ZERO_PERIOD,
            SampleError::SaltTooLong { .. } => codes::SAMPLE_SALT_TOO_LONG,
            SampleError::UnknownClass { .. } => codes::SAMPLE_UNKNOWN_CLASS,
            SampleError::BeforeOffset { .. } => codes::SAMPLE_BEFORE_OFFSET,
            SampleError::BadInput { .. } => codes::SAMPLE_BAD_INPUT,
            SampleError::BadDuration { .. } => codes::SAMPLE_BAD_DURATION,
            SampleError::Overflow { .. } => codes::SAMPLE_OVERFLOW,
            SampleError::BadColumn { .. } => codes::SAMPLE_BAD_COLUMN,
            SampleError::NegativePeriod { .. } => codes::SAMPLE_NEGATIVE_PERIOD,
            SampleError::RowBeforeOffset { .. } => codes::SAMPLE_BEFORE_OFFSET,
        }
    }
}

impl ErrorCode for SampleError {
    fn code(&self) -> &'static str {
        self.registered().as_str()
    }
}
