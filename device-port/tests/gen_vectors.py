#!/usr/bin/env python3
"""Turns the device subset of core/tests/vectors/*.json into C test cases.

usage: gen_vectors.py STEPSTONE_CLI OUT_HEADER

The device subset: sample.json (position, is_below, period_index), retry.json (backoff),
plan.json (plan by hops without downgrade: the next hop over a compact catalog packed by
`stepstone catalog pack` for the query's model and environment), signature.json (streamed verify
against a key), manifest.json (manifest check, streamed image, finish against the manifest; also
run manifest first) and attacks.json (all of it: the install chain, signed catalog, manifest
first, streamed image, verified facts, as core/tests/attack_vectors.rs runs it).
Expected errors become the status whose header comment names that code
(`signed_catalog.rollback` -> STEPSTONE_ERR_CATALOG_ROLLBACK), read from the generated
device-port/include/stepstone.h: a code the header does not name stops the generator.

The device reads binary forms only (docs/device.md): a key as DER SubjectPublicKeyInfo or an
uncompressed SEC1 point, a signature as DER or raw r||s. So, for the device:
- a PEM public key is converted to its DER at pack time, as a firmware build embeds it;
- a key or signature given as hex or base64 text, and a compressed SEC1 point, are run as they
  are and expected to be refused with the documented status (`signature.key_malformed`,
  `signature.malformed`, `signature.key_unsupported`); their names get a `[device refuses ...]`
  suffix and the count is printed.
"""
import base64
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VEC = os.path.join(ROOT, "core", "tests", "vectors")
HEADER = os.path.join(ROOT, "device-port", "include", "stepstone.h")
KINDS = ["failed", "timed_out", "rejected", "download_error"]


def load(name):
    with open(os.path.join(VEC, name), encoding="utf-8") as f:
        return json.load(f)


def cbytes(data):
    """A C expression for a byte array and its length."""
    if not data:
        return "NULL, 0"
    body = ",".join(str(b) for b in data)
    return f"(const uint8_t[]){{{body}}}, {len(data)}"


def cstr(text):
    """A C string literal (escaped bytes) and its length, for UTF-8 text."""
    if text is None:
        return "NULL, 0"
    raw = text.encode("utf-8")
    return '"' + "".join(f"\\x{b:02x}" for b in raw) + f'", {len(raw)}'


def pem_to_der(key):
    """The DER inside a PEM `PUBLIC KEY` block; other bytes unchanged."""
    text = key.decode("ascii", "replace").strip()
    if not text.startswith("-----BEGIN PUBLIC KEY-----"):
        return key
    body = "".join(line for line in text.splitlines() if not line.startswith("-----"))
    return base64.b64decode(body)


def device_signature_case(v):
    """(name, key bytes, expected error code or None) as the device answers a signature vector."""
    key = pem_to_der(bytes.fromhex(v["key"]))
    expect = v.get("expect", {})
    if "error" in v:
        return v["name"], key, v["error"]
    kf, sf = expect.get("key_format"), expect.get("signature_format")
    if kf == "hex":
        return v["name"] + " [device refuses hex keys]", key, "signature.key_malformed"
    if kf == "sec1" and len(key) == 33:
        return (v["name"] + " [device refuses compressed points]", key,
                "signature.key_unsupported")
    if sf not in ("der", "raw"):
        return v["name"] + f" [device refuses {sf} text]", key, "signature.malformed"
    return v["name"], key, None


def status_table():
    """code -> status name, from the header's enum: each status's comment ends with its code."""
    with open(HEADER, encoding="utf-8") as f:
        header = f.read()
    table = {}
    for comment, name in re.findall(r"/\*((?:(?!\*/).)*)\*/\s*(STEPSTONE_ERR_\w+)\s*=\s*\d+",
                                    header, re.S):
        codes = re.findall(r"\(`([a-z0-9_]+\.[a-z0-9_]+)`\)", comment)
        if codes:
            table[codes[-1]] = name
    return table


STATUS = status_table()


def status(code):
    """The status for a core error code (None: STEPSTONE_OK)."""
    if code is None:
        return "STEPSTONE_OK"
    if code not in STATUS:
        sys.exit(f"gen_vectors.py: no status in {HEADER} names the code {code!r}")
    return STATUS[code]


def cname(text):
    """A C string literal for a name: printable ASCII as is, the rest as octal escapes."""
    out = []
    for b in text.encode("utf-8"):
        c = chr(b)
        out.append("\\" + c if c in '"\\' else c if 32 <= b < 127 else f"\\{b:03o}")
    return '"' + "".join(out) + '"'


