//! `Catalog` (from a dict, JSON text or a path) with planning, explain and lint, and `Campaign`
//! (a precomputed table answering next hops in bulk with the GIL released).

// Python methods take their options as keyword arguments, one Rust parameter each.
#![allow(clippy::too_many_arguments)]

use std::collections::HashMap;
use std::sync::Arc;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyBytes, PyDict, PyInt, PyList, PyString};
use stepstone::ErrorCode;
use stepstone::campaign::{CampaignTable, Refusal};
use stepstone::catalog::Catalog as CoreCatalog;
use stepstone::plan::{Cost, Query};
use stepstone::version::{Scheme, Version, VersionError, VersionKey};

use crate::errors::{Area, catalog_errors, exception_object, raise};
use crate::plan::{Explanation, LintWarning, Plan};
use crate::repr;

/// A validated firmware catalog: releases, their minimum versions, barriers, models,
/// environments, sizes and deltas.
///
/// The ways in: `Catalog.from_path(path)` (a JSON file), `Catalog.from_json(text)` and
/// `Catalog.from_dict(data)`. `Catalog(source)` takes any of the three: a dict, an
/// `os.PathLike`, or a `str`, read as JSON text when it starts with `{` and as a path otherwise;
/// a `str` that is neither (not JSON, no such file) raises `CatalogError` (`catalog.json`)
/// naming both readings.
///
/// Parameters:
///     source (dict | str | os.PathLike): the catalog.
///
/// Raises: `CatalogError` whose `.errors` lists every problem at once as `(code, message)`
/// (`catalog.duplicate_version`, `catalog.min_sw_not_lower`, `catalog.malformed_version`,
/// `catalog.unknown_field`, `catalog.json`, ...); `OSError` for an unreadable file; `TypeError`
/// for another type.
#[pyclass(module = "stepstone", frozen)]
pub(crate) struct Catalog {
    pub(crate) inner: Arc<CoreCatalog>,
}

fn json_dumps(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    obj.py()
        .import("json")?
        .call_method1("dumps", (obj,))?
        .extract()
}

fn read_path(path: &Bound<'_, PyAny>) -> PyResult<String> {
    let path: std::path::PathBuf = path.extract()?;
    Ok(std::fs::read_to_string(path)?)
}

fn cost(name: &str) -> PyResult<Cost> {
    name.parse::<Cost>().map_err(raise(Area::Plan))
}

impl Catalog {
    fn version(&self, text: &str) -> PyResult<Version> {
        self.inner.parse_version(text).map_err(raise(Area::Version))
    }

    fn query(
        &self,
        current: &str,
        target: &str,
        model: Option<String>,
        environment: Option<String>,
        cost: &str,
        allow_downgrade: bool,
    ) -> PyResult<Query> {
        let mut q = Query::new(self.version(current)?, self.version(target)?)
            .cost(self::cost(cost)?)
            .allow_downgrade(allow_downgrade);
        q.model = model;
        q.environment = environment;
        Ok(q)
    }

    fn from_text(text: &str) -> PyResult<Catalog> {
        CoreCatalog::from_json(text)
            .map(|c| Catalog { inner: Arc::new(c) })
            .map_err(catalog_errors)
    }
}

