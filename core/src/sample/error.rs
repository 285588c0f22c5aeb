//! The sampling area's error: plans, rates and the fleet arithmetic's inputs.

use alloc::string::String;

use crate::error::{Code, ErrorCode, Registered, codes, push_quoted};
use crate::json_read::{push_decimal, push_u64};

/// Why a sampling plan, a rate or an arithmetic input was refused. Codes are `sample.*`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SampleError {
    /// The plan is not JSON of the documented shape (`sample.invalid_json`).
    InvalidJson {
        /// What the JSON parser said (with line and column).
        message: String,
    },
    /// A rate is not an integer from 0 to 1000000 ppm (`sample.rate_out_of_range`).
    RateOutOfRange {
        /// The class whose rate it is (empty for a rate given alone).
        class: String,
        /// The value as given.
        value: String,
    },
    /// A rate written as text could not be read (`sample.bad_rate`).
    BadRate {
        /// The text as given.
        text: String,
    },
    /// A class name is empty, longer than 64 bytes, or uses characters other than ASCII
    /// letters, digits, `_`, `-` and `.` (`sample.bad_class_name`).
    BadClassName {
        /// The name as given.
        class: String,
    },
    /// The same class appears twice in a plan (`sample.duplicate_class`).
    DuplicateClass {
        /// The class.
        class: String,
    },
    /// The plan names no class at all (`sample.no_classes`).
    NoClasses,
    /// `period_seconds` is 0 (`sample.zero_period`).
    ZeroPeriod,
    /// The salt is longer than [`MAX_SALT_LEN`](super::MAX_SALT_LEN) bytes (`sample.salt_too_long`).
    SaltTooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// A class the plan does not have was asked for (`sample.unknown_class`).
    UnknownClass {
        /// The class asked for.
        class: String,
        /// The plan's classes, comma-separated.
        known: String,
    },
    /// A moment before the plan's period offset has no period (`sample.before_offset`).
    BeforeOffset {
        /// The moment, Unix seconds.
        unix_seconds: u64,
        /// The plan's offset.
        offset_seconds: u64,
    },
    /// An input of the fleet arithmetic is out of its range (`sample.bad_input`).
    BadInput {
        /// Which input (`bug_hours`, `window`, `probability`, ...).
        what: &'static str,
        /// What it must be.
        expected: &'static str,
        /// The value as given.
        value: String,
    },
    /// A duration written as text could not be read (`sample.bad_duration`).
    BadDuration {
        /// The text as given.
        text: String,
    },
    /// An Arrow column's buffers are malformed or do not fit together (`sample.bad_column`).
    BadColumn {
        /// What is wrong, with the numbers.
        what: String,
    },
    /// A row of a period column holds a negative period (`sample.negative_period`).
    NegativePeriod {
        /// The row (0-based, within the array).
        row: usize,
        /// The value.
        value: String,
    },
    /// A row's timestamp is before the plan's period offset (`sample.before_offset`).
    RowBeforeOffset {
        /// The row (0-based, within the array).
        row: usize,
        /// The moment, Unix seconds (may be negative).
        unix_seconds: String,
        /// The plan's offset.
        offset_seconds: u64,
    },
    /// A data volume does not fit in 128 bits (`sample.overflow`).
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

