//! The JS-facing wrappers of both backends, written once.
//!
//! [`js_api!`](crate::js_api) expands to every class and function the JS layer
//! (`bindings/js-api/api.js`) calls, each marked with the backend's attribute
//! (`#[wasm_bindgen(js_name = "...")]` or `#[napi(js_name = "...")]`: both spell it the same).
//! The backend crate only says how its values and errors cross, by defining in scope:
//!
//! * `Result<T>`: what a fallible function returns (napi's macro recognises the name `Result`);
//! * `fn fault(Fault) -> E`: the error conversion that `Result` carries;
//! * `Bytes`: the type a `Uint8Array` argument arrives as; it must deref to `[u8]`;
//! * `U64`: the type a 64-bit unsigned argument arrives as (a JS `bigint`, which api.js has
//!   checked to be 0 to 2^64-1); it must convert `Into<u64>`. A `u64` answer crosses back as a
//!   `bigint` on both backends.
//!
//! Bodies only call the glue and convert: strings borrowed, fleet counts as JS numbers, times,
//! periods and positions of the `sample` area as bigints.
//!
//! The list is cut into areas, one macro each, so that a backend can build a module with only
//! some of them (the per-area entry points `stepstone-wasm/plan`, `/verify`, `/sample`,
//! `/rollout`): [`js_api_version!`](crate::js_api_version) (in every module),
//! [`js_api_plan!`](crate::js_api_plan), [`js_api_sample!`](crate::js_api_sample),
//! [`js_api_below!`](crate::js_api_below) (with `sample` and with `rollout`),
//! [`js_api_verify!`](crate::js_api_verify), [`js_api_rollout!`](crate::js_api_rollout) (a
//! reconciler from a campaign table's wire form) and
//! [`js_api_rollout_campaign!`](crate::js_api_rollout_campaign) (a reconciler from a
//! `Campaign`: with `js_api_plan!` and `js_api_rollout!` beside it).

/// Expands to the whole JS-facing API (every area below), every item marked
/// `#[$attr(js_name = "...")]`. See the module documentation for what the calling crate must
/// define.
#[macro_export]
macro_rules! js_api {
    ($a:ident) => {
        $crate::js_api_version!($a);
        $crate::js_api_plan!($a);
        $crate::js_api_sample!($a);
        $crate::js_api_below!($a);
        $crate::js_api_verify!($a);
        $crate::js_api_rollout!($a);
        $crate::js_api_rollout_campaign!($a);
    };
}

/// `version()`: in every module, whole or per area (the cheapest call).
#[macro_export]
macro_rules! js_api_version {
    ($a:ident) => {
        /// The crate version (and the cheapest call).
        #[$a(js_name = "version")]
        pub fn version() -> String {
            $crate::version().into()
        }
    };
}

