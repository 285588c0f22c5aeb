"""What a new user's adversarial trial of the package found, kept as tests: streams fed from
two threads, the Arrow functions' argument checks, and a signed catalog's stored digest given
without its sequence."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest

import stepstone

pa = pytest.importorskip("pyarrow")
np = pytest.importorskip("numpy")
from stepstone import arrow  # noqa: E402


def test_two_threads_feeding_one_stream_do_not_deadlock() -> None:
    # A thread waiting for a stream's lock used to hold the GIL that the thread holding the
    # lock needed back: ImageHasher, StreamVerifier and ImageCheck hung. Run in a child so a
    # hang fails this test instead of the suite.
    script = textwrap.dedent(
        """
        import threading, stepstone
        key = stepstone.SigningKey.from_scalar(bytes(31) + b"\\x07")
        chunk = b"x" * (4 << 20)
        size = 8 * 2 * len(chunk)
        text = stepstone.render_manifest(version="v2", size=size, sha256=bytes(32),
            environment="p", expires=2_000_000_000, key_id=key.public_key.key_id)
        sig = key.sign(text.encode())
        manifest = stepstone.verify_manifest(text, sig.encode("der"), key.public_key)
        streams = [stepstone.ImageHasher(), stepstone.StreamVerifier(key.public_key),
                   manifest.image_check(),
                   stepstone.ManifestFirst(key.public_key, text, sig, model="AG-1",
                       environment="p", current_version="v1", counter="v1", now=1)]
        for s in streams:
            def feed(s=s):
                for _ in range(8):
                    s.update(chunk)
            threads = [threading.Thread(target=feed) for _ in range(2)]
            for t in threads: t.start()
            for t in threads: t.join()
        print(len(streams[0]), streams[2].remaining(), streams[3].remaining())
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(16 * (4 << 20)), "0", "0"]


