"""The JSON contract (docs/schema/): every input document and every CLI output holds to its schema.

Run by scripts/test-schemas.sh (which builds the CLI): python scripts/test_schemas.py STEPSTONE_BIN

1. The schemas: valid draft 2020-12, `$id` under one base, a title and a description, a
   description on every property, `additionalProperties: false` on every closed object.
2. Input documents: every example in examples/, every catalog, sampling plan, rollout, retry
   policy and reconciler options in core/tests/vectors/ (named, inline and the ones the runners
   build). What the loader accepts must validate. What it refuses must be refused by the schema
   too, unless it is in BEYOND_SCHEMA with the reason a schema cannot see it; a vector listed
   there that the schema does refuse fails the test, so the list stays exact.
3. A top-level "$schema" string is allowed (and skipped by the loaders); elsewhere it is not.
4. The schema's version and range patterns agree with the loader: `stepstone validate` on
   one-release catalogs for tricky version and blocked_from strings, in every scheme.
5. CLI outputs: each subcommand run with --format json (on examples/catalog.json, the vectors'
   catalogs and queries, and failures) prints what its schema says, with its keys in the order
   the schema lists them, and every error code in it is one of docs/errors.md.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from jsonschema import Draft202012Validator, ValidationError, validators
from referencing import Registry, Resource

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "docs" / "schema"
VECTORS = ROOT / "core" / "tests" / "vectors"
BASE = "https://example.invalid/stepstone/schema/"
INPUTS = ["catalog", "sampling-plan", "rollout", "retry-policy", "reconciler-options", "campaign-table"]

# Refused by the loader, accepted by the schema: what JSON Schema cannot express.
BEYOND_SCHEMA = {
    "plan.json load-duplicate": "`v1` and `1` are the same integer version: equality under a scheme",
    "plan.json load-duplicate-dotted": "`4.2` and `4.2.0` are the same dotted version: equality under a scheme",
    "plan.json load-min-sw-not-lower": "min_sw_version compared with the release's version",
    "plan.json load-no-scheme": "each version fits some scheme, but no one scheme fits them all (scheme detection)",
    "plan.json load-delta-not-lower": "a delta's base compared with the release's version",
    "plan.json load-bad-range": "`>v3, <v2` is well formed but no version satisfies it",
    "retry.json policy-cap-below-base": "cap_secs compared with base_secs",
    "rollout.json rollout-decreasing": "each stage's fraction compared with the one before",
}
# Not JSON objects at all, or duplicate keys that a JSON parser merges before any schema sees them.
NOT_DOCUMENTS = {
    "plan.json load-not-json": "not JSON",
    "sample.json plan-duplicate-class": "a class given twice: JSON parsers keep one of the two",
    "plan.json load-repeated-key-top-level": "`releases` given twice: JSON parsers keep one of the two",
    "plan.json load-repeated-key-in-a-release": "a release's `version` given twice: JSON parsers keep one",
    "plan.json load-repeated-key-in-a-delta": "a delta's `size` given twice: JSON parsers keep one",
    "plan.json load-repeated-key-first-value-wrong": "a key given twice, the first value wrong: JSON parsers keep one",
}

problems = []
counts = {"schemas": 0, "valid documents": 0, "refused documents": 0, "beyond a schema": 0,
          "version strings": 0, "CLI outputs": 0}


def fail(what):
    problems.append(what)


# ------------------------------------------------------------------ the schemas


def load_schemas():
    schemas = {}
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        schemas[path.name[: -len(".schema.json")]] = json.loads(path.read_text())
    return schemas


def ordered_properties(validator, properties, instance, schema):
    """`properties`, and the instance's keys in the order the schema lists them."""
    yield from Draft202012Validator.VALIDATORS["properties"](validator, properties, instance, schema)
    if validator.is_type(instance, "object"):
        order = list(properties)
        keys = [k for k in instance if k in properties]
        if keys != sorted(keys, key=order.index):
            yield ValidationError(f"keys {keys} are not in the documented order {order}")


OrderedValidator = validators.extend(Draft202012Validator, {"properties": ordered_properties})


def walk(node, path=()):
    """Every (path, subschema) of a schema."""
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + (i,))


def resolve_local(schema, ref):
    node = schema
    for part in ref[2:].split("/"):
        node = node[part]
    return node


