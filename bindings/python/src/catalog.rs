//! `Catalog` (from a dict, JSON text or a path) with planning, explain and lint, and `Campaign`
//! (a precomputed table answering next hops in bulk with the GIL released).

// Python methods take their options as keyword arguments, one Rust parameter each.
#![allow(clippy::too_many_arguments)]

use std::collections::HashMap;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyBytes, PyDict, PyList, PyString};
use stepstone::ErrorCode;
use stepstone::campaign::{CampaignTable, Refusal};
use stepstone::catalog::Catalog as CoreCatalog;
use stepstone::plan::{Cost, Query};
use stepstone::version::{Scheme, Version, VersionError, VersionKey};

use crate::args::{Args, Kw, Pos, describe, params};
use crate::errors::{catalog_errors, catalog_errors_in, exception_object, raise};
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
/// `catalog.unknown_field`, `catalog.json`, ...); `IoError` (`io.unreadable`, also an
/// `OSError`) naming the path of a file that cannot be read; `BadArgumentError`
/// (`python.bad_argument`) for another type.
#[pyclass(module = "stepstone", frozen)]
pub(crate) struct Catalog {
    pub(crate) inner: Arc<CoreCatalog>,
}

/// The catalog text in the file `path` (a str or an `os.PathLike`, as `what` is named):
/// `io.unreadable` naming the path if it cannot be read.
impl Catalog {
    fn version(&self, text: &str) -> PyResult<Version> {
        self.inner.parse_version(text).map_err(raise)
    }

