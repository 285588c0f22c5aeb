// Every conformance vector under core/tests/vectors/ against this backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { s, s as whole, root, readJson, hex, AREAS, backendName, importEntry } from './backend.js';

const dir = path.join(root, 'core/tests/vectors');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

// A call's answer as a vector states it: `{expect}`, or `{error}` for a StepstoneError (any other
// error is a bug in the runner or the package, and fails the test).
function answer(f) {
  try {
    return { expect: f() };
  } catch (e) {
    if (!(e instanceof s.StepstoneError)) throw e;
    return { error: e.code };
  }
}

// Runs one vector through the API `s` (the whole package, or an entry point: one per area);
// returns {expect} or {error, errors?}. Unknown ops are reported, not skipped.
const runnersFor = (s) => ({
  'plan.json': (doc, v) => {
    const cat = v.catalog_text ?? (typeof v.catalog === 'string' ? doc.catalogs[v.catalog] : v.catalog);
    if (v.op === 'load') {
      const all = s.validate(cat);
      try {
        const c = s.Catalog.load(cat);
        return { expect: { releases: c.releaseCount, scheme: c.scheme } };
      } catch (e) {
        return { error: e.code, errors: all.map((p) => p.code), message: all[0]?.message, e };
      }
    }
    let c;
    try {
      c = s.Catalog.load(cat);
    } catch (e) {
      return { error: e.code };
    }
    // The vectors spell the query as the core's JSON does; the API takes camelCase options.
    const { allow_downgrade: allowDowngrade, ...rest } = v.query ?? {};
    const query = v.query && { ...rest, allowDowngrade };
    if (v.op === 'plan') {
      let plan, err;
      try {
        plan = c.plan(query);
      } catch (e) {
        err = e;
      }
      // next hop and the campaign table agree with the plan, as the Rust runner checks.
      const hop = attempt(() => c.nextHop(query));
      const table = attempt(() => {
        const t = c.campaign(v.query.to, {
          model: v.query.model, environment: v.query.environment, cost: v.query.cost,
          allowDowngrade: v.query.allow_downgrade,
        });
        return t.nextHop(v.query.from);
      });
      if (err) {
        assert.ok(err instanceof s.StepstoneError, `${v.name}: StepstoneError`);
        assert.equal(hop.error, err.code, `${v.name}: next hop error`);
        if (!err.code.startsWith('version.')) assert.equal(table.error, err.code, `${v.name}: table error`);
        return { error: err.code };
      }
      assert.equal(hop.value, plan.path[0] ?? null, `${v.name}: next hop`);
      assert.equal(table.value, plan.path[0] ?? null, `${v.name}: campaign table`);
      return { expect: { path: plan.path, hops: plan.hops, bytes: plan.bytes } };
    }
    if (v.op === 'lint') return { expect: { warnings: c.lint().map((w) => [w.code, w.release]) } };
    if (v.op === 'explain') {
      return { expect: { releases: c.explain(query).releases.map((r) => [r.version, r.verdict]) } };
    }
    throw new Error(`unknown op ${v.op}`);
  },
  'sample.json': (doc, v) => {
    if (v.op === 'position') {
      return answer(() => {
        const position = s.position(hex(v.salt_hex), hex(v.device_id_hex), v.period, v.class);
        return { position, sampled: s.isBelow(position, v.rate_ppm) };
      });
    }
    if (v.op === 'is_below') return answer(() => ({ sampled: s.isBelow(v.position, v.rate_ppm) }));
    if (v.op === 'period_index') {
      return answer(() => {
        const p = s.periodIndex(v.unix_seconds, v.period_seconds, v.offset_seconds);
        return { period: p === null ? null : String(p) };
      });
    }
    if (v.op === 'plan') {
      return answer(() => {
        const plan = s.SamplingPlan.fromJson(v.plan_text ?? v.plan);
        const period = plan.periodAt(v.unix_seconds);
        const id = hex(v.device_id_hex);
        return { period: String(period), position: plan.position(id, v.class, period), sampled: plan.isSampled(id, v.class, period) };
      });
    }
    throw new Error(`unknown op ${v.op}`);
  },
  'signature.json': (doc, v) => {
    return answer(() => {
      const verifier = new s.Verifier(hex(v.key));
      const msg = hex(v.message);
      for (let i = 0; i < msg.length; i += 7) verifier.update(msg.subarray(i, i + 7));
      return verifier.finish(hex(v.signature));
    });
  },
  'manifest.json': (doc, v) => {
    return answer(() => {
      const d = v.device;
      const m = new s.ManifestCheck({
        key: hex(v.key), manifest: v.manifest, signature: hex(v.signature),
        device: { model: d.model, environment: d.environment, currentVersion: d.current_version, counter: d.counter, now: d.now },
      });
      const image = hex(v.image);
      for (let i = 0; i < image.length; i += 1000) m.update(image.subarray(i, i + 1000));
      return m.finish();
    });
  },
  // The install chain, as core/tests/attack_vectors.rs runs it: open the signed compact catalog,
  // check the manifest first (device and catalog), stream the image, finish.
  'attacks.json': (doc, v) => {
    assert.equal(v.op, 'install', v.name);
    try {
      let opened = null;
      if (v.catalog) {
        const c = v.catalog;
        opened = s.openCompactCatalog(hex(c.envelope), hex(c.key), { now: c.now, last: c.last });
      }
      const d = v.device;
      const m = new s.ManifestFirst({
        key: hex(v.manifest_key), manifest: hex(v.manifest), signature: hex(v.signature),
        device: { model: d.model, environment: d.environment, currentVersion: d.current_version, counter: d.counter, now: d.now },
        catalog: opened?.payload,
      });
      const image = hex(v.image);
      for (let i = 0; i < image.length; i += v.chunk) m.update(image.subarray(i, i + v.chunk));
      const facts = m.finish();
      if (opened) facts.catalog = opened.state;
      // The whole answer, as the Rust runner compares it (no field left unchecked).
      if ('expect' in v) assert.deepEqual(facts, v.expect, v.name);
      return { expect: facts };
    } catch (e) {
      if (!(e instanceof s.StepstoneError)) throw e;
      return { error: e.code };
    }
  },
  'rollout.json': (doc, v) => {
    switch (v.op) {
      case 'rollout':
        return answer(() => (s.Rollout.fromJson(v.rollout), {}));
      case 'membership':
        return answer(() => {
          const ro = s.Rollout.fromJson({ salt: v.salt, schedule: { stages: v.stages_ppm.map((f) => ({ fraction_ppm: f })) } });
          const position = ro.position(v.device_id);
          assert.equal(s.rolloutPosition(v.salt, v.device_id), position, `${v.name}: rolloutPosition`);
          return { position, stage: ro.stageOf(position), member: v.stages_ppm.map((f) => s.isBelow(position, f)) };
        });
      case 'wilson':
        return answer(() => ({
          above: s.wilsonLowerAbove({ failed: v.failed, finished: v.finished, limitPpm: v.limit_ppm, zNum: v.z_num, zDen: v.z_den }),
        }));
      case 'trips':
        return answer(() => {
          const halt = s.haltTrips(v.halt, v.stats);
          // The same rule inside a rollout trips the same way.
          const ro = s.Rollout.fromJson({ salt: 's', schedule: { stages: [{ fraction_ppm: 1000000 }] }, halt: v.halt });
          assert.equal(ro.trips(0, v.stats), halt, `${v.name}: Rollout.trips`);
          return { halt };
        });
      case 'ramp':
        return answer(() => ({ fraction_ppm: s.rampFraction(v.ramp, v.elapsed) }));
      default:
        throw new Error(`unknown op ${v.op}`);
    }
  },
  'retry.json': (doc, v) => {
    let policy;
    try {
      policy = s.RetryPolicy.fromJson(v.policy ?? {});
    } catch (e) {
      if (!(e instanceof s.StepstoneError)) throw e;
      return { error: e.code };
    }
    switch (v.op) {
      case 'policy':
        return { expect: {} };
      case 'jitter_hash':
        return { expect: { jitter_hash: s.jitterHash(v.device_id, v.hop, v.attempt) } };
      case 'backoff':
        return answer(() => ({
          delay_secs: policy.backoff({ kind: v.kind, n: v.n, deviceId: v.device_id, hop: v.hop, attempt: v.attempt }),
          jitter_hash: s.jitterHash(v.device_id, v.hop, v.attempt),
        }));
      case 'after_failure':
        return answer(() => policy.afterFailure({
          attempts: v.hop_counters.attempts, failures: v.hop_counters.failures, kind: v.kind,
          totalAttempts: v.total_attempts, firstAttemptAt: v.first_attempt_at, failedAt: v.failed_at,
          deviceId: v.device_id, hop: v.hop,
        }));
      default:
        throw new Error(`unknown op ${v.op}`);
    }
  },
  'reconcile.json': (doc, v) => {
    // The rollout entry point has no catalogs: the whole package plans, the entry runs the table.
    const catalog = (s.Catalog ? s : whole).Catalog.load(doc.catalogs.figure1);
    const timing = v.timing ?? {};
    const built = catalog.campaign(v.target);
    // The same steps over the Campaign and over its table's wire form: the same answers.
    const forms = [...(s.Catalog ? [['campaign', built]] : []), ['table', built.toTable()]];
    for (const [form, campaign] of forms) {
      const rec = new s.Reconciler(campaign, {
        policy: s.RetryPolicy.fromJson(v.policy ?? {}),
        rollout: v.rollout && s.Rollout.fromJson(v.rollout),
        start: timing.start, end: timing.end, windows: timing.windows, utcOffsetSecs: timing.utc_offset_secs,
      });
      const device = v.device_id ?? 'device-1';
      let state = v.state;
      v.steps.forEach((step, i) => {
        const at = `${v.name} (${form}) step ${i}`;
        if ('apply' in step) {
          const { state: next, outcome } = rec.apply(state, step.apply);
          assert.equal(outcome, step.expect, at);
          // An ignored event leaves the state exactly as it was (compared in the full wire form).
          if (outcome !== 'changed') assert.deepEqual(next, rec.state(state), `${at}: an ignored event changed the state`);
          state = next;
        } else if ('decide' in step) {
          assert.deepEqual(rec.decide(device, state, step.decide), step.expect, at);
        } else if ('rollout_advance' in step) {
          assert.equal(rec.rolloutAdvance(step.rollout_advance), true, at);
        } else if ('rollout_halt' in step) {
          rec.rolloutHalt(step.rollout_halt, 'vector');
        } else if ('rollout_resume' in step) {
          rec.rolloutResume(step.rollout_resume);
        } else {
          throw new Error(`${at}: unknown step ${JSON.stringify(step)}`);
        }
      });
      for (const [k, want] of Object.entries(v.expect_state ?? {})) {
        assert.deepEqual(state[k], want, `${v.name} (${form}): final state field ${k}`);
      }
    }
    return { expect: v.expect };
  },
});

