"""Fleet sampling and next hops over Apache Arrow arrays: Arrow in, Arrow out, no copy per row.

Ids, periods, timestamps and versions are read in place from the arrays' buffers by the native
core (``stepstone::sample::column``, ``stepstone::campaign::column``) with the GIL released and
the work split over the cores; answers come back as Arrow arrays. Chunked arrays are answered
chunk by chunk (a ``pa.ChunkedArray`` in, a ``pa.ChunkedArray`` with the same chunks out), so
memory follows the largest chunk, not the whole column.

Needs ``pyarrow`` (``pip install stepstone[arrow]``).

Nulls pass through: a null id, period or timestamp gives a null answer for its row (a null is
not "not sampled"; ``pyarrow.compute.filter`` drops it). A null version gets the row error
``plan.no_version``.

>>> import pyarrow as pa, stepstone
>>> from stepstone import arrow
>>> plan = stepstone.SamplingPlan.from_dict(
...     {"salt": "acme-2026", "period_seconds": 86400, "classes": {"metrics": 50000}})
>>> ids = pa.array(["DA143532", None, "dev-00000006"])
>>> arrow.sampled(plan, ids, "metrics", 20415).to_pylist()
[False, None, True]
"""

from __future__ import annotations

from typing import List, NamedTuple, Optional, Sequence, Tuple, Union

try:
    import pyarrow as pa
except ImportError as e:  # pragma: no cover - exercised only without pyarrow
    raise ImportError(
        "stepstone.arrow needs pyarrow: pip install 'stepstone[arrow]'"
    ) from e

from . import _native
from ._errors import Error, checked, error_for, whole
from ._native import Campaign, Catalog, Sampler, SamplingPlan

__all__ = ["sampled", "positions", "next_hops", "plan_table", "NextHopArrays"]

ArrayLike = Union["pa.Array", "pa.ChunkedArray"]
Periods = Union[int, "pa.Array", "pa.ChunkedArray", None]


def _bad(message: str) -> Exception:
    return error_for("python.bad_argument", message, None, None)


def _describe(value: object) -> str:
    if isinstance(value, (pa.Array, pa.ChunkedArray)):
        return f"a pyarrow {value.type} array"
    return f"{type(value).__name__} {value!r}"[:120]


def _chunks(name: str, value: object) -> Tuple[List["pa.Array"], bool]:
    """The arrays of ``value`` and whether it was chunked."""
    if isinstance(value, pa.ChunkedArray):
        return list(value.chunks), True
    if isinstance(value, pa.Array):
        return [value], False
    raise _bad(f"{name} must be a pyarrow Array or ChunkedArray, got {_describe(value)}")


def _no(_t: object) -> bool:
    return False


# View types came in pyarrow 16; older versions have none to convert.
_is_string_view = getattr(pa.types, "is_string_view", _no)
_is_binary_view = getattr(pa.types, "is_binary_view", _no)


def _decoded(arr: "pa.Array") -> "pa.Array":
    """``arr`` with dictionaries decoded, string views as ``large_string`` and an all-null
    array (type ``null``, what ``pa.array([None, None])`` gives) as ``string``."""
    if pa.types.is_null(arr.type):
        return arr.cast(pa.string())
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if _is_string_view(arr.type):
        return arr.cast(pa.large_string())
    return arr


def _id_array(name: str, arr: "pa.Array") -> "pa.Array":
    """``arr`` as binary/string (or large) ids: dictionaries decoded, views cast."""
    arr = _decoded(arr)
    t = arr.type
    if _is_binary_view(t):
        return arr.cast(pa.large_binary())
    if pa.types.is_fixed_size_binary(t):
        return arr.cast(pa.binary())
    if (
        pa.types.is_binary(t)
        or pa.types.is_string(t)
        or pa.types.is_large_binary(t)
        or pa.types.is_large_string(t)
    ):
        return arr
    raise _bad(f"{name} must hold binary or string values, got a pyarrow {t} array")


def _int_array(name: str, arr: "pa.Array", what: str) -> "pa.Array":
    """``arr`` as int64/uint64 or a timestamp (other integer widths cast)."""
    t = arr.type
    if pa.types.is_null(t):
        return arr.cast(pa.int64())
    if pa.types.is_timestamp(t) or t in (pa.int64(), pa.uint64()):
        return arr
    if pa.types.is_integer(t):
        return arr.cast(pa.uint64() if pa.types.is_unsigned_integer(t) else pa.int64())
    raise _bad(f"{name} must hold {what}, got a pyarrow {t} array")


