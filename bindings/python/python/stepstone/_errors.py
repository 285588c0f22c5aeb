"""Exception classes raised by stepstone: one base, one subclass per area of the core.

The class of an error is picked from its code in one place, ``error_for`` (the native module
calls it for every error it raises): ``python.bad_argument`` is a ``BadArgumentError``; any other
code by its area, the part before the first dot (``plan.unreachable`` is a ``PlanError``,
``compact.*`` a ``CatalogError``); an area not in the table gives the base ``Error``.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Dict, List, Optional, Tuple, Type, TypeVar


class Error(ValueError):
    """Base of every stepstone error. ``.code`` is the stable code (``area.reason``)."""

    code: str

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code

    @property
    def message(self) -> str:
        """The message, naming the offending value."""
        return str(self.args[0]) if self.args else ""

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (self.message, self.code))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"


class BadArgumentError(Error, TypeError):
    """An argument the binding refuses before the core sees it (``python.bad_argument``): of the
    wrong type, missing, negative, not a whole number, NaN, out of range, or unknown. The
    message names the argument and the value. Also a ``TypeError``, as such errors were before."""


class IoError(Error, OSError):
    """The operating system refused: a file that cannot be read (``io.unreadable``, ``.filename``
    is its path), the random source or the clock. Also an ``OSError``."""

    def __init__(self, message: str, code: str = "", filename: Optional[str] = None) -> None:
        super().__init__(message, code)
        self.filename = filename

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (self.message, self.code, self.filename))


class VersionError(Error):
    """A malformed, empty, too long or overflowing version (``version.*``)."""


class CatalogError(Error):
    """An invalid catalog (``catalog.*``, ``compact.*``); ``.errors`` lists every problem as
    (code, message)."""

    errors: List[Tuple[str, str]]

    def __init__(
        self, message: str, code: str = "", errors: List[Tuple[str, str]] | None = None
    ) -> None:
        super().__init__(message, code)
        self.errors = list(errors) if errors is not None else [(code, message)]

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (self.message, self.code, self.errors))


class PlanError(Error):
    """No path, unknown or yanked target, refused downgrade... (``plan.*``)."""


class GraphError(Error):
    """An upgrade graph request refused: an unknown format (``graph.*``)."""


class SampleError(Error):
    """A bad sampling plan, rate or class (``sample.*``)."""


class RetryError(Error):
    """A bad retry policy (``retry.*``)."""


class ReconcileError(Error):
    """A bad device state, event or maintenance window (``reconcile.*``, ``window.*``)."""


class RolloutError(Error):
    """A bad rollout plan or stage counts (``rollout.*``)."""


class SignatureError(Error):
    """A key or signature refused (``signature.*``)."""


class ManifestError(Error):
    """A manifest refused: wrong model, rollback, expired, digest or size mismatch (``manifest.*``)."""


class CertificateError(Error):
    """A certificate or chain refused: malformed, expired, wrong issuer, not a CA... (``cert.*``)."""


class SignedCatalogError(Error):
    """A signed catalog refused: unknown key, bad signature, expired, replayed (``signed_catalog.*``)."""


class SimulationError(Error):
    """A fleet simulation refused: unknown start version, empty catalog, bad rate (``simulate.*``)."""


# The one table: an error's class by its code's area.
_BY_AREA: Dict[str, Type[Error]] = {
    "version": VersionError,
    "catalog": CatalogError,
    "compact": CatalogError,
    "plan": PlanError,
    "graph": GraphError,
    "sample": SampleError,
    "retry": RetryError,
    "rollout": RolloutError,
    "reconcile": ReconcileError,
    "window": ReconcileError,
    "signature": SignatureError,
    "manifest": ManifestError,
    "cert": CertificateError,
    "signed_catalog": SignedCatalogError,
    "simulate": SimulationError,
    "io": IoError,
}

BAD_ARGUMENT = "python.bad_argument"


def class_for(code: str) -> Type[Error]:
    """The exception class for ``code``: ``BadArgumentError`` for ``python.bad_argument``, else
    by the code's area (``plan.unreachable`` -> ``PlanError``), else ``Error``."""
    if code == BAD_ARGUMENT:
        return BadArgumentError
    return _BY_AREA.get(code.split(".", 1)[0], Error)


def error_for(
    code: str,
    message: str,
    errors: Optional[List[Tuple[str, str]]] = None,
    filename: Optional[str] = None,
) -> Error:
    """The exception for ``code`` and ``message`` (what the native module raises). ``errors``
    is a catalog's full list, ``filename`` the path an ``io.*`` error is about."""
    cls = class_for(code)
    if cls is CatalogError:
        return CatalogError(message, code, errors)
    if cls is IoError:
        return IoError(message, code, filename)
    return cls(message, code)


_F = TypeVar("_F", bound=Callable[..., Any])


def checked(fn: _F) -> _F:
    """``fn`` with its arguments bound before it runs: a missing, unknown, repeated or surplus
    argument is a ``BadArgumentError`` naming the call (``sampled(): missing a required
    argument: 'ids'``), as the native functions refuse them, not a bare ``TypeError``."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            signature.bind(*args, **kwargs)
        except TypeError as e:
            raise error_for(BAD_ARGUMENT, f"{fn.__qualname__}(): {e}") from None
        return fn(*args, **kwargs)

    return call  # type: ignore[return-value]


def whole(value: object) -> Optional[int]:
    """``value`` as an ``int`` if it is a whole number as the native functions take one: an
    ``int`` or what has ``__index__`` (numpy's integers), but not a ``bool`` (numpy's either);
    else ``None``."""
    if isinstance(value, bool) or type(value).__name__ in ("bool_", "bool"):
        return None
    if isinstance(value, int):
        return value
    index = getattr(type(value), "__index__", None)
    if index is None or isinstance(value, float):
        return None
    try:
        return int(index(value))
    except (TypeError, ValueError):
        return None
