"""The trust chain on the host: the README's "Closing the trust chain" blocks run as written,
then the edges of `open_compact_catalog`, `ManifestFirst` and `open_catalog`'s result."""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from typing import Any

import pytest

import stepstone
from conftest import ROOT, load_vectors

README = ROOT / "bindings" / "python" / "README.md"
HEADING = "## Closing the trust chain"
NOW = 1_800_000_000


def readme_blocks() -> list[str]:
    text = README.read_text()
    assert HEADING in text, f"{README} lost its section {HEADING!r}"
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 2, "the section has its two python blocks"
    return blocks


def test_readme_trust_chain_runs() -> None:
    namespace: dict[str, Any] = {"__name__": "readme_example"}
    for i, block in enumerate(readme_blocks()):
        exec(compile(block, f"{README}:{HEADING}:{i}", "exec"), namespace)
    facts = namespace["facts"]
    assert set(facts) == {"version", "size", "sha256", "key_id", "expires"}
    assert facts["key_id"] == namespace["manifest_key"].public_key.key_id
    assert namespace["counter"] == "v66003"
    assert namespace["stored_state"]["sequence"] == 11
    assert namespace["o"].issued is not None


# ---- fixtures: the genuine vector of attacks.json -------------------------------------------


def genuine() -> dict[str, Any]:
    doc = load_vectors("attacks.json")
    return next(v for v in doc["vectors"] if v["name"] == "genuine, with the signed catalog")


def opened_genuine(v: dict[str, Any], **kw: Any) -> dict[str, Any]:
    c = v["catalog"]
    args: dict[str, Any] = {"now": c["now"], "last": c["last"]}
    args.update(kw)
    return stepstone.open_compact_catalog(
        bytes.fromhex(c["envelope"]), stepstone.PublicKey(bytes.fromhex(c["key"])), **args
    )


def manifest_first(v: dict[str, Any], **kw: Any) -> stepstone.ManifestFirst:
    d = dict(v["device"])
    args: dict[str, Any] = {
        "model": d["model"],
        "environment": d["environment"],
        "current_version": d["current_version"],
        "counter": d["counter"],
        "now": d["now"],
        "catalog": None,
    }
    signature = kw.pop("signature", bytes.fromhex(v["signature"]))
    args.update(kw)
    return stepstone.ManifestFirst(
        stepstone.PublicKey(bytes.fromhex(v["manifest_key"])),
        bytes.fromhex(v["manifest"]),
        signature,
        **args,
    )


def code(f: Any) -> str:
    with pytest.raises(stepstone.Error) as e:
        f()
    return e.value.code


# ---- open_compact_catalog ---------------------------------------------------------------------


def test_open_compact_catalog_gives_the_core_json_and_the_payload() -> None:
    v = genuine()
    envelope = bytes.fromhex(v["catalog"]["envelope"])
    o = opened_genuine(v)
    assert set(o) == {"header", "state", "payload_offset", "payload"}
    h = o["header"]
    assert set(h) == {"sequence", "issued", "expires", "key_id", "payload_len"}
    assert o["payload_offset"] == 72
    assert o["payload"] == envelope[72 : 72 + h["payload_len"]]
    assert o["payload"].startswith(b"SSCC")
    assert o["state"] == v["expect"]["catalog"]
    assert o["state"]["sha256"] == hashlib.sha256(envelope[:-64]).hexdigest()
    assert h["key_id"] == stepstone.PublicKey(bytes.fromhex(v["catalog"]["key"])).key_id
    # The state goes back as a dict or as its JSON text; the same envelope opens again.
    assert opened_genuine(v, last=o["state"])["state"] == o["state"]
    assert opened_genuine(v, last=json.dumps(o["state"]))["state"] == o["state"]
    # The floor only rises, and a clock below it is refused.
    floor = dict(o["state"], issued=o["state"]["issued"] + 10**6)
    assert code(lambda: opened_genuine(v, last=floor)) == "signed_catalog.clock_behind"
    assert code(lambda: opened_genuine(v, now=0)) == "signed_catalog.clock_unset"
    with pytest.raises(stepstone.SignedCatalogError):
        opened_genuine(v, now=h["expires"])