function attempt(f) {
  try {
    return { value: f() };
  } catch (e) {
    return { error: e.code };
  }
}

// Keeps only the keys the vector checks (plan's `bytes` may be absent: not checked).
function pick(got, want) {
  if (want === null || typeof want !== 'object' || Array.isArray(want)) return got;
  return Object.fromEntries(Object.keys(want).map((k) => [k, pick(got?.[k], want[k])]));
}

// The entry point each file's vectors also run through: the area that owns them.
const OWNER = {
  'plan.json': 'plan', 'sample.json': 'sample', 'signature.json': 'verify', 'manifest.json': 'verify',
  'attacks.json': 'verify', 'rollout.json': 'rollout', 'retry.json': 'rollout', 'reconcile.json': 'rollout',
};
const entries = Object.fromEntries(await Promise.all(AREAS.map(async (a) => [a, await importEntry(backendName, a)])));

// Files of another shape, each with its own runner file in this folder.
const ownRunner = { 'arguments.json': 'arguments.test.js' };

for (const file of files) {
  if (ownRunner[file]) {
    test(`vectors: ${file} (run by ${ownRunner[file]})`, () => {
      assert.ok(existsSync(new URL(ownRunner[file], import.meta.url)), `${ownRunner[file]} is missing`);
    });
    continue;
  }
  const doc = readJson(`core/tests/vectors/${file}`);
  // The whole package, then the entry point that owns the file (stepstone-*/plan, ...).
  for (const [label, api] of [['', s], ...(OWNER[file] ? [[` via /${OWNER[file]}`, entries[OWNER[file]]]] : [])]) {
    vectorTest(file, doc, label, runnersFor(api)[file]);
  }
}

