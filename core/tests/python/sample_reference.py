#!/usr/bin/env python3
"""Fleet sampling re-implemented from docs/sampling.md with nothing but hashlib.

This file is the independent implementation the Rust tests compare against:

  python3 sample_reference.py batch             stdin lines: salt_hex TAB id_hex TAB period TAB class_hex TAB rate_ppm
                                                stdout lines: position_hex TAB 0|1
  python3 sample_reference.py check VECTORS     checks core/tests/vectors/sample.json (ops position, is_below, period_index)
"""
import hashlib
import json
import sys

# --- the specification, as docs/sampling.md writes it -------------------------------------------

def position(salt: bytes, device_id: bytes, period: int, cls: str) -> int:
    c = cls.encode("utf-8")
    shared = (b"stepstone/sample/v2"
              + len(salt).to_bytes(4, "big") + salt
              + len(c).to_bytes(4, "big") + c
              + period.to_bytes(8, "big"))
    shared += bytes(-len(shared) % 64)
    msg = shared + len(device_id).to_bytes(4, "big") + device_id
    return int.from_bytes(hashlib.sha256(msg).digest()[:8], "big")


def is_below(pos: int, rate_ppm: int) -> bool:
    return pos * 1_000_000 < rate_ppm << 64


def is_sampled(salt: bytes, device_id: bytes, period: int, cls: str, rate_ppm: int) -> bool:
    return is_below(position(salt, device_id, period, cls), rate_ppm)


def period_index(unix_seconds: int, period_seconds: int, offset_seconds: int):
    if period_seconds == 0 or unix_seconds < offset_seconds:
        return None
    return (unix_seconds - offset_seconds) // period_seconds

# --- drivers for the tests ----------------------------------------------------------------------

def batch() -> None:
    out = []
    for line in sys.stdin:
        salt, dev, period, cls, rate = line.rstrip("\n").split("\t")
        pos = position(bytes.fromhex(salt), bytes.fromhex(dev), int(period), bytes.fromhex(cls).decode("utf-8"))
        out.append(f"{pos:016x}\t{int(is_below(pos, int(rate)))}\n")
    sys.stdout.write("".join(out))


def check(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    checked = 0
    for v in doc["vectors"]:
        op = v["op"]
        if op == "position":
            pos = position(bytes.fromhex(v["salt_hex"]), bytes.fromhex(v["device_id_hex"]), int(v["period"]), v["class"])
            got = {"position": f"{pos:016x}", "sampled": is_below(pos, v["rate_ppm"])}
        elif op == "is_below":
            got = {"sampled": is_below(int(v["position"], 16), v["rate_ppm"])}
        elif op == "period_index":
            p = period_index(int(v["unix_seconds"]), int(v["period_seconds"]), int(v["offset_seconds"]))
            got = {"period": None if p is None else str(p)}
        else:
            continue  # plans are the library's business, not the hash spec's
        if got != v["expect"]:
            sys.exit(f"vector {v['name']}: expected {v['expect']}, got {got}")
        checked += 1
    print(f"{checked} passed, 0 failed")


if __name__ == "__main__":
    if sys.argv[1:2] == ["batch"]:
        batch()
    elif sys.argv[1:2] == ["check"] and len(sys.argv) == 3:
        check(sys.argv[2])
    else:
        sys.exit(__doc__)