# Objects that accept fields they do not list: the stored rollout state (the core reads it
# without refusing unknown fields) and the schema-dependent overlays (they only add patterns).
OPEN_OBJECTS = ("rollout_state", "halt_reason", "-release")


def check_schemas(schemas):
    for name, s in schemas.items():
        counts["schemas"] += 1
        where = f"{name}.schema.json"
        try:
            Draft202012Validator.check_schema(s)
        except Exception as e:  # noqa: BLE001 - any metaschema failure is the finding
            fail(f"{where}: not a valid draft 2020-12 schema: {e}")
        if s.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
            fail(f"{where}: $schema is not draft 2020-12")
        if s.get("$id") != BASE + where:
            fail(f"{where}: $id is {s.get('$id')!r}, not {BASE + where!r}")
        for key in ("title", "description"):
            if not s.get(key):
                fail(f"{where}: no {key}")
        for path, node in walk(s):
            inside_overlay = any(p in ("if", "then", "else") for p in path) or any(
                isinstance(p, str) and p.endswith(OPEN_OBJECTS) for p in path)
            props = node.get("properties")
            if isinstance(props, dict) and path[-1:] != ("properties",) and not inside_overlay:
                for prop, sub in props.items():
                    target = sub
                    if "$ref" in sub and sub["$ref"].startswith("#/"):
                        target = {**resolve_local(s, sub["$ref"]), **sub}
                    if "description" not in target:
                        fail(f"{where}: {'/'.join(map(str, path))}/properties/{prop} has no description")
                if node.get("additionalProperties") is not False:
                    fail(f"{where}: {'/'.join(map(str, path)) or '(top)'} lists properties but does not refuse others")


def make_validators(schemas):
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values())
    plain = {n: Draft202012Validator(s, registry=registry) for n, s in schemas.items()}
    ordered = {n: OrderedValidator(s, registry=registry) for n, s in schemas.items()}

    def sub(name, pointer):
        """A validator for `#/$defs/...` of a document's schema."""
        return Draft202012Validator({"$ref": f"{BASE}{name}.schema.json#{pointer}"}, registry=registry)

    return plain, ordered, sub


# ------------------------------------------------------------------ input documents


def first_error(validator, doc):
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    return errors[0] if errors else None


def expect_valid(validator, doc, what):
    e = first_error(validator, doc)
    if e is None:
        counts["valid documents"] += 1
    else:
        fail(f"{what}: the loader accepts it, the schema refuses it at {list(e.absolute_path)}: {e.message}")


def expect_refused(validator, doc, key, code):
    e = first_error(validator, doc)
    if key in BEYOND_SCHEMA:
        if e is None:
            counts["beyond a schema"] += 1
        else:
            fail(f"{key}: listed as beyond a schema, but the schema refuses it ({e.message}): take it off BEYOND_SCHEMA")
    elif e is None:
        fail(f"{key}: the loader refuses it ({code}), the schema accepts it; tighten the schema or list it in BEYOND_SCHEMA with the reason")
    else:
        counts["refused documents"] += 1


def vectors(name):
    return json.loads((VECTORS / name).read_text())