def test_threads_sharing_a_reconciler_do_not_deadlock_on_its_errors() -> None:
    # The session's lock used to be held while an error became a Python exception (Python
    # code, during which the GIL can pass to a thread that then waits for the lock).
    script = textwrap.dedent(
        """
        import sys, threading, stepstone
        sys.setswitchinterval(1e-6)
        cat = stepstone.Catalog({"releases": [{"version": "v1"}, {"version": "v2", "min_sw_version": "v1"}]})
        ro = stepstone.Rollout({"salt": "r", "schedule": {"stages": [{"fraction_ppm": 1_000_000}]}})
        rec = stepstone.Reconciler(cat.campaign("v2"), rollout=ro, rollout_started_at=0)
        def hammer():
            for _ in range(20_000):
                try:
                    rec.rollout_resume(10)
                except stepstone.RolloutError:
                    pass
        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads: t.start()
        for t in threads: t.join()
        print("done")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "done"


@pytest.mark.parametrize(
    "call",
    [
        lambda s, camp, cat, fleet: arrow.sampled(s),
        lambda s, camp, cat, fleet: arrow.sampled(s, pa.array(["a"]), rate_ppm=5, colour="red"),
        lambda s, camp, cat, fleet: arrow.positions(),
        lambda s, camp, cat, fleet: arrow.next_hops(camp),
        lambda s, camp, cat, fleet: arrow.next_hops(camp, pa.array(["v1"]), pa.array(["v1"])),
        lambda s, camp, cat, fleet: arrow.plan_table(cat, fleet, "v65000", colour="red"),
        lambda s, camp, cat, fleet: arrow.plan_table(cat, fleet, "v65000", out_col=5),
        lambda s, camp, cat, fleet: arrow.plan_table(cat, fleet, "v65000", out_col="version"),
        lambda s, camp, cat, fleet: arrow.plan_table(cat, fleet, "v65000", error_col="next_hop"),
    ],
)
def test_arrow_functions_refuse_bad_arguments_with_a_code(call) -> None:  # type: ignore[no-untyped-def]
    cat = stepstone.Catalog({"releases": [{"version": "v64000"}, {"version": "v65000", "min_sw_version": "v64000"}]})
    sampler = stepstone.Sampler(b"s", "metrics", 3)
    fleet = pa.table({"version": ["v64000", "v65000"]})
    with pytest.raises(stepstone.BadArgumentError) as e:
        call(sampler, cat.campaign("v65000"), cat, fleet)
    assert e.value.code == "python.bad_argument"
    assert any(w in str(e.value) for w in ("sampled", "positions", "next_hops", "plan_table"))


def test_arrow_functions_take_numpy_integers_as_the_native_calls_do() -> None:
    plan = stepstone.SamplingPlan.from_dict({"salt": "s", "period_seconds": 86_400, "classes": {"metrics": 500_000}})
    sampler = stepstone.Sampler(b"s", "metrics", 3)
    ids = pa.array([f"dev-{i}" for i in range(50)])
    assert arrow.sampled(plan, ids, "metrics", np.int64(3)).equals(arrow.sampled(plan, ids, "metrics", 3))
    assert arrow.sampled(sampler, ids, rate_ppm=np.uint32(500_000)).to_pylist() == sampler.sampled(
        ids.to_pylist(), 500_000
    )
    with pytest.raises(stepstone.BadArgumentError, match="periods must be from 0"):
        arrow.sampled(plan, ids, "metrics", np.int64(-1))
    with pytest.raises(stepstone.BadArgumentError, match="rate_ppm must be an int"):
        arrow.sampled(sampler, ids, rate_ppm=np.bool_(True))


def test_a_stored_digest_without_its_sequence_is_refused() -> None:
    # Alone, last_digest checked nothing: the sequence check was silently off.
    key = stepstone.SigningKey.from_scalar(bytes(31) + b"\x07")
    signed = stepstone.seal_catalog(b'{"releases": []}', 5, 2_000_000_000, key, issued=1)
    o = stepstone.open_catalog(signed, [key.public_key], now=10)
    with pytest.raises(stepstone.SignedCatalogError, match="the last digest is given without the last sequence") as e:
        stepstone.open_catalog(signed, [key.public_key], now=10, last_digest=o.digest)
    assert e.value.code == "signed_catalog.digest_without_sequence"
    again = stepstone.open_catalog(signed, [key.public_key], now=10, last_sequence=o.sequence, last_digest=o.digest)
    assert again.sequence == 5


def test_opened_catalog_refuses_missing_arguments_with_a_code() -> None:
    with pytest.raises(stepstone.BadArgumentError, match="OpenedCatalog.__new__\\(\\): missing a required argument: 'sequence'"):
        stepstone.OpenedCatalog()  # type: ignore[call-arg]
    o = stepstone.OpenedCatalog(1, 2, "k", b"p", bytes(32), None)
    assert o.sequence == 1 and tuple(o) == (1, 2, "k", b"p")


def test_a_model_name_with_a_space_is_refused_not_signed_as_two_models() -> None:
    # `models=["AG 1"]` used to be written `models AG 1`: a manifest for models "AG" and "1".
    key = stepstone.SigningKey.from_scalar(bytes(31) + b"\x07")
    fields = dict(version="v1", size=1, sha256=bytes(32), environment="p", expires=2_000_000_000, key_id=key.public_key.key_id)
    with pytest.raises(stepstone.ManifestError) as e:
        stepstone.render_manifest(models=["AG 1"], **fields)
    assert (e.value.code, str(e.value)) == ("manifest.bad_model", 'model "AG 1": a name is printable ASCII without spaces')
    text = stepstone.render_manifest(models=["AG-1", "AG-2"], **fields)
    manifest = stepstone.verify_manifest(text, key.sign(text.encode()).encode("der"), key.public_key)
    assert manifest.models == ["AG-1", "AG-2"]


def test_render_manifest_checks_models_as_the_cli_does() -> None:
    # The core's check (`manifest::check_models`): the same codes and messages as `--models`.
    key = stepstone.SigningKey.from_scalar(bytes(31) + b"\x07")
    fields = dict(version="v1", size=1, sha256=bytes(32), environment="p", expires=2_000_000_000, key_id=key.public_key.key_id)
    cases = [
        ([], "manifest.no_models", "no model given: name one or more models, or * for every model"),
        (["*", "AG-1"], "manifest.models_wildcard_mixed", "* means every model and cannot be listed with model names"),
        (["AG-1", ""], "manifest.bad_model", 'model "": empty name'),
        (["AG-1", "AG-1"], "manifest.bad_model", 'model "AG-1": listed twice'),
        (["AG-*"], "manifest.bad_model", 'model "AG-*": * may only stand alone, for every model'),
        (["AGé"], "manifest.bad_model", 'model "AGé": a name is printable ASCII without spaces'),
        (["AG-1,AG-2"], "manifest.bad_model", 'model "AG-1,AG-2": a name has no comma (give each model as its own name)'),
    ]
    for models, code, message in cases:
        with pytest.raises(stepstone.ManifestError) as e:
            stepstone.render_manifest(models=models, **fields)
        assert (e.value.code, str(e.value)) == (code, message), models
    assert "models *\n" in stepstone.render_manifest(models=["*"], **fields)


def test_a_pyarrow_array_of_another_type_is_named_in_the_refusal() -> None:
    sampler = stepstone.Sampler(b"s", "metrics", 3)
    for arr, ty in [(pa.array(["a"], type=pa.large_string()), "large_string"), (pa.array([1]), "int64")]:
        with pytest.raises(stepstone.BadArgumentError, match=f"got a pyarrow {ty} array"):
            sampler.sampled(arr, 5)
    assert sampler.sampled(pa.array(["a"], type=pa.large_string()).cast(pa.string()), 1_000_000) == [True]


def test_a_catalog_file_that_does_not_read_is_named_in_the_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "cut.json"
    path.write_text('{"releases": [{"version": "v1"}, {"vers')
    for load in (stepstone.Catalog, stepstone.Catalog.from_path, lambda p: stepstone.Catalog(str(p))):
        with pytest.raises(stepstone.CatalogError) as e:
            load(path)
        assert str(e.value).startswith(f"'{path}': catalog is not valid JSON"), str(e.value)
        assert e.value.code == "catalog.json" and e.value.errors[0][0] == "catalog.json"
    path.write_text('{"releases": [{"version": "v1"}, {"version": "v1"}]}')
    with pytest.raises(stepstone.CatalogError, match="cut.json': releases\\[1\\] \\(v1\\) duplicates") as d:
        stepstone.Catalog(path)
    assert d.value.errors == [("catalog.duplicate_version", "releases[1] (v1) duplicates releases[0] (v1)")]


def test_an_argument_whose_own_code_raises_is_a_bad_argument_with_that_cause() -> None:
    # An iterator or mapping that raises while the binding reads it: BadArgumentError naming the
    # argument (as JS's js.bad_argument for a throwing getter), the user's error as __cause__.
    import collections.abc

    class Broken(collections.abc.Mapping):  # type: ignore[type-arg]
        def __getitem__(self, k: object) -> object:
            raise KeyError(k)

        def __iter__(self):  # type: ignore[no-untyped-def]
            raise RuntimeError("iter boom")

        def __len__(self) -> int:
            return 1

    def versions():  # type: ignore[no-untyped-def]
        yield "v64000"
        raise RuntimeError("mid-iteration")

    cat = stepstone.Catalog({"releases": [{"version": "v64000"}, {"version": "v65000", "min_sw_version": "v64000"}]})
    for call, text in [
        (lambda: stepstone.Catalog(Broken()), "`source` could not be read: RuntimeError: iter boom"),
        (lambda: stepstone.RetryPolicy(Broken()), "`spec` could not be read"),
        (lambda: cat.campaign("v65000").next_hops(versions()), "`versions[1]` could not be read: RuntimeError: mid-iteration"),
        (lambda: stepstone.Sampler(b"s", "m", 1).sampled(versions(), 5), "`device_ids[1]` could not be read"),
    ]:
        with pytest.raises(stepstone.BadArgumentError, match=re.escape(text)) as e:
            call()
        assert isinstance(e.value.__cause__, RuntimeError)


def test_retry_refuses_a_failure_before_the_first_attempt_and_failure_zero() -> None:
    # Both in core: the same codes and messages as the JS backends (bindings/js-tests, entries).
    policy = stepstone.RetryPolicy()
    args = dict(attempts=1, failures={"failed": 1}, kind="failed", total_attempts=1, device_id="d", hop="v65000")
    with pytest.raises(stepstone.RetryError) as e:
        policy.after_failure(first_attempt_at=2000, failed_at=1000, **args)
    assert (e.value.code, str(e.value)) == (
        "retry.failed_before_first_attempt",
        "failed_at (1000) is before first_attempt_at (2000): a failure cannot come before the march's first attempt",
    )
    assert policy.after_failure(first_attempt_at=2000, failed_at=2000, **args).retry_at is not None
    for n, attempt, field in [(0, 1, "n"), (1, 0, "attempt")]:
        with pytest.raises(stepstone.RetryError) as e:
            policy.backoff("failed", n, "d", "h", attempt)
        assert (e.value.code, str(e.value)) == (
            "retry.zero_number",
            f"{field} must be at least 1 (failures and attempts are numbered from 1), got 0",
        )


def test_rollout_and_retry_json_refusals_name_the_field_path() -> None:
    text = '{"salt":"s","schedule":{"stages":[{"fraction_ppm":1},{"fraction_ppm":2},{"fraction_ppm":-1}]}}'
    with pytest.raises(stepstone.RolloutError) as e:
        stepstone.Rollout(text)
    assert str(e.value) == (
        "rollout JSON: schedule.stages[2].fraction_ppm: expected an unsigned integer (u32), found -1 at line 1 column 91"
    )
    with pytest.raises(stepstone.RetryError) as e:
        stepstone.RetryPolicy('{"timed_out": {"base_secs": -1}}')
    assert str(e.value) == (
        "retry policy JSON: timed_out.base_secs: expected an unsigned integer (u64), found -1 at line 1 column 31"
    )


def test_a_zero_length_ramp_is_an_instant_step() -> None:
    ramp = {"start": 0, "start_ppm": 10000, "duration_secs": 0}
    assert [stepstone.ramp_fraction(ramp, t) for t in (0, 1, 10**9)] == [1_000_000] * 3
