#!/usr/bin/env python3
"""What a WASM module's bytes are: code per function (names from the `name` section, so run it
on a build optimised with `wasm-opt -Oz -g`, which keeps them), grouped by crate, and the data
segments. No dependency; reads the binary format directly.

    python3 scripts/wasm-top.py module.wasm [--top 25]
"""
import argparse
import re
import sys
from collections import defaultdict


def leb(b, i):
    """An unsigned LEB128 at b[i]: (value, next index)."""
    v = shift = 0
    while True:
        x = b[i]
        i += 1
        v |= (x & 0x7F) << shift
        shift += 7
        if x < 0x80:
            return v, i


def sections(b):
    if b[:4] != b"\0asm":
        sys.exit("not a WASM module")
    i = 8
    while i < len(b):
        sid = b[i]
        size, j = leb(b, i + 1)
        yield sid, b[j : j + size]
        i = j + size


def name_of(raw):
    """A demangled-enough name: the crate and the path, hashes dropped."""
    if raw.startswith("_ZN"):
        parts, i = [], 3
        while i < len(raw) and raw[i].isdigit():
            m = re.match(r"\d+", raw[i:])
            n = int(m.group())
            i += len(m.group())
            parts.append(raw[i : i + n])
            i += n
        if parts and re.fullmatch(r"h[0-9a-f]{16}", parts[-1]):
            parts.pop()
        raw = "::".join(parts)
    return raw.replace("$LT$", "<").replace("$GT$", ">").replace("$u20$", " ").replace("..", "::").replace("$RF$", "&")


def crate_of(name):
    m = re.match(r"<?(?:&)?(?:mut )?([A-Za-z_][A-Za-z0-9_]*)", name)
    return m.group(1) if m else "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("wasm")
    ap.add_argument("--top", type=int, default=25)
    a = ap.parse_args()
    b = open(a.wasm, "rb").read()
    imports = 0
    bodies, names, data, other = [], {}, 0, defaultdict(int)
    for sid, body in sections(b):
        if sid == 2:  # imports: count the functions, which come first in the index space
            n, i = leb(body, 0)
            for _ in range(n):
                for _ in range(2):
                    ln, i = leb(body, i)
                    i += ln
                kind = body[i]
                i += 1
                if kind == 0:
                    _, i = leb(body, i)
                    imports += 1
                elif kind == 1:
                    i += 1
                    flags, i = leb(body, i)
                    _, i = leb(body, i)
                    if flags & 1:
                        _, i = leb(body, i)
                elif kind == 2:
                    flags, i = leb(body, i)
                    _, i = leb(body, i)
                    if flags & 1:
                        _, i = leb(body, i)
                else:
                    i += 2
        elif sid == 10:
            n, i = leb(body, 0)
            for _ in range(n):
                size, j = leb(body, i)
                bodies.append(size + (j - i))
                i = j + size
        elif sid == 11:
            data += len(body)
        elif sid == 0:
            ln, i = leb(body, 0)
            if body[i : i + ln] != b"name":
                other["custom"] += len(body)
                continue
            i += ln
            while i < len(body):
                sub = body[i]
                size, j = leb(body, i + 1)
                if sub == 1:
                    n, k = leb(body, j)
                    for _ in range(n):
                        idx, k = leb(body, k)
                        ln2, k = leb(body, k)
                        names[idx] = body[k : k + ln2].decode("utf-8", "replace")
                        k += ln2
                i = j + size
        else:
            other[sid] += len(body)
    code = sum(bodies)
    rows = [(size, name_of(names.get(imports + k, f"func[{imports + k}]"))) for k, size in enumerate(bodies)]
    by_crate = defaultdict(int)
    for size, n in rows:
        by_crate[crate_of(n)] += size
    print(f"{a.wasm}: {len(b)} B; code {code} B in {len(bodies)} functions; data {data} B; other sections {sum(other.values())} B")
    print(f"\nby crate (code bytes):")
    for c, size in sorted(by_crate.items(), key=lambda x: -x[1])[: a.top]:
        print(f"  {size:8d}  {c}")
    print(f"\nlargest functions:")
    for size, n in sorted(rows, reverse=True)[: a.top]:
        print(f"  {size:8d}  {n[:150]}")


if __name__ == "__main__":
    main()