def check_inputs(plain, sub):
    catalog, plan_v, rollout, retry, options, table = (plain[n] for n in INPUTS)

    expect_valid(catalog, json.loads((ROOT / "examples/catalog.json").read_text()), "examples/catalog.json")
    expect_valid(plan_v, json.loads((ROOT / "examples/sampling-plan.json").read_text()), "examples/sampling-plan.json")

    # plan.json: the named catalogs, inline ones, and the load vectors.
    doc = vectors("plan.json")
    for name, c in doc["catalogs"].items():
        expect_valid(catalog, c, f"plan.json catalogs.{name}")
    for v in doc["vectors"]:
        key = f"plan.json {v['name']}"
        if "catalog_text" in v:
            if key not in NOT_DOCUMENTS:
                fail(f"{key}: catalog_text vectors are not JSON objects; list it in NOT_DOCUMENTS")
            continue
        c = v["catalog"]
        if not isinstance(c, dict):
            continue
        if v["op"] == "load" and "error" in v:
            expect_refused(catalog, c, key, v["error"])
        else:
            expect_valid(catalog, c, key)

    # retry.json: every policy; `policy` vectors must be refused.
    for v in vectors("retry.json")["vectors"]:
        p = v.get("policy")
        if p is None:
            continue
        key = f"retry.json {v['name']}"
        if v["op"] == "policy":
            expect_refused(retry, p, key, v["error"])
        else:
            expect_valid(retry, p, key)

    # rollout.json: rollouts (all refused), halt rules, ramps, and the rollouts membership builds.
    halt, ramp = sub("rollout", "/$defs/halt"), sub("rollout", "/$defs/ramp")
    for v in vectors("rollout.json")["vectors"]:
        key = f"rollout.json {v['name']}"
        if v["op"] == "rollout":
            expect_refused(rollout, v["rollout"], key, v["error"])
        elif v["op"] == "trips":
            expect_valid(halt, v["halt"], key)
        elif v["op"] == "ramp":
            expect_valid(ramp, v["ramp"], key)
        elif v["op"] == "membership":
            built = {"salt": v["salt"], "schedule": {"stages": [{"fraction_ppm": p} for p in v["stages_ppm"]]}}
            expect_valid(rollout, built, key)

    # The campaign table: docs/reconciler.md's example (the form CampaignTable::to_table_json
    # writes), and what the reader refuses for a reason a schema can see.
    md = (ROOT / "docs" / "reconciler.md").read_text()
    section = md[md.index("## The campaign table on the wire"):]
    example = json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1))
    expect_valid(table, example, "docs/reconciler.md campaign table")
    expect_valid(table, {"$schema": "campaign-table.schema.json", **example}, "campaign table with $schema")
    refused = {
        "version 2": ("reconcile.table_version", {**example, "version": 2}),
        "version as text": ("reconcile.table_version", {**example, "version": "1"}),
        "no answers": ("reconcile.invalid_table", {k: v for k, v in example.items() if k != "answers"}),
        "answers as text": ("reconcile.invalid_table", {**example, "answers": "1,4"}),
        "a negative answer": ("reconcile.invalid_table", {**example, "answers": [-1] + example["answers"][1:]}),
        "an unknown field": ("reconcile.invalid_table", {**example, "extra": 1}),
        "another format": ("reconcile.invalid_table", {**example, "format": "stepstone.catalog"}),
        "an unknown scheme": ("reconcile.invalid_table", {**example, "scheme": "calver"}),
        "allow_downgrade as text": ("reconcile.invalid_table", {**example, "allow_downgrade": "yes"}),
    }
    for name, (code, doc) in refused.items():
        expect_refused(table, doc, f"campaign table: {name}", code)

    # sample.json: sampling plans.
    for v in vectors("sample.json")["vectors"]:
        if v["op"] != "plan":
            continue
        key = f"sample.json {v['name']}"
        if "plan_text" in v:
            if key not in NOT_DOCUMENTS:
                fail(f"{key}: plan_text vectors hold what a JSON object cannot; list it in NOT_DOCUMENTS")
            continue
        if "error" in v:
            expect_refused(plan_v, v["plan"], key, v["error"])
        else:
            expect_valid(plan_v, v["plan"], key)

    # reconcile.json: the catalog, policies, rollout, and the options the runner builds.
    doc = vectors("reconcile.json")
    for name, c in doc["catalogs"].items():
        expect_valid(catalog, c, f"reconcile.json catalogs.{name}")
    for v in doc["vectors"]:
        key = f"reconcile.json {v['name']}"
        built = dict(v.get("timing", {}))
        if "policy" in v:
            expect_valid(retry, v["policy"], key + " policy")
            built["policy"] = v["policy"]
        if "rollout" in v:
            expect_valid(rollout, v["rollout"], key + " rollout")
            built["rollout"] = v["rollout"]
        expect_valid(options, built, key + " options")

    # arguments.json: the fixtures, and the documents its cases pass as objects.
    doc = vectors("arguments.json")
    expect_valid(catalog, doc["catalog"], "arguments.json catalog")
    expect_valid(rollout, doc["rollout"], "arguments.json rollout")
    expect_valid(plan_v, doc["sampling_plan"], "arguments.json sampling_plan")
    readers = {"rollout.from_json": rollout, "sampling.from_json": plan_v, "retry.from_json": retry}
    for case in doc["cases"]:
        source = case.get("args", {}).get("source")
        if case["call"] in readers and isinstance(source, dict):
            key = f"arguments.json {case['name']}"
            if "error" in case:
                expect_refused(readers[case["call"]], source, key, case["error"])
            else:
                expect_valid(readers[case["call"]], source, key)

    # "$schema": a string at the top of every document; nowhere else, and nothing but a string.
    tops = {
        "catalog": json.loads((ROOT / "examples/catalog.json").read_text()),
        "sampling-plan": json.loads((ROOT / "examples/sampling-plan.json").read_text()),
        "rollout": doc["rollout"],
        "retry-policy": {"attempts_per_hop": 3},
        "reconciler-options": {"policy": {"jitter_ppm": 0}, "rollout": doc["rollout"]},
    }
    for name, d in tops.items():
        with_schema = {"$schema": f"../docs/schema/{name}.schema.json", **d}
        expect_valid(plain[name], with_schema, f"{name} with a $schema string")
        for bad in (5, None, ["x"]):
            if plain[name].is_valid({**d, "$schema": bad}):
                fail(f"{name}: a $schema of {bad!r} is accepted; the loader refuses it")
    nested = [
        ("catalog", {"releases": [{"version": "v1", "$schema": "x"}]}),
        ("rollout", {"salt": "s", "schedule": {"stages": [{"fraction_ppm": 1}]}, "halt": {"$schema": "x"}}),
        ("retry-policy", {"failed": {"$schema": "x"}}),
        ("reconciler-options", {"policy": {"$schema": "x"}}),
        ("reconciler-options", {"rollout": {"$schema": "x", **doc["rollout"]}}),
    ]
    for name, d in nested:
        if plain[name].is_valid(d):
            fail(f"{name}: a nested $schema is accepted ({json.dumps(d)}); the loader refuses it")


