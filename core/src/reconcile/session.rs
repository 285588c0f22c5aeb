//! A reconciler session: one campaign's table, retry policy, staged rollout (and where it
//! stands) and timing, with `apply` / `decide` / `rollout_*` on the JSON wire forms a scheduler
//! stores. Every binding (Python, WASM, Node) and the conformance-vector runner stand on it, so
//! the session's argument handling, JSON shapes and error codes exist once.
//!
//! ```
//! use std::sync::Arc;
//! use stepstone::campaign::CampaignTable;
//! use stepstone::catalog::Catalog;
//! use stepstone::plan::Cost;
//! use stepstone::reconcile::Session;
//!
//! let catalog = Catalog::from_json(r#"{"releases": [
//!   {"version": "v64000"}, {"version": "v65000", "min_sw_version": "v64000"},
//!   {"version": "v66000", "min_sw_version": "v65000"}]}"#).unwrap();
//! let target = catalog.parse_version("v66000").unwrap();
//! let table = CampaignTable::build(&catalog, &target, None, None, Cost::Hops).unwrap();
//! let session = Session::from_json(Arc::new(table), catalog.scheme(), r#"{"job_ttl_secs": 3600}"#).unwrap();
//!
//! let state = r#"{"reported": "v64000", "device_seq": 1}"#;
//! let action = session.decide_json(b"AG1-000001", Some(state), 0).unwrap();
//! assert_eq!(action, r#"{"action":"install","release":"v65000","job":1,"expires_at":3600,"attempt":1}"#);
//!
//! let event = r#"{"event": "job_created", "job": 1, "release": "v65000", "at": 0, "expires_at": 3600}"#;
//! let applied = session.apply_json(Some(state), event).unwrap();
//! assert!(applied.ends_with(r#""outcome":"changed"}"#));
//!
//! // Wrong input has a code of its own.
//! use stepstone::ErrorCode;
//! assert_eq!(session.apply_json(None, "{").unwrap_err().code(), "reconcile.invalid_json");
//! ```

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::ErrorCode;
use crate::campaign::CampaignTable;
use crate::error::Sink;
use crate::retry::{RetryError, RetryPolicy};
use crate::rollout::{Rollout, RolloutError, RolloutState};
use crate::version::{Scheme, Version, VersionError};

use super::window::{Window, WindowError};
use super::{
    Action, Applied, Context, DEFAULT_JOB_TTL_SECS, DeviceState, Event, RolloutView, Timing, apply,
    decide,
};

/// A session's settings: every field optional (the JSON form `{policy, rollout,
/// rollout_started_at, rollout_state, start, end, windows, utc_offset_secs, job_ttl_secs}`;
/// an unknown field is refused, except a top-level `"$schema"` string, which is skipped).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionOptions {
    /// The retry policy (default: [`RetryPolicy::default`]); checked.
    pub policy: Option<RetryPolicy>,
    /// A staged rollout; checked.
    pub rollout: Option<Rollout>,
    /// When the rollout started (its first stage opened), seconds (default 0; not with
    /// `rollout_state`, which says it).
    pub rollout_started_at: Option<u64>,
    /// Where the rollout stands, as stored from [`Session::rollout_state`] (a stateless
    /// service resumes from it); absent: the rollout starts at `rollout_started_at`.
    pub rollout_state: Option<RolloutState>,
    /// No install before this time.
    pub start: Option<u64>,
    /// No install from this time on.
    pub end: Option<u64>,
    /// Weekly maintenance windows (device-local time); checked.
    pub windows: Vec<Window>,
    /// The device's UTC offset, seconds.
    pub utc_offset_secs: i32,
    /// Lifetime of a job document, seconds (default [`DEFAULT_JOB_TTL_SECS`]).
    pub job_ttl_secs: Option<u64>,
}

impl SessionOptions {
    /// Reads options from JSON (`reconcile.invalid_json` when they do not read); nothing is
    /// checked until [`Session::new`].
    pub fn from_json(text: &str) -> Result<SessionOptions, SessionError> {
        super::read_session_options(text).map_err(|m| read_error("options", m))
    }
}

