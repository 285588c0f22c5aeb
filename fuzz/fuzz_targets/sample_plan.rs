//! The documents core reads by hand (`json_read`), from arbitrary bytes. Sampling plans: never
//! panic; text that is not JSON is `sample.invalid_json`; a plan that loads writes JSON that
//! loads back to the same plan, and its decisions agree with the bare functions. A signed
//! catalog's stored state (`CatalogState::from_json`): accepted exactly when serde's derive
//! accepts it, with the same value. A float a message names (the first 8 bytes as a double's
//! bits) is written as `zmij` writes it (whole numbers below 2^53 as integers).
#![no_main]

use libfuzzer_sys::fuzz_target;
use stepstone::ErrorCode;
use stepstone::sample::{SampleError, SamplingPlan, is_sampled, parse_rate};
use stepstone::signed_catalog::compact::CatalogState;

fuzz_target!(|data: &[u8]| {
    if let Some(bits) = data.get(..8) {
        let x = f64::from_bits(u64::from_le_bytes(bits.try_into().expect("8 bytes")));
        let want = if x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 {
            (x as i64).to_string()
        } else {
            zmij::Buffer::new().format(x).to_string()
        };
        let got = SampleError::bad_number("x", "y", x).to_string();
        assert_eq!(got, format!("x must be y, got {want}"), "{x:e} ({:#x})", x.to_bits());
    }
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = parse_rate(text);
    match SamplingPlan::from_json(text) {
        Ok(plan) => {
            let again = SamplingPlan::from_json(&plan.to_json()).expect("a plan's own JSON loads");
            assert_eq!(again, plan);
            let period = plan.period_at(u64::from(data.len() as u32) * 86_400).unwrap_or(0);
            for class in plan.classes() {
                let got = plan.is_sampled(data, &class.name, period).expect("the plan has this class");
                assert_eq!(got, is_sampled(plan.salt().as_bytes(), data, period, &class.name, class.rate_ppm));
            }
        }
        Err(e) => {
            assert!(e.code().starts_with("sample."));
            if serde_json::from_str::<serde_json::Value>(text).is_err() {
                assert_eq!(e.code(), "sample.invalid_json", "{text:?}: {e}");
            }
        }
    }
    let ours = CatalogState::from_json(text);
    let serde = serde_json::from_str::<CatalogState>(text);
    assert_eq!(ours.as_ref().ok(), serde.as_ref().ok(), "{text:?}: {ours:?} / {serde:?}");
});