# ------------------------------------------------------------------ version patterns vs the loader

VERSIONS = [
    "1", "v1", "0", "64000", "v64000", "007", "18446744073709551615", "vv1", "V1", "v", "", " 1",
    "1.2", "v1.2", "1.2.3", "1.2.3.4", "01.2.3", "1.02.3", "1..2", "1.", ".1", "1.2.a",
    "1.2.3-rc.1", "1.2.3-rc.01", "1.2.3-0", "1.2.3-00", "1.2.3-", "1.2.3-a..b", "1.2.3-x-y",
    "1.2.3+build.7", "1.2.3+", "1.2.3+007", "1.2.3-rc.1+b", "v2.0.0-rc.1", "2.0", "1.2.3.4-rc",
    "banana", "1 2", "1.2.3_4", "x" * 129, "1" * 128, "1." * 63 + "1",
]
# Accepted by the schema, refused by the loader: a number past 2^64 - 1.
OVERFLOW = {"1" * 128}
# blocked_from ranges, on a release of each scheme.
RANGES = [
    "v1", "1", ">=v1, <v3", ">= 1 , < 3", "=1", "<=2", ">2", "1,", ",1", ">=", "=>1", "> v1.2",
    "1.2.3", ">=1.2.3-rc.1, <2.0.0", "<1.2", "1.2.3 - 2.0.0", " 1 ", "1;2", ">v5, <v3", ">5,<3",
]
# Well formed, but no version satisfies them (catalog.bad_range): beyond a pattern.
EMPTY_RANGES = {">v5, <v3", ">5,<3"}