/// Why a session call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionError {
    /// A JSON input (options, device state, event) does not read; `what` names it.
    InvalidJson {
        /// Which input.
        what: &'static str,
        /// serde's message (line, column, the field).
        message: String,
    },
    /// A rollout call on a session without a rollout (`reconcile.no_rollout`).
    NoRollout {
        /// The call.
        call: &'static str,
    },
    /// An option out of range, or two that conflict (`reconcile.bad_option`).
    BadOption {
        /// The option.
        option: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A `rollout_state` that does not fit the session's rollout
    /// (`reconcile.rollout_state_mismatch`).
    RolloutStateMismatch {
        /// What does not match.
        reason: String,
    },
    /// A version in a state or event that is not of the catalog's scheme.
    Version(VersionError),
    /// The retry policy is invalid.
    Retry(RetryError),
    /// The rollout is invalid, or a rollout call is refused.
    Rollout(RolloutError),
    /// A maintenance window is invalid.
    Window(WindowError),
}

impl ErrorCode for SessionError {
    fn code(&self) -> &'static str {
        use crate::error::codes;
        match self {
            SessionError::InvalidJson { .. } => codes::RECONCILE_INVALID_JSON.as_str(),
            SessionError::NoRollout { .. } => codes::RECONCILE_NO_ROLLOUT.as_str(),
            SessionError::BadOption { .. } => codes::RECONCILE_BAD_OPTION.as_str(),
            SessionError::RolloutStateMismatch { .. } => {
                codes::RECONCILE_ROLLOUT_STATE_MISMATCH.as_str()
            }
            SessionError::Version(e) => e.code(),
            SessionError::Retry(e) => e.code(),
            SessionError::Rollout(e) => e.code(),
            SessionError::Window(e) => e.code(),
        }
    }
}

impl SessionError {
    /// Writes the message (`Display` and [`ErrorMessage`](crate::error::ErrorMessage) both
    /// give it).
    pub(crate) fn write_message(&self, s: &mut impl Sink) {
        match self {
            SessionError::InvalidJson { what, message } => {
                s.text("invalid ");
                s.text(what);
                s.text(": ");
                s.text(message);
            }
            SessionError::NoRollout { call } => {
                s.text(call);
                s.text(": this reconciler has no rollout");
            }
            SessionError::BadOption { option, reason } => {
                s.text(option);
                s.text(": ");
                s.text(reason);
            }
            SessionError::RolloutStateMismatch { reason } => {
                s.text("rollout_state does not belong to this rollout: ");
                s.text(reason);
            }
            SessionError::Version(e) => e.write_message(s),
            SessionError::Retry(e) => e.write_message(s),
            SessionError::Rollout(e) => e.write_message(s),
            SessionError::Window(e) => e.write_message(s),
        }
    }
}

crate::error::message_from_sink!(SessionError);

#[cfg(feature = "std")]
impl std::error::Error for SessionError {}

impl From<VersionError> for SessionError {
    fn from(e: VersionError) -> SessionError {
        SessionError::Version(e)
    }
}

impl From<RolloutError> for SessionError {
    fn from(e: RolloutError) -> SessionError {
        SessionError::Rollout(e)
    }
}

fn read_error(what: &'static str, message: String) -> SessionError {
    SessionError::InvalidJson { what, message }
}

/// What [`Session::apply`] gives back: the new state and what the event did (the JSON form
/// `{"state": {...}, "outcome": "changed" | "duplicate" | "stale" | "not_in_flight"}`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AppliedWire<'a> {
    /// The new state, versions spelled as the catalog spells them.
    pub state: &'a DeviceState<String>,
    /// The outcome's name.
    pub outcome: &'static str,
}

/// The scheduler's brain for one campaign. Cheap to clone (the table is shared).
#[derive(Debug, Clone)]
pub struct Session {
    table: Arc<CampaignTable>,
    scheme: Scheme,
    policy: RetryPolicy,
    rollout: Option<(Rollout, RolloutState)>,
    start: Option<u64>,
    end: Option<u64>,
    windows: Vec<Window>,
    utc_offset_secs: i32,
    job_ttl_secs: u64,
}