    /// A query from `current`, `target` and the shared options: every argument's type first
    /// (`python.bad_argument`), then the core reads the versions and the cost.
    fn query(&self, a: &Args<'_>) -> PyResult<Query> {
        let (current, target) = (a.version("current")?, a.version("target")?);
        let (model, environment) = (a.opt_text("model")?, a.opt_text("environment")?);
        let (cost, allow_downgrade) = (
            a.text_or("cost", "hops")?,
            a.flag_or("allow_downgrade", false)?,
        );
        let mut q = Query::new(self.version(&current)?, self.version(&target)?)
            .cost(cost.parse::<Cost>().map_err(raise)?)
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

    /// The catalog in the file at `path` (argument `what`: a str or an `os.PathLike`); every
    /// error names the path.
    fn from_file(a: &Args<'_>, what: &str, path: &Bound<'_, PyAny>) -> PyResult<Catalog> {
        let fspath = path
            .py()
            .import("os")?
            .call_method1("fspath", (path,))
            .map_err(|_| a.wrong(what, "a path (str or os.PathLike)", path))?;
        let path: std::path::PathBuf = fspath
            .extract()
            .map_err(|_| a.wrong(what, "a path (str or os.PathLike)", &fspath))?;
        let bytes =
            std::fs::read(&path).map_err(|e| crate::errors::unreadable(a.py(), &path, &e))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            crate::errors::exception(
                a.py(),
                "catalog.json",
                &format!(
                    "{} is not UTF-8 text (byte {} is not)",
                    repr::s(&path.display().to_string()),
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
        CoreCatalog::from_json(&text)
            .map(|c| Catalog { inner: Arc::new(c) })
            .map_err(|e| catalog_errors_in(Some(&path), e))
    }
}

#[pymethods]
impl Catalog {
    #[new]
    #[pyo3(signature = (*args, **kwargs), text_signature = "(source)")]
    fn new(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Catalog> {
        let a = params!("Catalog", ["source"], []).bind(args, kwargs)?;
        let source = a.required("source")?;
        if source.is_instance_of::<PyDict>() || source.cast::<pyo3::types::PyMapping>().is_ok() {
            return Catalog::from_text(&a.json("source")?);
        }
        if source.is_instance_of::<PyString>() {
            let s = a.text("source")?;
            if s.trim_start().starts_with('{') {
                return Catalog::from_text(&s);
            }
            let path = std::path::Path::new(&s);
            if path.is_file() {
                return Catalog::from_file(&a, "source", source);
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
            return Err(crate::errors::exception(a.py(), "catalog.json", &message));
        }
        if source.hasattr("__fspath__")? {
            return Catalog::from_file(&a, "source", source);
        }
        Err(a.wrong("source", "a dict, JSON text or a path", source))
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
    #[pyo3(signature = (*args, **kwargs), text_signature = "(text)")]
    fn from_json(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Catalog> {
        let a = params!("Catalog.from_json", ["text"], []).bind(args, kwargs)?;
        Catalog::from_text(&a.text("text")?)
    }

    /// Reads a catalog from a dict in the JSON shape (what `json.load` gives).
    ///
    /// Parameters:
    ///     data (dict): the catalog.
    ///
    /// Returns: Catalog.
    ///
    /// Raises: `CatalogError`, as `from_json`; `BadArgumentError` (`python.bad_argument`) if
    /// `data` is not a dict (or another mapping) or does not convert to JSON.
    #[staticmethod]
    #[pyo3(signature = (*args, **kwargs), text_signature = "(data)")]
    fn from_dict(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Catalog> {
        let a = params!("Catalog.from_dict", ["data"], []).bind(args, kwargs)?;
        Catalog::from_text(&a.dict("data")?)
    }

    /// Reads a catalog from a JSON file.
    ///
    /// Parameters:
    ///     path (str | os.PathLike): the file.
    ///
    /// Returns: Catalog.
    ///
    /// Raises: `CatalogError`, as `from_json`; `IoError` (`io.unreadable`, also an `OSError`)
    /// naming the path if the file cannot be read; `BadArgumentError` (`python.bad_argument`) if
    /// `path` is not a str or an `os.PathLike`.
    #[staticmethod]
    #[pyo3(signature = (*args, **kwargs), text_signature = "(path)")]
    fn from_path(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Catalog> {
        let a = params!("Catalog.from_path", ["path"], []).bind(args, kwargs)?;
        Catalog::from_file(&a, "path", a.required("path")?)
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
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self)")]
    fn to_json(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<String> {
        params!("Catalog.to_json", [], []).bind(args, kwargs)?;
        Ok(self.inner.to_json())
    }

    fn __len__(&self) -> usize {
        self.inner.releases().len()
    }

    fn __contains__(&self, version: &Bound<'_, PyAny>) -> PyResult<bool> {
        let Ok(text) = version.cast::<PyString>() else {
            return Err(crate::errors::bad_argument(
                version.py(),
                &format!(
                    "`version in Catalog`: `version` must be a version string, got {}",
                    describe(version)
                ),
            ));
        };
        let text = text.to_cow().map_err(|_| {
            crate::errors::bad_argument(
                version.py(),
                "`version in Catalog`: `version` is not valid UTF-8 text",
            )
        })?;
        Ok(self
            .inner
            .parse_version(&text)
            .is_ok_and(|v| self.inner.get(v.key()).is_some()))
    }

    /// Pickling (Spark UDF closures, `multiprocessing`): the catalog travels as its JSON
    /// (`to_json`) and is read back with `Catalog.from_json`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        Ok((
            slf.get_type().getattr("from_json")?,
            (slf.get().inner.to_json(),),
        ))
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
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, current, target, *, model=None, environment=None, cost='hops', allow_downgrade=False)")]
    fn plan(
        &self,
        py: Python<'_>,
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<Plan> {
        let a = params!(
            "Catalog.plan",
            ["current", "target"],
            ["model", "environment", "cost", "allow_downgrade"]
        )
        .bind(args, kwargs)?;
        let q = self.query(&a)?;
        py.detach(|| stepstone::plan::plan(&self.inner, &q))
            .map(Plan::from)
            .map_err(raise)
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
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, current, target, *, model=None, environment=None, cost='hops', allow_downgrade=False)")]
    fn next_hop(
        &self,
        _py: Python<'_>,
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<Option<String>> {
        let a = params!(
            "Catalog.next_hop",
            ["current", "target"],
            ["model", "environment", "cost", "allow_downgrade"]
        )
        .bind(args, kwargs)?;
        let q = self.query(&a)?;
        stepstone::plan::next_hop(&self.inner, &q)
            .map(|v| v.map(|v| v.as_str().into()))
            .map_err(raise)
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
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, current, target, *, model=None, environment=None, cost='hops', allow_downgrade=False)")]
    fn explain(
        &self,
        py: Python<'_>,
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<Explanation> {
        let a = params!(
            "Catalog.explain",
            ["current", "target"],
            ["model", "environment", "cost", "allow_downgrade"]
        )
        .bind(args, kwargs)?;
        let q = self.query(&a)?;
        Explanation::new(py, stepstone::explain::explain(&self.inner, &q))
    }

    /// What would strand devices: unreachable releases, yanked stepping stones, dead ends,
    /// unknown delta bases...
    ///
    /// Returns: list[LintWarning] (`code` such as `lint.unreachable`, `release`, `message`).
    ///
    /// Raises: nothing.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self)")]
    fn lint(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Vec<LintWarning>> {
        params!("Catalog.lint", [], []).bind(args, kwargs)?;
        Ok(stepstone::lint::lint(&self.inner)
            .into_iter()
            .map(LintWarning::from)
            .collect())
    }

    /// The upgrade graph (edges: direct installs) as Graphviz DOT or Mermaid text.
    ///
    /// Parameters:
    ///     format (str): `dot`, `mermaid` or `json` (the graph as data, the same object the CLI's
    ///         `graph --format json` and JS's `graph()` give).
    ///     model (str | None): only releases for this model.
    ///     environment (str | None): only releases for this environment.
    ///
    /// Returns: str.
    ///
    /// Raises: `GraphError` (`graph.unknown_format`) for another format; `BadArgumentError`
    /// (`python.bad_argument`) for an argument that is not a str.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, format='dot', *, model=None, environment=None)")]
    fn graph(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<String> {
        let a =
            params!("Catalog.graph", ["format"], ["model", "environment"]).bind(args, kwargs)?;
        let (format, model, environment) = (
            a.text_or("format", "dot")?,
            a.opt_text("model")?,
            a.opt_text("environment")?,
        );
        let format = format
            .parse::<stepstone::graph::GraphFormat>()
            .map_err(raise)?;
        stepstone::graph::render(
            &self.inner,
            model.as_deref(),
            environment.as_deref(),
            format,
        )
        .map_err(raise)
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
    /// Raises: `CatalogError` (`compact.too_large`), `PlanError` (`plan.unknown_target`;
    /// `plan.model_required`, `plan.unknown_model`, `plan.environment_required`,
    /// `plan.unknown_environment` for a device the catalog cannot place).
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, *, target=None, model=None, environment=None)")]
    fn pack_compact<'py>(
        &self,
        py: Python<'py>,
        args: Pos<'_, 'py>,
        kwargs: Option<Kw<'_, 'py>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let a = params!(
            "Catalog.pack_compact",
            [],
            ["target", "model", "environment"]
        )
        .bind(args, kwargs)?;
        let options = stepstone::compact::PackOptions {
            target: a.opt_version("target")?,
            model: a.opt_text("model")?,
            environment: a.opt_text("environment")?,
        };
        let bytes = stepstone::compact::pack(&self.inner, &options).map_err(raise)?;
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
    ///     model (str | None), environment (str | None): the fleet's model and environment;
    ///         required where the catalog's releases differ by them.
    ///     start (str | None): every device starts here (default: the oldest release for the
    ///         model and environment).
    ///     shelf_secs, horizon_secs (int | None): time on a shelf at the start; how long to run.
    ///     policy (RetryPolicy | None): default `RetryPolicy()`.
    ///     rollout (Rollout | None): a staged rollout.
    ///
    /// Returns: dict, the core's report (converged, given up, held, hops, bytes, attempts...).
    ///
    /// Raises: `VersionError` for a version of another scheme; `SimulationError`
    /// (`simulate.unknown_start`, `simulate.empty_catalog`, `simulate.rate_out_of_range`);
    /// `PlanError` (`plan.model_required`, `plan.unknown_model`, ..., `plan.unknown_target`).
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, target, *, devices=1000, fail_rate_ppm=0, offline_rate_ppm=0, duplicate_rate_ppm=0, rollback_rate_ppm=0, seed=1, model=None, environment=None, start=None, shelf_secs=None, horizon_secs=None, policy=None, rollout=None)")]
    fn simulate(
        &self,
        py: Python<'_>,
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<Py<PyAny>> {
        use stepstone_sim::{SimConfig, Simulation};
        let a = params!(
            "Catalog.simulate",
            ["target"],
            [
                "devices",
                "fail_rate_ppm",
                "offline_rate_ppm",
                "duplicate_rate_ppm",
                "rollback_rate_ppm",
                "seed",
                "model",
                "environment",
                "start",
                "shelf_secs",
                "horizon_secs",
                "policy",
                "rollout"
            ]
        )
        .bind(args, kwargs)?;
        let target = a.version("target")?;
        let defaults = SimConfig::default();
        let devices = a.u32_or("devices", 1000)?;
        let fail_rate_ppm = a.u32_or("fail_rate_ppm", 0)?;
        let offline_rate_ppm = a.u32_or("offline_rate_ppm", 0)?;
        let duplicate_rate_ppm = a.u32_or("duplicate_rate_ppm", 0)?;
        let rollback_rate_ppm = a.u32_or("rollback_rate_ppm", 0)?;
        let seed = a.u64_or("seed", 1)?;
        let model = a.opt_text("model")?;
        let environment = a.opt_text("environment")?;
        let start = a.opt_version("start")?;
        let shelf_secs = a.opt_u64("shelf_secs")?;
        let horizon_secs = a.opt_u64("horizon_secs")?;
        let policy =
            a.opt_object::<crate::retry::RetryPolicy>("policy", "a RetryPolicy or None")?;
        let rollout = a.opt_object::<crate::retry::Rollout>("rollout", "a Rollout or None")?;
        let target = self.version(&target)?;
        let start = start.map(|s| self.version(&s)).transpose()?;
        let cfg = SimConfig {
            devices,
            fail_rate_ppm,
            offline_rate_ppm,
            duplicate_rate_ppm,
            rollback_rate_ppm,
            seed,
            start,
            model,
            environment,
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
            .map_err(raise)?;
        crate::wire::to_py(py, &report)
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
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, target, *, model=None, environment=None, cost='hops', allow_downgrade=False)")]
    fn campaign(
        &self,
        py: Python<'_>,
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<Campaign> {
        let a = params!(
            "Catalog.campaign",
            ["target"],
            ["model", "environment", "cost", "allow_downgrade"]
        )
        .bind(args, kwargs)?;
        let target = a.version("target")?;
        let (model, environment) = (a.opt_text("model")?, a.opt_text("environment")?);
        let (cost, allow_downgrade) = (
            a.text_or("cost", "hops")?,
            a.flag_or("allow_downgrade", false)?,
        );
        let target = self.version(&target)?;
        let cost = cost.parse::<Cost>().map_err(raise)?;
        let table = py
            .detach(|| {
                CampaignTable::build(
                    &self.inner,
                    &target,
                    model.as_deref(),
                    environment.as_deref(),
                    cost,
                )
            })
            .map_err(raise)?
            .allow_downgrade(allow_downgrade);
        Ok(Campaign {
            table: Arc::new(table),
            scheme: self.inner.scheme(),
            model,
            environment,
        })
    }
}

/// Precomputed next hops toward one target for one model and environment, made by
/// `Catalog.campaign(target, model=..., environment=...)`, or read from a table's wire form
/// without the catalog (`Campaign.from_table(text)`); `len()` is the number of version slots.
/// It pickles as its table.
///
/// Raises: `BadArgumentError` (`python.bad_argument`, also a `TypeError`) if called directly
/// (there is no constructor: use `Catalog.campaign` or `Campaign.from_table`).
#[pyclass(module = "stepstone", frozen)]
pub(crate) struct Campaign {
    pub(crate) table: Arc<CampaignTable>,
    pub(crate) scheme: Scheme,
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
            Failure::Version(e) => exception_object(py, e.code(), &e.to_string()),
            Failure::Refused(v, r) => exception_object(py, r.code(), &format!("{v}: {r}")),
        }
    }

    /// One device's version (argument `name` of `a`'s call): a str, or a build number (an
    /// int from 0 to 2**64 - 1).
    fn input(a: &Args<'_>, name: &str, item: &Bound<'_, PyAny>) -> PyResult<Input> {
        if item.is_instance_of::<PyString>() {
            Ok(Input::Text(a.str_of(name, "", item)?))
        } else if crate::args::int_like(item) {
            Ok(Input::Int(a.ranged(name, item, u64::MAX)?))
        } else {
            Err(a.wrong(name, "a version string or a build number (int)", item))
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

    /// Next hops for native-endian u64 build numbers packed in `data`.
    fn next_hops_of<'py>(
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

#[pymethods]
impl Campaign {
    #[new]
    #[pyo3(signature = (*args, **_kwargs), text_signature = None)]
    fn refuse_new(args: Pos<'_, '_>, _kwargs: Option<Kw<'_, '_>>) -> PyResult<Self> {
        Err(crate::args::no_constructor(
            args,
            "Campaign",
            "Catalog.campaign(target, ...)",
        ))
    }

    /// A campaign read from its table's wire form (`to_table()`, JS's `toTable()`, `stepstone
    /// catalog table`): answers as the campaign it was written from, without the catalog, so a
    /// service can run the reconciler on a table planned elsewhere.
    ///
    /// Parameters:
    ///     text (str): the table's JSON text.
    ///     model (str | None), environment (str | None): what the table was built for (shown by
    ///         the `model` and `environment` properties; the text does not carry them).
    ///
    /// Returns: Campaign.
    ///
    /// Raises: `ReconcileError` (`reconcile.invalid_table` naming what is wrong,
    /// `reconcile.table_version` for a table from a newer stepstone); `BadArgumentError`
    /// (`python.bad_argument`) for an argument of another type.
    #[staticmethod]
    #[pyo3(signature = (*args, **kwargs), text_signature = "(text, model=None, environment=None)")]
    fn from_table(args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Campaign> {
        let a = params!("Campaign.from_table", ["text", "model", "environment"], [])
            .bind(args, kwargs)?;
        let text = a.text("text")?;
        let (model, environment) = (a.opt_text("model")?, a.opt_text("environment")?);
        let table = CampaignTable::from_table_json(&text).map_err(raise)?;
        Ok(Campaign {
            scheme: table.target().scheme(),
            table: Arc::new(table),
            model,
            environment,
        })
    }

    /// Pickling: the table's wire form, the model and the environment, read back with
    /// `Campaign.from_table`.
    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, (String, Option<String>, Option<String>))> {
        let c = slf.get();
        Ok((
            slf.get_type().getattr("from_table")?,
            (
                c.table.to_table_json(),
                c.model.clone(),
                c.environment.clone(),
            ),
        ))
    }

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

    /// The table in its wire form: compact JSON text (`format` `stepstone.campaign_table`,
    /// docs/reconciler.md "The campaign table on the wire", schema
    /// docs/schema/campaign-table.schema.json), the same text as `campaign.toTable()` in JS
    /// and `CampaignTable::to_table_json` in Rust: plan where the catalog is, then hand the
    /// table to a browser page or another service that runs the reconciler without the catalog
    /// (the `stepstone-wasm/rollout` entry point takes only this form).
    ///
    /// Returns: str.
    ///
    /// Raises: `BadArgumentError` (`python.bad_argument`) if given any argument.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self)")]
    fn to_table(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<String> {
        params!("Campaign.to_table", [], []).bind(args, kwargs)?;
        Ok(self.table.to_table_json())
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
    /// get there (`plan.unreachable`, `plan.downgrade`); `BadArgumentError`
    /// (`python.bad_argument`) for another type or a negative build number.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, version)")]
    fn next_hop(
        &self,
        py: Python<'_>,
        args: Pos<'_, '_>,
        kwargs: Option<Kw<'_, '_>>,
    ) -> PyResult<Option<String>> {
        let a = params!("Campaign.next_hop", ["version"], []).bind(args, kwargs)?;
        match self.answer(&Campaign::input(&a, "version", a.required("version")?)?) {
            Ok(v) => Ok(v.map(|v| v.as_str().into())),
            Err(f) => Err(PyErr::from_value(Campaign::failure(py, f)?.into_bound(py))),
        }
    }

    /// Next hops for many devices in one call (the GIL is released while the table answers).
    ///
    /// Parameters:
    ///     versions: any iterable of str/int, or a one-dimensional numpy/pyarrow integer
    ///         array.
    ///     return_exceptions (bool): put each device's exception in its place instead of
    ///         raising the first.
    ///
    /// Returns: list[str | None | Exception], one answer per device, in order: a version,
    /// `None` (at the target) or, with `return_exceptions=True`, the device's `VersionError` or
    /// `PlanError`.
    ///
    /// Raises: without `return_exceptions`, the first device's `VersionError` or `PlanError`;
    /// `BadArgumentError` (`python.bad_argument`, naming the index and the value; whatever
    /// `return_exceptions` says) for an item that is neither str nor int, a negative build
    /// number (a numpy array with a negative value), a float or bool array, an array that is
    /// not one-dimensional, or a pyarrow array with nulls.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, versions, *, return_exceptions=False)")]
    fn next_hops<'py>(
        &self,
        py: Python<'py>,
        args: Pos<'_, 'py>,
        kwargs: Option<Kw<'_, 'py>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let a = params!("Campaign.next_hops", ["versions"], ["return_exceptions"])
            .bind(args, kwargs)?;
        let versions = a.required("versions")?;
        let return_exceptions = a.flag_or("return_exceptions", false)?;
        if let Some(bytes) = integer_array_bytes(&a, "versions", versions)? {
            return self.next_hops_of(py, bytes.as_bytes(), return_exceptions);
        }
        if versions.is_instance_of::<PyString>() || versions.is_instance_of::<PyBytes>() {
            return Err(a.wrong("versions", "an iterable of versions (str or int)", versions));
        }
        let items = versions
            .try_iter()
            .map_err(|_| a.wrong("versions", "an iterable of versions (str or int)", versions))?;
        let inputs = items
            .enumerate()
            .map(|(i, item)| {
                let name = format!("versions[{i}]");
                Campaign::input(&a, &name, &item.map_err(|e| a.unreadable(&name, e))?)
            })
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
    /// Raises: as `next_hops`; `BadArgumentError` (`python.bad_argument`) if `data` is not
    /// bytes or its length is not a multiple of 8.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self, data, *, return_exceptions=False)")]
    fn next_hops_u64<'py>(
        &self,
        py: Python<'py>,
        args: Pos<'_, 'py>,
        kwargs: Option<Kw<'_, 'py>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let a = params!("Campaign.next_hops_u64", ["data"], ["return_exceptions"])
            .bind(args, kwargs)?;
        let data = a.bytes("data")?;
        let return_exceptions = a.flag_or("return_exceptions", false)?;
        if data.len() % 8 != 0 {
            return Err(a.fail(
                "data",
                format!(
                    "must be 8 bytes per device, got {} bytes ({} left over)",
                    data.len(),
                    data.len() % 8
                ),
            ));
        }
        self.next_hops_of(py, &data, return_exceptions)
    }
}

/// For a numpy (or pyarrow) array of integers: its values as native-endian u64 bytes. `None`
/// for what is not such an array (iterated item by item instead). Refused (argument `name` of
/// `a`'s call): an array that is not one-dimensional, a signed one with a negative value (named
/// with its index), a float or bool array, a pyarrow array with nulls.
fn integer_array_bytes<'py>(
    a: &Args<'py>,
    name: &str,
    obj: &Bound<'py, PyAny>,
) -> PyResult<Option<Bound<'py, PyBytes>>> {
    let py = obj.py();
    let is_arrow = obj
        .get_type()
        .getattr("__module__")
        .and_then(|m| m.extract::<String>())
        .is_ok_and(|m| m.starts_with("pyarrow"));
    let obj = if is_arrow && obj.hasattr("to_numpy")? && obj.hasattr("type")? {
        let nulls: usize = obj.getattr("null_count")?.extract()?;
        if nulls > 0 {
            return Err(a.fail(
                name,
                format!("has {nulls} null(s): a device's version cannot be missing"),
            ));
        }
        obj.call_method(
            "to_numpy",
            (),
            Some(&[("zero_copy_only", false)].into_py_dict(py)?),
        )?
    } else {
        obj.clone()
    };
    if !(obj.hasattr("dtype")? && obj.hasattr("ndim")? && obj.hasattr("tobytes")?) {
        return Ok(None);
    }
    let dtype = obj.getattr("dtype")?;
    let Ok(kind) = dtype.getattr("kind").and_then(|k| k.extract::<String>()) else {
        return Ok(None);
    };
    let ndim: usize = obj.getattr("ndim")?.extract()?;
    if ndim != 1 {
        return Err(a.fail(
            name,
            format!(
                "must be a one-dimensional array, got shape {}",
                obj.getattr("shape")?.repr()?
            ),
        ));
    }
    match kind.as_str() {
        "i" | "u" => {}
        "f" | "c" | "b" | "m" | "M" => {
            return Err(a.fail(
                name,
                format!(
                    "must hold versions (str) or build numbers (integers), got a {} array",
                    dtype.str()?
                ),
            ));
        }
        _ => return Ok(None),
    }
    let numpy = py.import("numpy")?;
    if kind == "i" {
        let negative = numpy.call_method1(
            "flatnonzero",
            (obj.rich_compare(0, pyo3::basic::CompareOp::Lt)?,),
        )?;
        if negative.len()? > 0 {
            let i: usize = negative.get_item(0)?.extract()?;
            let value = obj.get_item(i)?;
            return Err(a.fail(
                &format!("{name}[{i}]"),
                format!(
                    "must be at least 0 (a build number), got {}",
                    value.call_method0("item")?.repr()?
                ),
            ));
        }
    }
    let arr = numpy.call_method1("ascontiguousarray", (obj, "uint64"))?;
    Ok(Some(arr.call_method0("tobytes")?.cast_into::<PyBytes>()?))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Catalog>()?;
    m.add_class::<Campaign>()?;
    Ok(())
}