#[pymethods]
impl Catalog {
    #[new]
    fn new(source: &Bound<'_, PyAny>) -> PyResult<Catalog> {
        if source.is_instance_of::<PyDict>() {
            return Catalog::from_text(&json_dumps(source)?);
        }
        if let Ok(s) = source.cast::<PyString>() {
            let s = s.to_cow()?;
            if s.trim_start().starts_with('{') {
                return Catalog::from_text(&s);
            }
            let path = std::path::Path::new(&*s);
            if path.is_file() {
                return Catalog::from_text(&read_path(source)?);
            }
            // Neither reading works: say what each found.
            let json = match serde_json::from_str::<serde_json::Value>(&s) {
                Err(e) => format!("not JSON: {e}"),
                Ok(_) => "JSON, but not an object".to_string(),
            };
            let file = if path.exists() {
                "not a file"
            } else {
                "no such file"
            };
            let shown: String = s.chars().take(80).collect();
            let message = format!(
                "Catalog(str): {} is neither a catalog as JSON text ({json}) nor the path of one \
                 ({file}); use Catalog.from_json(text) or Catalog.from_path(path)",
                repr::s(&shown)
            );
            return Err(crate::errors::exception(
                source.py(),
                Area::Catalog,
                "catalog.json",
                &message,
            ));
        }
        if source.hasattr("__fspath__")? {
            return Catalog::from_text(&read_path(source)?);
        }
        Err(PyTypeError::new_err(
            "Catalog() takes a dict, JSON text or a path",
        ))
    }

    /// Reads a catalog from JSON text.
    ///
    /// Parameters:
    ///     text (str): the catalog as JSON (`{"releases": [...]}`).
    ///
    /// Returns: Catalog.
    ///
    /// Raises: `CatalogError` with every problem in `.errors` (`catalog.json` for text that is
    /// not JSON, `catalog.duplicate_version`, `catalog.min_sw_not_lower`, ...).
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Catalog> {
        Catalog::from_text(text)
    }

    /// Reads a catalog from a dict in the JSON shape (what `json.load` gives).
    ///
    /// Parameters:
    ///     data (dict): the catalog.
    ///
    /// Returns: Catalog.
    ///
    /// Raises: `CatalogError`, as `from_json`; `TypeError` if `data` is not a dict.
    #[staticmethod]
    fn from_dict(data: &Bound<'_, PyDict>) -> PyResult<Catalog> {
        Catalog::from_text(&json_dumps(data)?)
    }

    /// Reads a catalog from a JSON file.
    ///
    /// Parameters:
    ///     path (str | os.PathLike): the file.
    ///
    /// Returns: Catalog.
    ///
    /// Raises: `CatalogError`, as `from_json`; `OSError` (`FileNotFoundError`, ...) if the file
    /// cannot be read.
    #[staticmethod]
    fn from_path(path: &Bound<'_, PyAny>) -> PyResult<Catalog> {
        Catalog::from_text(&read_path(path)?)
    }