def cdevice(d):
    """A designated initializer for a StepstoneDevice: fields added later stay zero."""
    fields = []
    for f in ("model", "environment", "current_version", "counter"):
        ptr, n = cstr(d[f]).rsplit(", ", 1)
        fields += [f".{f} = {ptr}", f".{f}_len = {n}"]
    fields.append(f".now = UINT64_C({d['now']})")
    return "{" + ", ".join(fields) + "}"


def cstate(s):
    """A StepstoneCatalogState initializer for a core CatalogState in JSON."""
    digest = ",".join(str(b) for b in bytes.fromhex(s["sha256"]))
    return (f"{{.sequence = UINT64_C({s['sequence']}), .sha256 = {{{digest}}}, "
            f".issued = UINT64_C({s['issued']})}}")


def facts(v):
    """The expected facts of a manifest vector: version, size, sha256 (zero for an error)."""
    e = v.get("expect")
    if e is None:
        return "NULL, 0, 0, {0}"
    digest = ",".join(str(b) for b in bytes.fromhex(e["sha256"]))
    return f'{cstr(e["version"])}, UINT64_C({e["size"]}), {{{digest}}}'


def main():
    cli, out = sys.argv[1], sys.argv[2]
    lines = ['/* Generated by device-port/tests/gen_vectors.py from core/tests/vectors. */',
             '#include "vector_types.h"', ""]
    counts = {}

    def table(ctype, name, rows):
        counts[name] = len(rows)
        lines.append(f"static const {ctype} {name}[] = {{")
        lines.extend("  " + r + "," for r in rows)
        if not rows:
            lines.append("  {0},")
        lines.append("};")
        lines.append(f"#define {name.upper()}_COUNT {len(rows)}")
        lines.append("")

    sample = load("sample.json")["vectors"]
    table("position_case", "position_cases", [
        f'{{"{v["name"]}", {cbytes(bytes.fromhex(v["salt_hex"]))}, '
        f'{cbytes(bytes.fromhex(v["device_id_hex"]))}, UINT64_C({v["period"]}), {cstr(v["class"])}, '
        f'{v["rate_ppm"]}u, UINT64_C(0x{v["expect"]["position"]}), {int(v["expect"]["sampled"])}}}'
        for v in sample if v["op"] == "position"])
    table("below_case", "below_cases", [
        f'{{"{v["name"]}", UINT64_C(0x{v["position"]}), {v["rate_ppm"]}u, {int(v["expect"]["sampled"])}}}'
        for v in sample if v["op"] == "is_below"])
    table("period_case", "period_cases", [
        f'{{"{v["name"]}", UINT64_C({v["unix_seconds"]}), UINT64_C({v["period_seconds"]}), '
        f'UINT64_C({v["offset_seconds"]}), '
        + (f'STEPSTONE_OK, UINT64_C({v["expect"]["period"]})}}' if v["expect"]["period"] is not None
           else 'STEPSTONE_ERR_SAMPLE_NO_PERIOD, 0}')
        for v in sample if v["op"] == "period_index"])

    retry = load("retry.json")["vectors"]
    table("backoff_case", "backoff_cases", [
        f'{{"{v["name"]}", {v["policy"].get("jitter_ppm", 500000)}u, {KINDS.index(v["kind"])}, '
        f'{v["n"]}u, {cstr(v["device_id"])}, {cstr(v["hop"])}, {v["attempt"]}u, '
        f'UINT64_C({v["expect"]["delay_secs"]})}}'
        for v in retry if v["op"] == "backoff" and "expect" in v and set(v.get("policy", {})) <= {"jitter_ppm"}])

    plan = load("plan.json")
    packed = {}
    hop_rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for v in plan["vectors"]:
            q = v.get("query", {})
            if v["op"] != "plan" or q.get("cost", "hops") != "hops" or q.get("allow_downgrade"):
                continue
            cat = v["catalog"]
            key = (json.dumps(cat, sort_keys=True), q.get("model"), q.get("environment"))
            if key not in packed:
                src = os.path.join(tmp, "catalog.json")
                dst = os.path.join(tmp, "catalog.bin")
                with open(src, "w", encoding="utf-8") as f:
                    json.dump(plan["catalogs"][cat] if isinstance(cat, str) else cat, f)
                args = [cli, "catalog", "pack", src, "-o", dst]
                if q.get("model") is not None:
                    args += ["--model", q["model"]]
                if q.get("environment") is not None:
                    args += ["--environment", q["environment"]]
                r = subprocess.run(args, capture_output=True, text=True)
                if r.returncode != 0:
                    packed[key] = None
                else:
                    with open(dst, "rb") as f:
                        packed[key] = (f"catalog_{len(packed)}", f.read())
            if packed[key] is None:
                continue
            name = packed[key][0]
            if "error" in v:
                hop, st = None, status(v["error"])
            else:
                path = v["expect"]["path"]
                hop, st = (path[0] if path else None), "STEPSTONE_OK"
            hop_rows.append(f'{{"{v["name"]}", {name}, sizeof {name}, {cstr(q["from"])}, '
                            f'{cstr(q["to"])}, {cstr(hop)}, {st}}}')
    for name, data in (p for p in packed.values() if p):
        lines.append(f"static const uint8_t {name}[] = {{{','.join(str(b) for b in data)}}};")
    lines.append("")
    table("hop_case", "hop_cases", hop_rows)

    sig = load("signature.json")["vectors"]
    rows = []
    refused = 0
    for v in sig:
        name, key, error = device_signature_case(v)
        refused += "[device refuses" in name
        rows.append(f'{{"{name}", {cbytes(key)}, {cbytes(bytes.fromhex(v["message"]))}, '
                    f'{cbytes(bytes.fromhex(v["signature"]))}, {status(error)}}}')
    table("signature_case", "signature_cases", rows)
    print(f"signature vectors the device refuses by its documented rules: {refused}",
          file=sys.stderr)

    man = load("manifest.json")["vectors"]
    table("manifest_case", "manifest_cases", [
        f'{{"{v["name"]}", {cbytes(pem_to_der(bytes.fromhex(v["key"])))}, {cbytes(v["manifest"].encode())}, '
        f'{cbytes(bytes.fromhex(v["signature"]))}, {cbytes(bytes.fromhex(v["image"]))}, '
        f'{cdevice(v["device"])}, {status(v.get("error"))}, {facts(v)}}}'
        for v in man])

    attacks = load("attacks.json")
    assert attacks["format"] == 1, "attacks.json: unknown format"
    blobs = {}

    def blob(data):
        """A named static array for bytes, one per distinct content (images repeat)."""
        if not data:
            return "NULL, 0"
        if data not in blobs:
            blobs[data] = f"attack_blob_{len(blobs)}"
        return f"{blobs[data]}, {len(data)}"

    rows = []
    for v in attacks["vectors"]:
        if v["op"] != "install":
            sys.exit(f"attacks.json: {v['name']}: unknown op {v['op']!r}")
        c = v.get("catalog")
        if c is None:
            cat = "0, NULL, 0, NULL, 0, 0, {0}, 0"
        else:
            last = c["last"]
            cat = (f'1, {blob(bytes.fromhex(c["key"]))}, {blob(bytes.fromhex(c["envelope"]))}, '
                   f'{int(last is not None)}, {cstate(last) if last else "{0}"}, '
                   f'UINT64_C({c["now"]})')
        e = v.get("expect")
        if "error" in v:
            want = f'{status(v["error"])}, NULL, 0, 0, {{0}}, {{0}}, 0, 0, {{0}}'
        else:
            extra = set(e) - {"version", "size", "sha256", "key_id", "expires", "catalog"}
            if extra:
                sys.exit(f"attacks.json: {v['name']}: unknown expect fields {sorted(extra)}")
            digest = ",".join(str(b) for b in bytes.fromhex(e["sha256"]))
            key_id = ",".join(str(b) for b in bytes.fromhex(e["key_id"]))
            st = e.get("catalog")
            want = (f'STEPSTONE_OK, {cstr(e["version"])}, UINT64_C({e["size"]}), {{{digest}}}, '
                    f'{{{key_id}}}, UINT64_C({e["expires"]}), {int(st is not None)}, '
                    f'{cstate(st) if st else "{0}"}')
        rows.append(f'{{{cname(v["name"])}, {cname(v["attack"])}, '
                    f'{blob(bytes.fromhex(v["manifest_key"]))}, {blob(bytes.fromhex(v["manifest"]))}, '
                    f'{blob(bytes.fromhex(v["signature"]))}, {cdevice(v["device"])}, '
                    f'{blob(bytes.fromhex(v["image"]))}, {int(v["chunk"])}u, {cat}, {want}}}')
    for data, name in blobs.items():
        lines.append(f"static const uint8_t {name}[] = {{{','.join(str(b) for b in data)}}};")
    lines.append("")
    table("attack_case", "attack_cases", rows)

    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(", ".join(f"{k}: {n}" for k, n in counts.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
