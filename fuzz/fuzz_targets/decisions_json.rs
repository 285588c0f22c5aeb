//! The JSON readers behind the decisions: retry policies, rollouts, halt rules and stage counts,
//! reconciler options, device states and events. The first byte picks the reader, the rest is
//! the text. Never a panic; every refusal carries its area's code; what loads writes JSON that
//! loads back to the same value; checked calls never answer "do not halt" for inconsistent
//! counts. Every reader is also compared with the serde derive it replaced: both accept the
//! same documents and read the same values, except where serde's derive takes a struct spelt
//! other than as an object (an internally tagged enum as an array, a nested tag as a number),
//! which the hand readers refuse.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use stepstone::ErrorCode;
use stepstone::campaign::CampaignTable;
use stepstone::catalog::Catalog;
use stepstone::plan::Cost;
use stepstone::reconcile::{Session, SessionOptions};
use stepstone::retry::{FailureKind, HopCounters, RetryDecision, RetryPolicy};
use stepstone::rollout::{HaltRule, Rollout, StageStats};
use stepstone::version::Scheme;

fn table() -> Arc<CampaignTable> {
    static TABLE: OnceLock<Arc<CampaignTable>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            let c = Catalog::from_json(
                r#"{"releases": [{"version": "v1"}, {"version": "v2", "min_sw_version": "v1"},
                   {"version": "v3", "min_sw_version": "v2"}]}"#,
            )
            .expect("the fixed catalog loads");
            let t = c.parse_version("v3").expect("v3");
            Arc::new(CampaignTable::build(&c, &t, None, None, Cost::Hops).expect("table"))
        })
        .clone()
}

/// Whether `original` spells a struct other than as an object where `canonical` (serde's
/// writing of what it read) has one.
fn looser_than_the_wire(original: &serde_json::Value, canonical: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (original, canonical) {
        (Value::Array(_), Value::Object(_)) | (Value::Number(_), Value::String(_)) => true,
        (Value::Object(o), Value::Object(c)) => {
            o.iter().any(|(k, v)| c.get(k).is_some_and(|w| looser_than_the_wire(v, w)))
        }
        (Value::Array(o), Value::Array(c)) => o.iter().zip(c).any(|(v, w)| looser_than_the_wire(v, w)),
        _ => false,
    }
}

/// The hand reader and the serde derive on `text`.
fn same<T: PartialEq + std::fmt::Debug + serde::Serialize>(
    text: &str,
    hand: fn(&str) -> Result<T, String>,
    serde: fn(&str) -> Result<T, String>,
) {
    match (hand(text), serde(text)) {
        (Ok(h), Ok(s)) => assert_eq!(h, s, "{text}"),
        (Err(_), Err(_)) => {}
        (Err(h), Ok(s)) => {
            let original: serde_json::Value = serde_json::from_str(text).expect("serde read it");
            let canonical = serde_json::to_value(&s).expect("writes");
            assert!(looser_than_the_wire(&original, &canonical), "{text:?}: hand {h:?}, serde {s:?}");
        }
        (h, s) => panic!("{text:?}: hand {h:?}, serde {s:?}"),
    }
}

fn area(code: &str, areas: &[&str]) -> bool {
    areas.iter().any(|a| code.starts_with(a))
}

