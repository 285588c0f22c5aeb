#!/usr/bin/env python3
"""Makes MCUboot images with imgtool, now, for the MCUboot tests: good ones and broken ones.

    mcuboot_images.py OUT_DIR [IMGTOOL]

IMGTOOL defaults to the `imgtool` beside this Python (run it with the virtualenv's Python that
scripts/setup-device.sh installs imgtool 2.5.0 into). Writes to OUT_DIR:

* key.pem, other.pem (ECDSA P-256 keys from `imgtool keygen`), key.der, other.der (their DER
  SubjectPublicKeyInfo, what the device holds);
* one NAME.bin per case, signed by `imgtool sign`, then broken where the case says;
* cases.tsv: name, image file, key file the check uses, expected code ("ok" or mcuboot.*),
  version (dotted), security counter ("-" for none);
* mcuboot_vectors.h: the same cases as C arrays, for host_test.c and the QEMU firmware.

The broken images are edited here with a small TLV reader and writer, only in the one place
each case names, so that the check's answer can only come from that change.
"""
import os
import struct
import subprocess
import sys

from cryptography.hazmat.primitives import serialization

OUT = sys.argv[1]
IMGTOOL = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(sys.executable), "imgtool")
os.makedirs(OUT, exist_ok=True)
BODY = bytes((i * 37 + 11) & 0xFF for i in range(200))  # a small firmware body
SLOT = 0x20000


def run(*args):
    subprocess.run([IMGTOOL, *args], check=True, stdout=subprocess.DEVNULL)


def path(name):
    return os.path.join(OUT, name)