def check_versions(plain, stepstone):
    catalog = plain["catalog"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.json"
        for scheme in (None, "integer", "semver", "dotted"):
            for text in VERSIONS:
                doc = {"releases": [{"version": text}]}
                if scheme:
                    doc = {"scheme": scheme, **doc}
                path.write_text(json.dumps(doc))
                loader = subprocess.run([stepstone, "validate", str(path)], capture_output=True).returncode == 0
                schema = catalog.is_valid(doc)
                counts["version strings"] += 1
                if text in OVERFLOW and schema and not loader:
                    continue
                if loader != schema:
                    fail(f"version {text!r} (scheme {scheme}): the loader {'accepts' if loader else 'refuses'} it, the schema {'accepts' if schema else 'refuses'} it")
            release = "9.0.0" if scheme in (None, "semver") else "9"
            for text in RANGES:
                doc = {"releases": [{"version": release, "blocked_from": [text]}]}
                if scheme:
                    doc = {"scheme": scheme, **doc}
                path.write_text(json.dumps(doc))
                loader = subprocess.run([stepstone, "validate", str(path)], capture_output=True).returncode == 0
                schema = catalog.is_valid(doc)
                counts["version strings"] += 1
                if text in EMPTY_RANGES and schema and not loader:
                    continue
                # Without `scheme`, ranges are read in the scheme the versions decide: a pattern
                # can only take every scheme's ranges.
                if scheme is None and schema and not loader:
                    continue
                if loader != schema:
                    fail(f"blocked_from {text!r} (scheme {scheme}): the loader {'accepts' if loader else 'refuses'} it, the schema {'accepts' if schema else 'refuses'} it")


# ------------------------------------------------------------------ CLI outputs


def registered_codes():
    errors = ROOT / "docs" / "errors.md"
    if not errors.exists():
        return None
    return set(re.findall(r"`([a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)`", errors.read_text()))


def codes_in(value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("code", "error") and isinstance(v, str):
                out.add(v)
            codes_in(v, out)
    elif isinstance(value, list):
        for v in value:
            codes_in(v, out)
    return out


class Cli:
    def __init__(self, stepstone, ordered, tmp):
        self.stepstone, self.ordered, self.tmp = stepstone, ordered, tmp
        self.codes = registered_codes()
        self.seen = set()

    def run(self, schema, args, exits=(0,), stdin=None, lines=False):
        """Runs `stepstone ARGS`; its stdout (one JSON line, or one per line) must hold to
        `schema`, or to error.schema.json when it is the error object."""
        p = subprocess.run([self.stepstone, *args], input=stdin, capture_output=True, cwd=self.tmp)
        what = "stepstone " + " ".join(args)
        out = p.stdout.decode()
        if p.returncode not in exits:
            fail(f"{what}: exit {p.returncode}, expected {exits}: {p.stderr.decode()[:300]}")
            return None
        texts = out.splitlines() if lines else [out.rstrip("\n")]
        if not lines and out.count("\n") != 1:
            fail(f"{what}: expected one JSON line on stdout, got {out[:300]!r}")
            return None
        docs = []
        for text in texts:
            try:
                doc = json.loads(text)
            except ValueError as e:
                fail(f"{what}: stdout is not JSON ({e}): {text[:300]!r}")
                return None
            name = "error" if list(doc) == ["error"] else schema
            if name == "error" and p.returncode == 0:
                fail(f"{what}: an error object with exit 0")
            e = first_error(self.ordered[name], doc)
            if e is not None:
                fail(f"{what}: output does not hold to {name}.schema.json at {list(e.absolute_path)}: {e.message}\n  {text[:400]}")
            counts["CLI outputs"] += 1
            self.seen.add(name)
            if self.codes is not None:
                for code in codes_in(doc, set()):
                    if "." in code and code not in self.codes:
                        fail(f"{what}: code {code!r} is not in docs/errors.md")
            docs.append(doc)
        return docs if lines else docs[0]


def query_flags(q):
    flags = ["--from", q["from"], "--to", q["to"]]
    for key in ("cost", "model", "environment"):
        if key in q:
            flags += [f"--{key}", q[key]]
    if q.get("allow_downgrade"):
        flags.append("--allow-downgrade")
    return flags


def check_cli(stepstone, ordered):
    ex = str(ROOT / "examples" / "catalog.json")
    plan_file = str(ROOT / "examples" / "sampling-plan.json")
    with tempfile.TemporaryDirectory() as tmp:
        cli = Cli(stepstone, ordered, tmp)
        t = Path(tmp)

        # validate: the example, every vector catalog (lint warnings), invalid catalogs.
        cli.run("validate", ["validate", ex, "--format", "json"])
        plan_doc = vectors("plan.json")
        files = {}
        for name, c in plan_doc["catalogs"].items():
            files[name] = t / f"{name}.json"
            files[name].write_text(json.dumps(c))
            cli.run("validate", ["validate", str(files[name]), "--format", "json"])
        for v in plan_doc["vectors"]:
            if v["op"] == "load" and "error" in v:
                f = t / "invalid.json"
                f.write_text(v["catalog_text"] if "catalog_text" in v else json.dumps(v["catalog"]))
                cli.run("validate", ["validate", str(f), "--format", "json"], exits=(1,))
        (t / "not-utf8.json").write_bytes(b'{"releases": ["\xff"]}')
        cli.run("validate", ["validate", "not-utf8.json", "--format", "json"], exits=(1,))
        cli.run("error", ["validate", "missing.json", "--format", "json"], exits=(2,))

        # plan and plan --explain: the example, and every plan/explain vector the flags can say.
        cli.run("plan", ["plan", ex, "--from", "v64000", "--to", "v67000", "--model", "AG-1", "--format", "json"])
        cli.run("plan", ["plan", ex, "--from", "v64000", "--to", "v67000", "--cost", "bytes", "--model", "AG-1", "--format", "json"])
        cli.run("explain", ["plan", ex, "--from", "v64000", "--to", "v67000", "--model", "AG-1", "--explain", "--format", "json"])
        cli.run("explain", ["plan", ex, "--from", "v64000", "--to", "v99", "--model", "AG-1", "--explain", "--format", "json"], exits=(1,))
        cli.run("error", ["plan", ex, "--from", "v64000", "--to", "v99", "--model", "AG-1", "--format", "json"], exits=(1,))
        cli.run("error", ["plan", ex, "--from", "x.y", "--to", "v67000", "--model", "AG-1", "--explain", "--format", "json"], exits=(1,))
        verdicts = set()
        for v in plan_doc["vectors"]:
            if v["op"] not in ("plan", "explain") or not isinstance(v.get("catalog"), str):
                continue
            flags = query_flags(v["query"])
            c = str(files[v["catalog"]])
            cli.run("plan", ["plan", c, *flags, "--format", "json"], exits=(0, 1))
            e = cli.run("explain", ["plan", c, *flags, "--explain", "--format", "json"], exits=(0, 1))
            if e and "releases" in e:
                verdicts.update(n["verdict"] for n in e["releases"])
        missing = set(ordered["explain"].schema["properties"]["releases"]["items"]["properties"]["verdict"]["enum"]) - verdicts
        if missing:
            fail(f"plan --explain: the vectors never showed the verdicts {sorted(missing)}")

        # graph, next-hop (its JSON is the error object only), sign (likewise).
        cli.run("graph", ["graph", ex, "--format", "json", "--model", "AG-1"])
        cli.run("graph", ["graph", ex, "--format", "json", "--model", "AG-2", "--environment", "staging"])
        for name, doc in plan_doc["catalogs"].items():
            # A catalog whose releases differ by model or environment needs them stated.
            device = []
            for flag, key in (("--model", "models"), ("--environment", "environments")):
                names = sorted({n for r in doc["releases"] for n in (r.get(key) or [])})
                if names:
                    device += [flag, names[0]]
            cli.run("graph", ["graph", str(files[name]), "--format", "json", *device])
        cli.run("error", ["next-hop", ex, "--to", "v99", "--format", "json"], exits=(1,), stdin=b"")
        cli.run("error", ["next-hop", ex, "--to", "v67000", "--format", "json"], exits=(1,), stdin=b"a,b\n1,2\n")
        cli.run("error", ["sign", "--key", "missing.pem", ex, "--format", "json"], exits=(2,))

        # sample: --device, the stream, estimate, volume.
        cli.run("sample", ["sample", "--plan", plan_file, "--class", "uptime", "--period", "20000", "--device", "d1", "--device", "DA143532", "--format", "json"])
        cli.run("sample", ["sample", "--plan", plan_file, "--class", "metrics", "--at", "1763899200", "--device", "d1", "--format", "json"], exits=(0, 1))
        cli.run("sample-line", ["sample", "--plan", plan_file, "--class", "metrics", "--period", "3", "--all", "--format", "json"],
                stdin=b"".join(b"dev-%d\n" % i for i in range(200)), lines=True)
        cli.run("sample-line", ["sample", "--plan", plan_file, "--class", "uptime", "--period", "3", "--format", "json"],
                stdin=b"a\r\n\nb\n\xff\xfe\n", lines=True)
        cli.run("error", ["sample", "--plan", plan_file, "--class", "nope", "--period", "3", "--device", "d", "--format", "json"], exits=(1,))
        cli.run("sample-estimate", ["sample", "estimate", "--fleet", "100000", "--rate", "1%", "--rate", "0", "--plan", plan_file, "--bug-hours", "10000", "--format", "json"])
        cli.run("sample-estimate", ["sample", "estimate", "--fleet", "10", "--rate", "1ppm", "--bug-hours", "1e9", "--window", "36s", "--probability", "0.999", "--format", "json"])
        cli.run("sample-volume", ["sample", "volume", "--fleet", "100000", "--rate", "5%", "--items", "100", "--bytes", "8", "--format", "json"])
        cli.run("error", ["sample", "volume", "--fleet", "18446744073709551615", "--items", "18446744073709551615", "--bytes", "18446744073709551615", "--format", "json"], exits=(1,))

        # keygen, catalog pack / inspect, manifest create / show, verify.
        cli.run("keygen", ["keygen", "--out", "k.pem", "--format", "json"])
        cli.run("error", ["keygen", "--out", "k.pem", "--format", "json"], exits=(2,))
        cli.run("catalog-pack", ["catalog", "pack", ex, "--target", "v67000", "--model", "AG-1", "--environment", "production", "-o", "c.bin", "--format", "json"])
        cli.run("catalog-pack", ["catalog", "pack", ex, "--model", "AG-1", "-o", "s.bin", "--sign", "k.pem", "--sequence", "3", "--expires", "4000000000", "--issued", "1700000000", "--format", "json"])
        cli.run("error", ["catalog", "pack", ex, "--target", "v64000", "--model", "AG-2", "-o", "x.bin", "--format", "json"], exits=(1,))
        cli.run("catalog-inspect", ["catalog", "inspect", "c.bin", "--format", "json"])
        cli.run("catalog-inspect", ["catalog", "inspect", "s.bin", "--key", "k.pem.pub.pem", "--format", "json"])
        cli.run("error", ["catalog", "inspect", ex, "--format", "json"], exits=(1,))
        cli.run("campaign-table", ["catalog", "table", ex, "--target", "v67000", "--model", "AG-1", "--environment", "production"])
        cli.run("campaign-table", ["catalog", "table", ex, "--target", "v64000", "--model", "AG-1", "--cost", "bytes", "--allow-downgrade", "--format", "json"])
        cli.run("catalog-table", ["catalog", "table", ex, "--target", "v67000", "--model", "AG-2", "-o", "t.json", "--format", "json"])
        cli.run("error", ["catalog", "table", ex, "--target", "v67000", "--format", "json"], exits=(1,))
        (t / "image.bin").write_bytes(bytes(range(256)) * 20)
        cli.run("manifest-create", ["manifest", "create", "--key", "k.pem", "--version", "v66003", "--min-sw-version", "v66000", "--models", "AG-1,AG-2", "--environment", "production", "--expires", "4000000000", "--out", "m.txt", "--signature-out", "m.sig", "image.bin", "--format", "json"])
        cli.run("manifest-create", ["manifest", "create", "--key", "k.pem", "--version", "2.0.0", "--scheme", "semver", "--models", "*", "--environment", "staging", "--expires", "4000000000", "--out", "m2.txt", "--signature-out", "m2.sig", "image.bin", "--format", "json"])
        cli.run("manifest-show", ["manifest", "show", "m.txt", "--format", "json"])
        cli.run("manifest-show", ["manifest", "show", "m2.txt", "--key", "k.pem.pub.pem", "--signature", "m2.sig", "--format", "json"])
        subprocess.run([stepstone, "sign", "--key", "k.pem", "--out", "image.sig", "image.bin"], cwd=tmp, check=True)
        cli.run("verify", ["verify", "--key", "k.pem.pub.pem", "--signature", "image.sig", "image.bin", "--format", "json"])
        cli.run("verify", ["verify", "--key", "k.pem.pub.pem", "--manifest", "m.txt", "--manifest-signature", "m.sig", "--model", "AG-1", "--environment", "production", "--current-version", "v66000", "--signature", "image.sig", "image.bin", "--format", "json"])
        cli.run("verify", ["verify", "--key", "k.pem.pub.pem", "--manifest", "m2.txt", "--manifest-signature", "m2.sig", "--model", "any", "--environment", "staging", "--current-version", "1.0.0", "image.bin", "--format", "json"])
        cli.run("error", ["verify", "--key", "k.pem.pub.pem", "--manifest", "m.txt", "--manifest-signature", "m.sig", "--model", "AG-3", "--environment", "production", "--current-version", "v66000", "image.bin", "--format", "json"], exits=(1,))

        # simulate: plain, with the vectors' rollout and a retry policy (halts), at the horizon.
        (t / "rollout.json").write_text(json.dumps({"$schema": "rollout.schema.json", "salt": "r", "schedule": {"stages": [{"fraction_ppm": 100000, "min_soak_secs": 3600}, {"fraction_ppm": 1000000}]}, "halt": {"max_failure_rate_ppm": 100000, "min_finished": 20}}))
        (t / "retry.json").write_text(json.dumps({"$schema": "retry-policy.schema.json", "attempts_per_hop": 2, "jitter_ppm": 0}))
        sim = ["simulate", "--catalog", ex, "--target", "v67000", "--model", "AG-1", "--devices", "300", "--seed", "3", "--format", "json"]
        cli.run("simulate", sim + ["--fail-rate", "0.2", "--rollback-rate", "1%", "--duplicate-rate", "0.05", "--offline-rate", "0.05"])
        cli.run("simulate", sim + ["--fail-rate", "0.3", "--rollout", "rollout.json", "--retry", "retry.json"])
        cli.run("simulate", sim + ["--horizon-days", "0"])
        cli.run("error", sim + ["--rollout", ex], exits=(1,))

        unused = set(ordered) - set(INPUTS) - cli.seen
        if unused:
            fail(f"no CLI output was checked against {sorted(unused)}")


# Enums of codes that are a whole area of the registry (docs/errors.md), less what cannot occur
# there: when a code is registered, its schemas must learn it.
AREA_ENUMS = [
    ("explain", ["properties", "outcome", "oneOf", 1, "properties", "error", "properties", "code", "enum"], "plan", set()),
    ("validate", ["oneOf", 1, "properties", "errors", "items", "properties", "code", "enum"], "catalog", {"catalog.invalid"}),
    ("validate", ["oneOf", 0, "properties", "warnings", "items", "properties", "code", "enum"], "lint", set()),
]


def check_code_enums(schemas):
    codes = registered_codes()
    if codes is None:
        return
    for name, path, area, never in AREA_ENUMS:
        node = schemas[name]
        for part in path:
            node = node[part]
        want = {c for c in codes if c.startswith(area + ".")} - never
        if set(node) != want:
            fail(f"{name}.schema.json {'/'.join(map(str, path))}: {sorted(set(node) ^ want)} differ from the {area}.* codes of docs/errors.md")
    given_up = schemas["simulate"]["properties"]["given_up"]["propertyNames"]["enum"]
    for c in sorted(c for c in codes if c.startswith("plan.")):
        if c not in given_up:
            fail(f"simulate.schema.json given_up: the planner's {c} is missing")


def check_docs(schemas):
    cli_md = (ROOT / "docs" / "cli.md").read_text()
    readme = (SCHEMAS / "README.md").read_text() if (SCHEMAS / "README.md").exists() else ""
    for name in schemas:
        link = f"schema/{name}.schema.json"
        if name not in INPUTS and link not in cli_md:
            fail(f"docs/cli.md does not link {link}")
        if f"{name}.schema.json" not in readme:
            fail(f"docs/schema/README.md does not list {name}.schema.json")


def main():
    stepstone = str(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "target" / "debug" / "stepstone").resolve())
    schemas = load_schemas()
    check_schemas(schemas)
    plain, ordered, sub = make_validators(schemas)
    check_inputs(plain, sub)
    check_versions(plain, stepstone)
    check_cli(stepstone, ordered)
    check_docs(schemas)
    check_code_enums(schemas)
    summary = ", ".join(f"{n} {k}" for k, n in counts.items())
    for p in problems:
        print(f"FAIL: {p}")
    print(summary)
    print(f"{len(BEYOND_SCHEMA)} refusals beyond a schema, {len(NOT_DOCUMENTS)} inputs that are not JSON documents (listed in {Path(__file__).name})")
    print(f"schemas: {0 if problems else 1} passed, {1 if problems else 0} failed")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
