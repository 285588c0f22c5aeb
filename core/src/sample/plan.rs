//! Sampling plans: a salt, a period length and a rate per data class (see [`SamplingPlan`]).

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::{PPM_ALL, SampleError, Sampler, is_below, period_index, position};
use crate::error::clip;

/// Longest accepted salt, in bytes.
pub const MAX_SALT_LEN: usize = 256;

/// Longest accepted class name, in bytes.
pub const MAX_CLASS_LEN: usize = 64;

/// One data class of a plan and its rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassRate {
    /// The class name (`metrics`).
    pub name: String,
    /// Its rate, parts per million.
    pub rate_ppm: u32,
}

/// A validated sampling plan. Classes keep the order they were given in.
///
/// As JSON ([`from_json`](Self::from_json), read by hand with `alloc` alone; [`to_json`](Self::to_json) with feature `serde`):
///
/// ```json
/// {
///   "salt": "acme-2026",
///   "period_seconds": 86400,
///   "period_offset_seconds": 0,
///   "classes": { "uptime": 1000000, "metrics": 50000, "coredumps": 1000 }
/// }
/// ```
///
/// Required: `salt` (text; its UTF-8 bytes are the salt; at most 256 bytes), `period_seconds`
/// (at least 1) and `classes` (at least one; names of 1 to 64 ASCII letters, digits, `_`, `-` or
/// `.`; rates are integer ppm from 0 to 1000000). `period_offset_seconds` defaults to 0. Unknown
/// fields are refused, so a misspelt field is not silently ignored; a top-level `"$schema"`
/// string (the plan's JSON Schema, for editors) is skipped.
///
/// Built in code:
///
/// ```
/// use stepstone::sample::SamplingPlan;
/// let mut plan = SamplingPlan::new("acme-2026", 86_400).unwrap();
/// plan.add_class("uptime", 1_000_000).unwrap();
/// plan.add_class("metrics", 50_000).unwrap();
/// let period = plan.period_at(1_763_899_200).unwrap();
/// assert_eq!(period, 20415);
/// assert!(plan.is_sampled(b"DA143532", "uptime", period).unwrap());
/// assert_eq!(plan.is_sampled(b"DA143532", "logs", period).unwrap_err().to_string(),
///            "the plan has no class \"logs\" (it has: uptime, metrics)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamplingPlan {
    salt: String,
    period_seconds: u64,
    period_offset_seconds: u64,
    classes: Vec<ClassRate>,
}

/// Checks a class name: 1 to 64 ASCII letters, digits, `_`, `-` or `.`.
pub fn check_class_name(name: &str) -> Result<(), SampleError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_CLASS_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(SampleError::BadClassName { class: clip(name) })
    }
}

impl SamplingPlan {
    /// A plan with no classes yet (add them with [`add_class`](Self::add_class)).
    pub fn new(salt: &str, period_seconds: u64) -> Result<SamplingPlan, SampleError> {
        if salt.len() > MAX_SALT_LEN {
            return Err(SampleError::SaltTooLong { len: salt.len() });
        }
        if period_seconds == 0 {
            return Err(SampleError::ZeroPeriod);
        }
        Ok(SamplingPlan {
            salt: salt.to_string(),
            period_seconds,
            period_offset_seconds: 0,
            classes: Vec::new(),
        })
    }

    /// Moves period boundaries by `offset_seconds` (see [`period_index`]).
    pub fn with_offset(mut self, offset_seconds: u64) -> SamplingPlan {
        self.period_offset_seconds = offset_seconds;
        self
    }

    /// Adds a class with its rate; refuses a bad name, a duplicate, or a rate above 1000000.
    pub fn add_class(&mut self, name: &str, rate_ppm: u32) -> Result<(), SampleError> {
        check_class_name(name)?;
        if rate_ppm > PPM_ALL {
            return Err(SampleError::RateOutOfRange {
                class: name.to_string(),
                value: crate::error::decimal_text(rate_ppm.into()),
            });
        }
        if self.classes.iter().any(|c| c.name == name) {
            return Err(SampleError::DuplicateClass {
                class: name.to_string(),
            });
        }
        self.classes.push(ClassRate {
            name: name.to_string(),
            rate_ppm,
        });
        Ok(())
    }

