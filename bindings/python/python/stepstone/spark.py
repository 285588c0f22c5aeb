"""stepstone's decisions inside Apache Spark: DataFrame functions.

Sampling (``with_sampled``, ``filter_sampled``, ``sampled_column``) runs in the JVM with no
Python worker, by one of two routes that hash the message the core lays out
(``SamplingPlan.message_layout``) and compare with the core's integer threshold
(``SamplingPlan.positions_below``): ``method="jvm"``, stepstone's Java UDF from the jar in this
package (``jar_path()``; start the session with ``spark.jars`` set to it), or ``method="sql"``,
one Spark SQL expression around ``sha2``. The default ``method="auto"`` takes the UDF when the
session can load it and the SQL expression otherwise. ``method="arrow"`` runs the native core on
whole Arrow batches in Python workers (``mapInArrow``) and ``method="arrow_udf"`` as a scalar
Arrow UDF (only the id and time columns go to Python; PySpark 4.1 or later), with the plan
shipped once as a broadcast of its JSON. Every route gives the core's answer, row for row.
Next hops (``with_next_hop``) always take the Arrow route: the catalog is broadcast once and
parsed once per Python worker.

Needs ``pyspark`` (``pip install stepstone[spark]``) and a classic Spark session (Spark Connect
has no broadcast variables). Executors must import ``stepstone``: install the wheel on them, or
set ``PYSPARK_PYTHON`` to an interpreter that has it.

Functions:

* ``with_sampled(df, plan, id_col, class_, ts_col=... | period_col=... | period=...)``: adds a
  boolean column (null where the id or the period/time is null);
* ``filter_sampled(...)``: keeps only the rows whose device is in the sample for the row's
  period (the down-sampling step; rows with a null id or time are dropped);
* ``sampled_column(df, plan, id_col, class_, ...)``: the decision as a ``Column``, for
  ``select``/``where``;
* ``with_next_hop(df, catalog, target, version_col, model_col=None, environment_col=None)``:
  adds ``next_hop``, ``error`` (code) and ``error_message``;
* ``jar_path()``: the path of the UDF jar, for ``spark.jars`` or ``spark-submit --jars``.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

try:
    import pyarrow as pa
    from pyspark.sql import Column, DataFrame
    from pyspark.sql import functions as F
    from pyspark.sql.types import BooleanType, StringType, StructField, StructType
except ImportError as e:  # pragma: no cover - exercised only without pyspark
    raise ImportError("stepstone.spark needs pyspark: pip install 'stepstone[spark]'") from e

from . import _spark_jvm, _spark_sql, arrow
from ._errors import checked, error_for, whole
from ._native import Catalog, SamplingPlan

__all__ = ["with_sampled", "filter_sampled", "sampled_column", "with_next_hop", "jar_path"]

# Parsed plans and catalogs, per Python worker: (kind, JSON) -> object. The broadcast hands
# every task of a worker the same str object, whose hash CPython keeps: one parse per worker.
_parsed: Dict[Tuple[str, str], Any] = {}


def _bad(message: str) -> Exception:
    return error_for("python.bad_argument", message, None, None)


def _value(kind: str, broadcast: Any, parse: Callable[[str], Any]) -> Any:
    key = (kind, broadcast.value)
    found = _parsed.get(key)
    if found is None:
        found = _parsed[key] = parse(broadcast.value)
    return found


def _check_df(fn: str, df: object) -> DataFrame:
    if not isinstance(df, DataFrame) or not hasattr(df, "sparkSession"):
        raise _bad(f"{fn}: df must be a pyspark DataFrame, got {type(df).__name__}")
    return df


def _check_col(fn: str, df: DataFrame, what: str, name: Optional[str]) -> None:
    if name is None:
        return
    if not isinstance(name, str):
        raise _bad(f"{fn}: {what} must be a column name (str), got {type(name).__name__} {name!r}")
    if name not in df.columns:
        raise _bad(f"{fn}: the DataFrame has no column {name!r} (it has: {', '.join(df.columns)})")


METHODS = ("auto", "jvm", "sql", "arrow", "arrow_udf")


def jar_path() -> str:
    """The path of stepstone's Spark UDF jar inside this package: give it to Spark as
    ``spark.jars`` (``SparkSession.builder.config("spark.jars", jar_path())``) or
    ``spark-submit --jars``, and sampling runs as the Java UDF (``method="jvm"``)."""
    return _spark_jvm.jar_path()


def _named(batch: "pa.RecordBatch", names: List[str]) -> "pa.RecordBatch":
    return pa.RecordBatch.from_arrays(batch.columns, names=names)


def _map_in_arrow(
    df: DataFrame,
    run: Callable[[Iterator["pa.RecordBatch"]], Iterator["pa.RecordBatch"]],
    extra: List[StructField],
) -> DataFrame:
    """``df.mapInArrow(run, ...)`` whose answer has ``df``'s columns plus ``extra``, for any
    column names: PySpark's ``mapInArrow`` looks each column up by name and reads a dot as a
    struct field (``device.id``), so the columns travel under positional names and ``run``
    sees, and returns, the original ones."""
    names = list(df.columns)
    fields = list(df.schema.fields) + extra
    out_names = [f.name for f in fields]
    travel = [f"_c{i}" for i in range(len(fields))]
    schema = StructType([StructField(t, f.dataType, f.nullable) for t, f in zip(travel, fields)])

    def wrapped(batches: Iterator["pa.RecordBatch"]) -> Iterator["pa.RecordBatch"]:
        for batch in run(_named(b, names) for b in batches):
            yield _named(batch, travel)

    return df.toDF(*travel[: len(names)]).mapInArrow(wrapped, schema).toDF(*out_names)


def _check_sampling(
    fn: str,
    df: DataFrame,
    plan: SamplingPlan,
    id_col: str,
    class_: str,
    ts_col: Optional[str],
    period_col: Optional[str],
    period: Optional[int],
    method: object,
) -> Optional[Column]:
    """Checks the arguments on the driver; returns the decision as a ``Column`` of the route
    ``method`` asks for (building it also checks the column types), ``None`` for
    ``method="arrow"`` (the decision is made in ``mapInArrow``)."""
    if not isinstance(plan, SamplingPlan):
        raise _bad(f"{fn}: plan must be a SamplingPlan, got {type(plan).__name__}")
    if not isinstance(class_, str):
        raise _bad(f"{fn}: class_ must be a str, got {type(class_).__name__} {class_!r}")
    plan.rate(class_)  # sample.unknown_class now, on the driver, not in every task
    _check_col(fn, df, "id_col", id_col)
    if id_col is None:
        raise _bad(f"{fn}: id_col is missing")
    given = [x for x in (ts_col, period_col, period) if x is not None]
    if len(given) != 1:
        raise _bad(f"{fn}: give exactly one of ts_col, period_col and period (got {len(given)})")
    _check_col(fn, df, "ts_col", ts_col)
    _check_col(fn, df, "period_col", period_col)
    if period is not None:
        whole_period = whole(period)
        if whole_period is None or not 0 <= whole_period <= 2**64 - 1:
            raise _bad(f"{fn}: period must be an int from 0 to 2**64 - 1, got {period!r}")
        period = whole_period
    if method not in METHODS:
        raise _bad(f"{fn}: method must be one of {', '.join(map(repr, METHODS))}, got {method!r}")
    if method == "auto":
        method = "jvm" if _spark_jvm.loadable(df.sparkSession) else "sql"
    try:
        if method == "jvm":
            # The columns first: a wrong column type is the error even without the jar.
            ident = _spark_sql.id_bytes(df, id_col)
            bits = _spark_jvm.period_bits(df, plan, ts_col, period_col, period)
            return F.expr(_spark_jvm.sampled_sql(df, plan, class_, ident, bits))
        # The SQL expression checks the column types for every route.
        sql = _spark_sql.sampled_sql(df, plan, id_col, class_, ts_col, period_col, period)
    except (TypeError, LookupError) as e:
        raise _bad(f"{fn}: {e}") from None
    if method == "sql":
        return F.expr(sql)
    if method == "arrow_udf":
        decide = _arrow_decider(df, plan, id_col, class_, ts_col, period_col, period)
        return _arrow_udf_column(fn, decide, id_col, ts_col if ts_col is not None else period_col)
    return None


def _column(name: str) -> Column:
    return F.col(_spark_sql.quoted(name))


def _arrow_udf_column(
    fn: str, decide: Callable[[Any], "pa.Array"], id_col: str, by: Optional[str]
) -> Column:
    """The decision ``decide`` as a scalar Arrow UDF (``method="arrow_udf"``) of the id column
    and the time or period column ``by`` (``None``: one period): those columns go to a Python
    worker in Arrow batches, the answer comes back as a boolean column and the filter runs in
    the JVM."""
    arrow_udf = getattr(F, "arrow_udf", None)
    if arrow_udf is None:
        raise _bad(f"{fn}: method='arrow_udf' needs PySpark 4.1 or later (pyspark.sql.functions.arrow_udf)")
    if by is None:

        def one(ids: pa.Array) -> pa.Array:
            return decide({id_col: ids})

        return arrow_udf(one, BooleanType())(_column(id_col))

    def each(ids: pa.Array, times: pa.Array) -> pa.Array:
        return decide({id_col: ids, by: times})

    return arrow_udf(each, BooleanType())(_column(id_col), _column(by))


def _arrow_decider(
    df: DataFrame,
    plan: SamplingPlan,
    id_col: str,
    class_: str,
    ts_col: Optional[str],
    period_col: Optional[str],
    period: Optional[int],
) -> Callable[[Any], "pa.Array"]:
    """What each Arrow batch (or mapping of column name to array) runs on an executor
    (``method="arrow"`` and ``"arrow_udf"``)."""
    shipped = df.sparkSession.sparkContext.broadcast(plan.to_json())
    by = ts_col if ts_col is not None else period_col

    def decide(batch: Any) -> "pa.Array":
        p = _value("plan", shipped, SamplingPlan.from_json)
        column = batch.column if isinstance(batch, pa.RecordBatch) else batch.__getitem__
        periods = column(by) if by is not None else period
        return arrow.sampled(p, column(id_col), class_, periods)

    return decide


@checked
def with_sampled(
    df: DataFrame,
    plan: SamplingPlan,
    id_col: str,
    class_: str,
    *,
    ts_col: Optional[str] = None,
    period_col: Optional[str] = None,
    period: Optional[int] = None,
    out_col: str = "sampled",
    method: str = "auto",
) -> DataFrame:
    """``df`` with a boolean column ``out_col``: whether the row's device (``id_col``, string or
    binary) is in ``plan``'s sample of ``class_`` for the row's period, from exactly one of
    ``ts_col`` (a timestamp column; the plan's period length and offset give the period),
    ``period_col`` (an integer column) or ``period`` (one period for every row). Null id or
    time: null.

    ``method``: ``"auto"`` (the default: ``"jvm"`` when the session can load stepstone's jar,
    ``"sql"`` otherwise), ``"jvm"`` (stepstone's Java UDF: start the session with
    ``spark.jars=jar_path()``), ``"sql"`` (one Spark SQL expression around ``sha2``),
    ``"arrow"`` (the native core on Arrow batches in Python workers, ``mapInArrow``) or
    ``"arrow_udf"`` (the native core as a scalar Arrow UDF on the id and time columns). All give
    the core's answer for every row.

    Raises (on the driver): ``BadArgumentError`` for a missing column, a column of the wrong
    type (ids: string or binary; ``ts_col``: timestamp or timestamp_ntz; ``period_col``: an
    integer type) or arguments of the wrong kind; ``SampleError`` (``sample.unknown_class``).
    Row errors (a negative period, a time before the plan's offset) fail the Spark job: with
    ``"jvm"`` and ``"sql"`` a Spark ``USER_RAISED_EXCEPTION`` whose message starts with the code
    (``sample.negative_period: period -3 is negative ...``), with ``"arrow"`` and
    ``"arrow_udf"`` the ``SampleError`` naming the row of the batch.
    """
    fn = "with_sampled"
    df = _check_df(fn, df)
    if not isinstance(out_col, str) or out_col in df.columns:
        raise _bad(f"{fn}: out_col must be a new column name, got {out_col!r}")
    decision = _check_sampling(fn, df, plan, id_col, class_, ts_col, period_col, period, method)
    if decision is not None:
        return df.withColumn(out_col, decision)
    decide = _arrow_decider(df, plan, id_col, class_, ts_col, period_col, period)

    def run(batches: Iterator["pa.RecordBatch"]) -> Iterator["pa.RecordBatch"]:
        for batch in batches:
            yield pa.RecordBatch.from_arrays(
                batch.columns + [decide(batch)], names=batch.schema.names + [out_col]
            )

    return _map_in_arrow(df, run, [StructField(out_col, BooleanType(), True)])


@checked
def filter_sampled(
    df: DataFrame,
    plan: SamplingPlan,
    id_col: str,
    class_: str,
    *,
    ts_col: Optional[str] = None,
    period_col: Optional[str] = None,
    period: Optional[int] = None,
    method: str = "auto",
) -> DataFrame:
    """The rows of ``df`` whose device is in the sample for the row's period: the
    down-sampling step. Arguments and errors as ``with_sampled``; rows whose answer is null
    (null id or time) are dropped.
    """
    fn = "filter_sampled"
    df = _check_df(fn, df)
    decision = _check_sampling(fn, df, plan, id_col, class_, ts_col, period_col, period, method)
    if decision is not None:
        return df.filter(decision)
    decide = _arrow_decider(df, plan, id_col, class_, ts_col, period_col, period)

    def run(batches: Iterator["pa.RecordBatch"]) -> Iterator["pa.RecordBatch"]:
        for batch in batches:
            kept = batch.filter(decide(batch), null_selection_behavior="drop")
            if kept.num_rows:
                yield kept

    return _map_in_arrow(df, run, [])


@checked
def sampled_column(
    df: DataFrame,
    plan: SamplingPlan,
    id_col: str,
    class_: str,
    *,
    ts_col: Optional[str] = None,
    period_col: Optional[str] = None,
    period: Optional[int] = None,
    method: str = "auto",
) -> Column:
    """The sampling decision of ``with_sampled`` as a boolean ``Column`` of ``df``, for
    ``select``, ``where`` or ``groupBy``. ``method``: ``"auto"`` (the default), ``"jvm"``,
    ``"sql"`` or ``"arrow_udf"`` as for ``with_sampled`` (``"arrow"`` is a whole-DataFrame
    route: use ``with_sampled``). Arguments and errors as ``with_sampled``.
    """
    fn = "sampled_column"
    df = _check_df(fn, df)
    if method == "arrow":
        raise _bad(f"{fn}: method='arrow' maps whole batches and gives no column: use with_sampled")
    decision = _check_sampling(fn, df, plan, id_col, class_, ts_col, period_col, period, method)
    assert decision is not None  # method="arrow" is refused above
    return decision


@checked
def with_next_hop(
    df: DataFrame,
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
) -> DataFrame:
    """``df`` with ``next_hop`` (null at the target or on an error), ``error`` (the row's code:
    ``plan.unreachable``, ``version.malformed``, ``plan.no_version``, ...) and
    ``error_message``. ``version_col``: strings or integer build numbers; ``model_col`` /
    ``environment_col``: string columns (null: the device does not say).

    Raises (on the driver): ``BadArgumentError`` for a missing column or arguments of the wrong
    kind; ``VersionError`` for a malformed target, ``PlanError`` (``plan.unknown_cost``).
    """
    fn = "with_next_hop"
    df = _check_df(fn, df)
    if not isinstance(catalog, Catalog):
        raise _bad(f"{fn}: catalog must be a Catalog, got {type(catalog).__name__}")
    if not isinstance(target, str):
        raise _bad(f"{fn}: target must be a version (str), got {type(target).__name__} {target!r}")
    if version_col is None:
        raise _bad(f"{fn}: version_col is missing")
    for what, name in (("version_col", version_col), ("model_col", model_col), ("environment_col", environment_col)):
        _check_col(fn, df, what, name)
    if not isinstance(cost, str) or not isinstance(allow_downgrade, bool):
        raise _bad(f"{fn}: cost must be a str and allow_downgrade a bool")
    # Malformed target, unknown cost: refused here, once, not in every task.
    arrow.plan_table(catalog, pa.table({"v": pa.array([], pa.string())}), target, version_col="v", cost=cost)
    for name in (out_col, error_col, message_col):
        if not isinstance(name, str) or name in df.columns:
            raise _bad(f"{fn}: output column names must be new, got {name!r}")
    shipped = df.sparkSession.sparkContext.broadcast(catalog.to_json())
    extra = [StructField(n, StringType(), True) for n in (out_col, error_col, message_col)]

    def run(batches: Iterator["pa.RecordBatch"]) -> Iterator["pa.RecordBatch"]:
        cat = _value("catalog", shipped, Catalog.from_json)
        for batch in batches:
            table = pa.Table.from_batches([batch])
            out = arrow.plan_table(
                cat,
                table,
                target,
                version_col=version_col,
                model_col=model_col,
                environment_col=environment_col,
                cost=cost,
                allow_downgrade=allow_downgrade,
                out_col=out_col,
                error_col=error_col,
                message_col=message_col,
            )
            yield from out.to_batches()

    return _map_in_arrow(df, run, extra)