def _aligned(name: str, value: ArrayLike, rows: int) -> ArrayLike:
    if len(value) != rows:
        raise _bad(f"{name} has {len(value)} rows, the ids {rows}: they must be aligned")
    return value


def _slice(value: ArrayLike, offset: int, length: int) -> "pa.Array":
    part = value.slice(offset, length)
    if isinstance(part, pa.ChunkedArray):
        return part.chunk(0) if part.num_chunks == 1 else part.combine_chunks()
    return part


def _out(parts: List["pa.Array"], chunked: bool, type_: "pa.DataType") -> ArrayLike:
    if chunked:
        return pa.chunked_array(parts, type=type_)
    return parts[0]


def _fixed(type_: "pa.DataType", rows: int, answer: Tuple[bytes, Optional[bytes], int]) -> "pa.Array":
    """A ``bool`` or ``uint64`` array from the native answer's (values, validity, nulls)."""
    values, validity, nulls = answer
    bufs = [pa.py_buffer(validity) if validity is not None else None, pa.py_buffer(values)]
    return pa.Array.from_buffers(type_, rows, bufs, null_count=nulls)


def _strings(rows: int, answer: Tuple[bytes, bytes, bytes, int]) -> "pa.Array":
    offsets, data, validity, nulls = answer
    bufs = [pa.py_buffer(validity), pa.py_buffer(offsets), pa.py_buffer(data)]
    return pa.Array.from_buffers(pa.string(), rows, bufs, null_count=nulls)


def _source_args(
    fn: str,
    source: object,
    class_: Optional[str],
    periods: Periods,
    rate_ppm: Optional[int],
    with_rate: bool,
) -> None:
    """Checks the (source, class_, periods, rate_ppm) combination; raises BadArgumentError."""
    if isinstance(source, SamplingPlan):
        if not isinstance(class_, str):
            raise _bad(f"{fn}: class_ must be a str (a class of the plan), got {_describe(class_)}")
        if periods is None:
            raise _bad(f"{fn}: periods is missing: a period (int) or an array aligned with the ids")
        period = whole(periods)
        if period is None and not isinstance(periods, (pa.Array, pa.ChunkedArray)):
            raise _bad(
                f"{fn}: periods must be an int or a pyarrow array of periods or timestamps, "
                f"got {_describe(periods)}"
            )
        if period is not None and not 0 <= period <= 2**64 - 1:
            raise _bad(f"{fn}: periods must be from 0 to 2**64 - 1, got {period}")
        if rate_ppm is not None:
            raise _bad(f"{fn}: rate_ppm comes from the plan; give it only with a Sampler")
    elif isinstance(source, Sampler):
        if class_ is not None or periods is not None:
            raise _bad(f"{fn}: a Sampler has its class and period already; pass neither")
        if with_rate:
            rate = whole(rate_ppm)
            if rate is None:
                raise _bad(f"{fn}: rate_ppm must be an int with a Sampler, got {_describe(rate_ppm)}")
            if not 0 <= rate <= 2**32 - 1:
                raise _bad(f"{fn}: rate_ppm must be from 0 to 2**32 - 1, got {rate}")
    else:
        raise _bad(f"{fn}: source must be a SamplingPlan or a Sampler, got {_describe(source)}")


def _run(
    fn: str,
    source: Union[SamplingPlan, Sampler],
    ids: ArrayLike,
    class_: Optional[str],
    periods: Periods,
    rate_ppm: Optional[int],
    with_rate: bool,
) -> ArrayLike:
    _source_args(fn, source, class_, periods, rate_ppm, with_rate)
    if whole(periods) is not None:
        periods = whole(periods)
    if with_rate and isinstance(source, Sampler):
        rate_ppm = whole(rate_ppm)
    chunks, chunked = _chunks("ids", ids)
    rows = sum(len(c) for c in chunks)
    period_array: Optional[ArrayLike] = None
    if isinstance(periods, (pa.Array, pa.ChunkedArray)):
        period_array = _aligned("periods", periods, rows)
    parts = []
    offset = 0
    for k, chunk in enumerate(chunks):
        try:
            parts.append(_run_chunk(source, chunk, class_, periods, period_array, offset, rate_ppm, with_rate))
        except Error as e:
            if not chunked or not e.message.startswith("row "):
                raise
            # Row numbers are the chunk's own: say which chunk.
            raise type(e)(f"chunk {k}: {e.message}", e.code) from None
        offset += len(chunk)
    if not parts:
        parts = [pa.array([], type=pa.bool_() if with_rate else pa.uint64())]
    return _out(parts, chunked, pa.bool_() if with_rate else pa.uint64())


