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

/// `#[napi]` functions throw `Error<Status>` only, so the code travels at the start of the
/// message as `[area.reason] `; `js-api/api.js` reads it back into `StepstoneError.code`.
fn fault(f: Fault) -> napi::Error {
    napi::Error::new(
        napi::Status::InvalidArg,
        format!("[{}] {}", f.code, f.message),
    )
}

glue::js_api!(napi);