def test_open_compact_catalog_refuses_a_state_that_is_not_one() -> None:
    v = genuine()
    good = opened_genuine(v)["state"]
    for bad in (
        {"sequence": 1},
        dict(good, sha256="00"),
        dict(good, extra=1),
        dict(good, sequence=-1),
        "not json",
    ):
        with pytest.raises(stepstone.BadArgumentError) as e:
            opened_genuine(v, last=bad)
        assert e.value.code == "python.bad_argument" and "`last` must be a catalog state" in str(e.value), bad
    with pytest.raises(stepstone.BadArgumentError, match="`last` does not convert to JSON"):
        opened_genuine(v, last=dict(good, sha256=b"\0" * 32))


def test_seal_compact_catalog_round_trip(figure1: stepstone.Catalog) -> None:
    key = stepstone.SigningKey.from_scalar(bytes(31) + b"\x07")
    payload = figure1.pack_compact(target="v67000", model="AG-1", environment="production")
    envelope = stepstone.seal_compact_catalog(payload, 3, NOW + 10, key, issued=NOW - 10)
    assert len(envelope) == 72 + len(payload) + 64 and envelope[:4] == b"SSCE"
    o = stepstone.open_compact_catalog(envelope, key.public_key, now=NOW)
    assert o["payload"] == payload
    assert o["header"]["sequence"] == 3 and o["header"]["issued"] == NOW - 10
    other = stepstone.SigningKey.from_scalar(bytes(31) + b"\x08").public_key
    assert code(lambda: stepstone.open_compact_catalog(envelope, other, now=NOW)) == (
        "signed_catalog.unknown_key"
    )
    assert code(lambda: figure1.pack_compact(target="v99999", model="AG-1")) == "plan.unknown_target"
    with pytest.raises(stepstone.PlanError):
        figure1.pack_compact(target="v99999", model="AG-1")
    # The catalog's releases differ by model: a pack for no model, or for one no release names,
    # is refused as a plan is (the device would install releases that are not for it).
    assert code(lambda: figure1.pack_compact(target="v67000")) == "plan.model_required"
    assert code(lambda: figure1.pack_compact(model="AG-3")) == "plan.unknown_model"
    assert code(lambda: figure1.pack_compact(model="AG-1", environment="lab")) == "plan.unknown_environment"


# ---- ManifestFirst ----------------------------------------------------------------------------


def test_manifest_first_streams_and_gives_the_verified_facts() -> None:
    v = genuine()
    image = bytes.fromhex(v["image"])
    m = manifest_first(v, catalog=opened_genuine(v)["payload"])
    assert m.remaining() == len(image)
    m.update(image[:100])
    assert m.remaining() == len(image) - 100
    m.update(image[100:])
    assert m.remaining() == 0
    facts = m.finish()
    want = dict(v["expect"])
    del want["catalog"]
    assert facts == want
    assert m.remaining() == 0
    for again in (m.finish, lambda: m.update(b"")):
        with pytest.raises(stepstone.Error, match="already finished") as e:
            again()
        assert e.value.code == "python.finished" and type(e.value) is stepstone.Error


def test_manifest_first_takes_the_signature_in_any_encoding() -> None:
    v = genuine()
    sig = stepstone.Signature(bytes.fromhex(v["signature"]))
    for form in (sig, sig.encode("raw"), sig.encode("hex"), sig.encode("base64").decode()):
        m = manifest_first(v, signature=form)
        m.update(bytes.fromhex(v["image"]))
        assert m.finish()["version"] == "v66003"
    assert code(lambda: manifest_first(v, signature=b"junk")) == "manifest.bad_signature"


