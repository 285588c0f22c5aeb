//! `#[wasm_bindgen]` wrappers over `stepstone-js-glue`: the glue's `js_api_*!` areas written
//! once for both backends. Errors become real JS `Error`s whose message starts with the code
//! (`[area.reason] message`, as the Node addon throws them); `js-api/api.js` turns them into
//! `StepstoneError`.
//!
//! Each area is a cargo feature (all on by default: the whole package's module). The per-area
//! entry points of the npm package (`stepstone-wasm/plan`, `/verify`, `/sample`, `/rollout`) load
//! modules built with one feature each (`--no-default-features --features plan`, ...), so a
//! page that only samples downloads only the sampling code. The `rollout` module has no catalog
//! or planner: its reconciler takes a campaign table's wire form (`Campaign.toTable()`).

#![deny(missing_docs)]

use wasm_bindgen::prelude::*;

/// The heap of the modules with catalogs, signatures or the reconciler (the whole package,
/// `plan`, `verify`, `rollout`): Talc, growing the module's memory as it needs (smaller than
/// std's dlmalloc, and fast with the many allocations of a 10,000-release catalog; the modules
/// are single-threaded, built without `atomics`).
#[cfg(all(
    not(target_feature = "atomics"),
    target_family = "wasm",
    any(feature = "plan", feature = "verify", feature = "rollout")
))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The heap of the `sample` module (and of a module with no area): lol_alloc's free-list
/// allocator, about 0.8 KB less code than Talc. It frees and coalesces, in time linear in the
/// free list's length, which stays short for the few, small allocations of a sampling call (a
/// plan, a message); `bindings/js-tests/test/memory.test.js` checks that a long-lived page's
/// memory stays bounded.
#[cfg(all(
    not(target_feature = "atomics"),
    target_family = "wasm",
    not(any(feature = "plan", feature = "verify", feature = "rollout"))
))]
#[global_allocator]
static LOL: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: the module is built without `atomics` (the cfg above): one thread allocates.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

/// Floats in error messages (`bug_hours must be a finite number above 0, got -1.5e-7`) are
/// written from the JavaScript engine's own shortest digits: `String(x)` (ECMA-262's
/// Number::toString) gives the same digits as zmij, which the core lays out as zmij does
/// (core feature `host-floats`). Registered once, when the module starts. Only in the `sample`
/// module (feature `sample`): the modules with catalogs or the reconciler write JSON floats
/// with zmij anyway, so there the layout would be code added, not removed.
#[cfg(all(target_family = "wasm", feature = "sample"))]
mod host_numbers {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// JavaScript's `String(x)` for a number: its shortest round-trip text.
        #[wasm_bindgen(js_name = String)]
        fn js_number_text(x: f64) -> String;
    }

    /// Runs when the module is instantiated (wasm-bindgen's `__wbindgen_start`).
    #[wasm_bindgen(start)]
    fn start() {
        stepstone::error::set_host_number_text(js_number_text);
    }
}

/// How values and errors cross, for the areas' wrappers (a module with no area, only
/// `version()`, needs none of it).
#[cfg(any(
    feature = "plan",
    feature = "sample-api",
    feature = "verify",
    feature = "rollout"
))]
mod crossing {
    use glue::Fault;
    use wasm_bindgen::JsValue;

    /// What a fallible wrapper returns.
    pub(crate) type Result<T> = core::result::Result<T, JsValue>;

    /// A `Uint8Array` argument, copied into the module's memory.
    pub(crate) type Bytes = Vec<u8>;

    /// A 64-bit unsigned argument: a JS `bigint` (api.js checked its range), as wasm-bindgen
    /// passes it, with no text to parse (the `sample` area and `isBelow` take them).
    #[cfg(any(feature = "sample-api", feature = "rollout"))]
    pub(crate) type U64 = u64;

    /// A glue error as a JS `Error` whose message is `[code] message` (as the Node addon
    /// throws it; `js-api/api.js` reads the code back): one import, no property set from here.
    pub(crate) fn fault(f: Fault) -> JsValue {
        wasm_bindgen::JsError::new(&f.prefixed()).into()
    }
}
#[cfg(any(feature = "sample-api", feature = "rollout"))]
use crossing::U64;
#[cfg(any(
    feature = "plan",
    feature = "sample-api",
    feature = "verify",
    feature = "rollout"
))]
use crossing::{Bytes, Result, fault};

glue::js_api_version!(wasm_bindgen);
#[cfg(feature = "plan")]
glue::js_api_plan!(wasm_bindgen);
#[cfg(feature = "sample-api")]
glue::js_api_sample!(wasm_bindgen);
#[cfg(any(feature = "sample-api", feature = "rollout"))]
glue::js_api_below!(wasm_bindgen);
#[cfg(feature = "verify")]
glue::js_api_verify!(wasm_bindgen);
#[cfg(feature = "rollout")]
glue::js_api_rollout!(wasm_bindgen);
#[cfg(all(feature = "plan", feature = "rollout"))]
glue::js_api_rollout_campaign!(wasm_bindgen);
