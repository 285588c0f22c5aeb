"""Type stubs for stepstone.spark (DataFrames are pyspark's; typed ``Any`` here)."""

from typing import Any, Optional

from stepstone._native import Catalog, SamplingPlan

__all__ = ["with_sampled", "filter_sampled", "sampled_column", "with_next_hop", "jar_path"]

def with_sampled(
    df: Any,
    plan: SamplingPlan,
    id_col: str,
    class_: str,
    *,
    ts_col: Optional[str] = None,
    period_col: Optional[str] = None,
    period: Optional[int] = None,
    out_col: str = "sampled",
    method: str = "auto",
) -> Any: ...
def filter_sampled(
    df: Any,
    plan: SamplingPlan,
    id_col: str,
    class_: str,
    *,
    ts_col: Optional[str] = None,
    period_col: Optional[str] = None,
    period: Optional[int] = None,
    method: str = "auto",
) -> Any: ...
def sampled_column(
    df: Any,
    plan: SamplingPlan,
    id_col: str,
    class_: str,
    *,
    ts_col: Optional[str] = None,
    period_col: Optional[str] = None,
    period: Optional[int] = None,
    method: str = "auto",
) -> Any: ...
def jar_path() -> str: ...
def with_next_hop(
    df: Any,
    catalog: Catalog,
    target: str,
    version_col: str,
    model_col: Optional[str] = None,
    environment_col: Optional[str] = None,
    *,
    cost: str = "hops",
    allow_downgrade: bool = False,
    out_col: str = "next_hop",
    error_col: str = "error",
    message_col: str = "error_message",
) -> Any: ...
