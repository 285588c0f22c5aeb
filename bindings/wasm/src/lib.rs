//! `#[wasm_bindgen]` wrappers over `stepstone-js-glue`, one to one. Errors become real JS
//! `Error`s with a `code` property; `js/api.js` turns them into `StepstoneError`.

#![deny(missing_docs)]

use glue::{Fault, QueryArgs};
use wasm_bindgen::prelude::*;

type R<T> = Result<T, JsValue>;

fn fault(f: Fault) -> JsValue {
    let e = js_sys::Error::new(&f.message);
    // Setting a property on a fresh Error cannot fail.
    let _ = js_sys::Reflect::set(&e, &JsValue::from_str("code"), &JsValue::from_str(f.code));
    e.into()
}

fn q(
    from: String,
    to: String,
    cost: Option<String>,
    model: Option<String>,
    environment: Option<String>,
    allow_downgrade: bool,
) -> QueryArgs {
    QueryArgs {
        from,
        to,
        cost,
        model,
        environment,
        allow_downgrade,
    }
}

/// The crate version (and the cheapest call).
#[wasm_bindgen]
pub fn version() -> String {
    glue::version().into()
}

/// Every error of a catalog text, as JSON.
#[wasm_bindgen]
pub fn validate(text: &str) -> String {
    glue::validate(text)
}

/// A loaded catalog.
#[wasm_bindgen]
pub struct Catalog(glue::Catalog);

#[wasm_bindgen]
impl Catalog {
    /// Number of releases.
    #[wasm_bindgen(js_name = releaseCount)]
    pub fn release_count(&self) -> usize {
        self.0.release_count()
    }
    /// Scheme name.
    pub fn scheme(&self) -> String {
        self.0.scheme().into()
    }
    /// Canonical JSON.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        self.0.to_json()
    }
    /// Best path, JSON.
    pub fn plan(
        &self,
        from: String,
        to: String,
        cost: Option<String>,
        model: Option<String>,
        environment: Option<String>,
        allow_downgrade: bool,
    ) -> R<String> {
        self.0
            .plan(&q(from, to, cost, model, environment, allow_downgrade))
            .map_err(fault)
    }
    /// First hop.
    #[wasm_bindgen(js_name = nextHop)]
    pub fn next_hop(
        &self,
        from: String,
        to: String,
        cost: Option<String>,
        model: Option<String>,
        environment: Option<String>,
        allow_downgrade: bool,
    ) -> R<Option<String>> {
        self.0
            .next_hop(&q(from, to, cost, model, environment, allow_downgrade))
            .map_err(fault)
    }
    /// Every release's verdict, JSON.
    pub fn explain(
        &self,
        from: String,
        to: String,
        cost: Option<String>,
        model: Option<String>,
        environment: Option<String>,
        allow_downgrade: bool,
    ) -> R<String> {
        self.0
            .explain(&q(from, to, cost, model, environment, allow_downgrade))
            .map_err(fault)
    }
    /// Lint warnings, JSON.
    pub fn lint(&self) -> String {
        self.0.lint()
    }
    /// Upgrade graph, JSON.
    pub fn graph(&self, model: Option<String>, environment: Option<String>) -> String {
        self.0.graph(model.as_deref(), environment.as_deref())
    }
    /// Upgrade graph as DOT or Mermaid text.
    pub fn render(
        &self,
        model: Option<String>,
        environment: Option<String>,
        format: &str,
    ) -> String {
        self.0
            .render(model.as_deref(), environment.as_deref(), format)
    }
}

/// A campaign table.
#[wasm_bindgen]
pub struct Campaign(glue::Campaign);

#[wasm_bindgen]
impl Campaign {
    /// Next hop from a version.
    #[wasm_bindgen(js_name = nextHop)]
    pub fn next_hop(&self, version: &str) -> R<Option<String>> {
        self.0.next_hop(version).map_err(fault)
    }
    /// The target.
    pub fn target(&self) -> String {
        self.0.target()
    }
    /// Intervals in the table.
    pub fn size(&self) -> usize {
        self.0.len()
    }
}

/// A sampling plan.
#[wasm_bindgen]
pub struct Sampling(glue::Sampling);

#[wasm_bindgen]
impl Sampling {
    /// Rate of a class, ppm.
    pub fn rate(&self, class: &str) -> R<u32> {
        self.0.rate(class).map_err(fault)
    }
    /// Period of a time.
    #[wasm_bindgen(js_name = periodAt)]
    pub fn period_at(&self, unix_seconds: &str) -> R<String> {
        self.0.period_at(unix_seconds).map_err(fault)
    }
    /// Position, hex.
    pub fn position(&self, device_id: &[u8], class: &str, period: &str) -> R<String> {
        self.0.position(device_id, class, period).map_err(fault)
    }
    /// Whether sampled.
    #[wasm_bindgen(js_name = isSampled)]
    pub fn is_sampled(&self, device_id: &[u8], class: &str, period: &str) -> R<bool> {
        self.0.is_sampled(device_id, class, period).map_err(fault)
    }
}

/// Sampling position, hex.
#[wasm_bindgen]
pub fn position(salt: &[u8], device_id: &[u8], period: &str, class: &str) -> R<String> {
    glue::position(salt, device_id, period, class).map_err(fault)
}

