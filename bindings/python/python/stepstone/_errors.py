"""Exception classes raised by stepstone: one base, one subclass per area of the core."""

from __future__ import annotations

from typing import List, Tuple


class Error(ValueError):
    """Base of every stepstone error. ``.code`` is the core's stable code (``area.reason``)."""

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


class VersionError(Error):
    """A malformed, empty, too long or overflowing version (``version.*``)."""


class CatalogError(Error):
    """An invalid catalog (``catalog.*``); ``.errors`` lists every problem as (code, message)."""

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


class SampleError(Error):
    """A bad sampling plan, rate or class (``sample.*``)."""


class RetryError(Error):
    """A bad retry policy (``retry.*``)."""


class ReconcileError(Error):
    """A bad device state or event (``reconcile.*``)."""


class RolloutError(Error):
    """A bad rollout plan (``rollout.*``)."""


class SignatureError(Error):
    """A key, signature or certificate refused (``signature.*``)."""


class ManifestError(Error):
    """A manifest refused: wrong model, rollback, expired, digest or size mismatch (``manifest.*``)."""


class CertificateError(Error):
    """A certificate or chain refused: malformed, expired, wrong issuer, not a CA... (``cert.*``)."""


class SignedCatalogError(Error):
    """A signed catalog refused: unknown key, bad signature, expired, replayed (``signed_catalog.*``)."""


class SimulationError(Error):
    """A fleet simulation refused: unknown start version, empty catalog, bad rate (``simulate.*``)."""
