//! The glue the WASM package and the Node addon share.
//!
//! Every function here only converts: JS-friendly types in (strings, numbers, bytes), the
//! core's answer out (plain values, or JSON text the TypeScript layer parses), errors as
//! [`Fault`] (the core's stable code and its message). `bindings/wasm` and `bindings/node`
//! wrap these one to one with `#[wasm_bindgen]` and `#[napi]`; neither holds logic.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::sync::Arc;

use stepstone::ErrorCode;
use stepstone::campaign::CampaignTable;
use stepstone::catalog::Catalog as CoreCatalog;
use stepstone::plan::{Cost, Query};
use stepstone::sample::{self, SampleError, SamplingPlan};
use stepstone::version::{Scheme, Version};

/// An error crossing into JS: the core's stable code and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// `area.reason`, as the core names it.
    pub code: &'static str,
    /// The core's message.
    pub message: String,
}

impl<E: ErrorCode + core::fmt::Display> From<E> for Fault {
    fn from(e: E) -> Fault {
        Fault {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

impl Fault {
    /// A core error as a fault, its message built by the core without `core::fmt`
    /// ([`ErrorMessage`](stepstone::error::ErrorMessage); the same text as `to_string`), so a
    /// WASM module whose errors all cross this way links no formatting machinery.
    pub fn of<E: stepstone::error::ErrorMessage>(e: E) -> Fault {
        Fault {
            code: e.code(),
            message: e.message(),
        }
    }

    /// The error as one text, `[area.reason] message`: how both backends throw it (a JS
    /// `Error` with this message; `js-api/api.js` reads the code back into
    /// `StepstoneError.code`), built without `core::fmt`.
    ///
    /// ```
    /// let f = stepstone_js_glue::Fault { code: "sample.bad_input", message: "x must be y".into() };
    /// assert_eq!(f.prefixed(), "[sample.bad_input] x must be y");
    /// ```
    pub fn prefixed(&self) -> String {
        let mut m = String::with_capacity(self.code.len() + 3 + self.message.len());
        m.push('[');
        m.push_str(self.code);
        m.push_str("] ");
        m.push_str(&self.message);
        m
    }
}

/// Result of a glue call.
pub type Res<T> = Result<T, Fault>;

mod api;
mod reconcile;
mod retry;
mod rollout;
mod signed_catalog;

pub use reconcile::Reconciler;
pub use retry::{RetryPolicy, jitter_hash};
pub use rollout::{Rollout, halt_trips, ramp_fraction, rollout_position, wilson_lower_above};
pub use signed_catalog::{CatalogKeys, open_compact_catalog};

/// The crate version, also the cheapest possible call (per-call overhead benchmarks).
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// A planning query as JS passes it: every field plain.
#[derive(Debug, Clone, Default)]
pub struct QueryArgs {
    /// Current version.
    pub from: String,
    /// Target version.
    pub to: String,
    /// `"hops"` (default) or `"bytes"`.
    pub cost: Option<String>,
    /// Device model.
    pub model: Option<String>,
    /// Device environment.
    pub environment: Option<String>,
    /// Allow going down to the target.
    pub allow_downgrade: bool,
}

impl QueryArgs {
    /// A query from the values JS passes (`allow_downgrade` absent: false).
    pub fn new(
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
}

fn cost(text: Option<&str>) -> Res<Cost> {
    text.map_or(Ok(Cost::Hops), str::parse).map_err(Fault::of)
}

/// A loaded, valid catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    inner: CoreCatalog,
}

impl Catalog {
    /// Loads catalog JSON; the first error's code on failure (all of them: [`validate`]).
    pub fn load(text: &str) -> Res<Catalog> {
        Ok(Catalog {
            inner: CoreCatalog::from_json(text).map_err(Fault::of)?,
        })
    }

    /// Loads catalog JSON given as bytes (UTF-8; `catalog.json` when it is not).
    pub fn load_bytes(bytes: &[u8]) -> Res<Catalog> {
        Ok(Catalog {
            inner: CoreCatalog::from_json_bytes(bytes).map_err(Fault::of)?,
        })
    }

    /// Number of releases.
    pub fn release_count(&self) -> usize {
        self.inner.releases().len()
    }

    /// The version scheme's name.
    pub fn scheme(&self) -> &'static str {
        self.inner.scheme().name()
    }

    /// The catalog as canonical JSON.
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    fn query(&self, q: &QueryArgs) -> Res<Query> {
        let mut query = Query::new(
            self.inner.parse_version(&q.from).map_err(Fault::of)?,
            self.inner.parse_version(&q.to).map_err(Fault::of)?,
        )
        .allow_downgrade(q.allow_downgrade)
        .cost(cost(q.cost.as_deref())?);
        query.model = q.model.clone();
        query.environment = q.environment.clone();
        Ok(query)
    }

    /// The best path, as JSON (`{path, hops, bytes, steps}`).
    pub fn plan(&self, q: &QueryArgs) -> Res<String> {
        let plan = stepstone::plan::plan(&self.inner, &self.query(q)?).map_err(Fault::of)?;
        Ok(plan.to_json())
    }

    /// The first release to install (`None`: already there).
    pub fn next_hop(&self, q: &QueryArgs) -> Res<Option<String>> {
        let hop = stepstone::plan::next_hop(&self.inner, &self.query(q)?).map_err(Fault::of)?;
        Ok(hop.map(|v| String::from(v.as_str())))
    }

    /// Lint warnings, as JSON (`[{code, release, message}]`).
    pub fn lint(&self) -> String {
        stepstone::lint::to_json(&stepstone::lint::lint(&self.inner))
    }

    /// Every release's verdict for a query and the outcome, as the core's JSON
    /// (`{outcome: {plan} | {error: {code, message}}, releases: [{version, verdict, hop?, reason}]}`).
    pub fn explain(&self, q: &QueryArgs) -> Res<String> {
        Ok(stepstone::explain::explain(&self.inner, &self.query(q)?).to_json())
    }

    /// The upgrade graph for a device, as the core's JSON
    /// (`{nodes: [{version, yanked, stepping_stone, deadend}], edges: [[from, to]]}`): every
    /// direct install, or with `reduced` the transitive reduction of them.
    /// The device is checked first (`plan.model_required`, `plan.unknown_model`, ...).
    pub fn graph(
        &self,
        model: Option<&str>,
        environment: Option<&str>,
        reduced: bool,
    ) -> Res<String> {
        let edges = if reduced {
            stepstone::graph::Edges::Reduced
        } else {
            stepstone::graph::Edges::All
        };
        let wire = stepstone::graph::wire_edges(&self.inner, model, environment, edges);
        Ok(wire.map_err(Fault::of)?.to_json())
    }

    /// The graph as Graphviz DOT (`"dot"`) or Mermaid (`"mermaid"`); any other name is
    /// `graph.unknown_format`.
    pub fn render(
        &self,
        model: Option<&str>,
        environment: Option<&str>,
        format: &str,
    ) -> Res<String> {
        let format = format.parse().map_err(Fault::of)?;
        stepstone::graph::render(&self.inner, model, environment, format).map_err(Fault::of)
    }
}

/// Every error a catalog text has, as JSON (`[{code, message}]`, empty when valid).
pub fn validate(text: &str) -> String {
    match CoreCatalog::from_json(text) {
        Ok(_) => String::from("[]"),
        Err(errors) => errors.to_json(),
    }
}

/// A campaign table: next hops toward one target for every device version.
#[derive(Debug, Clone)]
pub struct Campaign {
    table: Arc<CampaignTable>,
    scheme: Scheme,
}

impl Campaign {
    /// Builds the table (the planner's own refusals for the target).
    pub fn build(
        catalog: &Catalog,
        target: &str,
        model: Option<&str>,
        environment: Option<&str>,
        cost_name: Option<&str>,
        allow_downgrade: bool,
    ) -> Res<Campaign> {
        let target = catalog.inner.parse_version(target).map_err(Fault::of)?;
        let table = CampaignTable::build(
            &catalog.inner,
            &target,
            model,
            environment,
            cost(cost_name)?,
        )
        .map_err(Fault::of)?
        .allow_downgrade(allow_downgrade);
        Ok(Campaign {
            table: Arc::new(table),
            scheme: catalog.inner.scheme(),
        })
    }

    /// Next hop for a device at `version` (`None`: at the target).
    pub fn next_hop(&self, version: &str) -> Res<Option<String>> {
        let v = Version::parse(version, self.scheme).map_err(Fault::of)?;
        let hop = self.table.next_hop(v.key()).map_err(Fault::of)?;
        Ok(hop.map(|h| String::from(h.as_str())))
    }

    /// The target.
    pub fn target(&self) -> String {
        String::from(self.table.target().as_str())
    }

    /// The table's wire form (`CampaignTable::to_table_json`).
    pub fn to_table(&self) -> String {
        self.table.to_table_json()
    }

    /// Number of version intervals in the table.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Never true for a built table (kept for clippy's `len_without_is_empty`).
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}

/// A sampling error as a [`Fault`], its message from [`SampleError::message`] (the sample
/// module links no `core::fmt` for it, as `to_string` would).
fn sample_fault(e: SampleError) -> Fault {
    Fault {
        code: e.code(),
        message: e.message(),
    }
}

/// A sampling answer as a glue result.
fn sampled<T>(answer: Result<T, SampleError>) -> Res<T> {
    answer.map_err(sample_fault)
}

/// `n` in decimal (as `to_string` writes it, without `core::fmt`).
pub(crate) fn decimal(n: u64) -> String {
    stepstone::error::decimal_text(n)
}

/// A sampling position as 16 lowercase hex digits (as `{:016x}` writes it).
pub(crate) fn hex16(n: u64) -> String {
    stepstone::error::hex_text(&n.to_be_bytes())
}

fn bad_input(what: &'static str, expected: &'static str, value: &str) -> Fault {
    sample_fault(SampleError::BadInput {
        what,
        expected,
        value: String::from(value),
    })
}

/// A decimal string (JS numbers and bigints are passed as their decimal text) as u64, for the
/// APIs outside sampling (`js.bad_argument`).
pub fn u64_arg(what: &'static str, text: &str) -> Res<u64> {
    text.parse().map_err(|_| {
        let mut message = String::from(what);
        message.push_str(" must be a whole number from 0 to 2^64-1, got `");
        message.push_str(text);
        message.push('`');
        Fault {
            code: "js.bad_argument",
            message,
        }
    })
}

/// A JS number as u64: a whole number from 0 to 2^53.
pub fn number_u64(what: &'static str, value: f64) -> Res<u64> {
    const MAX: f64 = 9_007_199_254_740_992.0;
    if (0.0..=MAX).contains(&value) && value.fract() == 0.0 {
        Ok(value as u64)
    } else {
        Err(sample_fault(SampleError::bad_number(
            what,
            "a whole number from 0 to 2^53",
            value,
        )))
    }
}

pub(crate) fn hex_u64(text: &str) -> Res<u64> {
    u64::from_str_radix(text, 16).map_err(|_| bad_input("position", "16 hex digits", text))
}

/// The 64-bit sampling position (JS shows it as 16 lowercase hex digits).
pub fn position(salt: &[u8], device_id: &[u8], period: u64, class: &str) -> u64 {
    sample::position(salt, device_id, period, class)
}

/// Whether a position is below a rate.
pub fn is_below(position: u64, rate_ppm: u32) -> bool {
    sample::is_below(position, rate_ppm)
}

/// The period index of a time (`None`: before the first period).
pub fn period_index(unix_seconds: u64, period_seconds: u64, offset_seconds: u64) -> Option<u64> {
    sample::period_index(unix_seconds, period_seconds, offset_seconds)
}

/// A fleet sampling plan.
#[derive(Debug, Clone)]
pub struct Sampling {
    plan: SamplingPlan,
}

impl Sampling {
    /// Reads a plan from JSON.
    pub fn from_json(text: &str) -> Res<Sampling> {
        Ok(Sampling {
            plan: sampled(SamplingPlan::from_json(text))?,
        })
    }

    /// The rate of a class, ppm.
    pub fn rate(&self, class: &str) -> Res<u32> {
        sampled(self.plan.rate(class))
    }

    /// The period a time falls in.
    pub fn period_at(&self, unix_seconds: u64) -> Res<u64> {
        sampled(self.plan.period_at(unix_seconds))
    }

    /// A device's position for a class in a period.
    pub fn position(&self, device_id: &[u8], class: &str, period: u64) -> u64 {
        self.plan.position(device_id, class, period)
    }

    /// Whether a device is sampled for a class in a period.
    pub fn is_sampled(&self, device_id: &[u8], class: &str, period: u64) -> Res<bool> {
        sampled(self.plan.is_sampled(device_id, class, period))
    }
}

/// An estimate's or a volume's numbers as they cross to JS: api.js builds the object from
/// them (a non-finite number, and `NaN` for "none", become `null`, as JSON text gave them), so
/// the WASM module carries no JSON writer and no float formatting for them. An integer above
/// 2^53 rounds to the nearest double, as `JSON.parse` of its digits did.
pub type Numbers = Vec<f64>;

/// Expected occurrences of a bug in a sample: the core's `Estimate` fields in order (`fleet`,
/// `rate_ppm`, `sampled_devices`, `bug_hours`, `per_hour`, `per_day`, `seconds_between` (`NaN`
/// for none), `window_hours`, `expected_in_window`, `p_at_least_one`).
pub fn estimate(fleet: f64, rate_ppm: u32, bug_hours: f64, window_hours: f64) -> Res<Numbers> {
    let fleet = number_u64("fleet", fleet)?;
    let e = sampled(sample::fleet::estimate(
        fleet,
        rate_ppm,
        bug_hours,
        window_hours,
    ))?;
    Ok(vec![
        e.fleet as f64,
        f64::from(e.rate_ppm),
        e.sampled_devices,
        e.bug_hours,
        e.per_hour,
        e.per_day,
        e.seconds_between.unwrap_or(f64::NAN),
        e.window_hours,
        e.expected_in_window,
        e.p_at_least_one,
    ])
}

/// The smallest rate that sees a bug with a given probability (`None`: not even all).
pub fn smallest_rate(
    fleet: f64,
    bug_hours: f64,
    window_hours: f64,
    probability: f64,
) -> Res<Option<u32>> {
    let fleet = number_u64("fleet", fleet)?;
    sampled(sample::fleet::smallest_rate(
        fleet,
        bug_hours,
        window_hours,
        probability,
    ))
}

/// Data volume of a sample: the core's `Volume` fields in order (`fleet`, `rate_ppm`,
/// `sampled_devices`, `items`, `bytes_per_item`, `samples_per_day`, `retention_days`,
/// `points_per_day`, `bytes_per_day`, `retained_bytes`).
pub fn volume(
    fleet: f64,
    rate_ppm: u32,
    items: f64,
    bytes_per_item: f64,
    samples_per_day: f64,
    retention_days: f64,
) -> Res<Numbers> {
    let v = sampled(sample::fleet::volume(
        number_u64("fleet", fleet)?,
        rate_ppm,
        number_u64("items", items)?,
        number_u64("bytes_per_item", bytes_per_item)?,
        number_u64("samples_per_day", samples_per_day)?,
        number_u64("retention_days", retention_days)?,
    ))?;
    Ok(vec![
        v.fleet as f64,
        f64::from(v.rate_ppm),
        v.sampled_devices,
        v.items as f64,
        v.bytes_per_item as f64,
        v.samples_per_day as f64,
        v.retention_days as f64,
        v.points_per_day as f64,
        v.bytes_per_day as f64,
        v.retained_bytes as f64,
    ])
}

/// An answer's fields as they cross to JS: one string, the fields in order separated by `\n`
/// (none can hold one: hex, decimal digits, format names, a manifest's version, which is one
/// line of the manifest), text as it is, numbers as their decimal digits, "none" as `""`.
/// api.js builds the object the JSON text gave before (the same fields, a number of 2^53 or
/// more rounded to the nearest double as `JSON.parse` of its digits did), so the verify module
/// carries no JSON writer for them, and one string crosses where an array would cost code.
pub type Fields = String;

/// The fields joined as [`Fields`].
fn fields(parts: &[String]) -> Fields {
    // By hand, not `[String]::join`: alloc's generic join is 0.4 KB of WASM code.
    let mut joined = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            joined.push('\n');
        }
        joined.push_str(part);
    }
    joined
}

