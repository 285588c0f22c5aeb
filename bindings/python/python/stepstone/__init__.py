"""stepstone: the decision logic of a firmware-over-the-air service, from one Rust core.

Load a catalog (a dict, JSON text or a path), plan update paths, answer next hops for a whole
fleet at once, sample devices deterministically. Every error is a ``stepstone.Error``
(a ``ValueError``) carrying the core's stable ``.code``.

>>> import stepstone
>>> catalog = stepstone.Catalog({"releases": [
...     {"version": "v64000"}, {"version": "v65000", "min_sw_version": "v64000"}]})
>>> catalog.next_hop("v64000", "v65000")
'v65000'
"""

from ._errors import (
    CatalogError,
    Error,
    ManifestError,
    PlanError,
    ReconcileError,
    RetryError,
    RolloutError,
    SampleError,
    SignatureError,
    VersionError,
)
from ._native import (
    Action,
    Reconciler,
    RetryDecision,
    RetryPolicy,
    Rollout,
    halt_trips,
    jitter_hash,
    ramp_fraction,
    rollout_position,
    wilson_lower_above,
    Campaign,
    Catalog,
    Explanation,
    LintWarning,
    Plan,
    ReleaseNote,
    Sampler,
    SamplingPlan,
    Step,
    __version__,
    check_version,
    compare_versions,
    format_rate,
    is_below,
    is_sampled,
    parse_rate,
    period_index,
    sample_position,
)

__all__ = [
    "Action",
    "Reconciler",
    "RetryDecision",
    "RetryPolicy",
    "Rollout",
    "halt_trips",
    "jitter_hash",
    "ramp_fraction",
    "rollout_position",
    "wilson_lower_above",
    "Campaign",
    "Catalog",
    "CatalogError",
    "Error",
    "Explanation",
    "LintWarning",
    "ManifestError",
    "Plan",
    "PlanError",
    "ReconcileError",
    "ReleaseNote",
    "RetryError",
    "RolloutError",
    "SampleError",
    "Sampler",
    "SamplingPlan",
    "SignatureError",
    "Step",
    "VersionError",
    "__version__",
    "check_version",
    "compare_versions",
    "format_rate",
    "is_below",
    "is_sampled",
    "parse_rate",
    "period_index",
    "sample_position",
]
