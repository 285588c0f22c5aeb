"""Result classes built by the native module."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Tuple

from ._errors import checked

if TYPE_CHECKING:
    from typing_extensions import disjoint_base
else:  # the marker only informs type checkers (a tuple subclass with a __dict__)

    def disjoint_base(cls: Any) -> Any:
        return cls


@disjoint_base
class OpenedCatalog(Tuple[int, int, str, bytes]):
    """A verified signed catalog, as ``open_catalog`` gives it.

    It is the 4-tuple ``(sequence, expires, key_id, payload)`` it always was (it unpacks,
    indexes and compares as that tuple), with the same four as attributes, plus:

    * ``digest``: SHA-256 of the signed bytes (32 bytes). Store it with ``sequence`` and pass
      both back (``last_sequence=``, ``last_digest=``): an envelope with the same sequence is
      then accepted only if it is the very same catalog (``signed_catalog.sequence_reused``
      otherwise).
    * ``issued``: when it was signed, Unix seconds (``None`` for a format-1 envelope, which
      has no ``issued`` line).
    """

    digest: bytes
    issued: Optional[int]

    def __new__(
        cls,
        sequence: int,
        expires: int,
        key_id: str,
        payload: bytes,
        digest: bytes,
        issued: Optional[int],
    ) -> OpenedCatalog:
        self = super().__new__(cls, (sequence, expires, key_id, payload))
        self.digest = digest
        self.issued = issued
        return self

    @property
    def sequence(self) -> int:
        """The catalog's sequence number."""
        return self[0]

    @property
    def expires(self) -> int:
        """Expiry, Unix seconds."""
        return self[1]

    @property
    def key_id(self) -> str:
        """The signing key's id, hex."""
        return self[2]

    @property
    def payload(self) -> bytes:
        """The verified catalog bytes."""
        return self[3]

    def __getnewargs__(self) -> Tuple[int, int, str, bytes, bytes, Optional[int]]:
        return (*self, self.digest, self.issued)

    def __repr__(self) -> str:
        return (
            f"OpenedCatalog(sequence={self.sequence}, expires={self.expires}, "
            f"key_id={self.key_id!r}, payload=<{len(self.payload)} bytes>, "
            f"digest={self.digest.hex()!r}, issued={self.issued})"
        )


# A missing or surplus argument is a BadArgumentError naming the call, not a bare TypeError.
OpenedCatalog.__new__ = staticmethod(checked(OpenedCatalog.__new__))  # type: ignore[method-assign]
