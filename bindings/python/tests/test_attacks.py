"""core/tests/vectors/attacks.json: every attack of docs/security.md through the install chain
(signed compact catalog, manifest first, streamed image), run as core/tests/attack_vectors.rs
runs it. test_vectors.py runs each vector as its own case through `run_attack`; the test here
runs the whole file once more, as the Rust runner does, and reports the count."""

from __future__ import annotations

from typing import Any

import stepstone
from conftest import SUMMARY, load_vectors


def chunks(data: bytes, n: int) -> list[bytes]:
    # Rust's `chunks`: no chunk at all for an empty image.
    return [data[i : i + n] for i in range(0, len(data), n)]


def install(v: dict[str, Any]) -> dict[str, Any]:
    """The device flow of one `install` vector: its answer as the vector spells it."""
    state = None
    payload = None
    c = v.get("catalog")
    if c is not None:
        key = stepstone.PublicKey(bytes.fromhex(c["key"]))
        opened = stepstone.open_compact_catalog(
            bytes.fromhex(c["envelope"]), key, now=c["now"], last=c["last"]
        )
        state, payload = opened["state"], opened["payload"]
    key = stepstone.PublicKey(bytes.fromhex(v["manifest_key"]))
    d = v["device"]
    check = stepstone.ManifestFirst(
        key,
        bytes.fromhex(v["manifest"]),
        bytes.fromhex(v["signature"]),
        model=d["model"],
        environment=d["environment"],
        current_version=d["current_version"],
        counter=d["counter"],
        now=d["now"],
        catalog=payload,
    )
    for part in chunks(bytes.fromhex(v["image"]), v["chunk"]):
        check.update(part)
    facts = check.finish()
    if state is not None:
        facts["catalog"] = state
    return facts


def run_attack(doc: dict[str, Any], v: dict[str, Any]) -> Any:
    assert v["op"] == "install", v["name"]
    return install(v)


def outcome(v: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"expect": install(v)}
    except stepstone.Error as e:
        # Each area's codes come as its own class.
        area = e.code.split(".")[0]
        cls = {
            "manifest": stepstone.ManifestError,
            "signed_catalog": stepstone.SignedCatalogError,
        }.get(area, stepstone.Error)
        assert isinstance(e, cls), (v["name"], type(e), e.code)
        return {"error": e.code}


def test_attack_vectors_all() -> None:
    doc = load_vectors("attacks.json")
    failures = []
    for v in doc["vectors"]:
        assert v["op"] == "install", v["name"]
        got = outcome(v)
        want = {"error": v["error"]} if "error" in v else {"expect": v["expect"]}
        if got != want:
            failures.append(f"{v['name']}: got {got}, want {want}")
    n = len(doc["vectors"])
    assert n >= 30
    SUMMARY.append(f"attacks.json: {n} vectors, {n - len(failures)} passed")
    assert not failures, "\n".join(failures)
