//! Planning results as Python objects: `Plan`, `Step`, `ReleaseNote`, `Explanation`,
//! `LintWarning`. Frozen, compared by value, with a `__repr__` that reads like a constructor.

use pyo3::prelude::*;

use crate::args::{Kw, Pos};
use stepstone::{explain, lint, plan};

use crate::repr;

/// One install on a path: the release, the bytes downloaded, and the delta's base if any.
#[pyclass(module = "stepstone", frozen, get_all, eq)]
#[derive(Clone, PartialEq)]
pub(crate) struct Step {
    /// The release installed.
    version: String,
    /// Bytes downloaded for this hop (`None`: the release has no size and no delta).
    bytes: Option<u64>,
    /// The base of the delta used, if the hop downloads a delta.
    delta_from: Option<String>,
}

#[pymethods]
impl Step {
    #[new]
    #[pyo3(signature = (*args, **_kwargs), text_signature = None)]
    fn refuse_new(args: Pos<'_, '_>, _kwargs: Option<Kw<'_, '_>>) -> PyResult<Self> {
        Err(crate::args::no_constructor(
            args,
            "Step",
            "Catalog.plan(current, target)",
        ))
    }

    fn __repr__(&self) -> String {
        format!(
            "Step(version={}, bytes={}, delta_from={})",
            repr::s(&self.version),
            repr::opt_n(self.bytes),
            repr::opt_s(self.delta_from.as_deref())
        )
    }
}

/// The best path from a device's version to a target.
#[pyclass(module = "stepstone", frozen, eq)]
#[derive(Clone, PartialEq)]
pub(crate) struct Plan {
    /// Versions to install, in order, ending at the target (empty: already there).
    #[pyo3(get)]
    path: Vec<String>,
    /// Number of installs.
    #[pyo3(get)]
    hops: usize,
    /// Bytes downloaded along the path (`None` if a hop has no known size).
    #[pyo3(get)]
    bytes: Option<u64>,
    /// Each install with its download.
    #[pyo3(get)]
    steps: Vec<Step>,
    /// The core's plan: its wire form is `to_dict()`.
    core: plan::Plan,
}

#[pymethods]
impl Plan {
    #[new]
    #[pyo3(signature = (*args, **_kwargs), text_signature = None)]
    fn refuse_new(args: Pos<'_, '_>, _kwargs: Option<Kw<'_, '_>>) -> PyResult<Self> {
        Err(crate::args::no_constructor(
            args,
            "Plan",
            "Catalog.plan(current, target)",
        ))
    }

    fn __repr__(&self) -> String {
        format!(
            "Plan(path={}, hops={}, bytes={})",
            repr::list(self.path.iter().map(String::as_str)),
            self.hops,
            repr::opt_n(self.bytes)
        )
    }

    fn __len__(&self) -> usize {
        self.hops
    }

    /// The core's JSON form, what `stepstone plan --format json` prints and JS's `plan()`
    /// returns: `{"path", "hops", "bytes", "steps": [{"version", "bytes", "delta_from"}]}`.
    ///
    /// Returns: dict.
    ///
    /// Raises: `BadArgumentError` (`python.bad_argument`) for any argument.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self)")]
    fn to_dict(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Py<PyAny>> {
        let call = crate::args::params!("Plan.to_dict", [], []);
        crate::wire::to_dict(call, args, kwargs, &self.core)
    }
}

impl From<plan::Plan> for Plan {
    fn from(p: plan::Plan) -> Plan {
        Plan {
            path: p.path.iter().map(|v| v.as_str().into()).collect(),
            hops: p.hops,
            bytes: p.bytes,
            steps: p
                .steps
                .iter()
                .map(|s| Step {
                    version: s.version.as_str().into(),
                    bytes: s.bytes,
                    delta_from: s.delta_from.as_ref().map(|v| v.as_str().into()),
                })
                .collect(),
            core: p,
        }
    }
}

/// Why one release between the device and the target is installed or skipped.
#[pyclass(module = "stepstone", frozen, get_all, eq)]
#[derive(Clone, PartialEq)]
pub(crate) struct ReleaseNote {
    /// The release.
    version: String,
    /// `install`, `yanked`, `wrong_model`, `wrong_environment`, `dead_end`, `unreachable`,
    /// `no_route` or `cheaper_path`.
    verdict: String,
    /// For `install`: which hop (1-based) installs it.
    hop: Option<usize>,
    /// The reason in words, naming versions.
    reason: String,
}

#[pymethods]
impl ReleaseNote {
    #[new]
    #[pyo3(signature = (*args, **_kwargs), text_signature = None)]
    fn refuse_new(args: Pos<'_, '_>, _kwargs: Option<Kw<'_, '_>>) -> PyResult<Self> {
        Err(crate::args::no_constructor(
            args,
            "ReleaseNote",
            "Catalog.explain(current, target)",
        ))
    }