impl Session {
    /// A session for the campaign `table` (versions of `scheme`), every option checked.
    pub fn new(
        table: Arc<CampaignTable>,
        scheme: Scheme,
        options: SessionOptions,
    ) -> Result<Session, SessionError> {
        let bad = |option: &'static str, reason: String| SessionError::BadOption { option, reason };
        if options.job_ttl_secs == Some(0) {
            return Err(bad(
                "job_ttl_secs",
                "must be at least 1 second, got 0".into(),
            ));
        }
        if let (Some(start), Some(end)) = (options.start, options.end)
            && start >= end
        {
            let mut reason = String::new();
            reason.decimal(end);
            reason.push_str(" is not after start ");
            reason.decimal(start);
            reason.push_str(": no install could ever be made");
            return Err(bad("end", reason));
        }
        if options.rollout_state.is_some() && options.rollout_started_at.is_some() {
            return Err(bad(
                "rollout_started_at",
                "given with rollout_state, which says when the rollout started; pass one".into(),
            ));
        }
        let policy = options.policy.unwrap_or_default();
        policy.validate().map_err(SessionError::Retry)?;
        for w in &options.windows {
            w.validate().map_err(SessionError::Window)?;
        }
        let rollout = match options.rollout {
            Some(r) => {
                r.validate()?;
                let state = match options.rollout_state {
                    Some(s) => {
                        check_state(&r, &s)?;
                        s
                    }
                    None => r.start(options.rollout_started_at.unwrap_or(0)),
                };
                Some((r, state))
            }
            None if options.rollout_state.is_some() => {
                return Err(SessionError::RolloutStateMismatch {
                    reason: "a rollout_state was given without a rollout".into(),
                });
            }
            None => None,
        };
        Ok(Session {
            table,
            scheme,
            policy,
            rollout,
            start: options.start,
            end: options.end,
            windows: options.windows,
            utc_offset_secs: options.utc_offset_secs,
            job_ttl_secs: options.job_ttl_secs.unwrap_or(DEFAULT_JOB_TTL_SECS),
        })
    }

    /// A session with options as JSON (see [`SessionOptions`]; `reconcile.invalid_json` when
    /// they do not read).
    pub fn from_json(
        table: Arc<CampaignTable>,
        scheme: Scheme,
        options: &str,
    ) -> Result<Session, SessionError> {
        Session::new(table, scheme, SessionOptions::from_json(options)?)
    }

    /// The campaign table.
    pub fn table(&self) -> &CampaignTable {
        &self.table
    }

    /// The retry policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// A device state from its wire form (`None`: a new device), versions checked against the
    /// scheme.
    pub fn state_in(&self, state: Option<&str>) -> Result<DeviceState<Version>, SessionError> {
        let wire: DeviceState<String> = match state {
            Some(text) => {
                super::read_device_state(text).map_err(|m| read_error("device state", m))?
            }
            None => DeviceState::default(),
        };
        Ok(wire.try_map(|t| Version::parse(&t, self.scheme))?)
    }

    /// An event from its wire form, versions checked against the scheme.
    pub fn event_in(&self, event: &str) -> Result<Event<Version>, SessionError> {
        let wire = super::read_event(event).map_err(|m| read_error("event", m))?;
        Ok(wire.try_map(|t| Version::parse(&t, self.scheme))?)
    }

    /// Applies `event` to `state`: the new state and what the event did.
    pub fn apply(
        &self,
        state: Option<&str>,
        event: &str,
    ) -> Result<(DeviceState<String>, Applied), SessionError> {
        let (s, applied) = self.apply_parsed(state, event)?;
        Ok((wire_state(s), applied))
    }

    /// [`Session::apply`] with the new state's versions parsed.
    fn apply_parsed(
        &self,
        state: Option<&str>,
        event: &str,
    ) -> Result<(DeviceState<Version>, Applied), SessionError> {
        let mut s = self.state_in(state)?;
        let e = self.event_in(event)?;
        let applied = apply(&mut s, &e);
        Ok((s, applied))
    }

    /// [`Session::apply`] as JSON: `{"state": {...}, "outcome": "changed"}` (the versions
    /// written as spelt, from the parsed state: no copy of the state as strings).
    pub fn apply_json(&self, state: Option<&str>, event: &str) -> Result<String, SessionError> {
        let (state, applied) = self.apply_parsed(state, event)?;
        Ok(super::write::applied_json(&state, applied))
    }

