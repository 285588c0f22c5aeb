"""The template, deployed on moto's server (CloudFormation ``create-stack``), and KeepTruckin's 2020 FOTA story
run against the stack's own resources: its bucket, KMS key, queue, dead-letter queue, table and
roles, and the environment its functions were given.

What moto 5.2.6 does not do, and what this test does instead:

* ``AWS::IoT::TopicRule`` and ``AWS::S3::BucketPolicy`` are not in moto's CloudFormation
  (skipped with a warning). The two topic rules are created through moto's IoT API from the
  template's own ``TopicRulePayload`` (so their shape is checked against the IoT API model);
  moto has no rules engine, so the test sends each job-execution event to the queue as the rule
  ``SELECT *`` would.
* The bucket's ``NotificationConfiguration`` is ignored by moto's CloudFormation, and moto would
  run a notified Lambda in Docker. The test applies the template's own prefix/suffix filter to
  every object it writes and invokes the signer (in-process) for those that match, as S3 would.
* Lambda functions are created, not run (moto runs them in Docker): the handlers run in this
  process with the environment the stack gave the functions. The event source mapping is created
  disabled (``SchedulerEnabled=false``: moto would invoke the function in Docker on every message);
  the test plays its part, honouring ``batchItemFailures``.
* ``Custom::IotEventConfiguration`` needs a Lambda run and moto has no
  ``UpdateEventConfigurations``: deployed with ``ManageJobExecutionEvents=false``; its code is
  tested on its own below (botocore's Stubber checks the request against the IoT API model).
* KMS ``Sign`` with ``MessageType=DIGEST``: see conftest.py (the test-only shim).
"""

from __future__ import annotations

import io
import json
import sys
import types
import zipfile
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
from botocore.stub import Stubber
from cfnlint.decode import decode_str

import stepstone
from conftest import AWS, ROOT, client, deliver, env_of, load, openssl_verify, send

scheduler = load("scheduler")
signer = load("signer")
admin = load("admin")

TEMPLATE = AWS / "template.yaml"
STACK = "fota-e2e"
START = 1_763_900_000
#: Resource types of the template that moto's CloudFormation does not create.
MOTO_UNSUPPORTED = {"AWS::IoT::TopicRule", "AWS::S3::BucketPolicy"}
#: Deployed with these off (see the module docstring): the resources their conditions remove.
CONDITIONED_OFF = {"EventConfigurationRole", "EventConfigurationFunction", "JobExecutionEvents", "SigningKey"}


def template() -> dict[str, Any]:
    t, problems = decode_str(TEMPLATE.read_text())
    assert not problems, problems
    return dict(t)


def zip_of(*files: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for f in files:
            z.write(f, f.name)
    return buf.getvalue()


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return float(self.now)


def matches(rules: list[dict[str, Any]], key: str, params: dict[str, str]) -> bool:
    """S3's notification filter: the key starts with the prefix and ends with the suffix."""
    ok = True
    for r in rules:
        value = r["Value"]
        if isinstance(value, dict):
            value = params[value["Ref"]]
        ok &= key.startswith(value) if r["Name"] == "prefix" else key.endswith(value)
    return ok


@pytest.fixture()
def stack(kms_digest_shim: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    s3 = client("s3")
    s3.create_bucket(Bucket="fota-artifacts")
    # moto stores the code without running it: the handler files are enough here (the built
    # zips are installed and run by scripts/test-aws.sh).
    for name in ("signer", "scheduler"):
        s3.put_object(Bucket="fota-artifacts", Key=f"stepstone-fota/{name}-x86_64.zip", Body=zip_of(AWS / name / "handler.py"))
    # moto's CloudFormation creates AWS::KMS::Key as a symmetric key whatever its KeySpec and
    # KeyUsage say (the signer would refuse it), so the stack is given an existing P-256 key,
    # made through the KMS API: the template's SigningKeyId path.
    key_id = client("kms").create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    params = {
        "FirmwareBucketName": "fota-e2e-firmware",
        "SigningKeyId": key_id,
        "ArtifactBucket": "fota-artifacts",
        "Architecture": "x86_64",
        "PythonRuntime": "python3.12",
        "SchedulerEnabled": "false",
        "ManageJobExecutionEvents": "false",
    }
    cf = client("cloudformation")
    with pytest.warns(UserWarning, match="not supported by moto"):
        cf.create_stack(
            StackName=STACK,
            TemplateBody=TEMPLATE.read_text(),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()],
            Capabilities=["CAPABILITY_IAM"],
        )
    st = cf.describe_stacks(StackName=STACK)["Stacks"][0]
    assert st["StackStatus"] == "CREATE_COMPLETE", st.get("StackStatusReason")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in st["Outputs"]}
    resources = {
        r["LogicalResourceId"]: r for r in cf.list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    }
    defaults = {k: str(v.get("Default", "")) for k, v in template()["Parameters"].items()}
    clock = Clock()
    monkeypatch.setattr(scheduler, "CLOCK", clock)
    monkeypatch.setattr(signer, "CLOCK", clock)
    yield {"outputs": outputs, "resources": resources, "params": {**defaults, **params}, "clock": clock}


