#!/usr/bin/env python3
"""Unpacks a small Debian userland (a package and what it needs at run time) into a folder.

    python3 scripts/debian-root.py --suite bullseye --arch amd64 --cache DIR --root DIR python3.9

Used by scripts/check-python-platforms.sh to get a CPython the machine does not have (3.9 from
bullseye, an arm64 3.11 from bookworm for qemu-user) without touching the system's apt state:
it reads the suite's InRelease (checked with gpgv against Debian's archive keyring), the
Packages index it names (checked by SHA-256), follows Depends/Pre-Depends from the given
packages, downloads each .deb (checked by SHA-256) and unpacks it with `dpkg-deb -x`. Nothing is
configured or installed; maintainer scripts do not run. Absolute symlinks are made relative, so
the folder works as `qemu-aarch64 -L ROOT` or through its own ld.so.

`--only MEMBER` unpacks just those files (the check takes qemu-aarch64-static alone from the
62 MB qemu-user-static package this way).

Downloads are kept under --cache and reused, so a second run needs no network. The root is
rebuilt only when the package set changes (a stamp file records it). Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import lzma
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
# Dependencies that only matter to a managed system (package tools, configuration, data), never
# to running the interpreter: not followed.
SKIP = {
    "dpkg", "debconf", "debconf-2.0", "cdebconf", "perl", "perl-base", "install-info", "tar",
    "tzdata", "mime-support", "media-types", "mailcap", "readline-common", "sensible-utils",
    "lsb-base", "init-system-helpers", "libc-bin", "usrmerge", "usr-is-merged",
}


def fetch(url: str, dest: Path, sha256: str | None = None) -> Path:
    if dest.exists() and (sha256 is None or digest(dest) == sha256):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(dest.suffix + ".part")
    with urllib.request.urlopen(url, timeout=120) as r, open(tmp, "wb") as f:
        shutil.copyfileobj(r, f)
    if sha256 is not None and digest(tmp) != sha256:
        tmp.unlink()
        sys.exit(f"debian-root: SHA-256 mismatch for {url}")
    tmp.rename(dest)
    return dest


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def stanzas(text: str) -> list[dict[str, str]]:
    out = []
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key] += "\n" + line.strip()
            elif ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        if fields:
            out.append(fields)
    return out


def index(mirror: str, suite: str, arch: str, cache: Path) -> dict[str, dict[str, str]]:
    base = f"{mirror}/dists/{suite}"
    release = fetch(f"{base}/InRelease", cache / suite / "InRelease")
    check = subprocess.run(["gpgv", "--keyring", KEYRING, str(release)], capture_output=True)
    if check.returncode != 0:
        release.unlink()
        sys.exit(f"debian-root: {suite}/InRelease does not verify:\n{check.stderr.decode()}")
    name = f"main/binary-{arch}/Packages.xz"
    m = re.search(rf"^ ([0-9a-f]{{64}}) +\d+ {re.escape(name)}$",
                  release.read_text().split("SHA256:", 1)[1], re.M)
    if not m:
        sys.exit(f"debian-root: {name} is not listed in {suite}/InRelease")
    xz = fetch(f"{base}/{name}", cache / suite / f"Packages-{arch}.xz", m.group(1))
    pkgs: dict[str, dict[str, str]] = {}
    for s in stanzas(lzma.decompress(xz.read_bytes()).decode()):
        pkgs.setdefault(s["Package"], s)
    return pkgs


def closure(pkgs: dict[str, dict[str, str]], wanted: list[str]) -> list[str]:
    provides: dict[str, str] = {}
    for name, s in pkgs.items():
        for p in s.get("Provides", "").split(","):
            p = p.split("(")[0].strip()
            if p:
                provides.setdefault(p, name)
    seen: list[str] = []
    todo = list(wanted)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in pkgs:
            sys.exit(f"debian-root: no package {name}")
        seen.append(name)
        deps = ",".join(pkgs[name].get(f, "") for f in ("Pre-Depends", "Depends"))
        for group in deps.split(","):
            alts = [a.split("(")[0].split(":")[0].strip() for a in group.split("|")]
            alts = [a for a in alts if a]
            if not alts or any(a in SKIP for a in alts):
                continue
            pick = next((a for a in alts if a in pkgs), None) or next(
                (provides[a] for a in alts if a in provides), None)
            if pick is None:
                sys.exit(f"debian-root: {name} needs {group.strip()}, which is not in the index")
            todo.append(pick)
    return sorted(seen)


def relative_links(root: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = Path(dirpath) / n
            if p.is_symlink() and os.readlink(p).startswith("/"):
                target = root / os.readlink(p).lstrip("/")
                p.unlink()
                p.symlink_to(os.path.relpath(target, p.parent))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mirror", default="http://deb.debian.org/debian")
    ap.add_argument("--suite", required=True)
    ap.add_argument("--arch", required=True)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--only", action="append", default=[],
                    help="unpack only this member (e.g. ./usr/bin/qemu-aarch64-static); repeatable")
    ap.add_argument("packages", nargs="+")
    a = ap.parse_args()

    stamp = a.root / ".debian-root"
    pkgs = index(a.mirror, a.suite, a.arch, a.cache)
    names = closure(pkgs, a.packages)
    record = "".join(f"{n} {pkgs[n]['Version']} {pkgs[n]['Architecture']}\n" for n in names)
    record += "".join(f"only {m}\n" for m in a.only)
    if stamp.exists() and stamp.read_text() == record:
        print(f"debian-root: {a.root} is current ({len(names)} packages)")
        return
    if a.root.exists():
        shutil.rmtree(a.root)
    a.root.mkdir(parents=True)
    for n in names:
        s = pkgs[n]
        deb = fetch(f"{a.mirror}/{s['Filename']}",
                    a.cache / "debs" / Path(s["Filename"]).name, s["SHA256"])
        if a.only:
            tar = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], check=True,
                                 capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(a.root), *a.only], input=tar, check=True)
        else:
            subprocess.run(["dpkg-deb", "-x", str(deb), str(a.root)], check=True)
    relative_links(a.root)
    stamp.write_text(record)
    print(f"debian-root: unpacked {len(names)} packages ({a.suite}/{a.arch}) into {a.root}")


if __name__ == "__main__":
    main()