    /// `state` in the full wire form (absent fields filled in).
    pub fn state(&self, state: Option<&str>) -> Result<DeviceState<String>, SessionError> {
        Ok(wire_state(self.state_in(state)?))
    }

    /// [`Session::state`] as JSON.
    pub fn state_json(&self, state: Option<&str>) -> Result<String, SessionError> {
        Ok(super::device_state_json(&self.state_in(state)?))
    }

    /// The decision context (table, policy, rollout and timing).
    pub fn context(&self) -> Context<'_, CampaignTable> {
        Context {
            rollout: self
                .rollout
                .as_ref()
                .map(|(rollout, state)| RolloutView { rollout, state }),
            timing: Timing {
                start: self.start,
                end: self.end,
                windows: &self.windows,
                utc_offset_secs: self.utc_offset_secs,
            },
            job_ttl_secs: self.job_ttl_secs,
            ..Context::new(&*self.table, &self.policy)
        }
    }

    /// What to do with device `device_id` in `state` (`None`: a new device) at `now`.
    pub fn decide(
        &self,
        device_id: &[u8],
        state: Option<&str>,
        now: u64,
    ) -> Result<Action<Version>, SessionError> {
        let s = self.state_in(state)?;
        Ok(decide(device_id, &s, &self.context(), now))
    }

    /// [`Session::decide`] as the action's JSON.
    pub fn decide_json(
        &self,
        device_id: &[u8],
        state: Option<&str>,
        now: u64,
    ) -> Result<String, SessionError> {
        Ok(super::action_json(&self.decide(device_id, state, now)?))
    }

    /// Opens the rollout's next stage if it may open at `now`; whether it did
    /// (`reconcile.no_rollout` without a rollout).
    pub fn rollout_advance(&mut self, now: u64) -> Result<bool, SessionError> {
        let (r, s) = self.rollout_mut("rollout_advance")?;
        Ok(r.advance(s, now))
    }

    /// Halts the rollout by hand (`rollout.already_halted` if it is halted).
    pub fn rollout_halt(&mut self, now: u64, note: &str) -> Result<(), SessionError> {
        let (r, s) = self.rollout_mut("rollout_halt")?;
        Ok(r.halt(s, note.to_string(), now)?)
    }

    /// Resumes a halted rollout (`rollout.not_halted` if it is not halted).
    pub fn rollout_resume(&mut self, now: u64) -> Result<(), SessionError> {
        let (r, s) = self.rollout_mut("rollout_resume")?;
        Ok(r.resume(s, now)?)
    }

    /// Counts one finished attempt (a `job_succeeded` or `job_failed` the scheduler applied) of
    /// a device of `stage` (the `stage` of the `install` action that started it) and halts the
    /// rollout if a rule trips: the halt's code, if this outcome caused one. A stage past the
    /// last is `rollout.unknown_stage`.
    pub fn rollout_record(
        &mut self,
        stage: u32,
        failed: bool,
        now: u64,
    ) -> Result<Option<&'static str>, SessionError> {
        let (r, s) = self.rollout_mut("rollout_record")?;
        let count = r.stage_count();
        if stage as usize >= count {
            return Err(SessionError::Rollout(RolloutError::UnknownStage {
                stage,
                last: u32::try_from(count.saturating_sub(1)).unwrap_or(u32::MAX),
            }));
        }
        Ok(r.record(s, stage, failed, now).map(|h| h.code()))
    }

    /// Where the rollout stands (`None` without a rollout).
    pub fn rollout_state(&self) -> Option<&RolloutState> {
        self.rollout.as_ref().map(|(_, s)| s)
    }

    /// [`Session::rollout_state`] as JSON.
    pub fn rollout_state_json(&self) -> Option<String> {
        self.rollout_state().map(RolloutState::to_json)
    }

    fn rollout_mut(
        &mut self,
        call: &'static str,
    ) -> Result<(&Rollout, &mut RolloutState), SessionError> {
        match &mut self.rollout {
            Some((r, s)) => Ok((r, s)),
            None => Err(SessionError::NoRollout { call }),
        }
    }
}

