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
/// As JSON ([`from_json`](Self::from_json), feature `serde`):
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
                value: rate_ppm.to_string(),
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
            None => Err(SampleError::UnknownClass {
                class: clip(class),
                known: self
                    .classes
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
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

#[cfg(feature = "serde")]
mod json {
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;
    use core::fmt;

    use serde::de::{MapAccess, Visitor};
    use serde::ser::{SerializeMap, SerializeStruct};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{SamplingPlan, check_class_name};
    use crate::error::clip;
    use crate::sample::{PPM_ALL, SampleError};

    /// Class entries in the order written, duplicates kept (so they can be refused).
    struct Entries(Vec<(String, serde_json::Value)>);

    impl<'de> Deserialize<'de> for Entries {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Entries, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Entries;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an object of class names to rates in ppm")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                    let mut v = Vec::new();
                    while let Some(entry) = map.next_entry::<String, serde_json::Value>()? {
                        v.push(entry);
                    }
                    Ok(Entries(v))
                }
            }
            d.deserialize_map(V)
        }
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Raw {
        salt: String,
        period_seconds: u64,
        #[serde(default)]
        period_offset_seconds: u64,
        classes: Entries,
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
        /// ```
        pub fn from_json(text: &str) -> Result<SamplingPlan, SampleError> {
            let raw: Raw =
                crate::wire::from_document(text).map_err(|e| SampleError::InvalidJson {
                    message: clip(&e.to_string()),
                })?;
            let mut plan = SamplingPlan::new(&raw.salt, raw.period_seconds)?
                .with_offset(raw.period_offset_seconds);
            if raw.classes.0.is_empty() {
                return Err(SampleError::NoClasses);
            }
            for (name, value) in &raw.classes.0 {
                check_class_name(name)?;
                let rate = value
                    .as_u64()
                    .filter(|r| *r <= u64::from(PPM_ALL))
                    .and_then(|r| u32::try_from(r).ok());
                let Some(rate) = rate else {
                    return Err(SampleError::RateOutOfRange {
                        class: name.clone(),
                        value: clip(&value.to_string()),
                    });
                };
                plan.add_class(name, rate)?;
            }
            Ok(plan)
        }

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