/// The `plan` area: catalogs (load, validate, plan, next hop, explain, lint, graph, render) and
/// campaign tables.
#[macro_export]
macro_rules! js_api_plan {
    ($a:ident) => {
        /// Every error of a catalog text, as JSON.
        #[$a(js_name = "validate")]
        pub fn validate(text: String) -> String {
            $crate::validate(&text)
        }

        /// A loaded catalog.
        #[$a]
        pub struct Catalog($crate::Catalog);

        #[$a]
        impl Catalog {
            /// Number of releases.
            #[$a(js_name = "releaseCount")]
            pub fn release_count(&self) -> u32 {
                self.0.release_count() as u32
            }
            /// Scheme name.
            #[$a(js_name = "scheme")]
            pub fn scheme(&self) -> String {
                self.0.scheme().into()
            }
            /// Canonical JSON.
            #[$a(js_name = "toJson")]
            pub fn to_json(&self) -> String {
                self.0.to_json()
            }
            /// Best path, JSON.
            #[$a(js_name = "plan")]
            pub fn plan(
                &self,
                from: String,
                to: String,
                cost: Option<String>,
                model: Option<String>,
                environment: Option<String>,
                allow_downgrade: Option<bool>,
            ) -> Result<String> {
                let q = $crate::QueryArgs::new(from, to, cost, model, environment, allow_downgrade);
                self.0.plan(&q).map_err(fault)
            }
            /// First hop.
            #[$a(js_name = "nextHop")]
            pub fn next_hop(
                &self,
                from: String,
                to: String,
                cost: Option<String>,
                model: Option<String>,
                environment: Option<String>,
                allow_downgrade: Option<bool>,
            ) -> Result<Option<String>> {
                let q = $crate::QueryArgs::new(from, to, cost, model, environment, allow_downgrade);
                self.0.next_hop(&q).map_err(fault)
            }
            /// Every release's verdict, JSON.
            #[$a(js_name = "explain")]
            pub fn explain(
                &self,
                from: String,
                to: String,
                cost: Option<String>,
                model: Option<String>,
                environment: Option<String>,
                allow_downgrade: Option<bool>,
            ) -> Result<String> {
                let q = $crate::QueryArgs::new(from, to, cost, model, environment, allow_downgrade);
                self.0.explain(&q).map_err(fault)
            }
            /// Lint warnings, JSON.
            #[$a(js_name = "lint")]
            pub fn lint(&self) -> String {
                self.0.lint()
            }
            /// Upgrade graph, JSON (`reduced`: the transitive reduction of the installs).
            #[$a(js_name = "graph")]
            pub fn graph(
                &self,
                model: Option<String>,
                environment: Option<String>,
                reduced: Option<bool>,
            ) -> Result<String> {
                self.0
                    .graph(
                        model.as_deref(),
                        environment.as_deref(),
                        reduced.unwrap_or(false),
                    )
                    .map_err(fault)
            }
            /// Upgrade graph as DOT or Mermaid text.
            #[$a(js_name = "render")]
            pub fn render(
                &self,
                model: Option<String>,
                environment: Option<String>,
                format: String,
            ) -> Result<String> {
                self.0
                    .render(model.as_deref(), environment.as_deref(), &format)
                    .map_err(fault)
            }
        }

        /// Loads catalog JSON.
        #[$a(js_name = "loadCatalog")]
        pub fn load_catalog(text: String) -> Result<Catalog> {
            $crate::Catalog::load(&text).map(Catalog).map_err(fault)
        }

        /// Loads catalog JSON given as UTF-8 bytes.
        #[$a(js_name = "loadCatalogBytes")]
        pub fn load_catalog_bytes(bytes: Bytes) -> Result<Catalog> {
            $crate::Catalog::load_bytes(&bytes)
                .map(Catalog)
                .map_err(fault)
        }

        /// A campaign table.
        #[$a]
        pub struct Campaign($crate::Campaign);

        #[$a]
        impl Campaign {
            /// Next hop from a version.
            #[$a(js_name = "nextHop")]
            pub fn next_hop(&self, version: String) -> Result<Option<String>> {
                self.0.next_hop(&version).map_err(fault)
            }
            /// The target.
            #[$a(js_name = "target")]
            pub fn target(&self) -> String {
                self.0.target()
            }
            /// Intervals in the table.
            #[$a(js_name = "size")]
            pub fn size(&self) -> u32 {
                self.0.len() as u32
            }
            /// The table's wire form, JSON (what the `rollout` module's reconciler takes).
            #[$a(js_name = "toTable")]
            pub fn to_table(&self) -> String {
                self.0.to_table()
            }
        }

        /// Builds the table.
        #[$a(js_name = "buildCampaign")]
        pub fn build_campaign(
            catalog: &Catalog,
            target: String,
            model: Option<String>,
            environment: Option<String>,
            cost: Option<String>,
            allow_downgrade: Option<bool>,
        ) -> Result<Campaign> {
            $crate::Campaign::build(
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
    };
}

/// The `sample` area: sampling plans, positions, periods and the fleet arithmetic.
#[macro_export]
macro_rules! js_api_sample {
    ($a:ident) => {
        /// A sampling plan.
        #[$a]
        pub struct Sampling($crate::Sampling);

        #[$a]
        impl Sampling {
            /// Rate of a class, ppm.
            #[$a(js_name = "rate")]
            pub fn rate(&self, class: String) -> Result<u32> {
                self.0.rate(&class).map_err(fault)
            }
            /// Period of a time.
            #[$a(js_name = "periodAt")]
            pub fn period_at(&self, unix_seconds: U64) -> Result<u64> {
                self.0.period_at(unix_seconds.into()).map_err(fault)
            }
            /// Position (api.js writes it as 16 hex digits).
            #[$a(js_name = "position")]
            pub fn position(&self, device_id: Bytes, class: String, period: U64) -> u64 {
                self.0.position(&device_id, &class, period.into())
            }
            /// Whether sampled.
            #[$a(js_name = "isSampled")]
            pub fn is_sampled(&self, device_id: Bytes, class: String, period: U64) -> Result<bool> {
                self.0
                    .is_sampled(&device_id, &class, period.into())
                    .map_err(fault)
            }
        }

        /// Reads a sampling plan from JSON.
        #[$a(js_name = "samplingFromJson")]
        pub fn sampling_from_json(text: String) -> Result<Sampling> {
            $crate::Sampling::from_json(&text)
                .map(Sampling)
                .map_err(fault)
        }

        /// Sampling position (api.js writes it as 16 hex digits).
        #[$a(js_name = "position")]
        pub fn position(salt: Bytes, device_id: Bytes, period: U64, class: String) -> u64 {
            $crate::position(&salt, &device_id, period.into(), &class)
        }

        /// Period index.
        #[$a(js_name = "periodIndex")]
        pub fn period_index(
            unix_seconds: U64,
            period_seconds: U64,
            offset_seconds: U64,
        ) -> Option<u64> {
            $crate::period_index(
                unix_seconds.into(),
                period_seconds.into(),
                offset_seconds.into(),
            )
        }

        /// Bug estimate: the core's `Estimate` fields as numbers (api.js builds the object).
        #[$a(js_name = "estimate")]
        pub fn estimate(
            fleet: f64,
            rate_ppm: u32,
            bug_hours: f64,
            window_hours: f64,
        ) -> Result<$crate::Numbers> {
            $crate::estimate(fleet, rate_ppm, bug_hours, window_hours).map_err(fault)
        }

        /// Smallest rate.
        #[$a(js_name = "smallestRate")]
        pub fn smallest_rate(
            fleet: f64,
            bug_hours: f64,
            window_hours: f64,
            probability: f64,
        ) -> Result<Option<u32>> {
            $crate::smallest_rate(fleet, bug_hours, window_hours, probability).map_err(fault)
        }

        /// Data volume: the core's `Volume` fields as numbers (api.js builds the object).
        #[$a(js_name = "volume")]
        pub fn volume(
            fleet: f64,
            rate_ppm: u32,
            items: f64,
            bytes_per_item: f64,
            samples_per_day: f64,
            retention_days: f64,
        ) -> Result<$crate::Numbers> {
            $crate::volume(
                fleet,
                rate_ppm,
                items,
                bytes_per_item,
                samples_per_day,
                retention_days,
            )
            .map_err(fault)
        }
    };
}

/// `isBelow`: whether a position is below a rate, for sampling and for rollout stages alike (the
/// `sample` and `rollout` areas both expand it).
#[macro_export]
macro_rules! js_api_below {
    ($a:ident) => {
        /// Whether a position (api.js reads its 16 hex digits) is below a rate.
        #[$a(js_name = "isBelow")]
        pub fn is_below(position: U64, rate_ppm: u32) -> bool {
            $crate::is_below(position.into(), rate_ppm)
        }
    };
}

/// The `verify` area: streamed image verification, manifests, compact and signed catalogs.
#[macro_export]
macro_rules! js_api_verify {
    ($a:ident) => {
        /// A streamed image verification.
        #[$a]
        pub struct Verifier($crate::Verifier);

        #[$a]
        impl Verifier {
            /// Feeds the next chunk.
            #[$a(js_name = "update")]
            pub fn update(&mut self, chunk: Bytes) -> Result<()> {
                self.0.update(&chunk).map_err(fault)
            }
            /// Checks the signature: the answer's fields (api.js builds the object).
            #[$a(js_name = "finish")]
            pub fn finish(&mut self, signature: Bytes) -> Result<$crate::Fields> {
                self.0.finish(&signature).map_err(fault)
            }
        }

        /// Starts a streamed verification with a public key.
        #[$a(js_name = "newVerifier")]
        pub fn new_verifier(key: Bytes) -> Result<Verifier> {
            $crate::Verifier::new(&key).map(Verifier).map_err(fault)
        }

        /// The manifest-first install check: manifest, device and catalog checked first, then
        /// the image streamed.
        #[$a]
        pub struct ManifestFirst($crate::ManifestFirst);

        #[$a]
        impl ManifestFirst {
            /// Bytes still expected.
            #[$a(js_name = "remaining")]
            pub fn remaining(&self) -> f64 {
                self.0.remaining() as f64
            }
            /// Feeds the next chunk.
            #[$a(js_name = "update")]
            pub fn update(&mut self, chunk: Bytes) -> Result<()> {
                self.0.update(&chunk).map_err(fault)
            }
            /// Checks size and digest; the verified facts' fields (api.js builds the object).
            #[$a(js_name = "finish")]
            pub fn finish(&mut self) -> Result<$crate::Fields> {
                self.0.finish().map_err(fault)
            }
        }

        /// Verifies a signed manifest for a device and, given one, an opened compact catalog.
        #[allow(clippy::too_many_arguments)]
        #[$a(js_name = "newManifestFirst")]
        pub fn new_manifest_first(
            key: Bytes,
            manifest: Bytes,
            signature: Bytes,
            model: String,
            environment: String,
            current_version: String,
            counter: String,
            now: String,
            catalog: Option<Bytes>,
        ) -> Result<ManifestFirst> {
            let device = $crate::DeviceArgs {
                model,
                environment,
                current_version,
                counter,
                now,
            };
            $crate::ManifestFirst::new(&key, &manifest, &signature, &device, catalog.as_deref())
                .map(ManifestFirst)
                .map_err(fault)
        }

        /// Opens a signed compact catalog with the pinned catalog key: the answer's fields
        /// (api.js builds the object).
        #[$a(js_name = "openCompactCatalog")]
        pub fn open_compact_catalog(
            envelope: Bytes,
            key: Bytes,
            now: String,
            last: Option<String>,
        ) -> Result<$crate::Fields> {
            $crate::open_compact_catalog(&envelope, &key, &now, last.as_deref()).map_err(fault)
        }

        /// The keys trusted to sign catalogs.
        #[$a]
        pub struct CatalogKeys($crate::CatalogKeys);

        #[$a]
        impl CatalogKeys {
            /// Adds a key; gives its id.
            #[$a(js_name = "add")]
            pub fn add(&mut self, key: Bytes) -> Result<String> {
                self.0.add(&key).map_err(fault)
            }
            /// Opens a signed catalog: the answer's fields (api.js builds the object).
            #[$a(js_name = "open")]
            pub fn open(
                &self,
                envelope: Bytes,
                now: String,
                last_sequence: Option<String>,
                last_digest: Option<String>,
            ) -> Result<$crate::Fields> {
                self.0
                    .open(
                        &envelope,
                        &now,
                        last_sequence.as_deref(),
                        last_digest.as_deref(),
                    )
                    .map_err(fault)
            }
        }

        /// An empty key set.
        #[$a(js_name = "newCatalogKeys")]
        pub fn new_catalog_keys() -> CatalogKeys {
            CatalogKeys($crate::CatalogKeys::new())
        }
    };
}

/// The `rollout` area: retry policies, rollouts (stages, ramps, halt rules) and the reconciler
/// over a campaign table's wire form (no catalog, no planner).
#[macro_export]
macro_rules! js_api_rollout {
    ($a:ident) => {
        /// A retry policy.
        #[$a]
        pub struct RetryPolicy($crate::RetryPolicy);

        #[$a]
        impl RetryPolicy {
            /// The policy as JSON.
            #[$a(js_name = "toJson")]
            pub fn to_json(&self) -> String {
                self.0.to_json()
            }
            /// Seconds to wait after the n-th failure of a kind.
            #[$a(js_name = "backoff")]
            pub fn backoff(
                &self,
                kind: String,
                n: u32,
                device_id: Bytes,
                hop: Bytes,
                attempt: u32,
            ) -> Result<f64> {
                self.0
                    .backoff(&kind, n, &device_id, &hop, attempt)
                    .map(|s| s as f64)
                    .map_err(fault)
            }
            /// What to do after a failure, JSON.
            #[allow(clippy::too_many_arguments)]
            #[$a(js_name = "afterFailure")]
            pub fn after_failure(
                &self,
                attempts: u32,
                failures: String,
                kind: String,
                total_attempts: u32,
                first_attempt_at: String,
                failed_at: String,
                device_id: Bytes,
                hop: Bytes,
            ) -> Result<String> {
                self.0
                    .after_failure(
                        attempts,
                        &failures,
                        &kind,
                        total_attempts,
                        &first_attempt_at,
                        &failed_at,
                        &device_id,
                        &hop,
                    )
                    .map_err(fault)
            }
        }

        /// Reads a retry policy from JSON.
        #[$a(js_name = "retryPolicyFromJson")]
        pub fn retry_policy_from_json(text: String) -> Result<RetryPolicy> {
            $crate::RetryPolicy::from_json(&text)
                .map(RetryPolicy)
                .map_err(fault)
        }

        /// The jitter hash, hex.
        #[$a(js_name = "jitterHash")]
        pub fn jitter_hash(device_id: Bytes, hop: Bytes, attempt: u32) -> String {
            $crate::jitter_hash(&device_id, &hop, attempt)
        }

        /// A staged rollout.
        #[$a]
        pub struct Rollout($crate::Rollout);

        #[$a]
        impl Rollout {
            /// The rollout as JSON.
            #[$a(js_name = "toJson")]
            pub fn to_json(&self) -> String {
                self.0.to_json()
            }
            /// Position, hex.
            #[$a(js_name = "position")]
            pub fn position(&self, device_id: Bytes) -> String {
                self.0.position(&device_id)
            }
            /// Stage of a position.
            #[$a(js_name = "stageOf")]
            pub fn stage_of(&self, position: String) -> Result<u32> {
                self.0.stage_of(&position).map_err(fault)
            }
            /// The halt rule a stage's counts trip, if any.
            #[$a(js_name = "trips")]
            pub fn trips(&self, stage: u32, finished: u32, failed: u32) -> Result<Option<String>> {
                self.0
                    .trips(stage, finished, failed)
                    .map(|c| c.map(String::from))
                    .map_err(fault)
            }
        }

        /// Reads a rollout from JSON.
        #[$a(js_name = "rolloutFromJson")]
        pub fn rollout_from_json(text: String) -> Result<Rollout> {
            $crate::Rollout::from_json(&text)
                .map(Rollout)
                .map_err(fault)
        }

        /// The halt rule (JSON) these counts trip, if any.
        #[$a(js_name = "haltTrips")]
        pub fn halt_trips(rule: String, finished: u32, failed: u32) -> Result<Option<String>> {
            $crate::halt_trips(&rule, finished, failed)
                .map(|c| c.map(String::from))
                .map_err(fault)
        }

        /// A ramp's open fraction, ppm.
        #[$a(js_name = "rampFraction")]
        pub fn ramp_fraction(ramp: String, elapsed: String) -> Result<u32> {
            $crate::ramp_fraction(&ramp, &elapsed).map_err(fault)
        }

        /// Whether the Wilson lower bound is above a limit.
        #[$a(js_name = "wilsonLowerAbove")]
        pub fn wilson_lower_above(
            failed: u32,
            finished: u32,
            limit_ppm: u32,
            z_num: u32,
            z_den: u32,
        ) -> Result<bool> {
            $crate::wilson_lower_above(failed, finished, limit_ppm, z_num, z_den).map_err(fault)
        }

        /// A device's rollout position for a salt, hex.
        #[$a(js_name = "rolloutPosition")]
        pub fn rollout_position(salt: Bytes, device_id: Bytes) -> String {
            $crate::rollout_position(&salt, &device_id)
        }

        /// The reconciler for one campaign.
        #[$a]
        pub struct Reconciler($crate::Reconciler);

        #[$a]
        impl Reconciler {
            /// Applies an event to a state, JSON.
            #[$a(js_name = "apply")]
            pub fn apply(&self, state: Option<String>, event: String) -> Result<String> {
                self.0.apply(state.as_deref(), &event).map_err(fault)
            }
            /// A state in the full wire form, JSON.
            #[$a(js_name = "state")]
            pub fn state(&self, state: Option<String>) -> Result<String> {
                self.0.state(state.as_deref()).map_err(fault)
            }
            /// What to do with a device now, JSON.
            #[$a(js_name = "decide")]
            pub fn decide(
                &self,
                device_id: Bytes,
                state: Option<String>,
                now: String,
            ) -> Result<String> {
                self.0
                    .decide(&device_id, state.as_deref(), &now)
                    .map_err(fault)
            }
            /// Opens the rollout's next stage if it may.
            #[$a(js_name = "rolloutAdvance")]
            pub fn rollout_advance(&mut self, now: String) -> Result<bool> {
                self.0.rollout_advance(&now).map_err(fault)
            }
            /// Halts the rollout by hand.
            #[$a(js_name = "rolloutHalt")]
            pub fn rollout_halt(&mut self, now: String, note: Option<String>) -> Result<()> {
                self.0.rollout_halt(&now, note.as_deref()).map_err(fault)
            }
            /// Resumes a halted rollout.
            #[$a(js_name = "rolloutResume")]
            pub fn rollout_resume(&mut self, now: String) -> Result<()> {
                self.0.rollout_resume(&now).map_err(fault)
            }
            /// Counts a finished attempt of a stage; the halt it causes, if any.
            #[$a(js_name = "rolloutRecord")]
            pub fn rollout_record(
                &mut self,
                stage: u32,
                failed: bool,
                now: String,
            ) -> Result<Option<String>> {
                self.0
                    .rollout_record(stage, failed, &now)
                    .map(|c| c.map(String::from))
                    .map_err(fault)
            }
            /// Where the rollout stands, JSON.
            #[$a(js_name = "rolloutState")]
            pub fn rollout_state(&self) -> Option<String> {
                self.0.rollout_state()
            }
        }

        /// A reconciler for a campaign table in its wire form (`Campaign.toTable()`), with
        /// options as JSON.
        #[$a(js_name = "newReconcilerFromTable")]
        pub fn new_reconciler_from_table(table: String, options: String) -> Result<Reconciler> {
            $crate::Reconciler::from_table(&table, &options)
                .map(Reconciler)
                .map_err(fault)
        }
    };
}

/// The reconciler built from a `Campaign` object: in modules with both the `plan` and the
/// `rollout` areas (the `rollout` module alone takes the campaign's table).
#[macro_export]
macro_rules! js_api_rollout_campaign {
    ($a:ident) => {
        /// A reconciler for a campaign, with options as JSON.
        #[$a(js_name = "newReconciler")]
        pub fn new_reconciler(campaign: &Campaign, options: String) -> Result<Reconciler> {
            $crate::Reconciler::new(&campaign.0, &options)
                .map(Reconciler)
                .map_err(fault)
        }
    };
}