/// Bytes as lowercase hex (as `{:02x}` per byte writes them, without `core::fmt`).
pub(crate) fn hex(bytes: &[u8]) -> String {
    stepstone::error::hex_text(bytes)
}

/// A streamed image verification: key first, then the image in chunks, then the signature.
#[derive(Debug, Clone)]
pub struct Verifier {
    inner: Option<stepstone::signature::ImageVerifier>,
    key_format: &'static str,
    key_id: String,
}

impl Verifier {
    /// Reads the public key (PEM, DER, SEC1 or hex; detected).
    pub fn new(key: &[u8]) -> Res<Verifier> {
        let (key, format) =
            stepstone::signature::PublicKey::parse_detect(key).map_err(Fault::of)?;
        Ok(Verifier {
            key_id: hex(&key.key_id().0),
            inner: Some(stepstone::signature::ImageVerifier::new(key)),
            key_format: format.name(),
        })
    }

    /// Feeds the next chunk of the image.
    pub fn update(&mut self, chunk: &[u8]) -> Res<()> {
        self.inner.as_mut().ok_or_else(finished)?.update(chunk);
        Ok(())
    }

    /// Checks the signature (DER, raw, hex or base64; detected) over every byte fed: the
    /// [`Fields`] `sha256`, `bytes`, `signature_format`, `key_format`, `key_id`.
    pub fn finish(&mut self, signature: &[u8]) -> Res<Fields> {
        let (sig, format) =
            stepstone::signature::Signature::parse_detect(signature).map_err(Fault::of)?;
        let v = self.inner.take().ok_or_else(finished)?;
        let bytes = v.len();
        let digest = v.finish(&sig).map_err(Fault::of)?;
        Ok(fields(&[
            hex(&digest),
            decimal(bytes),
            String::from(format.name()),
            String::from(self.key_format),
            self.key_id.clone(),
        ]))
    }
}