def test_manifest_first_refusals_and_their_classes() -> None:
    v = genuine()
    with pytest.raises(stepstone.ManifestError) as e:
        manifest_first(v, now=0)
    assert e.value.code == "manifest.clock_unset"
    with pytest.raises(stepstone.ManifestError) as e:
        manifest_first(v, counter="v66003")
    assert e.value.code == "manifest.rollback"
    # The whole envelope is not a compact catalog: the payload is.
    with pytest.raises(stepstone.CatalogError) as c:
        manifest_first(v, catalog=bytes.fromhex(v["catalog"]["envelope"]))
    assert c.value.code.startswith("compact.")
    # Sticky: after a chunk past the size, even an empty chunk is refused.
    m = manifest_first(v)
    image = bytes.fromhex(v["image"])
    m.update(image[:-1])
    with pytest.raises(stepstone.ManifestError) as e:
        m.update(image[-1:] + b"x")
    assert e.value.code == "manifest.size_mismatch"
    assert code(lambda: m.update(b"")) == "manifest.size_mismatch"
    assert code(m.finish) == "manifest.size_mismatch"


# ---- open_catalog: the 4-tuple with .digest and .issued --------------------------------------


def format1(key: stepstone.SigningKey, payload: bytes, sequence: int, expires: int) -> bytes:
    header = (
        f"stepstone-signed-catalog 1\nsequence {sequence}\nexpires {expires}\n"
        f"key_id {key.public_key.key_id}\nsize {len(payload)}\n"
    )
    sig = key.sign(header.encode() + b"\n" + payload).encode("hex")
    return header.encode() + b"signature " + sig + b"\n\n" + payload


def test_open_catalog_result_unpacks_as_before_and_has_digest_and_issued() -> None:
    key = stepstone.SigningKey.from_scalar(bytes(31) + b"\x05")
    envelope = stepstone.seal_catalog(b"{}", 7, NOW + 100, key, issued=NOW - 5)
    o = stepstone.open_catalog(envelope, [key.public_key], now=NOW, last_sequence=6)
    seq, expires, key_id, payload = o
    assert (seq, expires, key_id, payload) == (7, NOW + 100, key.public_key.key_id, b"{}")
    assert o == (7, NOW + 100, key.public_key.key_id, b"{}") and len(o) == 4 and o[3] == b"{}"
    assert isinstance(o, tuple) and isinstance(o, stepstone.OpenedCatalog)
    assert (o.sequence, o.expires, o.key_id, o.payload) == tuple(o)
    assert o.issued == NOW - 5
    signature_line = re.search(rb"signature [0-9a-f]+\n", envelope)
    assert signature_line is not None
    signed = envelope[: signature_line.start()] + envelope[signature_line.end() :]
    assert o.digest == hashlib.sha256(signed).digest()
    again = pickle.loads(pickle.dumps(o))
    assert again == o and again.digest == o.digest and again.issued == o.issued
    assert "issued=" in repr(o)

    # An equal sequence: accepted with the stored digest, refused without it or with another.
    same = stepstone.open_catalog(
        envelope, [key.public_key], now=NOW, last_sequence=7, last_digest=o.digest
    )
    assert same.digest == o.digest
    for digest in (None, bytes(32)):
        with pytest.raises(stepstone.SignedCatalogError) as e:
            stepstone.open_catalog(
                envelope, [key.public_key], now=NOW, last_sequence=7, last_digest=digest
            )
        assert e.value.code == "signed_catalog.sequence_reused"
    twin = stepstone.seal_catalog(b"{ }", 7, NOW + 100, key, issued=NOW - 5)
    assert code(
        lambda: stepstone.open_catalog(
            twin, [key.public_key], now=NOW, last_sequence=7, last_digest=o.digest
        )
    ) == "signed_catalog.sequence_reused"
    assert code(lambda: stepstone.open_catalog(envelope, [key.public_key], now=0)) == (
        "signed_catalog.clock_unset"
    )
    # Format 1 has no issued time.
    old = stepstone.open_catalog(format1(key, b"{}", 3, NOW + 100), [key.public_key], now=NOW)
    assert old.issued is None and old.sequence == 3 and len(old.digest) == 32
