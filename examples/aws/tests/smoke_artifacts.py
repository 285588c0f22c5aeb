"""The built deployment zips, run as Lambda runs them: each zip unpacked into its own folder
(Lambda's /var/task), put first on the path of a fresh Python that has only boto3 (what the
Lambda Python runtimes provide), ``import handler`` and one smoke event through
``handler.handler`` against moto's server.

    python smoke_artifacts.py --zips dist/aws --arch x86_64 \
        --python 3.11=/tmp/venv311/bin/python \
        --python "3.13=/root/ld.so --library-path L /root/usr/bin/python3.13" --site 3.13=/tmp/site313

Checks, for every Python: ``stepstone`` is the one from the zip (not another install), the
signer signs an uploaded image with KMS and the signature verifies, the scheduler puts a
reported device in its release's thing group and returns only the malformed message of the
batch in ``batchItemFailures``. Prints one line per Python and function; exit status 1 if any
check fails. Runs moto (with the KMS DIGEST shim, see motokit.py) in a process of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import boto3

import stepstone

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]

CHILD = """
import json, os, platform, sys
import handler, stepstone
result = handler.handler(json.loads(os.environ["SMOKE_EVENT"]))
print("SMOKE " + json.dumps({"python": platform.python_version(), "machine": platform.machine(),
      "stepstone": stepstone.__file__, "handler": handler.__file__, "result": result}))
"""


def start_moto() -> tuple[subprocess.Popen[str], str]:
    p = subprocess.Popen(
        [sys.executable, str(HERE / "motokit.py"), "--kms-digest-shim"], stdout=subprocess.PIPE, text=True
    )
    assert p.stdout is not None
    line = p.stdout.readline().split()
    if not line or line[0] != "ready":
        p.kill()
        raise SystemExit("smoke: moto did not start")
    return p, line[1]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--zips", required=True)
    ap.add_argument("--arch", default="x86_64")
    ap.add_argument("--python", action="append", required=True, help="LABEL=COMMAND")
    ap.add_argument("--site", action="append", default=[], help="LABEL=DIR with boto3 for that Python")
    args = ap.parse_args()
    pythons = dict(p.split("=", 1) for p in args.python)
    sites = dict(s.split("=", 1) for s in args.site)

    moto, url = start_moto()
    base_env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": url,
    }
    os.environ.update(base_env)
    failures = 0
    try:
        s3, kms, ddb, sqs, iot = (boto3.client(s) for s in ("s3", "kms", "dynamodb", "sqs", "iot"))
        s3.create_bucket(Bucket="fota-smoke")
        key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
        public = stepstone.PublicKey(kms.get_public_key(KeyId=key)["PublicKey"])
        ddb.create_table(
            TableName="fota-smoke",
            KeySchema=[{"AttributeName": "thing", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "thing", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        queue = sqs.create_queue(QueueName="fota-smoke")["QueueUrl"]
        s3.put_object(Bucket="fota-smoke", Key="catalog/catalog.json", Body=(ROOT / "examples" / "catalog.json").read_bytes())
        for suffix in ("", ".sig", ".manifest", ".manifest.sig"):
            s3.put_object(Bucket="fota-smoke", Key=f"firmware/v65000.bin{suffix}", Body=b"-")
        image = os.urandom(200_000)
        s3.put_object(Bucket="fota-smoke", Key="firmware/v67000.bin", Body=image, Metadata={"version": "v67000"})
        env = {
            "signer": {"FOTA_KMS_KEY_ID": key, "FOTA_BUCKET": "fota-smoke"},
            "scheduler": {
                "FOTA_TABLE": "fota-smoke",
                "FOTA_QUEUE_URL": queue,
                "FOTA_BUCKET": "fota-smoke",
                "FOTA_CATALOG": "s3://fota-smoke/catalog/catalog.json",
                "FOTA_PRESIGN_ROLE_ARN": "arn:aws:iam::123456789012:role/fota-presign",
            },
        }
        work = Path(tempfile.mkdtemp())
        for label, command in pythons.items():
            for fn in ("signer", "scheduler"):
                task = work / f"{label}-{fn}"
                with zipfile.ZipFile(Path(args.zips) / f"{fn}-{args.arch}.zip") as z:
                    z.extractall(task)
                thing = f"smoke-{label.replace('.', '')}"
                if fn == "signer":
                    event: dict[str, Any] = {
                        "Records": [{"s3": {"bucket": {"name": "fota-smoke"}, "object": {"key": "firmware/v67000.bin"}}}]
                    }
                else:
                    iot.create_thing(thingName=thing)
                    ddb.put_item(
                        TableName="fota-smoke",
                        Item={"thing": {"S": thing}, "target": {"S": "v67000"}, "model": {"S": "AG-1"}, "environment": {"S": "production"}},
                    )
                    event = {
                        "Records": [
                            {"messageId": "ok", "body": json.dumps({"eventType": "REPORTED", "thing": thing, "seq": 1, "version": "v64000"})},
                            {"messageId": "bad", "body": "{not json"},
                        ]
                    }
                path = [str(task)] + ([sites[label]] if label in sites else [])
                child_env = dict(
                    base_env,
                    **env[fn],
                    PATH=os.environ.get("PATH", "/usr/bin:/bin"),
                    PYTHONPATH=os.pathsep.join(path),
                    PYTHONNOUSERSITE="1",
                    PYTHONDONTWRITEBYTECODE="1",
                    LANG="C.UTF-8",
                    SMOKE_EVENT=json.dumps(event),
                )
                r = subprocess.run(
                    shlex.split(command) + ["-c", CHILD], cwd=task, env=child_env, capture_output=True, text=True
                )
                lines = [l for l in r.stdout.splitlines() if l.startswith("SMOKE ")]
                problems: list[str] = []
                info: dict[str, Any] = {}
                if r.returncode != 0 or not lines:
                    problems.append(f"exit {r.returncode}: {r.stderr.strip()[-800:]}")
                else:
                    info = json.loads(lines[-1][len("SMOKE ") :])
                    if not info["stepstone"].startswith(str(task)):
                        problems.append(f"stepstone imported from {info['stepstone']}, not the zip")
                    if fn == "signer":
                        signed = info["result"]["signed"]
                        sig = s3.get_object(Bucket="fota-smoke", Key="firmware/v67000.bin.sig")["Body"].read()
                        try:
                            public.verify(image, sig)
                        except stepstone.SignatureError as e:
                            problems.append(f"signature does not verify: {e}")
                        if len(signed) != 1 or signed[0]["size"] != len(image):
                            problems.append(f"signed {signed}")
                    else:
                        if info["result"] != {"batchItemFailures": [{"itemIdentifier": "bad"}]}:
                            problems.append(f"result {info['result']}")
                        groups = [g["groupName"] for g in iot.list_thing_groups_for_thing(thingName=thing)["thingGroups"]]
                        if groups != ["fota-v65000-AG-1-production"]:
                            problems.append(f"groups {groups}")
                status = "ok" if not problems else "FAILED " + "; ".join(problems)
                where = f"Python {info.get('python', '?')} {info.get('machine', '?')}"
                print(f"  {fn}-{args.arch}.zip on {label} ({where}): {status}")
                failures += bool(problems)
    finally:
        moto.kill()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