def _run_chunk(
    source: Union[SamplingPlan, Sampler],
    chunk: "pa.Array",
    class_: Optional[str],
    periods: Periods,
    period_array: Optional[ArrayLike],
    offset: int,
    rate_ppm: Optional[int],
    with_rate: bool,
) -> "pa.Array":
    n = len(chunk)
    arr = _id_array("ids", chunk)
    per = None
    if period_array is not None:
        per = _int_array(
            "periods", _slice(period_array, offset, n), "integer periods or timestamps"
        )
    one = periods if isinstance(periods, int) else None
    answer = _native._column_sample(source, arr, class_, one, per, rate_ppm, with_rate)
    return _fixed(pa.bool_() if with_rate else pa.uint64(), n, answer)


@checked
def sampled(
    source: Union[SamplingPlan, Sampler],
    ids: ArrayLike,
    class_: Optional[str] = None,
    periods: Periods = None,
    *,
    rate_ppm: Optional[int] = None,
) -> ArrayLike:
    """Whether each row's device is in the sample: ``pa.BooleanArray`` (chunked in, chunked out).

    With a ``SamplingPlan``: ``class_`` is one of its classes (its rate applies) and ``periods``
    is one period (int) or an array aligned with ``ids``: periods (any integer type) or
    timestamps (``timestamp[s|ms|us|ns]``, any time zone: Unix time), from which the plan
    derives each row's period. With a ``Sampler`` (class and period fixed): ``rate_ppm``.

    ``ids``: ``binary``, ``string``, ``large_binary``, ``large_string`` (views, fixed-size binary
    and dictionaries are converted first). Nulls give null.

    Raises: ``BadArgumentError`` (``python.bad_argument``) for arguments of the wrong kind or
    misaligned arrays; ``SampleError``: ``sample.unknown_class``, ``sample.negative_period``
    and ``sample.before_offset`` (naming the row), ``sample.bad_column``.

    >>> import pyarrow as pa, stepstone
    >>> from stepstone import arrow
    >>> s = stepstone.Sampler("acme-2026", "metrics", 20415)
    >>> arrow.sampled(s, pa.array([b"DA143532", b"dev-00000006"]), rate_ppm=50000).to_pylist()
    [False, True]
    """
    return _run("sampled", source, ids, class_, periods, rate_ppm, True)


@checked
def positions(
    source: Union[SamplingPlan, Sampler],
    ids: ArrayLike,
    class_: Optional[str] = None,
    periods: Periods = None,
) -> ArrayLike:
    """Each row's position in ``[0, 2**64)``: ``pa.UInt64Array``. Arguments and errors as
    ``sampled`` without a rate (with a plan the class need not be one of its classes).

    >>> import pyarrow as pa, stepstone
    >>> from stepstone import arrow
    >>> s = stepstone.Sampler("acme-2026", "metrics", 20415)
    >>> hex(arrow.positions(s, pa.array(["DA143532"]))[0].as_py())
    '0x1fa53d6562cc3db7'
    """
    return _run("positions", source, ids, class_, periods, None, False)


class NextHopArrays(NamedTuple):
    """``next_hops``' answer: three string arrays aligned with the versions."""

    next_hop: ArrayLike
    """The next release; null at the target or on an error."""
    error: ArrayLike
    """The row's error code (``plan.unreachable``, ``version.malformed``, ``plan.no_version``)."""
    error_message: ArrayLike
    """The row's error message, naming the version."""


def _version_array(arr: "pa.Array") -> "pa.Array":
    arr = _decoded(arr)
    t = arr.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return arr
    return _int_array("versions", arr, "version strings or integer build numbers")


def _hops(parts: List[Tuple["pa.Array", "pa.Array", "pa.Array"]], chunked: bool) -> NextHopArrays:
    if not parts:
        empty = pa.array([], type=pa.string())
        parts = [(empty, empty, empty)]
    cols = list(zip(*parts))
    return NextHopArrays(*(_out(list(c), chunked, pa.string()) for c in cols))


def _hop_arrays(rows: int, answer: Sequence[Tuple[bytes, bytes, bytes, int]]) -> Tuple["pa.Array", "pa.Array", "pa.Array"]:
    hop, code, message = (_strings(rows, a) for a in answer)
    return hop, code, message


