// Every conformance vector under core/tests/vectors/ against this backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { s, root, readJson, hex } from './backend.js';

const dir = path.join(root, 'core/tests/vectors');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

// Runs one vector; returns {expect} or {error, errors?}. Unknown ops are reported, not skipped.
const runners = {
  'plan.json': (doc, v) => {
    const cat = v.catalog_text ?? (typeof v.catalog === 'string' ? doc.catalogs[v.catalog] : v.catalog);
    if (v.op === 'load') {
      const all = s.validate(cat);
      try {
        const c = s.Catalog.load(cat);
        return { expect: { releases: c.releaseCount, scheme: c.scheme } };
      } catch (e) {
        return { error: e.code, errors: all.map((p) => p.code), e };
      }
    }
    let c;
    try {
      c = s.Catalog.load(cat);
    } catch (e) {
      return { error: e.code };
    }
    // The vectors spell the query as the core's JSON does; the API takes camelCase options.
    const query = v.query && { ...v.query, allowDowngrade: v.query.allow_downgrade };
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
    const r = (f) => {
      try {
        return { expect: f() };
      } catch (e) {
        if (!(e instanceof s.StepstoneError)) throw e;
        return { error: e.code };
      }
    };
    if (v.op === 'position') {
      return r(() => {
        const position = s.position(hex(v.salt_hex), hex(v.device_id_hex), v.period, v.class);
        return { position, sampled: s.isBelow(position, v.rate_ppm) };
      });
    }
    if (v.op === 'is_below') return r(() => ({ sampled: s.isBelow(v.position, v.rate_ppm) }));
    if (v.op === 'period_index') {
      return r(() => {
        const p = s.periodIndex(v.unix_seconds, v.period_seconds, v.offset_seconds);
        return { period: p === null ? null : String(p) };
      });
    }
    if (v.op === 'plan') {
      return r(() => {
        const plan = s.SamplingPlan.fromJson(v.plan_text ?? v.plan);
        const period = plan.periodAt(v.unix_seconds);
        const id = hex(v.device_id_hex);
        return { period: String(period), position: plan.position(id, v.class, period), sampled: plan.isSampled(id, v.class, period) };
      });
    }
    throw new Error(`unknown op ${v.op}`);
  },
  'signature.json': (doc, v) => {
    try {
      const verifier = new s.Verifier(hex(v.key));
      const msg = hex(v.message);
      for (let i = 0; i < msg.length; i += 7) verifier.update(msg.subarray(i, i + 7));
      return { expect: verifier.finish(hex(v.signature)) };
    } catch (e) {
      if (!(e instanceof s.StepstoneError)) throw e;
      return { error: e.code };
    }
  },
  'manifest.json': (doc, v) => {
    try {
      const d = v.device;
      const m = new s.ManifestCheck({
        key: hex(v.key), manifest: v.manifest, signature: hex(v.signature),
        device: { model: d.model, environment: d.environment, currentVersion: d.current_version, counter: d.counter, now: d.now },
      });
      const image = hex(v.image);
      for (let i = 0; i < image.length; i += 1000) m.update(image.subarray(i, i + 1000));
      return { expect: m.finish() };
    } catch (e) {
      if (!(e instanceof s.StepstoneError)) throw e;
      return { error: e.code };
    }
  },
  'rollout.json': (doc, v) => {
    if (v.op !== 'membership') return { unsupported: v.op };
    const r = s.Rollout.fromJson({ salt: v.salt, schedule: { stages: v.stages_ppm.map((f) => ({ fraction_ppm: f })) } });
    const position = r.position(v.device_id);
    return { expect: { position, stage: r.stageOf(position), member: v.stages_ppm.map((f) => s.isBelow(position, f)) } };
  },
};

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

for (const file of files) {
  const doc = readJson(`core/tests/vectors/${file}`);
  const run = runners[file];
  test(`vectors: ${file}`, { skip: run ? false : `not wrapped by the JS API yet: ${file}` }, (t) => {
    assert.equal(doc.format, 1);
    let n = 0;
    const unsupported = {};
    for (const v of doc.vectors) {
      const got = run(doc, v);
      if (got.unsupported) {
        unsupported[got.unsupported] = (unsupported[got.unsupported] ?? 0) + 1;
        continue;
      }
      if ('error' in v) {
        assert.equal(got.error, v.error, `${file} ${v.name}: error code (got ${JSON.stringify(got.expect)})`);
        if (v.errors) assert.deepEqual(got.errors, v.errors, `${file} ${v.name}: every error`);
      } else {
        assert.ok(!('error' in got), `${file} ${v.name}: unexpected error ${got.error}`);
        assert.deepEqual(pick(got.expect, v.expect), v.expect, `${file} ${v.name}`);
      }
      n += 1;
    }
    t.diagnostic(`${n} vectors passed` + (Object.keys(unsupported).length ? `; ops not wrapped yet: ${JSON.stringify(unsupported)}` : ''));
    assert.ok(n > 0);
  });
}
