//! `#[napi]` wrappers over `stepstone-js-glue`: the glue's [`glue::js_api!`] written once for
//! both backends. Errors become JS `Error`s carrying the core's stable code; `js-api/api.js`
//! turns them into `StepstoneError`.

#![deny(missing_docs)]

use glue::Fault;
use napi_derive::napi;

// Spelled `Result` (not an alias): the `#[napi]` macro recognises fallible functions by that name.
use napi::Result;

/// A `Uint8Array` argument, borrowed from JS.
type Bytes = napi::bindgen_prelude::Uint8Array;

/// A 64-bit unsigned argument: a JS `bigint` from 0 to 2^64-1 (api.js checks it; anything else
/// is refused here too, never wrapped round).
struct U64(u64);

impl napi::bindgen_prelude::TypeName for U64 {
    fn type_name() -> &'static str {
        "BigInt"
    }
    fn value_type() -> napi::ValueType {
        napi::ValueType::BigInt
    }
}

impl napi::bindgen_prelude::FromNapiValue for U64 {
    unsafe fn from_napi_value(
        env: napi::sys::napi_env,
        value: napi::sys::napi_value,
    ) -> Result<U64> {
        // SAFETY: napi-rs's own conversion of the same `env` and `value` it was given.
        let big = unsafe { napi::bindgen_prelude::BigInt::from_napi_value(env, value) }.map_err(
            |_| {
                fault(Fault {
                    code: "js.bad_argument",
                    message: "a 64-bit argument must be a bigint".into(),
                })
            },
        )?;
        match big.get_u64() {
            (false, n, true) => Ok(U64(n)),
            _ => Err(fault(Fault {
                code: "js.bad_argument",
                message: "a 64-bit argument must be a bigint from 0 to 2^64-1".into(),
            })),
        }
    }
}

impl From<U64> for u64 {
    fn from(n: U64) -> u64 {
        n.0
    }
}

/// `#[napi]` functions throw `Error<Status>` only, so the code travels at the start of the
/// message as `[area.reason] `; `js-api/api.js` reads it back into `StepstoneError.code`.
fn fault(f: Fault) -> napi::Error {
    napi::Error::new(napi::Status::InvalidArg, f.prefixed())
}

glue::js_api!(napi);