    /// The version scheme: `integer`, `semver` or `dotted`.
    #[getter]
    fn scheme(&self) -> &'static str {
        self.inner.scheme().name()
    }

    /// Every release's version, in ascending order, spelled as the catalog spells it.
    #[getter]
    fn versions(&self) -> Vec<String> {
        self.inner
            .releases()
            .iter()
            .map(|r| r.version.as_str().into())
            .collect()
    }

    /// The catalog as JSON text (defaults left out; reads back with `from_json`).
    ///
    /// Returns: str. Raises: nothing.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    fn __len__(&self) -> usize {
        self.inner.releases().len()
    }

    fn __contains__(&self, version: &str) -> bool {
        self.inner
            .parse_version(version)
            .is_ok_and(|v| self.inner.get(v.key()).is_some())
    }

    fn __repr__(&self) -> String {
        let versions = self.versions();
        format!(
            "Catalog(scheme={}, releases={}, first={}, last={})",
            repr::s(self.scheme()),
            versions.len(),
            repr::opt_s(versions.first().map(String::as_str)),
            repr::opt_s(versions.last().map(String::as_str))
        )
    }

    /// The best path from `current` to `target`: the releases to install, in order.
    ///
    /// A device at `c` may install release `r` when `r` is not yanked, fits the device's model
    /// and environment, `c < r`, `c >= r.min_sw_version`, `c` is at or above every barrier below
    /// `r`, `c` is not in `r.blocked_from`, and `c` is not a dead end. The best path has the
    /// lowest cost, then the fewest hops, then the higher version at the first difference.
    ///
    /// Parameters:
    ///     current (str): the device's version, e.g. `v64000` (the catalog's scheme).
    ///     target (str): the version to reach; a release of the catalog.
    ///     model (str | None): the device's model; releases listing models are for those only.
    ///     environment (str | None): the device's environment (`production`, ...).
    ///     cost (str): `hops` (fewest installs) or `bytes` (fewest bytes, deltas counted).
    ///     allow_downgrade (bool): allow a target below `current`.
    ///
    /// Returns: Plan (`path`, `hops`, `bytes`, `steps`); an empty path when `current` is the
    /// target.
    ///
    /// Raises: `VersionError` (`version.malformed`, ...) for a version of another scheme;
    /// `PlanError`: `plan.unknown_target`, `plan.target_yanked`, `plan.target_model`,
    /// `plan.target_environment`, `plan.downgrade`, `plan.unreachable` (no path: a dead end, a
    /// blocked or missing stepping stone), `plan.missing_size` (`cost="bytes"` without sizes),
    /// `plan.unknown_cost`.
    #[pyo3(signature = (current, target, *, model = None, environment = None, cost = "hops", allow_downgrade = false))]
    fn plan(
        &self,
        py: Python<'_>,
        current: &str,
        target: &str,
        model: Option<String>,
        environment: Option<String>,
        cost: &str,
        allow_downgrade: bool,
    ) -> PyResult<Plan> {
        let q = self.query(current, target, model, environment, cost, allow_downgrade)?;
        py.detach(|| stepstone::plan::plan(&self.inner, &q))
            .map(Plan::from)
            .map_err(raise(Area::Plan))
    }

    /// The first release on the best path: what the device installs next.
    ///
    /// Parameters:
    ///     current (str): the device's version, e.g. `v64000` (the catalog's scheme).
    ///     target (str): the version to reach; a release of the catalog.
    ///     model (str | None): the device's model; releases listing models are for those only.
    ///     environment (str | None): the device's environment (`production`, ...).
    ///     cost (str): `hops` (fewest installs) or `bytes` (fewest bytes, deltas counted).
    ///     allow_downgrade (bool): allow a target below `current`.
    ///
    /// Returns: str | None, the next release, or `None` when the device is at the target.
    ///
    /// Raises: `VersionError` (`version.malformed`, ...) for a version of another scheme;
    /// `PlanError`: `plan.unknown_target`, `plan.target_yanked`, `plan.target_model`,
    /// `plan.target_environment`, `plan.downgrade`, `plan.unreachable` (no path: a dead end, a
    /// blocked or missing stepping stone), `plan.missing_size` (`cost="bytes"` without sizes),
    /// `plan.unknown_cost`.
    #[pyo3(signature = (current, target, *, model = None, environment = None, cost = "hops", allow_downgrade = false))]
    fn next_hop(
        &self,
        current: &str,
        target: &str,
        model: Option<String>,
        environment: Option<String>,
        cost: &str,
        allow_downgrade: bool,
    ) -> PyResult<Option<String>> {
        let q = self.query(current, target, model, environment, cost, allow_downgrade)?;
        stepstone::plan::next_hop(&self.inner, &q)
            .map(|v| v.map(|v| v.as_str().into()))
            .map_err(raise(Area::Plan))
    }

    /// The plan (or its error) with a note for every release between `current` and `target`:
    /// why each is installed or skipped.
    ///
    /// Parameters:
    ///     current (str): the device's version, e.g. `v64000` (the catalog's scheme).
    ///     target (str): the version to reach; a release of the catalog.
    ///     model (str | None): the device's model; releases listing models are for those only.
    ///     environment (str | None): the device's environment (`production`, ...).
    ///     cost (str): `hops` (fewest installs) or `bytes` (fewest bytes, deltas counted).
    ///     allow_downgrade (bool): allow a target below `current`.
    ///
    /// Returns: Explanation (`plan`, `error`, `releases`); a planning failure is in `error`,
    /// not raised.
    ///
    /// Raises: `VersionError` for a version of another scheme; `PlanError`
    /// (`plan.unknown_cost`).
    #[pyo3(signature = (current, target, *, model = None, environment = None, cost = "hops", allow_downgrade = false))]
    fn explain(
        &self,
        py: Python<'_>,
        current: &str,
        target: &str,
        model: Option<String>,
        environment: Option<String>,
        cost: &str,
        allow_downgrade: bool,
    ) -> PyResult<Explanation> {
        let q = self.query(current, target, model, environment, cost, allow_downgrade)?;
        Explanation::new(py, stepstone::explain::explain(&self.inner, &q))
    }

    /// What would strand devices: unreachable releases, yanked stepping stones, dead ends,
    /// unknown delta bases...
    ///
    /// Returns: list[LintWarning] (`code` such as `lint.unreachable`, `release`, `message`).
    ///
    /// Raises: nothing.
    fn lint(&self) -> Vec<LintWarning> {
        stepstone::lint::lint(&self.inner)
            .into_iter()
            .map(LintWarning::from)
            .collect()
    }

    /// The upgrade graph (edges: direct installs) as Graphviz DOT or Mermaid text.
    ///
    /// Parameters:
    ///     format (str): `dot` or `mermaid`.
    ///     model (str | None): only releases for this model.
    ///     environment (str | None): only releases for this environment.
    ///
    /// Returns: str.
    ///
    /// Raises: `ValueError` for another format.
    #[pyo3(signature = (format = "dot", *, model = None, environment = None))]
    fn graph(
        &self,
        format: &str,
        model: Option<&str>,
        environment: Option<&str>,
    ) -> PyResult<String> {
        let format = match format {
            "dot" => stepstone::graph::GraphFormat::Dot,
            "mermaid" => stepstone::graph::GraphFormat::Mermaid,
            other => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "unknown graph format {}: expected dot or mermaid",
                    repr::s(other)
                )));
            }
        };
        Ok(stepstone::graph::render(
            &self.inner,
            model,
            environment,
            format,
        ))
    }

    /// Packs the catalog into the compact binary catalog a device plans over and checks
    /// manifests against (what `stepstone catalog pack` writes), for one `model` and
    /// `environment`, with an optional default `target`. Sign it with `seal_compact_catalog`.
    ///
    /// Parameters:
    ///     target (str | None): the default target carried in the pack.
    ///     model (str | None), environment (str | None): the devices it is for.
    ///
    /// Returns: bytes.
    ///
    /// Raises: `CatalogError` (`compact.too_large`), `PlanError` (`plan.unknown_target`).
    #[pyo3(signature = (*, target = None, model = None, environment = None))]
    fn pack_compact<'py>(
        &self,
        py: Python<'py>,
        target: Option<String>,
        model: Option<String>,
        environment: Option<String>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let options = stepstone::compact::PackOptions {
            target,
            model,
            environment,
        };
        let bytes = stepstone::compact::pack(&self.inner, &options)
            .map_err(|e| crate::errors::raise(crate::errors::area_of(e.code()))(e))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Simulates a fleet of `devices` marching to `target` (seeded, deterministic): failures,
    /// offline devices, duplicate events and rollbacks at the given rates, retried by `policy`,
    /// optionally under a staged `rollout`. The GIL is released while it runs.
    ///
    /// Parameters:
    ///     target (str): the version to reach.
    ///     devices (int): fleet size (default 1000).
    ///     fail_rate_ppm, offline_rate_ppm, duplicate_rate_ppm, rollback_rate_ppm (int): rates
    ///         in parts per million.
    ///     seed (int): the random seed; the same seed gives the same report.
    ///     start (str | None): every device starts here (default: the oldest release).
    ///     shelf_secs, horizon_secs (int | None): time on a shelf at the start; how long to run.
    ///     policy (RetryPolicy | None): default `RetryPolicy()`.
    ///     rollout (Rollout | None): a staged rollout.
    ///
    /// Returns: dict, the core's report (converged, given up, held, hops, bytes, attempts...).
    ///
    /// Raises: `VersionError` for a version of another scheme; `SimulationError`
    /// (`simulate.unknown_start`, `simulate.empty_catalog`, `simulate.rate_out_of_range`).
    #[pyo3(signature = (target, *, devices = 1000, fail_rate_ppm = 0, offline_rate_ppm = 0, duplicate_rate_ppm = 0, rollback_rate_ppm = 0, seed = 1, start = None, shelf_secs = None, horizon_secs = None, policy = None, rollout = None))]
    fn simulate(
        &self,
        py: Python<'_>,
        target: &str,
        devices: u32,
        fail_rate_ppm: u32,
        offline_rate_ppm: u32,
        duplicate_rate_ppm: u32,
        rollback_rate_ppm: u32,
        seed: u64,
        start: Option<&str>,
        shelf_secs: Option<u64>,
        horizon_secs: Option<u64>,
        policy: Option<&Bound<'_, crate::retry::RetryPolicy>>,
        rollout: Option<&Bound<'_, crate::retry::Rollout>>,
    ) -> PyResult<Py<PyAny>> {
        use stepstone_sim::{SimConfig, Simulation};
        let target = self.version(target)?;
        let start = start.map(|s| self.version(s)).transpose()?;
        let defaults = SimConfig::default();
        let cfg = SimConfig {
            devices,
            fail_rate_ppm,
            offline_rate_ppm,
            duplicate_rate_ppm,
            rollback_rate_ppm,
            seed,
            start,
            shelf_secs: shelf_secs.unwrap_or(defaults.shelf_secs),
            horizon_secs: horizon_secs.unwrap_or(defaults.horizon_secs),
            policy: policy.map_or(defaults.policy, |p| p.get().inner),
            rollout: rollout.map(|r| r.get().inner.clone()),
            ..defaults
        };
        let report = py
            .detach(|| {
                Simulation::new(&self.inner, &target, cfg).map(|mut sim| {
                    sim.run();
                    sim.report()
                })
            })
            .map_err(raise(Area::Simulation))?;
        let text = serde_json::to_string(&report)
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        Ok(py.import("json")?.call_method1("loads", (text,))?.unbind())
    }

    /// A campaign table toward `target`: next hops for millions of devices without replanning
    /// (one binary search per device).
    ///
    /// Parameters:
    ///     target (str): the version to reach.
    ///     model (str | None): the devices' model.
    ///     environment (str | None): the devices' environment.
    ///     cost (str): `hops` or `bytes`.
    ///     allow_downgrade (bool): devices above the target are sent down to it.
    ///
    /// Returns: Campaign.
    ///
    /// Raises: `VersionError` for a version of another scheme; `PlanError`
    /// (`plan.unknown_target`, `plan.target_yanked`, `plan.target_model`,
    /// `plan.target_environment`, `plan.missing_size`, `plan.unknown_cost`).
    #[pyo3(signature = (target, *, model = None, environment = None, cost = "hops", allow_downgrade = false))]
    fn campaign(
        &self,
        py: Python<'_>,
        target: &str,
        model: Option<&str>,
        environment: Option<&str>,
        cost: &str,
        allow_downgrade: bool,
    ) -> PyResult<Campaign> {
        let target = self.version(target)?;
        let cost = self::cost(cost)?;
        let table = py
            .detach(|| CampaignTable::build(&self.inner, &target, model, environment, cost))
            .map_err(raise(Area::Plan))?
            .allow_downgrade(allow_downgrade);
        Ok(Campaign {
            table,
            catalog: Arc::clone(&self.inner),
            scheme: self.inner.scheme(),
            model: model.map(Into::into),
            environment: environment.map(Into::into),
        })
    }
}