def use_function_env(name: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {k: str(v) for k, v in env_of(name).items()}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env


def test_the_template_deploys_on_moto(stack: dict[str, Any]) -> None:
    t = template()
    declared = {k: v["Type"] for k, v in t["Resources"].items() if k not in CONDITIONED_OFF}
    created = {k for k, r in stack["resources"].items() if r["ResourceStatus"] == "CREATE_COMPLETE" and r["ResourceType"] == declared.get(k)}
    missing = {k: ty for k, ty in declared.items() if k not in created}
    assert set(missing.values()) == MOTO_UNSUPPORTED, missing
    # The wiring the functions rely on.
    sqs, lam = client("sqs"), client("lambda")
    attrs = sqs.get_queue_attributes(QueueUrl=stack["outputs"]["QueueUrl"], AttributeNames=["All"])["Attributes"]
    redrive = json.loads(attrs["RedrivePolicy"])
    dlq_arn = sqs.get_queue_attributes(QueueUrl=stack["outputs"]["DeadLetterQueueUrl"], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert redrive == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 10}
    assert int(attrs["VisibilityTimeout"]) == 6 * 60
    [esm] = lam.list_event_source_mappings(FunctionName=stack["outputs"]["SchedulerFunctionName"])["EventSourceMappings"]
    assert esm["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert esm["BatchSize"] == 10 and esm["EventSourceArn"] == attrs["QueueArn"]
    for name in ("SignerFunctionName", "SchedulerFunctionName"):
        fn = lam.get_function_configuration(FunctionName=stack["outputs"][name])
        assert fn["Handler"] == "handler.handler" and fn["Runtime"] == "python3.12"
    meta = client("kms").describe_key(KeyId=stack["outputs"]["SigningKeyArn"])["KeyMetadata"]
    assert (meta["KeySpec"], meta["KeyUsage"]) == ("ECC_NIST_P256", "SIGN_VERIFY")
    assert stack["outputs"]["SigningKeyArn"] == meta["Arn"]
    # The key the stack creates when given none (not deployable on moto, see above).
    key = t["Resources"]["SigningKey"]["Properties"]
    assert (key["KeySpec"], key["KeyUsage"]) == ("ECC_NIST_P256", "SIGN_VERIFY")


def create_topic_rules(stack: dict[str, Any]) -> dict[str, str]:
    """The template's two topic rules, through moto's IoT API (moto's CloudFormation skips them)."""
    iam, iot = client("iam"), client("iot")
    res = stack["resources"]
    role_arn = iam.get_role(RoleName=res["IotToQueueRole"]["PhysicalResourceId"])["Role"]["Arn"]
    refs = {"SchedulerQueue": stack["outputs"]["QueueUrl"], "SchedulerDeadLetterQueue": stack["outputs"]["DeadLetterQueueUrl"]}

    def sqs_action(a: dict[str, Any]) -> dict[str, Any]:
        assert a["RoleArn"] == {"Fn::GetAtt": ["IotToQueueRole", "Arn"]}
        return {"sqs": {"queueUrl": refs[a["QueueUrl"]["Ref"]], "roleArn": role_arn, "useBase64": a["UseBase64"]}}

    sql = {}
    for name in ("JobEventsRule", "DeviceReportsRule"):
        p = template()["Resources"][name]["Properties"]["TopicRulePayload"]
        payload = {
            "sql": p["Sql"],
            "description": p["Description"],
            "awsIotSqlVersion": p["AwsIotSqlVersion"],
            "ruleDisabled": p["RuleDisabled"],
            "actions": [sqs_action(a["Sqs"]) for a in p["Actions"]],
        }
        if "ErrorAction" in p:
            payload["errorAction"] = sqs_action(p["ErrorAction"]["Sqs"])
        iot.create_topic_rule(ruleName=name, topicRulePayload=payload)
        got = iot.get_topic_rule(ruleName=name)["rule"]
        assert got["sql"] == p["Sql"] and got["actions"][0]["sqs"]["queueUrl"] == refs["SchedulerQueue"]
        sql[name] = p["Sql"]
    assert sql["JobEventsRule"].startswith("SELECT * FROM '$aws/events/jobExecution/+/+'")
    return sql


class Device:
    """A device: reports its version (as the shadow rule would forward it), runs the job of its
    group and sends the job-execution event IoT publishes (forwarded unchanged by SELECT *)."""

    def __init__(self, stack: dict[str, Any], thing: str, version: str) -> None:
        self.stack, self.thing, self.version, self.seq = stack, thing, version, 0
        self.installed: list[str] = []
        client("iot").create_thing(thingName=thing)
        assert admin.register(thing, model="AG-1", environment="production", target="v67000")

    def send(self, body: dict[str, Any]) -> dict[str, Any]:
        send(self.stack["outputs"]["QueueUrl"], body)
        return body

    def report(self) -> dict[str, Any]:
        self.seq += 1
        return self.send({"eventType": "REPORTED", "thing": self.thing, "version": self.version, "seq": self.seq, "timestamp": self.stack["clock"].now})

    def group(self) -> Optional[str]:
        names = [g["groupName"] for g in client("iot").list_thing_groups_for_thing(thingName=self.thing)["thingGroups"]]
        assert len(names) <= 1, names
        return names[0] if names else None

    def run_job(self, outcome: str) -> dict[str, Any]:
        job = self.group()
        assert job is not None
        doc = json.loads(client("iot").get_job_document(jobId=job)["document"])
        bucket = self.stack["outputs"]["BucketName"]
        for field, suffix in (("firmware_url", ""), ("signature_url", ".sig"), ("manifest_url", ".manifest"), ("manifest_signature_url", ".manifest.sig")):
            assert doc[field] == "${aws:iot:s3-presigned-url-v2:https://s3.us-east-1.amazonaws.com/" + f"{bucket}/firmware/{doc['version']}.bin{suffix}" + "}"
        self.seq += 1
        details = {"seq": str(self.seq), "version": self.version}
        if outcome == "succeeded":
            self.version = doc["version"]
            self.installed.append(self.version)
            details["version"] = self.version
        return self.send(
            {
                "eventType": "JOB_EXECUTION",
                "eventId": f"{self.thing}-{self.seq}",
                "timestamp": self.stack["clock"].now,
                "operation": outcome,
                "jobId": job,
                "thingArn": f"arn:aws:iot:us-east-1:123456789012:thing/{self.thing}",
                "status": outcome.upper(),
                "statusDetails": details,
            }
        )


def test_end_to_end_on_the_stack(stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    out, params, clock = stack["outputs"], stack["params"], stack["clock"]
    create_topic_rules(stack)
    use_function_env(out["SignerFunctionName"], monkeypatch)
    use_function_env(out["SchedulerFunctionName"], monkeypatch)
    monkeypatch.setenv("FOTA_MAX_DELAY", "1")  # TICKs after 1 s of real time, not 15 minutes
    for k in ("FOTA_CERT_CHAIN", "FOTA_CERT_ROOT"):
        assert not __import__("os").environ[k]
    bucket = out["BucketName"]
    s3 = client("s3")

    # The admin stores the catalog where the stack says.
    catalog_bucket, _, catalog_key = out["CatalogLocation"][len("s3://") :].partition("/")
    s3.put_object(Bucket=catalog_bucket, Key=catalog_key, Body=(ROOT / "examples" / "catalog.json").read_bytes())

    # Upload images; S3 notifies the signer of the keys the template's filter lets through.
    rules = template()["Resources"]["FirmwareBucket"]["Properties"]["NotificationConfiguration"]["LambdaConfigurations"][0]["Filter"]["S3Key"]["Rules"]
    images = {v: (v.encode() * 40000)[: 100_000 + i] for i, v in enumerate(["v65000", "v66000", "v66003", "v67000"])}
    mins = {"v65000": "v64000", "v66000": "v65000", "v66003": "v66000", "v67000": "v66003"}
    written: list[str] = []
    for v, image in images.items():
        key = f"firmware/{v}.bin"
        s3.put_object(Bucket=bucket, Key=key, Body=image, Metadata={"version": v, "min-sw-version": mins[v], "models": "AG-1"})
        written.append(key)
    s3.put_object(Bucket=bucket, Key="catalog/notes.txt", Body=b"not an image")
    written.append("catalog/notes.txt")
    notified = [k for k in written if matches(rules, k, params)]
    assert notified == [f"firmware/{v}.bin" for v in images]
    result = signer.handler({"Records": [{"s3": {"bucket": {"name": bucket}, "object": {"key": k}}} for k in notified]})
    assert len(result["signed"]) == 4
    # The signer's outputs do not match the filter: it is not triggered by its own writes.
    outputs = [f"{k}{s}" for k in notified for s in (".sig", ".manifest", ".manifest.sig")]
    assert not [k for k in outputs if matches(rules, k, params)]

    der = client("kms").get_public_key(KeyId=out["SigningKeyArn"])["PublicKey"]
    public = stepstone.PublicKey(der)
    for v, image in images.items():
        key = f"firmware/{v}.bin"
        sig = s3.get_object(Bucket=bucket, Key=key + ".sig")["Body"].read()
        manifest = s3.get_object(Bucket=bucket, Key=key + ".manifest")["Body"].read()
        manifest_sig = s3.get_object(Bucket=bucket, Key=key + ".manifest.sig")["Body"].read()
        public.verify(image, sig)
        assert openssl_verify(der, image, sig, tmp_path) and openssl_verify(der, manifest, manifest_sig, tmp_path)
        m = stepstone.verify_manifest(manifest, manifest_sig, public)
        m.check_device(model="AG-1", environment="production", current_version=mins[v], counter=mins[v], now=clock.now)

    # Devices march v64000 -> v65000 -> v66000 -> v66003 -> v67000 through the stack's queue.
    queue = out["QueueUrl"]
    run = lambda: deliver(queue, scheduler.handler)  # noqa: E731
    good = [Device(stack, f"AG1-{i:03d}", "v64000") for i in range(3)]
    broken = Device(stack, "AG1-broken", "v64000")
    for d in good + [broken]:
        d.report()
    assert run() == []
    attempts = 0
    for _ in range(12):
        busy = [d for d in good + [broken] if d.group() is not None]
        if not busy:
            break
        for d in busy:
            if d is broken:
                attempts += 1
            d.run_job("failed" if d is broken else "succeeded")
        assert run() == []
        clock.now += 7 * 86400
        import time

        time.sleep(1.1)  # the TICKs' SQS delay
        assert run() == []
    for d in good:
        assert d.installed == ["v65000", "v66000", "v66003", "v67000"] and d.group() is None
        assert scheduler.get_device(d.thing)["last_action"] == "done"
    assert attempts == 5 and broken.installed == []
    assert scheduler.get_device(broken.thing)["last_action"] == "give_up"

    # Duplicates and stale events change nothing; one bad message is the only one returned.
    before = {d.thing: scheduler.get_device(d.thing) for d in good}
    d = good[0]
    send(queue, {"eventType": "REPORTED", "thing": d.thing, "version": "v64000", "seq": 1})
    send(queue, {"eventType": "REPORTED", "thing": d.thing, "version": "v67000", "seq": d.seq})
    client("sqs").send_message(QueueUrl=queue, MessageBody="{broken")
    failed = run()
    assert len(failed) == 1
    assert {x.thing: scheduler.get_device(x.thing) for x in good} == before
    # Nothing was set aside in the dead-letter queue, nothing is left in the queue.
    for url in (queue, out["DeadLetterQueueUrl"]):
        attrs = client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        assert attrs["Attributes"]["ApproximateNumberOfMessages"] == "0"
    groups = sorted(g["groupName"] for g in client("iot").list_thing_groups()["thingGroups"])
    assert groups == [f"fota-{v}-AG-1-production" for v in images]


# ---- the parts moto cannot run ---------------------------------------------------------------------


def test_the_event_configuration_custom_resource(monkeypatch: pytest.MonkeyPatch) -> None:
    """The inline custom resource: UpdateEventConfigurations as the IoT API model wants it
    (botocore's Stubber validates the parameters), then SUCCESS put to CloudFormation's URL."""
    import boto3

    code = template()["Resources"]["EventConfigurationFunction"]["Properties"]["Code"]["ZipFile"]
    module = types.ModuleType("event_configuration")
    exec(compile(code, "index.py", "exec"), module.__dict__)
    iot = boto3.client("iot", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(iot)
    stub.add_response("update_event_configurations", {}, {"eventConfigurations": {"JOB_EXECUTION": {"Enabled": True}}})
    stub.add_response("describe_event_configurations", {"eventConfigurations": {"JOB_EXECUTION": {"Enabled": True}}}, {})
    stub.add_response("describe_event_configurations", {"eventConfigurations": {"JOB_EXECUTION": {"Enabled": True}}}, {})
    monkeypatch.setattr(module.boto3, "client", lambda service, **kw: iot)
    puts: list[dict[str, Any]] = []

    class Response:
        def close(self) -> None:
            pass

    def urlopen(request: Any, timeout: int = 0) -> Response:
        assert request.method == "PUT" and request.full_url == "https://cloudformation-custom-resource-response/x"
        puts.append(json.loads(request.data))
        return Response()

    monkeypatch.setattr(module.urllib.request, "urlopen", urlopen)
    event = {
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1",
        "RequestId": "r1",
        "LogicalResourceId": "JobExecutionEvents",
        "ResponseURL": "https://cloudformation-custom-resource-response/x",
    }
    with stub:
        module.handler(dict(event, RequestType="Create"), None)
        module.handler(dict(event, RequestType="Delete"), None)  # leaves the events on
    assert [p["Status"] for p in puts] == ["SUCCESS", "SUCCESS"]
    assert puts[0]["Data"] == {"JobExecutionEvents": "true"}
    assert puts[0]["PhysicalResourceId"] == puts[1]["PhysicalResourceId"]
    # A failure is reported as FAILED (CloudFormation would otherwise wait an hour).
    broken = Stubber(iot)
    broken.add_client_error("update_event_configurations", "AccessDeniedException")
    with broken:
        module.handler(dict(event, RequestType="Create"), None)
    assert puts[-1]["Status"] == "FAILED" and "AccessDenied" in puts[-1]["Reason"]


def statements(t: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, r in t["Resources"].items():
        if r["Type"] != "AWS::IAM::Role":
            continue
        for p in r["Properties"].get("Policies", []):
            for s in p["PolicyDocument"]["Statement"]:
                if isinstance(s, dict) and "Fn::If" in s:
                    s = s["Fn::If"][1]
                yield name, s


def test_roles_are_least_privilege() -> None:
    t = template()
    for role, s in statements(t):
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        resources = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
        assert s["Effect"] == "Allow"
        for a in actions:
            assert "*" not in a, f"{role}: {a}"
        if "*" in resources:  # only actions without resource-level permissions
            assert set(actions) <= {"iot:UpdateEventConfigurations", "iot:DescribeEventConfigurations"}, (role, actions)
    by_role: dict[str, set[str]] = {}
    for role, s in statements(t):
        by_role.setdefault(role, set()).update(s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    assert by_role["SignerRole"] == {
        "logs:CreateLogStream", "logs:PutLogEvents", "s3:GetObject", "s3:PutObject", "s3:ListBucket", "kms:Sign", "kms:GetPublicKey",
    }
    assert "kms:Sign" not in by_role["SchedulerRole"] and "s3:PutObject" not in by_role["SchedulerRole"]
    assert by_role["IotToQueueRole"] == {"sqs:SendMessage"} and by_role["PresignRole"] == {"s3:GetObject"}
    # The signer may write only its three outputs.
    [put] = [s for role, s in statements(t) if role == "SignerRole" and s["Action"] == "s3:PutObject"]
    assert [r["Fn::Sub"].rsplit("*", 1)[1] for r in put["Resource"]] == [".bin.sig", ".bin.manifest", ".bin.manifest.sig"]


def test_the_template_passes_cfn_lint() -> None:
    """The same check as the CI stage (scripts/test-aws.sh runs the cfn-lint command)."""
    import subprocess

    code = "import sys; from cfnlint.runner import main; sys.argv = ['cfn-lint', sys.argv[1]]; sys.exit(main())"
    r = subprocess.run([sys.executable, "-c", code, str(TEMPLATE)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__]))