/// A device's own facts, for a manifest check.
#[derive(Debug, Clone, Default)]
pub struct DeviceArgs {
    /// Model.
    pub model: String,
    /// Environment.
    pub environment: String,
    /// Version it runs.
    pub current_version: String,
    /// Anti-rollback counter.
    pub counter: String,
    /// Now, Unix seconds (decimal string).
    pub now: String,
}

/// The manifest-first install check: the manifest's signature, format and key id, the
/// device and (given the opened catalog's payload) the binding to that catalog, all checked on
/// construction, before any image byte; then the image streamed against the manifest's size
/// (refused at the first chunk past it, and after) and SHA-256.
#[derive(Debug, Clone)]
pub struct ManifestFirst {
    check: Option<stepstone::manifest::ImageCheck>,
    /// The core's `Verified` as [`Fields`], given once the image checks out.
    facts: Fields,
}

impl ManifestFirst {
    /// Verifies `manifest` with the pinned manifest `key` (PEM, DER, SEC1 or hex) and its
    /// `signature` (DER, raw, hex or base64) and checks it for the device and, when given, the
    /// compact catalog `catalog` (the payload of an opened signed compact catalog).
    pub fn new(
        key: &[u8],
        manifest: &[u8],
        signature: &[u8],
        device: &DeviceArgs,
        catalog: Option<&[u8]>,
    ) -> Res<ManifestFirst> {
        let now = u64_arg("now", &device.now)?;
        let key = stepstone::signature::PublicKey::parse(key).map_err(Fault::of)?;
        let catalog = catalog
            .map(stepstone::compact::CompactCatalog::parse)
            .transpose()
            .map_err(Fault::of)?;
        let device = stepstone::manifest::Device {
            model: &device.model,
            environment: &device.environment,
            current_version: &device.current_version,
            counter: &device.counter,
            now,
        };
        let m = stepstone::manifest::verify_for_device(
            manifest,
            signature,
            &key,
            &device,
            catalog.as_ref(),
        )
        .map_err(Fault::of)?;
        Ok(ManifestFirst {
            check: Some(m.image_check()),
            facts: verified_fields(&m.verified()),
        })
    }