impl SampleError {
    /// The message [`Display`](core::fmt::Display) shows, built with `push_str` alone: the
    /// sampling WASM module links no `core::fmt` for it.
    ///
    /// ```
    /// use stepstone::sample::SampleError;
    /// let e = SampleError::DuplicateClass { class: "logs".into() };
    /// assert_eq!(e.message(), "class \"logs\" appears twice in the plan");
    /// assert_eq!(e.message(), e.to_string());
    /// ```
    pub fn message(&self) -> String {
        let mut m = String::new();
        let s = &mut m;
        match self {
            SampleError::InvalidJson { message } => {
                s.push_str("invalid sampling plan JSON: ");
                s.push_str(message);
            }
            SampleError::RateOutOfRange { class, value } => {
                s.push_str("rate");
                if !class.is_empty() {
                    s.push_str(" of class ");
                    push_quoted(s, class);
                }
                s.push_str(" must be an integer from 0 to 1000000 ppm (100%), got ");
                s.push_str(value);
            }
            SampleError::BadRate { text } => {
                s.push_str("cannot read rate ");
                push_quoted(s, text);
                s.push_str(": write ppm (50000), a percentage (5%, 0.1%) or ppm (50000ppm)");
            }
            SampleError::BadClassName { class } => {
                s.push_str("bad class name ");
                push_quoted(s, class);
                s.push_str(": use 1 to 64 ASCII letters, digits, '_', '-' or '.'");
            }
            SampleError::DuplicateClass { class } => {
                s.push_str("class ");
                push_quoted(s, class);
                s.push_str(" appears twice in the plan");
            }
            SampleError::NoClasses => s.push_str("the plan has no classes"),
            SampleError::ZeroPeriod => s.push_str("period_seconds must be at least 1"),
            SampleError::SaltTooLong { len } => {
                s.push_str("salt is ");
                push_decimal(s, *len);
                s.push_str(" bytes long; at most 256 are allowed");
            }
            SampleError::UnknownClass { class, known } => {
                s.push_str("the plan has no class ");
                push_quoted(s, class);
                s.push_str(" (it has: ");
                s.push_str(known);
                s.push(')');
            }
            SampleError::BeforeOffset {
                unix_seconds,
                offset_seconds,
            } => {
                s.push_str("time ");
                push_u64(s, *unix_seconds);
                s.push_str(" is before the period offset ");
                push_u64(s, *offset_seconds);
            }
            SampleError::BadInput {
                what,
                expected,
                value,
            } => {
                s.push_str(what);
                s.push_str(" must be ");
                s.push_str(expected);
                s.push_str(", got ");
                s.push_str(value);
            }
            SampleError::BadDuration { text } => {
                s.push_str("cannot read duration ");
                push_quoted(s, text);
                s.push_str(
                    ": write a number with s, m, h or d (36s, 1h, 30d); a bare number is hours",
                );
            }
            SampleError::BadColumn { what } => {
                s.push_str("bad column: ");
                s.push_str(what);
            }
            SampleError::NegativePeriod { row, value } => {
                s.push_str("row ");
                push_decimal(s, *row);
                s.push_str(": period ");
                s.push_str(value);
                s.push_str(" is negative; periods are 0 to 2^64 - 1");
            }
            SampleError::RowBeforeOffset {
                row,
                unix_seconds,
                offset_seconds,
            } => {
                s.push_str("row ");
                push_decimal(s, *row);
                s.push_str(": time ");
                s.push_str(unix_seconds);
                s.push_str(" (Unix seconds) is before the period offset ");
                push_u64(s, *offset_seconds);
            }
            SampleError::Overflow { what } => {
                s.push_str("data volume overflows: ");
                s.push_str(what);
            }
        }
        m
    }
}