    /// The salt (its UTF-8 bytes are hashed).
    pub fn salt(&self) -> &str {
        &self.salt
    }

    /// Period length in seconds.
    pub fn period_seconds(&self) -> u64 {
        self.period_seconds
    }

    /// Offset of period boundaries in seconds.
    pub fn period_offset_seconds(&self) -> u64 {
        self.period_offset_seconds
    }

    /// The classes, in the order given.
    pub fn classes(&self) -> &[ClassRate] {
        &self.classes
    }

    /// The rate of `class`, or `sample.unknown_class`.
    pub fn rate(&self, class: &str) -> Result<u32, SampleError> {
        match self.classes.iter().find(|c| c.name == class) {
            Some(c) => Ok(c.rate_ppm),
            None => {
                // The names joined by ", " (without `join`'s generic code).
                let mut known = String::new();
                for c in &self.classes {
                    if !known.is_empty() {
                        known.push_str(", ");
                    }
                    known.push_str(&c.name);
                }
                Err(SampleError::UnknownClass {
                    class: clip(class),
                    known,
                })
            }
        }
    }

    /// The period that contains `unix_seconds`, or `sample.before_offset`.
    pub fn period_at(&self, unix_seconds: u64) -> Result<u64, SampleError> {
        period_index(
            unix_seconds,
            self.period_seconds,
            self.period_offset_seconds,
        )
        .ok_or(SampleError::BeforeOffset {
            unix_seconds,
            offset_seconds: self.period_offset_seconds,
        })
    }

    /// The device's position for `class` in `period` (the class need not be in the plan).
    pub fn position(&self, device_id: &[u8], class: &str, period: u64) -> u64 {
        position(self.salt.as_bytes(), device_id, period, class)
    }

    /// Whether the device reports `class` in `period`, or `sample.unknown_class`.
    pub fn is_sampled(
        &self,
        device_id: &[u8],
        class: &str,
        period: u64,
    ) -> Result<bool, SampleError> {
        let rate = self.rate(class)?;
        Ok(is_below(self.position(device_id, class, period), rate))
    }

    /// A [`Sampler`] for `class` in `period` and the class's rate, for deciding many devices.
    pub fn sampler(&self, class: &str, period: u64) -> Result<(Sampler, u32), SampleError> {
        let rate = self.rate(class)?;
        Ok((Sampler::new(self.salt.as_bytes(), class, period), rate))
    }
}

/// The plan's JSON, read by hand (`crate::json_read`): no `serde_json` needed, so the sampling
/// WASM module links none.
mod read {
    use alloc::borrow::Cow;
    use alloc::string::String;
    use alloc::vec::Vec;

    use super::{SamplingPlan, check_class_name};
    use crate::error::clip;
    use crate::json_read::{Reader, SyntaxError, whole_number};
    use crate::sample::{PPM_ALL, SampleError};

