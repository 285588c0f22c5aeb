"""The sampling decision as stepstone's JVM UDF (``stepstone.spark.Sampled`` in the jar that
ships in this package, ``stepstone/jars/stepstone-spark.jar``).

The core gives the pieces, exactly as for the SQL route (``SamplingPlan.message_layout``: the
hashed message around the period and the id; ``SamplingPlan.positions_below``: the class's
integer threshold); the UDF is constructed with them on the driver and shipped to executors
with the task, where it hashes each row's period and id from the SHA-256 state after the
shared blocks and compares the first 8 bytes with the threshold. The period is the same
``bigint`` expression the SQL route builds (with its ``raise_error`` for a negative period or
a time before the offset); a constant period above 2**63 - 1 travels as the long with the same
64 bits.

The class must be on the driver's and the executors' class path: start the session with
``spark.jars`` set to ``jar_path()`` (``spark-submit --jars``). ``loadable`` says whether it is.
"""

from __future__ import annotations

import hashlib
import pathlib
from typing import Any, Optional

from pyspark.sql import DataFrame, SparkSession

from . import _spark_sql
from ._native import SamplingPlan

CLASS = "stepstone.spark.Sampled"
JAR = pathlib.Path(__file__).resolve().parent / "jars" / "stepstone-spark.jar"


def jar_path() -> str:
    """The path of the jar (``spark.jars`` / ``spark-submit --jars``)."""
    return str(JAR)


def _udf_class(session: SparkSession) -> Any:
    """The UDF's JVM class through Py4J, or ``None`` when the driver cannot load it."""
    from py4j.java_gateway import JavaClass  # type: ignore[import-untyped]

    node: Any = session._jvm  # type: ignore[attr-defined]
    if node is None:
        return None
    for part in CLASS.split("."):
        node = getattr(node, part)
    return node if isinstance(node, JavaClass) else None


def loadable(session: SparkSession) -> bool:
    """Whether the session's driver JVM can load the UDF class (the jar is on its class path)."""
    return _udf_class(session) is not None


def period_bits(df: DataFrame, plan: SamplingPlan, ts_col: Optional[str],
                period_col: Optional[str], period: Optional[int]) -> str:
    """The row's period as a ``bigint`` whose 64 bits are the period's (SQL)."""
    if ts_col is not None:
        return _spark_sql.period_of_time(df, plan, ts_col)
    if period_col is not None:
        return _spark_sql.period_of_column(df, period_col)
    assert period is not None
    signed = period - 2**64 if period > _spark_sql.I64_MAX else period
    return f"cast('{signed}' as bigint)"


def sampled_sql(df: DataFrame, plan: SamplingPlan, class_: str, ident: str, bits: str) -> str:
    """Registers the UDF for (plan's salt, ``class_``) in ``df``'s session (a temporary function
    named after its layout and threshold) and returns the SQL call of it on ``bits`` (the row's
    period, ``period_bits``) and ``ident`` (the id's bytes, ``_spark_sql.id_bytes``). Raises
    ``LookupError`` when the driver cannot load the class."""
    session = df.sparkSession
    cls = _udf_class(session)
    if cls is None:
        raise LookupError(f"the Spark session cannot load {CLASS}: start it with spark.jars={jar_path()}")
    head, pad = plan.message_layout(class_)
    threshold = plan.positions_below(class_)
    # Length-prefixed head, one pad byte, the threshold's digits: one key per (layout, threshold).
    pieces = len(head).to_bytes(4, "big") + bytes(head) + pad.to_bytes(1, "big") + str(threshold).encode()
    key = hashlib.sha256(pieces).hexdigest()
    name = f"stepstone_sampled_{key[:20]}"
    # The name is the layout and threshold's digest: a function of that name is this UDF.
    if not session.catalog.functionExists(name):
        jvm: Any = session._jvm  # type: ignore[attr-defined]
        udf = cls(bytearray(head), pad, str(threshold))
        session._jsparkSession.udf().register(  # type: ignore[attr-defined]
            name, udf, jvm.org.apache.spark.sql.types.DataTypes.BooleanType
        )
    return f"{name}({bits}, {ident})"