def keygen(name):
    run("keygen", "-k", path(name + ".pem"), "-t", "ecdsa-p256")
    with open(path(name + ".pem"), "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    with open(path(name + ".der"), "wb") as f:
        f.write(der)
    return der


def sign(name, *options, key="key", version="1.2.3+4", header=32):
    body = path("body.bin")
    with open(body, "wb") as f:
        f.write(BODY)
    run("sign", "-k", path(key + ".pem"), "-H", str(header), "--pad-header", "-S", str(SLOT),
        "--align", "4", "-v", version, *options, body, path(name + ".bin"))
    with open(path(name + ".bin"), "rb") as f:
        return bytearray(f.read())


# --- a small reader and writer of the TLV areas -------------------------------------------

def layout(img):
    hdr_size, prot_size, img_size = struct.unpack_from("<HHI", img, 8)
    tlv_off = hdr_size + img_size
    return tlv_off, prot_size


def entries(img, at, end):
    out = []
    while at < end:
        kind, n = struct.unpack_from("<HH", img, at)
        out.append((kind, bytes(img[at + 4:at + 4 + n])))
        at += 4 + n
    return out


def tlvs(img):
    """The unprotected TLVs as (type, value)."""
    tlv_off, prot_size = layout(img)
    info = tlv_off + prot_size
    magic, total = struct.unpack_from("<HH", img, info)
    assert magic == 0x6907, hex(magic)
    return entries(img, info + 4, info + total)


def with_tlvs(img, new):
    """The image with its unprotected TLV area replaced by `new` (header and hash untouched)."""
    tlv_off, prot_size = layout(img)
    info = tlv_off + prot_size
    area = b"".join(struct.pack("<HH", k, len(v)) + v for k, v in new)
    return bytearray(img[:info] + struct.pack("<HH", 0x6907, 4 + len(area)) + area)


SHA256, KEYHASH, PUBKEY, ECDSA_SIG, SEC_CNT = 0x10, 0x01, 0x02, 0x22, 0x50


def cases():
    keygen("key")
    keygen("other")
    out = []

    def case(name, img, want, version="1.2.3.4", counter=None, key="key"):
        with open(path(name + ".bin"), "wb") as f:
            f.write(img)
        out.append((name, img, key, want, version, counter))

    good = sign("good", "-s", "auto")
    case("good", good, "ok", counter=0x01020003)
    case("good_no_counter", sign("good_no_counter", version="0.9.1"), "ok", version="0.9.1.0")
    case("good_header_512", sign("good_header_512", "-s", "7", header=0x200), "ok", counter=7)
    case("good_full_key", sign("good_full_key", "--public-key-format", "full", "-s", "auto"), "ok",
         counter=0x01020003)
    case("good_pad_sig", sign("good_pad_sig", "--pad-sig", "-s", "auto"), "ok", counter=0x01020003)
    case("good_big_version", sign("good_big_version", "-s", "auto", version="255.255.65535+4294967295"),
         "ok", version="255.255.65535.4294967295", counter=0xFFFFFFFF)

    bad = bytearray(good)
    bad[32 + 17] ^= 0x01
    case("tampered_body", bad, "mcuboot.hash_mismatch")
    tlv_off, prot_size = layout(good)
    bad = bytearray(good)
    bad[tlv_off + 8] ^= 0x01  # the security counter's value, inside the protected area
    case("tampered_counter", bad, "mcuboot.hash_mismatch")
    bad = bytearray(good)
    bad[20] = 9  # the major version in the header
    case("tampered_version", bad, "mcuboot.hash_mismatch")
    other = sign("other_key", "-s", "auto", key="other")
    case("wrong_key", other, "mcuboot.key_mismatch")
    ours = dict(tlvs(good))[KEYHASH]
    case("wrong_key_our_key_hash",
         with_tlvs(other, [(k, ours if k == KEYHASH else v) for k, v in tlvs(other)]),
         "mcuboot.bad_signature")
    sig = bytearray(dict(tlvs(good))[ECDSA_SIG])
    sig[-1] ^= 0x01  # the last byte of s
    case("tampered_signature",
         with_tlvs(good, [(k, bytes(sig) if k == ECDSA_SIG else v) for k, v in tlvs(good)]),
         "mcuboot.bad_signature")
    case("missing_sha256", with_tlvs(good, [(k, v) for k, v in tlvs(good) if k != SHA256]),
         "mcuboot.tlv_missing")
    case("missing_signature", with_tlvs(good, [(k, v) for k, v in tlvs(good) if k != ECDSA_SIG]),
         "mcuboot.tlv_missing")
    case("missing_key_hash", with_tlvs(good, [(k, v) for k, v in tlvs(good) if k != KEYHASH]),
         "mcuboot.tlv_missing")
    dup = []
    for k, v in tlvs(good):
        dup.append((k, v))
        if k == SHA256:
            dup.append((k, v))
    case("duplicate_sha256", with_tlvs(good, dup), "mcuboot.tlv_duplicate")
    case("truncated_tlv_area", good[:-10], "mcuboot.truncated")
    case("truncated_to_header", good[:32], "mcuboot.truncated")
    bad = bytearray(good)
    # The signature TLV's length 8 bytes longer than its area.
    at = tlv_off + prot_size + 4
    for k, v in tlvs(good):
        if k == ECDSA_SIG:
            struct.pack_into("<H", bad, at + 2, len(v) + 8)
        at += 4 + len(v)
    case("signature_past_area", bad, "mcuboot.tlv_truncated")
    bad = bytearray(good)
    bad[0] = 0x3C  # MCUboot 1.x's IMAGE_MAGIC_V1
    case("bad_magic", bad, "mcuboot.bad_magic")
    bad = bytearray(good)
    struct.pack_into("<H", bad, 8, 0xFFFF)
    case("header_past_buffer", bad, "mcuboot.truncated")
    bad = bytearray(good)
    struct.pack_into("<H", bad, 10, prot_size + 4)
    case("protected_size_mismatch", bad, "mcuboot.bad_tlv_info")
    bad = bytearray(good)
    struct.pack_into("<H", bad, 10, 0)
    case("protected_area_undeclared", bad, "mcuboot.bad_tlv_info")
    case("padded_to_slot", sign("padded_to_slot", "-s", "auto", "--pad", "-S", "4096")[:SLOT],
         "mcuboot.trailing_bytes")
    run("getpub", "-k", path("other.pem"), "-e", "pem", "-o", path("enc_pub.pem"))
    case("encrypted", sign("encrypted", "-s", "auto", "-E", path("enc_pub.pem")),
         "mcuboot.unsupported")
    return out


def c_bytes(b):
    return ", ".join("0x%02x" % x for x in b)


def main():
    out = cases()
    with open(path("cases.tsv"), "w") as f:
        for name, _, key, want, version, counter in out:
            f.write("\t".join([name, name + ".bin", key + ".der", want, version,
                               "-" if counter is None else str(counter)]) + "\n")
    keys = {k: open(path(k + ".der"), "rb").read() for k in ("key", "other")}
    with open(path("mcuboot_vectors.h"), "w") as h:
        h.write("/* Generated by device-port/tests/mcuboot_images.py from images imgtool made. */\n")
        h.write("typedef struct {\n  const char *name;\n  const uint8_t *image;\n  size_t image_len;\n"
                "  int32_t status;\n  const char *version;\n  int has_counter;\n  uint32_t counter;\n"
                "} mcuboot_case;\n")
        h.write("static const uint8_t mcuboot_key[] = {%s};\n" % c_bytes(keys["key"]))
        for i, (name, img, _, _, _, _) in enumerate(out):
            h.write("static const uint8_t mcuboot_image_%d[] = {%s};\n" % (i, c_bytes(img)))
        h.write("static const mcuboot_case mcuboot_cases[] = {\n")
        for i, (name, img, _, want, version, counter) in enumerate(out):
            status = "STEPSTONE_OK" if want == "ok" else "STEPSTONE_ERR_" + want.upper().replace(".", "_")
            h.write('  {"%s", mcuboot_image_%d, %d, %s, "%s", %d, %uu},\n' % (
                name, i, len(img), status, version, counter is not None, counter or 0))
        h.write("};\n#define MCUBOOT_CASES_COUNT %d\n" % len(out))
    print("%d MCUboot images made by imgtool in %s" % (len(out), OUT))


main()
