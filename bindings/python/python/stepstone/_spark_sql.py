"""The sampling decision as one Spark SQL expression, evaluated by the JVM with no Python worker.

The core gives the pieces (``SamplingPlan.message_layout``: the hashed message around the
period and the id; ``SamplingPlan.positions_below``: the integer threshold of the class's
rate); this module only writes them as SQL:

    sha2(head ‖ u64be(period) ‖ zeros(pad) ‖ u32be(octet_length(id)) ‖ id, 256) < 'T'

where ``T`` is the threshold as 16 lowercase hex digits. ``sha2`` gives the digest as 64
lowercase hex digits; for strings of hex digits of the same case, the byte order Spark
compares strings in is the order of the numbers, so "the first 16 digits are below ``T``" is
exactly "the position (the digest's first 8 bytes, big-endian) is below the threshold", and a
digest whose first 16 digits equal ``T`` is longer than ``T``, so not below it. Thresholds 0 and
2**64 (rates 0 and 1000000) have no 16-digit form: their answer is a constant false or true for
every row with an id and a period.

Periods from timestamps follow ``SamplingPlan.period_at``: floor to whole seconds (Spark's
``unix_seconds`` floors; a ``timestamp_ntz`` is read as UTC wall time, as the Arrow path reads
it), then ``(seconds - offset) div period_seconds``. A time before the offset or a negative
period fails the task with ``raise_error`` and a message that starts with the error code.
"""

from __future__ import annotations

from typing import Optional

from pyspark.sql import DataFrame
from pyspark.sql.types import (
    BinaryType,
    ByteType,
    IntegerType,
    LongType,
    ShortType,
    StringType,
    TimestampNTZType,
    TimestampType,
)

from ._native import SamplingPlan

I64_MAX = 2**63 - 1
INTEGER_TYPES = (ByteType, ShortType, IntegerType, LongType)


def quoted(name: str) -> str:
    """``name`` as a Spark SQL identifier (dots and spaces kept as part of the name)."""
    return "`" + name.replace("`", "``") + "`"


def text(value: str) -> str:
    """``value`` as a Spark SQL string literal (ASCII text only: messages and digits)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def binary(value: bytes) -> str:
    """``value`` as a Spark SQL binary literal."""
    return f"X'{value.hex()}'"


def fail(code: str, *parts: str) -> str:
    """``raise_error`` with a message starting with ``code``; ``parts`` are SQL expressions."""
    return f"raise_error(concat({text(code + ': ')}, {', '.join(parts)}))"


def id_bytes(df: DataFrame, id_col: str) -> str:
    """The id column's bytes: a string column is hashed as its UTF-8 bytes."""
    kind = df.schema[id_col].dataType
    if isinstance(kind, BinaryType):
        return quoted(id_col)
    if isinstance(kind, StringType):
        return f"cast({quoted(id_col)} as binary)"
    raise TypeError(f"id_col {id_col!r} must be a string or binary column, it is {kind.simpleString()}")


def period_of_column(df: DataFrame, period_col: str) -> str:
    """A period column as a long (any integer type); a negative value fails the task."""
    kind = df.schema[period_col].dataType
    if not isinstance(kind, INTEGER_TYPES):
        raise TypeError(
            f"period_col {period_col!r} must be an integer column, it is {kind.simpleString()}"
        )
    p = f"cast({quoted(period_col)} as bigint)"
    negative = fail(
        "sample.negative_period", text("period "), f"cast({p} as string)",
        text(" is negative; periods are 0 to 2^64 - 1"),
    )
    return f"if({p} < 0, {negative}, {p})"


def period_of_time(df: DataFrame, plan: SamplingPlan, ts_col: str) -> str:
    """A timestamp column's period under ``plan`` (floor to seconds, then ``period_at``)."""
    kind = df.schema[ts_col].dataType
    c = quoted(ts_col)
    if isinstance(kind, TimestampType):
        seconds = f"unix_seconds({c})"
    elif isinstance(kind, TimestampNTZType):
        micros = f"timestampdiff(MICROSECOND, TIMESTAMP_NTZ'1970-01-01 00:00:00', {c})"
        seconds = f"(({micros} - pmod({micros}, 1000000)) div 1000000)"
    else:
        raise TypeError(
            f"ts_col {ts_col!r} must be a timestamp column, it is {kind.simpleString()}"
        )
    offset, length = plan.period_offset_seconds, plan.period_seconds
    before = fail(
        "sample.before_offset", text("time "), f"cast({seconds} as string)",
        text(f" (Unix seconds) is before the period offset {offset}"),
    )
    if offset > I64_MAX:
        # Every time Spark can hold is before this offset.
        return f"if({seconds} is null, null, {before})"
    # Seconds and offset are at most 2**63 - 1 and the difference is not negative: no overflow.
    period = "0L" if length > I64_MAX else f"(({seconds} - {offset}L) div {length}L)"
    return f"if({seconds} < {offset}L, {before}, {period})"


def u64be(period: str) -> str:
    """A non-negative long as 8 big-endian bytes."""
    return f"unhex(lpad(hex({period}), 16, '0'))"


def sampled_sql(
    df: DataFrame,
    plan: SamplingPlan,
    id_col: str,
    class_: str,
    ts_col: Optional[str],
    period_col: Optional[str],
    period: Optional[int],
) -> str:
    """The SQL expression (boolean, null where the id or the period is null) of the decision.

    Raises ``TypeError`` for a column of the wrong type (the caller turns it into a
    ``BadArgumentError``) and ``SampleError`` (``sample.unknown_class``) from the plan.
    """
    threshold = plan.positions_below(class_)
    head, pad = plan.message_layout(class_)
    ident = id_bytes(df, id_col)
    if ts_col is not None:
        period_bytes = u64be(period_of_time(df, plan, ts_col))
    elif period_col is not None:
        period_bytes = u64be(period_of_column(df, period_col))
    else:
        assert period is not None
        # One period for every row: conv reads it as an unsigned 64-bit number (up to 2**64 - 1).
        period_bytes = f"unhex(lpad(conv({text(str(period))}, 10, 16), 16, '0'))"
    parts = [binary(head), period_bytes]
    if pad:
        parts.append(binary(bytes(pad)))
    parts += [u32be_length(ident), ident]
    return below(f"sha2(concat({', '.join(parts)}), 256)", threshold)


def below(digest: str, threshold: int) -> str:
    """Whether the position of ``digest`` (SQL: 64 lowercase hex digits, or null) is below
    ``threshold`` (from 0 to 2**64): null for a null digest."""
    if threshold == 0:
        return f"if({digest} is null, null, false)"
    if threshold >= 2**64:
        return f"if({digest} is null, null, true)"
    return f"({digest} < {text(format(threshold, '016x'))})"


def u32be_length(ident: str) -> str:
    """The id's length in bytes as 4 big-endian bytes."""
    return f"unhex(lpad(hex(octet_length({ident})), 8, '0'))"