    /// Bytes of the image still expected (0 once finished).
    pub fn remaining(&self) -> u64 {
        self.check.as_ref().map_or(0, |c| c.remaining())
    }

    /// Feeds the next chunk (refused past the declared size, and every call after).
    pub fn update(&mut self, chunk: &[u8]) -> Res<()> {
        self.check
            .as_mut()
            .ok_or_else(finished)?
            .update(chunk)
            .map_err(Fault::of)
    }

    /// Checks size and digest; the core's `Verified` as [`Fields`]: `version`, `size`,
    /// `sha256`, `key_id`, `expires`.
    pub fn finish(&mut self) -> Res<Fields> {
        self.check
            .take()
            .ok_or_else(finished)?
            .finish()
            .map_err(Fault::of)?;
        Ok(self.facts.clone())
    }
}

/// The core's `Verified` (`{version, size, sha256, key_id, expires}` in JSON) as [`Fields`].
fn verified_fields(v: &stepstone::manifest::Verified<'_>) -> Fields {
    fields(&[
        String::from(v.version),
        decimal(v.size),
        hex(&v.sha256),
        hex(&v.key_id.0),
        decimal(v.expires),
    ])
}

fn finished() -> Fault {
    Fault {
        code: "js.verifier_finished",
        message: "this verifier already finished; start a new one".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const FIG1: &str = include_str!("../../../examples/catalog.json");

    #[test]
    fn plans_the_seed_path() {
        let c = Catalog::load(FIG1).unwrap();
        let mut q = QueryArgs {
            from: "v64000".into(),
            to: "v67000".into(),
            model: Some("AG-1".into()),
            ..QueryArgs::default()
        };
        let p: Value = serde_json::from_str(&c.plan(&q).unwrap()).unwrap();
        assert_eq!(p["path"][0], "v65000");
        assert_eq!(c.next_hop(&q).unwrap().as_deref(), Some("v65000"));
        // Figure 1's releases differ by model: the glue passes the core's refusal on.
        q.model = None;
        assert_eq!(c.plan(&q).unwrap_err().code, "plan.model_required");
        assert_eq!(c.next_hop(&q).unwrap_err().code, "plan.model_required");
        assert_eq!(
            c.graph(None, None, true).unwrap_err().code,
            "plan.model_required"
        );
        assert_eq!(
            c.render(Some("AG-9"), None, "dot").unwrap_err().code,
            "plan.unknown_model"
        );
        assert!(c.graph(Some("AG-2"), Some("staging"), false).is_ok());
        // Reduced: v66000 -> v66003 goes through v66001 and v66002, so it is not drawn.
        let all: Value =
            serde_json::from_str(&c.graph(Some("AG-1"), None, false).unwrap()).unwrap();
        let reduced: Value =
            serde_json::from_str(&c.graph(Some("AG-1"), None, true).unwrap()).unwrap();
        let has = |g: &Value, a: &str, b: &str| {
            g["edges"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e[0] == a && e[1] == b)
        };
        assert!(has(&all, "v66000", "v66003") && !has(&reduced, "v66000", "v66003"));
        assert!(has(&reduced, "v66002", "v66003"));
        assert_eq!(all["nodes"], reduced["nodes"]);
    }

    #[test]
    fn signed_catalog_payload_is_a_range_of_the_envelope() {
        let (key, envelope) = stepstone::signed_catalog::doc_example();
        let mut keys = CatalogKeys::new();
        keys.add(key).unwrap();
        let o = keys.open(envelope, "1800000000", None, None).unwrap();
        let o: Vec<&str> = o.split('\n').collect();
        assert_eq!(o.len(), 7);
        let (start, end): (usize, usize) = (o[5].parse().unwrap(), o[6].parse().unwrap());
        assert_eq!(&envelope[start..end], br#"{"releases":[]}"#);
        assert_eq!(o[0], "42");
        // The fields are the core's answer, in order.
        let opened = stepstone::signed_catalog::open(
            envelope,
            &stepstone::signed_catalog::Trust {
                keys: &keys.keys_for_test(),
                last_sequence: None,
                last_digest: None,
                now: 1_800_000_000,
            },
        )
        .unwrap();
        assert_eq!(o[2], opened.expires.to_string());
        assert_eq!(o[3], opened.key_id.to_string());
        assert_eq!(o[4], hex(&opened.digest));
        let e = keys
            .open(envelope, "1800000000", Some("43"), None)
            .unwrap_err();
        assert_eq!(e.code, "signed_catalog.rollback");
        assert_eq!(
            keys.open(envelope, "x", None, None).unwrap_err().code,
            "js.bad_argument"
        );
        // An equal sequence: accepted with the digest given back, refused without it.
        let digest = o[4];
        assert_eq!(o[1], "", "format 1 has no issued time");
        assert!(
            keys.open(envelope, "1800000000", Some("42"), Some(digest))
                .is_ok()
        );
        assert_eq!(
            keys.open(envelope, "1800000000", Some("42"), None)
                .unwrap_err()
                .code,
            "signed_catalog.sequence_reused"
        );
        assert_eq!(
            keys.open(envelope, "1800000000", Some("42"), Some("00"))
                .unwrap_err()
                .code,
            "js.bad_argument"
        );
    }

    #[test]
    fn reconciler_installs_the_first_hop() {
        let c = Catalog::load(FIG1).unwrap();
        let t = Campaign::build(&c, "v67000", Some("AG-1"), None, None, false).unwrap();
        let r = Reconciler::new(&t, "{}").unwrap();
        let a: Value = serde_json::from_str(
            &r.decide(
                b"d",
                Some(r#"{"reported": "v64000", "device_seq": 1}"#),
                "0",
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(
            (a["action"].as_str(), a["release"].as_str()),
            (Some("install"), Some("v65000"))
        );
        let applied: Value = serde_json::from_str(
            &r.apply(
                None,
                r#"{"event": "reported", "seq": 1, "at": 0, "reports": "v66000"}"#,
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(applied["outcome"], "changed");
        assert_eq!(applied["state"]["reported"], "v66000");
        assert_eq!(
            Reconciler::new(&t, "[").unwrap_err().code,
            "reconcile.invalid_json"
        );
    }

    #[test]
    fn numbers_are_written_as_format_writes_them() {
        for n in [0, 1, 9, 10, 255, 1 << 32, u64::MAX - 1, u64::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
        let bytes: Vec<u8> = (0..=255).collect();
        let by_format: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex(&bytes), by_format);
    }

    #[test]
    fn manifest_facts_are_the_core_json_fields_in_order() {
        let (key, manifest, signature) = stepstone::manifest::doc_example();
        let key = stepstone::signature::PublicKey::parse(key).unwrap();
        let signature = stepstone::signature::Signature::parse_detect(signature)
            .unwrap()
            .0;
        let m = stepstone::manifest::verify(manifest, &signature, &key).unwrap();
        let json: Value = serde_json::to_value(m.verified()).unwrap();
        let fields = verified_fields(&m.verified());
        let fields: Vec<String> = fields.split('\n').map(String::from).collect();
        let names: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(names.len(), fields.len());
        for (name, field) in ["version", "size", "sha256", "key_id", "expires"]
            .iter()
            .zip(&fields)
        {
            let want = match &json[name] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            assert_eq!(field, &want, "{name}");
        }
    }

    #[test]
    fn errors_keep_their_codes() {
        assert_eq!(Catalog::load("{").unwrap_err().code, "catalog.json");
        assert_eq!(
            number_u64("fleet", 1.5).unwrap_err().code,
            "sample.bad_input"
        );
        assert_eq!(hex_u64("x").unwrap_err().code, "sample.bad_input");
    }
}