/// Whether a position is below a rate.
#[wasm_bindgen(js_name = isBelow)]
pub fn is_below(position: &str, rate_ppm: u32) -> R<bool> {
    glue::is_below(position, rate_ppm).map_err(fault)
}

/// Period index.
#[wasm_bindgen(js_name = periodIndex)]
pub fn period_index(
    unix_seconds: &str,
    period_seconds: &str,
    offset_seconds: &str,
) -> R<Option<String>> {
    glue::period_index(unix_seconds, period_seconds, offset_seconds).map_err(fault)
}

/// Bug estimate, JSON.
#[wasm_bindgen]
pub fn estimate(fleet: f64, rate_ppm: u32, bug_hours: f64, window_hours: f64) -> R<String> {
    glue::estimate(fleet, rate_ppm, bug_hours, window_hours).map_err(fault)
}

/// Smallest rate.
#[wasm_bindgen(js_name = smallestRate)]
pub fn smallest_rate(
    fleet: f64,
    bug_hours: f64,
    window_hours: f64,
    probability: f64,
) -> R<Option<u32>> {
    glue::smallest_rate(fleet, bug_hours, window_hours, probability).map_err(fault)
}

/// Data volume, JSON.
#[wasm_bindgen]
pub fn volume(
    fleet: f64,
    rate_ppm: u32,
    items: f64,
    bytes_per_item: f64,
    samples_per_day: f64,
    retention_days: f64,
) -> R<String> {
    glue::volume(
        fleet,
        rate_ppm,
        items,
        bytes_per_item,
        samples_per_day,
        retention_days,
    )
    .map_err(fault)
}

/// Loads catalog JSON.
#[wasm_bindgen(js_name = loadCatalog)]
pub fn load_catalog(text: &str) -> R<Catalog> {
    glue::Catalog::load(text).map(Catalog).map_err(fault)
}

/// Builds the table.
#[wasm_bindgen(js_name = buildCampaign)]
pub fn build_campaign(
    catalog: &Catalog,
    target: &str,
    model: Option<String>,
    environment: Option<String>,
    cost: Option<String>,
    allow_downgrade: bool,
) -> R<Campaign> {
    glue::Campaign::build(
        &catalog.0,
        target,
        model.as_deref(),
        environment.as_deref(),
        cost.as_deref(),
        allow_downgrade,
    )
    .map(Campaign)
    .map_err(fault)
}

/// Reads a plan from JSON.
#[wasm_bindgen(js_name = samplingFromJson)]
pub fn sampling_from_json(text: &str) -> R<Sampling> {
    glue::Sampling::from_json(text).map(Sampling).map_err(fault)
}

/// A streamed image verification.
#[wasm_bindgen]
pub struct Verifier(glue::Verifier);

#[wasm_bindgen]
impl Verifier {
    /// Feeds the next chunk.
    pub fn update(&mut self, chunk: &[u8]) -> R<()> {
        self.0.update(chunk).map_err(fault)
    }
    /// Checks the signature, JSON.
    pub fn finish(&mut self, signature: &[u8]) -> R<String> {
        self.0.finish(signature).map_err(fault)
    }
}

/// Starts a streamed verification with a public key.
#[wasm_bindgen(js_name = newVerifier)]
pub fn new_verifier(key: &[u8]) -> R<Verifier> {
    glue::Verifier::new(key).map(Verifier).map_err(fault)
}

/// A staged rollout.
#[wasm_bindgen]
pub struct Rollout(glue::Rollout);

#[wasm_bindgen]
impl Rollout {
    /// Position, hex.
    pub fn position(&self, device_id: &[u8]) -> String {
        self.0.position(device_id)
    }
    /// Stage of a position.
    #[wasm_bindgen(js_name = stageOf)]
    pub fn stage_of(&self, position: &str) -> R<u32> {
        self.0.stage_of(position).map_err(fault)
    }
}

/// Reads a rollout from JSON.
#[wasm_bindgen(js_name = rolloutFromJson)]
pub fn rollout_from_json(text: &str) -> R<Rollout> {
    glue::Rollout::from_json(text).map(Rollout).map_err(fault)
}

/// A manifest checked for a device; the image is streamed against it.
#[wasm_bindgen]
pub struct ManifestCheck(glue::ManifestCheck);

#[wasm_bindgen]
impl ManifestCheck {
    /// Bytes still expected.
    pub fn remaining(&self) -> f64 {
        self.0.remaining() as f64
    }
    /// Feeds the next chunk.
    pub fn update(&mut self, chunk: &[u8]) -> R<()> {
        self.0.update(chunk).map_err(fault)
    }
    /// Checks size and digest, JSON.
    pub fn finish(&mut self) -> R<String> {
        self.0.finish().map_err(fault)
    }
}

/// Verifies a signed manifest and checks it suits the device.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = newManifestCheck)]
pub fn new_manifest_check(
    key: &[u8],
    manifest: &[u8],
    signature: &[u8],
    model: String,
    environment: String,
    current_version: String,
    counter: String,
    now: String,
) -> R<ManifestCheck> {
    let device = glue::DeviceArgs {
        model,
        environment,
        current_version,
        counter,
        now,
    };
    glue::ManifestCheck::new(key, manifest, signature, &device)
        .map(ManifestCheck)
        .map_err(fault)
}
