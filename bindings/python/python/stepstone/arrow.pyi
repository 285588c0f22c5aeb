"""Type stubs for stepstone.arrow (pyarrow has no type information: its arrays are ``Any``)."""

from typing import Any, NamedTuple, Optional, Union

from stepstone._native import Campaign, Catalog, Sampler, SamplingPlan

__all__ = ["sampled", "positions", "next_hops", "plan_table", "NextHopArrays"]

ArrayLike = Any
Periods = Union[int, Any, None]

def sampled(
    source: Union[SamplingPlan, Sampler],
    ids: ArrayLike,
    class_: Optional[str] = None,
    periods: Periods = None,
    *,
    rate_ppm: Optional[int] = None,
) -> ArrayLike: ...
def positions(
    source: Union[SamplingPlan, Sampler],
    ids: ArrayLike,
    class_: Optional[str] = None,
    periods: Periods = None,
) -> ArrayLike: ...

class NextHopArrays(NamedTuple):
    next_hop: ArrayLike
    error: ArrayLike
    error_message: ArrayLike

def next_hops(campaign: Campaign, versions: ArrayLike) -> NextHopArrays: ...
def plan_table(
    catalog: Catalog,
    devices: Any,
    target: str,
    *,
    version_col: str = "version",
    model_col: Optional[str] = "model",
    environment_col: Optional[str] = "environment",
    cost: str = "hops",
    allow_downgrade: bool = False,
    out_col: str = "next_hop",
    error_col: str = "error",
    message_col: str = "error_message",
) -> Any: ...