    /// The document's fields as written, before any check of their values.
    struct Raw<'a> {
        salt: Cow<'a, str>,
        period_seconds: u64,
        period_offset_seconds: u64,
        /// Class names and their values' text, in order, duplicates kept (to be refused).
        classes: Vec<(Cow<'a, str>, &'a str)>,
    }

    /// The fields in the order a missing one is named.
    const FIELDS: &str = "`salt`, `period_seconds`, `period_offset_seconds`, `classes`";

    fn read<'a>(r: &mut Reader<'a>) -> Result<Raw<'a>, SyntaxError> {
        let (mut salt, mut period, mut offset, mut classes) = (None, None, None, None);
        r.begin_object()?;
        let mut first = true;
        while let Some(key) = r.next_key(&mut first)? {
            let slot_taken = match key.as_ref() {
                "salt" => salt.replace(text(r, "salt")?).is_some(),
                "period_seconds" => period.replace(seconds(r, "period_seconds")?).is_some(),
                "period_offset_seconds" => offset
                    .replace(seconds(r, "period_offset_seconds")?)
                    .is_some(),
                "classes" => classes.replace(entries(r)?).is_some(),
                crate::json_read::SCHEMA_KEY => {
                    if r.peek() != Some(b'"') {
                        return Err(r.error("invalid type: `$schema` must be a string"));
                    }
                    r.string()?;
                    false
                }
                other => {
                    let mut what = String::from("unknown field `");
                    what.push_str(&clip(other));
                    what.push_str("`, expected one of ");
                    what.push_str(FIELDS);
                    return Err(r.error(what));
                }
            };
            if slot_taken {
                let mut what = String::from("duplicate field `");
                what.push_str(&key);
                what.push('`');
                return Err(r.error(what));
            }
        }
        r.end()?;
        let missing = |name: &'static str| r.error(name);
        Ok(Raw {
            salt: salt.ok_or_else(|| missing("missing field `salt`"))?,
            period_seconds: period.ok_or_else(|| missing("missing field `period_seconds`"))?,
            period_offset_seconds: offset.unwrap_or(0),
            classes: classes.ok_or_else(|| missing("missing field `classes`"))?,
        })
    }

    /// A string field (its value named when it is something else).
    fn text<'a>(r: &mut Reader<'a>, field: &'static str) -> Result<Cow<'a, str>, SyntaxError> {
        if r.peek() == Some(b'"') {
            return r.string();
        }
        let at = r.error("");
        let raw = r.value()?;
        let mut what = String::from("invalid type: `");
        what.push_str(field);
        what.push_str("` must be a string, got ");
        what.push_str(&clip(raw));
        Err(SyntaxError {
            what: what.into(),
            ..at
        })
    }

    /// A whole number of seconds from 0 to 2^64-1.
    fn seconds(r: &mut Reader<'_>, field: &'static str) -> Result<u64, SyntaxError> {
        r.peek();
        let at = r.error("");
        let raw = r.value()?;
        whole_number(raw).ok_or_else(|| {
            let mut what = String::from("invalid value: `");
            what.push_str(field);
            what.push_str("` must be a whole number from 0 to 2^64-1, got ");
            what.push_str(&clip(raw));
            SyntaxError {
                what: what.into(),
                ..at
            }
        })
    }

    /// The `classes` object: names and their values' text.
    fn entries<'a>(r: &mut Reader<'a>) -> Result<Vec<(Cow<'a, str>, &'a str)>, SyntaxError> {
        if r.peek() != Some(b'{') {
            let at = r.error("");
            let raw = r.value()?;
            let mut what = String::from(
                "invalid type: `classes` must be an object of class names to rates in ppm, got ",
            );
            what.push_str(&clip(raw));
            return Err(SyntaxError {
                what: what.into(),
                ..at
            });
        }
        r.begin_object()?;
        let mut v = Vec::new();
        let mut first = true;
        while let Some(name) = r.next_key(&mut first)? {
            v.push((name, r.value()?));
        }
        Ok(v)
    }

    impl SamplingPlan {
        /// Reads and validates a plan from JSON (the shape is on [`SamplingPlan`]).
        ///
        /// ```
        /// use stepstone::sample::SamplingPlan;
        /// use stepstone::ErrorCode;
        /// let plan = SamplingPlan::from_json(r#"{"salt": "s", "period_seconds": 86400,
        ///     "classes": {"uptime": 1000000, "coredumps": 1000}}"#).unwrap();
        /// assert_eq!(plan.rate("coredumps").unwrap(), 1000);
        /// let err = SamplingPlan::from_json(r#"{"salt": "s", "period_seconds": 86400,
        ///     "classes": {"metrics": 1500000}}"#).unwrap_err();
        /// assert_eq!(err.code(), "sample.rate_out_of_range");
        /// let err = SamplingPlan::from_json(r#"{"salt": "s", "period_seconds": 86400,"#).unwrap_err();
        /// assert_eq!(err.to_string(), "invalid sampling plan JSON: EOF while parsing a value at line 1 column 39");
        /// ```
        pub fn from_json(text: &str) -> Result<SamplingPlan, SampleError> {
            let mut r = Reader::new(text);
            let raw = read(&mut r).map_err(|e| SampleError::InvalidJson {
                message: clip(&r.describe(&e)),
            })?;
            let mut plan = SamplingPlan::new(&raw.salt, raw.period_seconds)?
                .with_offset(raw.period_offset_seconds);
            if raw.classes.is_empty() {
                return Err(SampleError::NoClasses);
            }
            for (name, value) in &raw.classes {
                check_class_name(name)?;
                let rate = whole_number(value)
                    .filter(|r| *r <= u64::from(PPM_ALL))
                    .and_then(|r| u32::try_from(r).ok());
                let Some(rate) = rate else {
                    return Err(SampleError::RateOutOfRange {
                        class: String::from(name.as_ref()),
                        value: clip(value),
                    });
                };
                plan.add_class(name, rate)?;
            }
            Ok(plan)
        }
    }
}