fn numbers(data: &[u8]) -> impl Iterator<Item = u32> + '_ {
    data.chunks(4).map(|c| c.iter().fold(0u32, |n, b| n.rotate_left(8) ^ u32::from(*b)))
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    {
        use stepstone::reconcile::{hand_readers as hand, serde_readers as serde};
        match pick % 5 {
            0 => same(text, hand::retry_policy, serde::retry_policy),
            1 => same(text, hand::rollout, serde::rollout),
            2 => {
                same(text, hand::halt_rule, serde::halt_rule);
                same(text, hand::ramp, serde::ramp);
                same(text, hand::failure_counts, serde::failure_counts);
            }
            3 => same(text, hand::session_options, serde::session_options),
            _ => {
                same(text, hand::event, serde::event);
                same(text, hand::device_state, serde::device_state);
                let (state, event) = text.split_once('\n').unwrap_or(("{}", text));
                same(state, hand::device_state, serde::device_state);
                same(event, hand::event, serde::event);
            }
        }
    }
    match pick % 5 {
        0 => match RetryPolicy::from_json(text) {
            Ok(p) => {
                let again = RetryPolicy::from_json(&serde_json::to_string(&p).unwrap()).expect("own JSON");
                assert_eq!(again, p);
                let mut n = numbers(rest);
                for kind in FailureKind::ALL {
                    let c = HopCounters::from_pairs(n.next().unwrap_or(1), [(kind, n.next().unwrap_or(1))])
                        .expect("one kind once");
                    let now = u64::from(n.next().unwrap_or(0));
                    match p.after_failure(&c, kind, c.attempts, 0, now, rest, b"hop").expect("0 is no later than any time") {
                        RetryDecision::RetryAt(t) => assert!(t >= now, "a retry is not in the past"),
                        RetryDecision::GiveUp(g) => assert!(g.code().starts_with("retry.")),
                    }
                }
            }
            Err(e) => assert!(area(e.code(), &["retry."]), "{}", e.code()),
        },
        1 => match Rollout::from_json(text) {
            Ok(r) => {
                let again = Rollout::from_json(&serde_json::to_string(&r).unwrap()).expect("own JSON");
                assert_eq!(again, r);
                let mut n = numbers(rest);
                let mut state = r.start(0);
                let _ = r.advance(&mut state, u64::from(n.next().unwrap_or(0)));
                let stage = n.next().unwrap_or(0) % 4;
                let stats = StageStats { finished: n.next().unwrap_or(0), failed: n.next().unwrap_or(0) };
                match r.trips_checked(stage, stats) {
                    Ok(_) => assert!(stats.failed <= stats.finished && (stage as usize) < r.stage_count()),
                    Err(e) => assert!(area(e.code(), &["rollout."])),
                }
                assert!((r.stage_of(u64::from(stage)) as usize) < r.stage_count());
            }
            Err(e) => assert!(area(e.code(), &["rollout."]), "{}", e.code()),
        },
        2 => {
            let (rule, stats) = text.split_once('\n').unwrap_or((text, ""));
            let rule = HaltRule::from_json(rule);
            let stats = StageStats::from_json(stats);
            if let Err(e) = &rule {
                assert!(area(e.code(), &["rollout."]));
            }
            if let Err(e) = &stats {
                assert!(area(e.code(), &["rollout."]));
            }
            if let (Ok(rule), Ok(stats)) = (rule, stats) {
                assert!(stats.failed <= stats.finished, "from_json checks the counts");
                let _ = rule.trips(0, stats).expect("a checked rule and checked counts answer");
            }
        }
        3 => match SessionOptions::from_json(text).and_then(|o| Session::new(table(), Scheme::Integer, o)) {
            Ok(mut s) => {
                let state = r#"{"reported": "v1", "device_seq": 1}"#;
                s.decide_json(rest, Some(state), u64::from(numbers(rest).next().unwrap_or(0)))
                    .expect("a fixed valid state decides");
                match s.rollout_advance(1) {
                    Ok(_) => assert!(s.rollout_state().is_some()),
                    Err(e) => assert_eq!(e.code(), "reconcile.no_rollout"),
                }
            }
            Err(e) => assert!(
                area(e.code(), &["reconcile.", "retry.", "rollout.", "window."]),
                "{}",
                e.code()
            ),
        },
        _ => {
            let s = Session::new(table(), Scheme::Integer, SessionOptions::default()).expect("defaults");
            let (state, event) = text.split_once('\n').unwrap_or(("{}", text));
            match s.apply(Some(state), event) {
                Ok((next, applied)) => {
                    let next = serde_json::to_string(&next).unwrap();
                    if !applied.changed() {
                        assert_eq!(next, s.state_json(Some(state)).unwrap(), "an ignored event changes nothing");
                    }
                    s.decide_json(b"d", Some(&next), 0).expect("a state apply wrote decides");
                }
                Err(e) => assert!(area(e.code(), &["reconcile.", "version."]), "{}", e.code()),
            }
        }
    }
});