fn check_state(rollout: &Rollout, state: &RolloutState) -> Result<(), SessionError> {
    let stages = rollout.stage_count();
    let mismatch = |reason: String| Err(SessionError::RolloutStateMismatch { reason });
    if state.stats.len() != stages {
        let mut reason = String::from("it counts ");
        reason.decimal(state.stats.len() as u64);
        reason.push_str(" stages, the rollout has ");
        reason.decimal(stages as u64);
        return mismatch(reason);
    }
    if state.stage as usize >= stages {
        let mut reason = String::from("stage ");
        reason.decimal(u64::from(state.stage));
        reason.push_str(" is past the rollout's last stage ");
        reason.decimal(stages.saturating_sub(1) as u64);
        return mismatch(reason);
    }
    for (i, s) in state.stats.iter().enumerate() {
        s.check().map_err(|e| {
            let mut reason = String::from("stats[");
            reason.decimal(i as u64);
            reason.push_str("]: ");
            e.write_message(&mut reason);
            SessionError::RolloutStateMismatch { reason }
        })?;
    }
    Ok(())
}

fn wire_state(state: DeviceState<Version>) -> DeviceState<String> {
    match state.try_map(|v| Ok::<_, core::convert::Infallible>(v.as_str().to_string())) {
        Ok(w) => w,
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::plan::Cost;

    fn session(options: &str) -> Result<Session, SessionError> {
        let c = Catalog::from_json(
            r#"{"releases": [{"version": "v1"}, {"version": "v2", "min_sw_version": "v1"}]}"#,
        )
        .unwrap();
        let t = CampaignTable::build(&c, &c.parse_version("v2").unwrap(), None, None, Cost::Hops)
            .unwrap();
        Session::from_json(Arc::new(t), c.scheme(), options)
    }

    /// `apply_json` and `state_json` write the parsed state directly: the same text as the
    /// state copied to strings (`apply`, `state`) and written, spellings kept.
    #[test]
    fn json_answers_are_the_string_states_written() {
        let s = session("{}").unwrap();
        let states = [
            None,
            Some(r#"{"reported": "1", "device_seq": 3}"#),
            Some(r#"{"reported": "v0001", "device_seq": 3, "rolled_back": ["2", "v02"]}"#),
            Some(
                r#"{"reported": "v1", "device_seq": 3, "last_job": 4, "job": {"id": 4, "release": "0002", "created_at": 5, "expires_at": 9, "device_seq": 3}, "hop": {"release": "v2", "counters": {"attempts": 1, "failures": [1, 0, 0, 0]}, "last_failure": null}}"#,
            ),
        ];
        let events = [
            r#"{"event": "reported", "seq": 9, "at": 10, "reports": "v002"}"#,
            r#"{"event": "job_created", "job": 7, "release": "2", "at": 10, "expires_at": 20}"#,
            r#"{"event": "job_failed", "job": 4, "seq": 8, "at": 10, "kind": "timed_out", "reports": "01"}"#,
            r#"{"event": "operator", "seq": 1, "action": {"action": "clear_rolled_back", "release": null}}"#,
        ];
        for state in states {
            assert_eq!(
                s.state_json(state).unwrap(),
                super::super::device_state_json(&s.state(state).unwrap())
            );
            for event in events {
                let (new, applied) = s.apply(state, event).unwrap();
                assert_eq!(
                    s.apply_json(state, event).unwrap(),
                    super::super::applied_json(&new, applied),
                    "{state:?} {event}"
                );
            }
        }
        let written = s.state_json(states[2]).unwrap();
        assert!(written.contains(r#""reported":"v0001""#), "{written}");
        assert!(
            written.contains(r#""rolled_back":["2","v02"]"#),
            "{written}"
        );
    }

    const ROLLOUT: &str = r#"{"rollout": {"salt": "s", "schedule": {"stages": [
        {"fraction_ppm": 10000, "min_soak_secs": 60}, {"fraction_ppm": 1000000}]}}}"#;

    #[test]
    fn every_bad_input_has_its_code() {
        let code = |r: Result<Session, SessionError>| r.unwrap_err().code();
        assert_eq!(code(session("[")), "reconcile.invalid_json");
        assert_eq!(code(session(r#"{"polcy": {}}"#)), "reconcile.invalid_json");
        assert_eq!(
            code(session(
                r#"{"windows": [{"day": 9, "start_minute": 0, "duration_minutes": 5}]}"#
            )),
            "window.day"
        );
        assert_eq!(
            code(session(
                r#"{"rollout": {"salt": "s", "schedule": {"stages": []}}}"#
            )),
            "rollout.no_stages"
        );
        let s = session("{}").unwrap();
        assert_eq!(
            s.state_in(Some("{")).unwrap_err().code(),
            "reconcile.invalid_json"
        );
        assert_eq!(
            s.state_in(Some(r#"{"reported": "2.0.0"}"#))
                .unwrap_err()
                .code(),
            "version.malformed"
        );
        assert_eq!(
            s.event_in(r#"{"event": "nope"}"#).unwrap_err().code(),
            "reconcile.invalid_json"
        );
    }

    #[test]
    fn a_top_level_schema_string_is_skipped() {
        let s = session(
            r#"{"$schema": "../docs/schema/reconciler-options.schema.json", "job_ttl_secs": 60}"#,
        )
        .unwrap();
        assert_eq!(s.job_ttl_secs, 60);
        let code = |r: Result<Session, SessionError>| r.unwrap_err().code();
        assert_eq!(
            code(session(r#"{"$schema": 60}"#)),
            "reconcile.invalid_json"
        );
        assert_eq!(
            code(session(r#"{"policy": {"$schema": "x"}}"#)),
            "reconcile.invalid_json"
        );
    }

    #[test]
    fn rollout_calls_without_a_rollout_are_refused() {
        let mut s = session("{}").unwrap();
        let e = s.rollout_halt(5, "why").unwrap_err();
        assert_eq!(
            (e.code(), e.to_string().as_str()),
            (
                "reconcile.no_rollout",
                "rollout_halt: this reconciler has no rollout"
            )
        );
        assert_eq!(
            s.rollout_resume(5).unwrap_err().code(),
            "reconcile.no_rollout"
        );
        assert_eq!(
            s.rollout_advance(5).unwrap_err().code(),
            "reconcile.no_rollout"
        );
        assert!(s.rollout_state_json().is_none());
    }

    #[test]
    fn halt_resume_and_a_stored_state_round_trip() {
        let mut s = session(ROLLOUT).unwrap();
        assert!(!s.rollout_advance(59).unwrap());
        assert!(s.rollout_advance(60).unwrap());
        s.rollout_halt(70, "bad batch").unwrap();
        assert_eq!(
            s.rollout_halt(71, "again").unwrap_err().code(),
            "rollout.already_halted"
        );
        s.rollout_resume(80).unwrap();
        assert_eq!(
            s.rollout_resume(81).unwrap_err().code(),
            "rollout.not_halted"
        );
        // A stateless service stores the state and builds the next session from it.
        let stored = s.rollout_state_json().unwrap();
        let mut options: serde_json::Value = serde_json::from_str(ROLLOUT).unwrap();
        options["rollout_state"] = serde_json::from_str(&stored).unwrap();
        let again = session(&options.to_string()).unwrap();
        assert_eq!(again.rollout_state(), s.rollout_state());
        // A state of another rollout is refused.
        options["rollout_state"]["stats"] = serde_json::json!([]);
        let e = session(&options.to_string()).unwrap_err();
        assert_eq!(e.code(), "reconcile.rollout_state_mismatch");
        assert_eq!(
            e.to_string(),
            "rollout_state does not belong to this rollout: it counts 0 stages, the rollout has 2"
        );
        let e = session(&alloc::format!(r#"{{"rollout_state": {stored}}}"#)).unwrap_err();
        assert_eq!(e.code(), "reconcile.rollout_state_mismatch");
        options["rollout_state"] = serde_json::from_str(&stored).unwrap();
        options["rollout_started_at"] = serde_json::json!(5);
        assert_eq!(
            session(&options.to_string()).unwrap_err().code(),
            "reconcile.bad_option"
        );
    }
}
