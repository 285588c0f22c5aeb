//! `#[napi]` wrappers over `stepstone-js-glue`, one to one (the same shape as the WASM
//! crate). Errors become JS `Error`s carrying the core's stable code; `js/api.js` turns them
//! into `StepstoneError`.

#![deny(missing_docs)]

use glue::{Fault, QueryArgs};
use napi::bindgen_prelude::Uint8Array;
use napi_derive::napi;

// Spelled `Result` (not an alias): the `#[napi]` macro recognises fallible functions by that name.
use napi::Result;

/// `#[napi]` functions throw `Error<Status>` only, so the code travels at the start of the
/// message as `[area.reason] `; `js/api.js` reads it back into `StepstoneError.code`.
fn fault(f: Fault) -> napi::Error {
    napi::Error::new(
        napi::Status::InvalidArg,
        format!("[{}] {}", f.code, f.message),
    )
}

fn q(
    from: String,
    to: String,
    cost: Option<String>,
    model: Option<String>,
    environment: Option<String>,
    allow_downgrade: Option<bool>,
) -> QueryArgs {
    QueryArgs {
        from,
        to,
        cost,
        model,
        environment,
        allow_downgrade: allow_downgrade.unwrap_or(false),
    }
}

/// The crate version (and the cheapest call).
#[napi]
pub fn version() -> String {
    glue::version().into()
}

/// Every error of a catalog text, as JSON.
#[napi]
pub fn validate(text: String) -> String {
    glue::validate(&text)
}

/// A loaded catalog.
#[napi]
pub struct Catalog(glue::Catalog);

#[napi]
impl Catalog {
    /// Number of releases.
    #[napi]
    pub fn release_count(&self) -> u32 {
        self.0.release_count() as u32
    }
    /// Scheme name.
    #[napi]
    pub fn scheme(&self) -> String {
        self.0.scheme().into()
    }
    /// Canonical JSON.
    #[napi]
    pub fn to_json(&self) -> String {
        self.0.to_json()
    }
    /// Best path, JSON.
    #[napi]
    pub fn plan(
        &self,
        from: String,
        to: String,
        cost: Option<String>,
        model: Option<String>,
        environment: Option<String>,
        allow_downgrade: Option<bool>,
    ) -> Result<String> {
        self.0
            .plan(&q(from, to, cost, model, environment, allow_downgrade))
            .map_err(fault)
    }
    /// First hop.
    #[napi]
    pub fn next_hop(
        &self,
        from: String,
        to: String,
        cost: Option<String>,
        model: Option<String>,
        environment: Option<String>,
        allow_downgrade: Option<bool>,
    ) -> Result<Option<String>> {
        self.0
            .next_hop(&q(from, to, cost, model, environment, allow_downgrade))
            .map_err(fault)
    }
    /// Every release's verdict, JSON.
    #[napi]
    pub fn explain(
        &self,
        from: String,
        to: String,
        cost: Option<String>,
        model: Option<String>,
        environment: Option<String>,
        allow_downgrade: Option<bool>,
    ) -> Result<String> {
        self.0
            .explain(&q(from, to, cost, model, environment, allow_downgrade))
            .map_err(fault)
    }
    /// Lint warnings, JSON.
    #[napi]
    pub fn lint(&self) -> String {
        self.0.lint()
    }
    /// Upgrade graph, JSON.
    #[napi]
    pub fn graph(&self, model: Option<String>, environment: Option<String>) -> String {
        self.0.graph(model.as_deref(), environment.as_deref())
    }
    /// Upgrade graph as DOT or Mermaid text.
    #[napi]
    pub fn render(
        &self,
        model: Option<String>,
        environment: Option<String>,
        format: String,
    ) -> String {
        self.0
            .render(model.as_deref(), environment.as_deref(), &format)
    }
}

/// A campaign table.
#[napi]
pub struct Campaign(glue::Campaign);

#[napi]
impl Campaign {
    /// Next hop from a version.
    #[napi]
    pub fn next_hop(&self, version: String) -> Result<Option<String>> {
        self.0.next_hop(&version).map_err(fault)
    }
    /// The target.
    #[napi]
    pub fn target(&self) -> String {
        self.0.target()
    }
    /// Intervals in the table.
    #[napi]
    pub fn size(&self) -> u32 {
        self.0.len() as u32
    }
}

/// A sampling plan.
#[napi]
pub struct Sampling(glue::Sampling);

#[napi]
impl Sampling {
    /// Rate of a class, ppm.
    #[napi]
    pub fn rate(&self, class: String) -> Result<u32> {
        self.0.rate(&class).map_err(fault)
    }
    /// Period of a time.
    #[napi]
    pub fn period_at(&self, unix_seconds: String) -> Result<String> {
        self.0.period_at(&unix_seconds).map_err(fault)
    }
    /// Position, hex.
    #[napi]
    pub fn position(&self, device_id: Uint8Array, class: String, period: String) -> Result<String> {
        self.0.position(&device_id, &class, &period).map_err(fault)
    }
    /// Whether sampled.
    #[napi]
    pub fn is_sampled(&self, device_id: Uint8Array, class: String, period: String) -> Result<bool> {
        self.0
            .is_sampled(&device_id, &class, &period)
            .map_err(fault)
    }
}

