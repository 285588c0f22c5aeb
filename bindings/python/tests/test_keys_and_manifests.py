"""New signing keys (`SigningKey.generate`) and the keys-and-manifests flow of the README, run
exactly as the README shows it."""

from __future__ import annotations

import re

import pytest

import stepstone
from conftest import ROOT

README = ROOT / "bindings" / "python" / "README.md"
HEADING = "## Keys and signed release manifests"


def readme_example() -> str:
    text = README.read_text()
    assert HEADING in text, f"{README} lost its section {HEADING!r}"
    section = text.split(HEADING, 1)[1]
    m = re.search(r"```python\n(.*?)```", section, re.S)
    assert m is not None, "the section has a python block"
    return m.group(1)


def test_readme_keys_and_manifests_flow_runs() -> None:
    code = readme_example()
    namespace: dict[str, object] = {"__name__": "readme_example"}
    exec(compile(code, f"{README}:{HEADING}", "exec"), namespace)
    # The block did what it says: a manifest verified with the pinned key, the image checked.
    manifest = namespace["manifest"]
    key = namespace["key"]
    assert isinstance(manifest, stepstone.Manifest) and isinstance(key, stepstone.SigningKey)
    assert manifest.version == "v66003" and manifest.models == ["AG-1", "AG-2"]
    assert manifest.key_id == key.public_key.key_id
    assert manifest.size == len(b"firmware v66003 ") * 100_000


def test_generate_gives_fresh_working_keys() -> None:
    keys = [stepstone.SigningKey.generate() for _ in range(8)]
    ids = {k.public_key.key_id for k in keys}
    assert len(ids) == len(keys), "every key is new"
    for k in keys:
        assert re.fullmatch(r"[0-9a-f]{64}", k.public_key.key_id)
        sig = k.sign(b"firmware")
        k.public_key.verify(b"firmware", sig)
        # The PKCS#8 PEM reads back as the same key, as bytes or as text.
        pem = k.to_pkcs8_pem()
        assert pem.startswith("-----BEGIN PRIVATE KEY-----\n")
        for form in (pem, pem.encode()):
            again = stepstone.SigningKey(form)
            assert again.public_key == k.public_key
            assert again.sign(b"firmware") == sig, "RFC 6979: same key, same signature"
    # Another key's signature does not verify.
    with pytest.raises(stepstone.SignatureError) as e:
        keys[0].public_key.verify(b"firmware", keys[1].sign(b"firmware"))
    assert e.value.code == "signature.invalid"


def test_generate_is_a_static_constructor() -> None:
    k = stepstone.SigningKey.generate()
    assert type(k) is stepstone.SigningKey
    assert repr(k) == f"SigningKey(key_id='{k.public_key.key_id}')"
    with pytest.raises(stepstone.BadArgumentError, match=r"SigningKey.generate\(\): takes no arguments, got 1"):
        stepstone.SigningKey.generate(b"seed")  # type: ignore[call-arg]


def test_secret_inputs_still_parse_from_every_form() -> None:
    # The zeroised copies change nothing visible: bytes, str and bytearray keys all read.
    k = stepstone.SigningKey.from_scalar(bytes(31) + b"\x07")
    pem = k.to_pkcs8_pem()
    for form in (pem, pem.encode(), bytearray(pem.encode())):
        assert stepstone.SigningKey(form).public_key == k.public_key  # type: ignore[arg-type]
    with pytest.raises(stepstone.BadArgumentError, match="`scalar` must be 32 bytes, got 31 bytes"):
        stepstone.SigningKey.from_scalar(bytes(31))
    # A secret of the wrong type is refused by its type: the message never shows the value.
    for call in (lambda: stepstone.SigningKey(list(b"secret-pem")), lambda: stepstone.SigningKey.from_scalar(list(range(32)))):
        with pytest.raises(stepstone.BadArgumentError, match=r"got list \(its value is not shown") as e:
            call()
        assert "115" not in str(e.value) and "31" not in str(e.value)
    with pytest.raises(stepstone.SignatureError):
        stepstone.SigningKey.from_scalar(bytes(32))  # zero is not a key
    with pytest.raises(stepstone.SignatureError):
        stepstone.SigningKey("-----BEGIN PUBLIC KEY-----\n")


def test_manifest_from_a_generated_key_round_trips() -> None:
    key = stepstone.SigningKey.generate()
    image = bytes(range(256)) * 1000
    text = stepstone.render_manifest(
        version="2.0.0",
        scheme="semver",
        size=len(image),
        sha256=stepstone.sha256(image),
        key_id=key.public_key.key_id,
        environment="staging",
        expires=4_000_000_000,
    )
    for enc in ("der", "raw", "hex", "base64"):
        sig = key.sign(text.encode()).encode(enc)
        m = stepstone.verify_manifest(text, sig, key.public_key)
        assert (m.scheme, m.models, m.min_sw_version) == ("semver", ["*"], None)
    other = stepstone.SigningKey.generate()
    with pytest.raises(stepstone.ManifestError) as e:
        stepstone.verify_manifest(text, key.sign(text.encode()).encode(), other.public_key)
    assert e.value.code == "manifest.bad_signature"