#[cfg(feature = "serde")]
mod json {
    use alloc::string::{String, ToString};

    use serde::ser::{SerializeMap, SerializeStruct};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::SamplingPlan;

    impl SamplingPlan {
        /// The plan as JSON, in the shape [`from_json`](Self::from_json) reads (classes in order).
        pub fn to_json(&self) -> String {
            // ok: serializing plain strings and integers into a String cannot fail.
            serde_json::to_string(self).unwrap_or_default()
        }
    }

    struct Classes<'a>(&'a SamplingPlan);

    impl Serialize for Classes<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(self.0.classes.len()))?;
            for c in &self.0.classes {
                m.serialize_entry(&c.name, &c.rate_ppm)?;
            }
            m.end()
        }
    }

    impl Serialize for SamplingPlan {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("SamplingPlan", 4)?;
            st.serialize_field("salt", &self.salt)?;
            st.serialize_field("period_seconds", &self.period_seconds)?;
            st.serialize_field("period_offset_seconds", &self.period_offset_seconds)?;
            st.serialize_field("classes", &Classes(self))?;
            st.end()
        }
    }

    impl<'de> Deserialize<'de> for SamplingPlan {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SamplingPlan, D::Error> {
            let value = serde_json::Value::deserialize(d)?;
            SamplingPlan::from_json(&value.to_string()).map_err(serde::de::Error::custom)
        }
    }
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use alloc::format;

    fn code(text: &str) -> &'static str {
        SamplingPlan::from_json(text)
            .map(|_| ())
            .unwrap_err()
            .code()
    }

    #[test]
    fn reads_the_documented_plan() {
        let plan = SamplingPlan::from_json(
            r#"{"salt": "acme-2026", "period_seconds": 86400, "period_offset_seconds": 7200,
                "classes": {"uptime": 1000000, "metrics": 50000, "coredumps": 1000}}"#,
        )
        .unwrap();
        assert_eq!(plan.salt(), "acme-2026");
        assert_eq!(plan.period_offset_seconds(), 7200);
        let names: Vec<&str> = plan.classes().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["uptime", "metrics", "coredumps"]);
        assert_eq!(plan.rate("metrics"), Ok(50_000));
        assert_eq!(SamplingPlan::from_json(&plan.to_json()), Ok(plan.clone()));
        assert!(
            plan.to_json()
                .contains(r#""classes":{"uptime":1000000,"metrics":50000,"coredumps":1000}"#)
        );
    }

    #[test]
    fn refuses_bad_plans_with_their_codes() {
        let p =
            |classes: &str| format!(r#"{{"salt":"s","period_seconds":60,"classes":{classes}}}"#);
        assert_eq!(code("{"), "sample.invalid_json");
        assert_eq!(
            code(r#"{"salt":"s","period_seconds":60}"#),
            "sample.invalid_json"
        );
        assert_eq!(
            code(r#"{"salt":"s","period_seconds":60,"classes":{"a":1},"extra":1}"#),
            "sample.invalid_json"
        );
        assert_eq!(
            code(r#"{"salt":"s","period_seconds":-1,"classes":{"a":1}}"#),
            "sample.invalid_json"
        );
        assert_eq!(
            code(r#"{"salt":"s","period_seconds":0,"classes":{"a":1}}"#),
            "sample.zero_period"
        );
        assert_eq!(code(&p("{}")), "sample.no_classes");
        assert_eq!(code(&p(r#"{"a":1000001}"#)), "sample.rate_out_of_range");
        assert_eq!(code(&p(r#"{"a":-1}"#)), "sample.rate_out_of_range");
        assert_eq!(code(&p(r#"{"a":0.5}"#)), "sample.rate_out_of_range");
        assert_eq!(code(&p(r#"{"a":"5%"}"#)), "sample.rate_out_of_range");
        // A number past the largest double is not JSON serde_json reads: the document is
        // refused as such, before any rate is looked at.
        assert_eq!(code(&p(r#"{"a":1E9999}"#)), "sample.invalid_json");
        assert_eq!(
            SamplingPlan::from_json(&p(r#"{"a":1E9999}"#))
                .unwrap_err()
                .to_string(),
            "invalid sampling plan JSON: number out of range at line 1 column 53"
        );
        assert_eq!(code(&p(r#"{"a":1E-9999}"#)), "sample.rate_out_of_range");
        assert_eq!(code(&p(r#"{"a":1,"a":2}"#)), "sample.duplicate_class");
        assert_eq!(code(&p(r#"{"":1}"#)), "sample.bad_class_name");
        assert_eq!(code(&p(r#"{"a b":1}"#)), "sample.bad_class_name");
        let long_salt = "x".repeat(MAX_SALT_LEN + 1);
        assert_eq!(
            code(&format!(
                r#"{{"salt":"{long_salt}","period_seconds":1,"classes":{{"a":1}}}}"#
            )),
            "sample.salt_too_long"
        );
    }

    #[test]
    fn a_top_level_schema_string_is_skipped() {
        let plan = SamplingPlan::from_json(
            r#"{"$schema": "../docs/schema/sampling-plan.schema.json", "salt": "s",
                "period_seconds": 60, "classes": {"a": 1}}"#,
        )
        .unwrap();
        assert_eq!(plan.rate("a"), Ok(1));
        assert!(!plan.to_json().contains("$schema"));
        assert_eq!(
            code(r#"{"$schema": 1, "salt":"s","period_seconds":60,"classes":{"a":1}}"#),
            "sample.invalid_json"
        );
        assert_eq!(
            code(r#"{"$schema": false, "salt":"s","period_seconds":60,"classes":{"a":1}}"#),
            "sample.invalid_json"
        );
        // Inside `classes` it is a class name like any other (and not a valid one).
        assert_eq!(
            code(r#"{"salt":"s","period_seconds":60,"classes":{"$schema":1}}"#),
            "sample.bad_class_name"
        );
        // Duplicates are still refused.
        assert_eq!(
            code(r#"{"$schema":"x","salt":"s","salt":"t","period_seconds":60,"classes":{"a":1}}"#),
            "sample.invalid_json"
        );
    }

    #[test]
    fn messages_name_the_offending_value() {
        let e = SamplingPlan::from_json(
            r#"{"salt":"s","period_seconds":60,"classes":{"metrics":2000000}}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "rate of class \"metrics\" must be an integer from 0 to 1000000 ppm (100%), got 2000000"
        );
        let e =
            SamplingPlan::from_json(r#"{"salt":"s","period_seconds":60,"classes":{"a":1,"a":2}}"#)
                .unwrap_err();
        assert_eq!(e.to_string(), "class \"a\" appears twice in the plan");
        let e =
            SamplingPlan::from_json(r#"{"salt": 5, "period_seconds": 60, "classes": {"a": 1}}"#)
                .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid sampling plan JSON: invalid type: `salt` must be a string, got 5 at line 1 column 10"
        );
    }

    #[test]
    fn plan_decisions_match_the_bare_functions() {
        let plan =
            SamplingPlan::from_json(r#"{"salt":"s","period_seconds":3600,"classes":{"m":250000}}"#)
                .unwrap();
        let period = plan.period_at(7_200).unwrap();
        assert_eq!(period, 2);
        let (sampler, rate) = plan.sampler("m", period).unwrap();
        for i in 0..200u32 {
            let id = i.to_be_bytes();
            let expect = crate::sample::is_sampled(b"s", &id, 2, "m", 250_000);
            assert_eq!(plan.is_sampled(&id, "m", period), Ok(expect));
            assert_eq!(sampler.is_sampled(&id, rate), expect);
        }
        assert_eq!(plan.rate("x").unwrap_err().code(), "sample.unknown_class");
        let late = SamplingPlan::new("s", 60).unwrap().with_offset(100);
        assert_eq!(
            late.period_at(99).unwrap_err().code(),
            "sample.before_offset"
        );
    }
}