/// Precomputed next hops toward one target for one model and environment, made by
/// `Catalog.campaign(target, model=..., environment=...)`; `len()` is the number of version
/// slots.
///
/// Raises: `TypeError` if called directly (there is no constructor: use `Catalog.campaign`).
#[pyclass(module = "stepstone", frozen)]
pub(crate) struct Campaign {
    pub(crate) table: CampaignTable,
    pub(crate) catalog: Arc<CoreCatalog>,
    scheme: Scheme,
    model: Option<String>,
    environment: Option<String>,
}

/// One device's version as given: text, or an integer build number.
enum Input {
    Int(u64),
    Text(String),
}

enum Failure {
    Version(VersionError),
    Refused(String, Refusal),
}

impl Campaign {
    fn key(&self, input: &Input) -> Result<VersionKey, Failure> {
        match input {
            Input::Int(n) if self.scheme == Scheme::Integer => Ok(VersionKey::Integer(*n)),
            Input::Int(n) => {
                VersionKey::parse(&n.to_string(), self.scheme).map_err(Failure::Version)
            }
            Input::Text(t) => VersionKey::parse(t, self.scheme).map_err(Failure::Version),
        }
    }

    fn answer(&self, input: &Input) -> Result<Option<&Version>, Failure> {
        let key = self.key(input)?;
        self.table.next_hop(&key).map_err(|r| {
            Failure::Refused(
                match input {
                    Input::Int(n) => n.to_string(),
                    Input::Text(t) => t.clone(),
                },
                r,
            )
        })
    }