function vectorTest(file, doc, label, run) {
  test(`vectors: ${file}${label}`, (t) => {
    assert.ok(run, `${file} has no runner in the JS suite: add one`);
    assert.ok(OWNER[file], `${file} has no owning entry point in OWNER: add one`);
    assert.equal(doc.format, 1);
    let n = 0;
    for (const v of doc.vectors) {
      const got = run(doc, v);
      if ('error' in v) {
        assert.equal(got.error, v.error, `${file} ${v.name}: error code (got ${JSON.stringify(got.expect)})`);
        if (v.errors) assert.deepEqual(got.errors, v.errors, `${file} ${v.name}: every error`);
        // plan.json's load vectors may pin the first error's message (signature.json's `message`
        // is the signed data, not an error text).
        if (file === 'plan.json' && v.message) assert.equal(got.message, v.message, `${file} ${v.name}: the first error's message`);
      } else {
        assert.ok(!('error' in got), `${file} ${v.name}: unexpected error ${got.error}`);
        assert.deepEqual(pick(got.expect, v.expect), v.expect, `${file} ${v.name}`);
      }
      n += 1;
    }
    assert.equal(n, doc.vectors.length);
    if (file === 'attacks.json') assert.ok(n >= 30, `${file}: ${n} vectors, at least 30 expected`);
    t.diagnostic(`${n} of ${doc.vectors.length} vectors passed`);
  });
}