    fn __repr__(&self) -> String {
        format!(
            "ReleaseNote(version={}, verdict={}, hop={}, reason={})",
            repr::s(&self.version),
            repr::s(&self.verdict),
            repr::opt_n(self.hop),
            repr::s(&self.reason)
        )
    }
}

/// The planner's answer with a note for every release between the device and the target.
#[pyclass(module = "stepstone", frozen)]
pub(crate) struct Explanation {
    /// The plan, or `None` when planning failed (see `error`).
    #[pyo3(get)]
    plan: Option<Plan>,
    /// The planning error (a `PlanError`), or `None`.
    #[pyo3(get)]
    error: Option<Py<PyAny>>,
    /// One note per release considered.
    #[pyo3(get)]
    releases: Vec<ReleaseNote>,
    /// The core's explanation: its wire form is `to_dict()`.
    core: explain::Explanation,
}

#[pymethods]
impl Explanation {
    #[new]
    #[pyo3(signature = (*args, **_kwargs), text_signature = None)]
    fn refuse_new(args: Pos<'_, '_>, _kwargs: Option<Kw<'_, '_>>) -> PyResult<Self> {
        Err(crate::args::no_constructor(
            args,
            "Explanation",
            "Catalog.explain(current, target)",
        ))
    }

    /// The core's JSON form, the one every binding and the CLI give: `{"outcome": {"plan":
    /// {...}} | {"error": {"code", "message"}}, "releases": [{"version", "verdict", "hop"?,
    /// "reason"}]}`.
    ///
    /// Returns: dict.
    ///
    /// Raises: `BadArgumentError` (`python.bad_argument`) for any argument.
    #[pyo3(signature = (*args, **kwargs), text_signature = "($self)")]
    fn to_dict(&self, args: Pos<'_, '_>, kwargs: Option<Kw<'_, '_>>) -> PyResult<Py<PyAny>> {
        let call = crate::args::params!("Explanation.to_dict", [], []);
        crate::wire::to_dict(call, args, kwargs, &self.core)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let error = match &self.error {
            Some(e) => e.bind(py).repr()?.to_string(),
            None => "None".into(),
        };
        Ok(format!(
            "Explanation(plan={}, error={error}, releases=[{} notes])",
            self.plan
                .as_ref()
                .map_or_else(|| "None".into(), Plan::__repr__),
            self.releases.len()
        ))
    }
}

impl Explanation {
    pub(crate) fn new(py: Python<'_>, e: explain::Explanation) -> PyResult<Explanation> {
        let (plan, error) = match &e.outcome {
            Ok(p) => (Some(p.clone().into()), None),
            Err(err) => (
                None,
                Some(crate::errors::exception_object(
                    py,
                    stepstone::ErrorCode::code(err),
                    &err.to_string(),
                )?),
            ),
        };
        let releases = e
            .releases
            .iter()
            .map(|n| ReleaseNote {
                version: n.version.as_str().into(),
                verdict: n.verdict.code().into(),
                hop: match n.verdict {
                    explain::Verdict::Install { hop } => Some(hop),
                    _ => None,
                },
                reason: n.reason.clone(),
            })
            .collect();
        Ok(Explanation {
            plan,
            error,
            releases,
            core: e,
        })
    }
}

/// One lint finding: a stable code (`lint.*`), the release and a message.
#[pyclass(module = "stepstone", frozen, get_all, eq)]
#[derive(Clone, PartialEq)]
pub(crate) struct LintWarning {
    /// Stable code (`lint.unreachable`, ...).
    code: String,
    /// The release it is about.
    release: String,
    /// What is wrong, naming versions.
    message: String,
}

#[pymethods]
impl LintWarning {
    #[new]
    #[pyo3(signature = (*args, **_kwargs), text_signature = None)]
    fn refuse_new(args: Pos<'_, '_>, _kwargs: Option<Kw<'_, '_>>) -> PyResult<Self> {
        Err(crate::args::no_constructor(
            args,
            "LintWarning",
            "Catalog.lint()",
        ))
    }

    fn __repr__(&self) -> String {
        format!(
            "LintWarning(code={}, release={}, message={})",
            repr::s(&self.code),
            repr::s(&self.release),
            repr::s(&self.message)
        )
    }
}

impl From<lint::Warning> for LintWarning {
    fn from(w: lint::Warning) -> LintWarning {
        LintWarning {
            code: w.code.into(),
            release: w.release,
            message: w.message,
        }
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Step>()?;
    m.add_class::<Plan>()?;
    m.add_class::<ReleaseNote>()?;
    m.add_class::<Explanation>()?;
    m.add_class::<LintWarning>()?;
    Ok(())
}