    fn failure(py: Python<'_>, f: Failure) -> PyResult<Py<PyAny>> {
        match f {
            Failure::Version(e) => exception_object(py, Area::Version, e.code(), &e.to_string()),
            Failure::Refused(v, r) => {
                exception_object(py, Area::Plan, r.code(), &format!("{v}: {r}"))
            }
        }
    }

    fn input(item: &Bound<'_, PyAny>) -> PyResult<Input> {
        if let Ok(s) = item.cast::<PyString>() {
            Ok(Input::Text(s.to_cow()?.into_owned()))
        } else if item.is_instance_of::<PyInt>() {
            Ok(Input::Int(item.extract()?))
        } else {
            Err(PyTypeError::new_err(format!(
                "a device version is a str or an int, not {}",
                item.get_type().name()?
            )))
        }
    }

    /// Turns answers into a list, one Python string per distinct release.
    fn to_list<'py>(
        py: Python<'py>,
        answers: Vec<Result<Option<&Version>, Failure>>,
        return_exceptions: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let mut strings: HashMap<*const Version, Bound<'py, PyString>> = HashMap::new();
        let list = PyList::empty(py);
        for a in answers {
            match a {
                Ok(None) => list.append(py.None())?,
                Ok(Some(v)) => {
                    let s = strings
                        .entry(v as *const Version)
                        .or_insert_with(|| PyString::new(py, v.as_str()));
                    list.append(s.clone())?;
                }
                Err(f) => {
                    let e = Campaign::failure(py, f)?;
                    if return_exceptions {
                        list.append(e)?;
                    } else {
                        return Err(PyErr::from_value(e.into_bound(py)));
                    }
                }
            }
        }
        Ok(list)
    }
}