/// Sampling position, hex.
#[napi]
pub fn position(
    salt: Uint8Array,
    device_id: Uint8Array,
    period: String,
    class: String,
) -> Result<String> {
    glue::position(&salt, &device_id, &period, &class).map_err(fault)
}

/// Whether a position is below a rate.
#[napi]
pub fn is_below(position: String, rate_ppm: u32) -> Result<bool> {
    glue::is_below(&position, rate_ppm).map_err(fault)
}

/// Period index.
#[napi]
pub fn period_index(
    unix_seconds: String,
    period_seconds: String,
    offset_seconds: String,
) -> Result<Option<String>> {
    glue::period_index(&unix_seconds, &period_seconds, &offset_seconds).map_err(fault)
}

/// Bug estimate, JSON.
#[napi]
pub fn estimate(fleet: f64, rate_ppm: u32, bug_hours: f64, window_hours: f64) -> Result<String> {
    glue::estimate(fleet, rate_ppm, bug_hours, window_hours).map_err(fault)
}

/// Smallest rate.
#[napi]
pub fn smallest_rate(
    fleet: f64,
    bug_hours: f64,
    window_hours: f64,
    probability: f64,
) -> Result<Option<u32>> {
    glue::smallest_rate(fleet, bug_hours, window_hours, probability).map_err(fault)
}

/// Data volume, JSON.
#[napi]
pub fn volume(
    fleet: f64,
    rate_ppm: u32,
    items: f64,
    bytes_per_item: f64,
    samples_per_day: f64,
    retention_days: f64,
) -> Result<String> {
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
#[napi]
pub fn load_catalog(text: String) -> Result<Catalog> {
    glue::Catalog::load(&text).map(Catalog).map_err(fault)
}

/// Builds the table.
#[napi]
pub fn build_campaign(
    catalog: &Catalog,
    target: String,
    model: Option<String>,
    environment: Option<String>,
    cost: Option<String>,
    allow_downgrade: Option<bool>,
) -> Result<Campaign> {
    glue::Campaign::build(
        &catalog.0,
        &target,
        model.as_deref(),
        environment.as_deref(),
        cost.as_deref(),
        allow_downgrade.unwrap_or(false),
    )
    .map(Campaign)
    .map_err(fault)
}

/// Reads a plan from JSON.
#[napi]
pub fn sampling_from_json(text: String) -> Result<Sampling> {
    glue::Sampling::from_json(&text)
        .map(Sampling)
        .map_err(fault)
}

/// A streamed image verification.
#[napi]
pub struct Verifier(glue::Verifier);

#[napi]
impl Verifier {
    /// Feeds the next chunk.
    #[napi]
    pub fn update(&mut self, chunk: Uint8Array) -> Result<()> {
        self.0.update(&chunk).map_err(fault)
    }
    /// Checks the signature, JSON.
    #[napi]
    pub fn finish(&mut self, signature: Uint8Array) -> Result<String> {
        self.0.finish(&signature).map_err(fault)
    }
}

/// Starts a streamed verification with a public key.
#[napi]
pub fn new_verifier(key: Uint8Array) -> Result<Verifier> {
    glue::Verifier::new(&key).map(Verifier).map_err(fault)
}

/// A staged rollout.
#[napi]
pub struct Rollout(glue::Rollout);

#[napi]
impl Rollout {
    /// Position, hex.
    #[napi]
    pub fn position(&self, device_id: Uint8Array) -> String {
        self.0.position(&device_id)
    }
    /// Stage of a position.
    #[napi]
    pub fn stage_of(&self, position: String) -> Result<u32> {
        self.0.stage_of(&position).map_err(fault)
    }
}

/// Reads a rollout from JSON.
#[napi]
pub fn rollout_from_json(text: String) -> Result<Rollout> {
    glue::Rollout::from_json(&text).map(Rollout).map_err(fault)
}

/// A manifest checked for a device; the image is streamed against it.
#[napi]
pub struct ManifestCheck(glue::ManifestCheck);

#[napi]
impl ManifestCheck {
    /// Bytes still expected.
    #[napi]
    pub fn remaining(&self) -> f64 {
        self.0.remaining() as f64
    }
    /// Feeds the next chunk.
    #[napi]
    pub fn update(&mut self, chunk: Uint8Array) -> Result<()> {
        self.0.update(&chunk).map_err(fault)
    }
    /// Checks size and digest, JSON.
    #[napi]
    pub fn finish(&mut self) -> Result<String> {
        self.0.finish().map_err(fault)
    }
}

/// Verifies a signed manifest and checks it suits the device.
#[allow(clippy::too_many_arguments)]
#[napi]
pub fn new_manifest_check(
    key: Uint8Array,
    manifest: Uint8Array,
    signature: Uint8Array,
    model: String,
    environment: String,
    current_version: String,
    counter: String,
    now: String,
) -> Result<ManifestCheck> {
    let device = glue::DeviceArgs {
        model,
        environment,
        current_version,
        counter,
        now,
    };
    glue::ManifestCheck::new(&key, &manifest, &signature, &device)
        .map(ManifestCheck)
        .map_err(fault)
}