impl core::fmt::Display for SampleError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for SampleError {}

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

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::SampleError;
    use crate::sample::SamplingPlan;
    use crate::sample::fleet::{estimate, parse_hours, smallest_rate, volume};
    use crate::sample::parse_rate;
    use alloc::format;
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;

    /// The messages as the `#[error(...)]` attributes wrote them before [`SampleError::message`]
    /// (quoting with `{:?}`, which the inputs below, ASCII and `é`, quote alike).
    fn before(e: &SampleError) -> String {
        let of_class = |class: &str| {
            if class.is_empty() {
                String::new()
            } else {
                format!(" of class {class:?}")
            }
        };
        match e {
            SampleError::InvalidJson { message } => {
                format!("invalid sampling plan JSON: {message}")
            }
            SampleError::RateOutOfRange { class, value } => format!(
                "rate{} must be an integer from 0 to 1000000 ppm (100%), got {value}",
                of_class(class)
            ),
            SampleError::BadRate { text } => format!(
                "cannot read rate {text:?}: write ppm (50000), a percentage (5%, 0.1%) or ppm (50000ppm)"
            ),
            SampleError::BadClassName { class } => {
                format!(
                    "bad class name {class:?}: use 1 to 64 ASCII letters, digits, '_', '-' or '.'"
                )
            }
            SampleError::DuplicateClass { class } => {
                format!("class {class:?} appears twice in the plan")
            }
            SampleError::NoClasses => "the plan has no classes".to_string(),
            SampleError::ZeroPeriod => "period_seconds must be at least 1".to_string(),
            SampleError::SaltTooLong { len } => {
                format!("salt is {len} bytes long; at most 256 are allowed")
            }
            SampleError::UnknownClass { class, known } => {
                format!("the plan has no class {class:?} (it has: {known})")
            }
            SampleError::BeforeOffset {
                unix_seconds,
                offset_seconds,
            } => format!("time {unix_seconds} is before the period offset {offset_seconds}"),
            SampleError::BadInput {
                what,
                expected,
                value,
            } => format!("{what} must be {expected}, got {value}"),
            SampleError::BadDuration { text } => format!(
                "cannot read duration {text:?}: write a number with s, m, h or d (36s, 1h, 30d); a bare number is hours"
            ),
            SampleError::BadColumn { what } => format!("bad column: {what}"),
            SampleError::NegativePeriod { row, value } => {
                format!("row {row}: period {value} is negative; periods are 0 to 2^64 - 1")
            }
            SampleError::RowBeforeOffset {
                row,
                unix_seconds,
                offset_seconds,
            } => format!(
                "row {row}: time {unix_seconds} (Unix seconds) is before the period offset {offset_seconds}"
            ),
            SampleError::Overflow { what } => format!("data volume overflows: {what}"),
        }
    }

    /// Every sampling error the vectors, the API's refusals and each variant's corners give.
    fn every_error() -> Vec<SampleError> {
        let mut errors = Vec::new();
        let vectors: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/vectors/sample.json")).unwrap();
        for v in vectors["vectors"].as_array().unwrap() {
            let text = match (v.get("plan_text"), v.get("plan")) {
                (Some(t), _) => String::from(t.as_str().unwrap()),
                (None, Some(p)) => p.to_string(),
                _ => continue,
            };
            if let Err(e) = SamplingPlan::from_json(&text) {
                errors.push(e);
            }
        }
        for text in [
            "",
            "{",
            "[]",
            "{\"salt\":1}",
            "{\"salt\":\"s\",\"period_seconds\":-1,\"classes\":{}}",
            "{\"salt\":\"s\",\"period_seconds\":60,\"classes\":{\"a\\\"b\\n\":1}}",
            "{\"salt\":\"s\",\"period_seconds\":60,\"classes\":{\"é\":1}}",
        ] {
            errors.extend(SamplingPlan::from_json(text).err());
        }
        let plan = SamplingPlan::from_json(
            "{\"salt\":\"s\",\"period_seconds\":60,\"period_offset_seconds\":100,\"classes\":{\"a\":1,\"b\":2}}",
        )
        .unwrap();
        errors.extend(plan.rate("c\"\\\t\u{1}").err());
        errors.extend(plan.period_at(5).err());
        for text in ["", "x", "5%%", "\"q\"", "1000001", "101%", "-1", "0.00001%"] {
            errors.extend(parse_rate(text).err());
        }
        for text in ["", "x", "1w", "-1h", "\u{7f}"] {
            errors.extend(parse_hours(text).err());
        }
        for x in [
            0.0,
            -1.0,
            1.5,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
            0.1,
        ] {
            errors.extend(estimate(10, 1_000, x, 1.0).err());
            errors.extend(estimate(10, 1_000, 1.0, x).err());
            errors.extend(smallest_rate(10, 1.0, 1.0, x).err());
        }
        errors.extend(estimate(10, 1_000_001, 1.0, 1.0).err());
        errors.extend(volume(u64::MAX, 1_000_000, u64::MAX, u64::MAX, u64::MAX, u64::MAX).err());
        errors.extend([
            SampleError::SaltTooLong { len: 0 },
            SampleError::SaltTooLong { len: usize::MAX },
            SampleError::BeforeOffset {
                unix_seconds: 0,
                offset_seconds: u64::MAX,
            },
            SampleError::BadColumn {
                what: String::from("x"),
            },
            SampleError::NegativePeriod {
                row: 7,
                value: String::from("-3"),
            },
            SampleError::RowBeforeOffset {
                row: 0,
                unix_seconds: String::from("-1"),
                offset_seconds: 10,
            },
            SampleError::RateOutOfRange {
                class: String::from("m"),
                value: String::from("2000000"),
            },
            SampleError::NoClasses,
            SampleError::ZeroPeriod,
        ]);
        errors
    }

    #[test]
    fn messages_are_the_texts_the_error_attributes_wrote() {
        let errors = every_error();
        let mut variants: Vec<core::mem::Discriminant<SampleError>> =
            errors.iter().map(core::mem::discriminant).collect();
        variants.sort_by_key(|d| format!("{d:?}"));
        variants.dedup();
        assert_eq!(variants.len(), 16, "every variant is compared");
        for e in &errors {
            assert_eq!(e.message(), before(e), "{e:?}");
            assert_eq!(e.to_string(), e.message());
        }
    }
}