#[pymethods]
impl Campaign {
    /// The target version.
    #[getter]
    fn target(&self) -> String {
        self.table.target().as_str().into()
    }

    /// The device model the table is for (`None`: devices that do not say).
    #[getter]
    fn model(&self) -> Option<String> {
        self.model.clone()
    }

    /// The environment the table is for (`None`: devices that do not say).
    #[getter]
    fn environment(&self) -> Option<String> {
        self.environment.clone()
    }

    fn __len__(&self) -> usize {
        self.table.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "Campaign(target={}, model={}, environment={}, slots={})",
            repr::s(&self.target()),
            repr::opt_s(self.model.as_deref()),
            repr::opt_s(self.environment.as_deref()),
            self.table.len()
        )
    }

    /// The next release for a device at `version`.
    ///
    /// Parameters:
    ///     version (str | int): the device's version, or an integer build number.
    ///
    /// Returns: str | None, the release, or `None` when the device is at the target.
    ///
    /// Raises: `VersionError` (`version.malformed`, ...); `PlanError` when the device cannot
    /// get there (`plan.unreachable`, `plan.downgrade`); `TypeError` for another type.
    fn next_hop(&self, py: Python<'_>, version: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
        match self.answer(&Campaign::input(version)?) {
            Ok(v) => Ok(v.map(|v| v.as_str().into())),
            Err(f) => Err(PyErr::from_value(Campaign::failure(py, f)?.into_bound(py))),
        }
    }

    /// Next hops for many devices in one call (the GIL is released while the table answers).
    ///
    /// Parameters:
    ///     versions: any iterable of str/int, or a numpy/pyarrow integer array.
    ///     return_exceptions (bool): put each device's exception in its place instead of
    ///         raising the first.
    ///
    /// Returns: list[str | None | Exception], one answer per device, in order: a version,
    /// `None` (at the target) or, with `return_exceptions=True`, the device's `VersionError` or
    /// `PlanError`.
    ///
    /// Raises: without `return_exceptions`, the first device's `VersionError` or `PlanError`;
    /// `TypeError` for an item that is neither str nor int.
    #[pyo3(signature = (versions, *, return_exceptions = false))]
    fn next_hops<'py>(
        &self,
        py: Python<'py>,
        versions: &Bound<'py, PyAny>,
        return_exceptions: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        if let Some(bytes) = integer_array_bytes(versions)? {
            return self.next_hops_u64(py, bytes.as_bytes(), return_exceptions);
        }
        let inputs = versions
            .try_iter()?
            .map(|item| Campaign::input(&item?))
            .collect::<PyResult<Vec<Input>>>()?;
        let answers = py.detach(|| inputs.iter().map(|i| self.answer(i)).collect::<Vec<_>>());
        Campaign::to_list(py, answers, return_exceptions)
    }

    /// Next hops for native-endian u64 build numbers packed in `data` (integer scheme).
    ///
    /// Parameters:
    ///     data (bytes): 8 bytes per device (`numpy.asarray(v, "uint64").tobytes()`).
    ///     return_exceptions (bool): as `next_hops`.
    ///
    /// Returns: list, as `next_hops`.
    ///
    /// Raises: as `next_hops`.
    #[pyo3(signature = (data, *, return_exceptions = false))]
    fn next_hops_u64<'py>(
        &self,
        py: Python<'py>,
        data: &[u8],
        return_exceptions: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let inputs: Vec<Input> = data
            .chunks_exact(8)
            .map(|c| {
                let mut b = [0u8; 8];
                b.copy_from_slice(c);
                Input::Int(u64::from_ne_bytes(b))
            })
            .collect();
        let answers = py.detach(|| inputs.iter().map(|i| self.answer(i)).collect::<Vec<_>>());
        Campaign::to_list(py, answers, return_exceptions)
    }
}

/// For a numpy (or pyarrow) array of integers: its values as native-endian u64 bytes.
fn integer_array_bytes<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyBytes>>> {
    let obj = if obj.hasattr("to_numpy")? && obj.hasattr("type")? {
        // pyarrow
        obj.call_method(
            "to_numpy",
            (),
            Some(&[("zero_copy_only", false)].into_py_dict(obj.py())?),
        )?
    } else {
        obj.clone()
    };
    let Ok(dtype) = obj.getattr("dtype") else {
        return Ok(None);
    };
    let kind: String = dtype.getattr("kind")?.extract()?;
    if kind != "i" && kind != "u" {
        return Ok(None);
    }
    let numpy = obj.py().import("numpy")?;
    let arr = numpy.call_method1("ascontiguousarray", (obj, "uint64"))?;
    Ok(Some(arr.call_method0("tobytes")?.cast_into::<PyBytes>()?))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Catalog>()?;
    m.add_class::<Campaign>()?;
    Ok(())
}
