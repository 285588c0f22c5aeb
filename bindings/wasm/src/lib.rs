//! `#[wasm_bindgen]` wrappers over `stepstone-js-glue`: the glue's [`glue::js_api!`] written
//! once for both backends. Errors become real JS `Error`s with a `code` property;
//! `js-api/api.js` turns them into `StepstoneError`.

#![deny(missing_docs)]

use glue::Fault;
use wasm_bindgen::prelude::*;

/// What a fallible wrapper returns.
type Result<T> = core::result::Result<T, JsValue>;

/// A `Uint8Array` argument, copied into the module's memory.
type Bytes = Vec<u8>;

fn fault(f: Fault) -> JsValue {
    let e = js_sys::Error::new(&f.message);
    // Setting a property on a fresh Error cannot fail.
    let _ = js_sys::Reflect::set(&e, &JsValue::from_str("code"), &JsValue::from_str(f.code));
    e.into()
}

glue::js_api!(wasm_bindgen);