@checked
def next_hops(campaign: Campaign, versions: ArrayLike) -> NextHopArrays:
    """Each device's next hop toward the campaign's target, with a per-row error instead of a
    refusal of the whole array.

    ``versions``: ``string``/``large_string`` spellings or integer build numbers. Returns
    ``NextHopArrays(next_hop, error, error_message)``: a row at the target has a null hop and a
    null error; a row that cannot be answered has a null hop and its error code.

    Raises: ``BadArgumentError`` for a campaign or array of the wrong kind.

    >>> import pyarrow as pa, stepstone
    >>> from stepstone import arrow
    >>> cat = stepstone.Catalog({"releases": [
    ...     {"version": "v64000"}, {"version": "v65000", "min_sw_version": "v64000"}]})
    >>> hops = arrow.next_hops(cat.campaign("v65000"), pa.array(["v64000", "v65000", "x", None]))
    >>> hops.next_hop.to_pylist(), hops.error.to_pylist()
    (['v65000', None, None, None], [None, None, 'version.malformed', 'plan.no_version'])
    """
    if not isinstance(campaign, Campaign):
        raise _bad(f"next_hops: campaign must be a Campaign, got {_describe(campaign)}")
    chunks, chunked = _chunks("versions", versions)
    parts = []
    for chunk in chunks:
        arr = _version_array(chunk)
        parts.append(_hop_arrays(len(chunk), _native._column_campaign_next_hops(campaign, arr)))
    return _hops(parts, chunked)


def _column(table: "pa.Table", name: Optional[str], what: str, required: bool) -> Optional["pa.ChunkedArray"]:
    if name is None:
        return None
    if not isinstance(name, str):
        raise _bad(f"plan_table: {what} must be a column name (str), got {_describe(name)}")
    if name not in table.column_names:
        if required:
            raise _bad(
                f"plan_table: the table has no column {name!r} (it has: {', '.join(table.column_names)})"
            )
        return None
    return table.column(name)


@checked
def plan_table(
    catalog: Catalog,
    devices: "pa.Table",
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
) -> "pa.Table":
    """``devices`` with three more columns: ``next_hop``, ``error`` (code) and
    ``error_message``. The model and environment columns are used when the table has them
    (a null: the device does not say); one campaign table is built per distinct pair.

    Raises: ``BadArgumentError`` for a missing version column or arguments of the wrong kind;
    ``VersionError`` / ``PlanError`` for a malformed target or an unknown cost (every other
    failure is a row's ``error``).

    >>> import pyarrow as pa, stepstone
    >>> from stepstone import arrow
    >>> cat = stepstone.Catalog.from_path("examples/catalog.json")
    >>> fleet = pa.table({"version": ["v64000", "v67000"], "model": ["AG-1", "AG-2"]})
    >>> arrow.plan_table(cat, fleet, "v67000").column("next_hop").to_pylist()
    ['v65000', None]
    """
    if not isinstance(catalog, Catalog):
        raise _bad(f"plan_table: catalog must be a Catalog, got {_describe(catalog)}")
    if not isinstance(devices, pa.Table):
        raise _bad(f"plan_table: devices must be a pyarrow Table, got {_describe(devices)}")
    if not isinstance(target, str):
        raise _bad(f"plan_table: target must be a version (str), got {_describe(target)}")
    if not isinstance(cost, str):
        raise _bad(f"plan_table: cost must be 'hops' or 'bytes', got {_describe(cost)}")
    if not isinstance(allow_downgrade, bool):
        raise _bad(f"plan_table: allow_downgrade must be a bool, got {_describe(allow_downgrade)}")
    added = {"out_col": out_col, "error_col": error_col, "message_col": message_col}
    for what, name in added.items():
        if not isinstance(name, str):
            raise _bad(f"plan_table: {what} must be a column name (str), got {_describe(name)}")
        if name in devices.column_names:
            raise _bad(f"plan_table: {what} {name!r} is already a column of the table; name another")
    if len(set(added.values())) < 3:
        raise _bad(f"plan_table: out_col, error_col and message_col must differ, got {list(added.values())}")
    versions = _column(devices, version_col, "version_col", True)
    models = _column(devices, model_col, "model_col", False)
    environments = _column(devices, environment_col, "environment_col", False)
    assert versions is not None
    parts = []
    offset = 0
    for chunk in versions.chunks:
        n = len(chunk)
        m = _id_array("models", _slice(models, offset, n)) if models is not None else None
        e = _id_array("environments", _slice(environments, offset, n)) if environments is not None else None
        answer = _native._column_next_hops(
            catalog, target, cost, allow_downgrade, _version_array(chunk), m, e
        )
        parts.append(_hop_arrays(n, answer))
        offset += n
    hops = _hops(parts, True)
    return (
        devices.append_column(out_col, hops.next_hop)
        .append_column(error_col, hops.error)
        .append_column(message_col, hops.error_message)
    )
