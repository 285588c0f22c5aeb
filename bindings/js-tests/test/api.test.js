// The API itself, against this backend: shapes, errors, argument conversion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { s, readText } from './backend.js';

const catalogText = readText('examples/catalog.json');

test('backend is the one asked for', () => {
  assert.equal(s.backend, process.env.STEPSTONE_BACKEND ?? 'wasm');
  assert.match(s.version(), /^\d+\.\d+\.\d+/);
});

test("KeepTruckin's 2020 FOTA v64000 -> v67000 path", () => {
  const c = s.Catalog.load(catalogText);
  const p = s.Catalog.load(JSON.parse(catalogText)).plan({ from: 'v64000', to: 'v67000' });
  assert.deepEqual(p, c.plan({ from: 'v64000', to: 'v67000' }));
  assert.deepEqual(p.path, ['v65000', 'v66000', 'v66003', 'v67000']);
  assert.equal(p.hops, 4);
  assert.equal(p.steps.length, 4);
  assert.equal(c.nextHop({ from: 'v64000', to: 'v67000' }), 'v65000');
  assert.equal(c.nextHop({ from: 'v67000', to: 'v67000' }), null);
  const t = c.campaign('v67000');
  assert.equal(t.target, 'v67000');
  assert.equal(t.nextHop('v64000'), 'v65000');
  assert.equal(t.nextHop('v67000'), null);
  assert.ok(t.size > 0);
});

test('graph, lint, explain, render', () => {
  const c = s.Catalog.load(catalogText);
  const g = c.graph({ model: 'AG-1', environment: 'production' });
  assert.ok(g.nodes.some((n) => n.version === 'v65000' && n.stepping_stone));
  assert.ok(g.edges.some(([a, b]) => a === 'v64000' && b === 'v65000'));
  assert.ok(Array.isArray(c.lint()));
  const e = c.explain({ from: 'v64000', to: 'v67000' });
  assert.deepEqual(e.outcome.plan.path, ['v65000', 'v66000', 'v66003', 'v67000']);
  assert.ok(e.releases.length > 0);
  assert.match(c.render('dot'), /^digraph/);
  assert.match(c.render('mermaid'), /^flowchart LR/);
});

test('errors are StepstoneError with the core code', () => {
  const cases = [
    [() => s.Catalog.load('{'), 'catalog.json'],
    [() => s.Catalog.load(catalogText).plan({ from: 'v64000', to: 'v99999' }), 'plan.unknown_target'],
    [() => s.Catalog.load(catalogText).plan({ from: 'v6x', to: 'v67000' }), 'version.malformed'],
    [() => s.Catalog.load(catalogText).plan({ from: 'v64000', to: 'v67000', cost: 'speed' }), null],
    [() => s.SamplingPlan.fromJson('{}'), null],
    [() => s.position('salt', 'id', 'not a number', 'metrics'), 'sample.bad_input'],
    [() => s.estimate({ fleet: 1.5, ratePpm: 1000, bugHours: 10, windowHours: 1 }), 'sample.bad_input'],
  ];
  for (const [f, code] of cases) {
    let thrown;
    try {
      f();
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown instanceof s.StepstoneError, `${f}: StepstoneError, got ${thrown}`);
    assert.ok(thrown instanceof Error);
    assert.equal(thrown.name, 'StepstoneError');
    assert.match(thrown.code, /^[a-z0-9_]+\.[a-z0-9_.]+$/);
    if (code) assert.equal(thrown.code, code);
    assert.ok(thrown.message.length > 0 && !thrown.message.startsWith('['), thrown.message);
  }
});

test('validate lists every error', () => {
  assert.deepEqual(s.validate(catalogText), []);
  const bad = JSON.parse(catalogText);
  bad.releases.push(bad.releases[0], bad.releases[1]);
  const errs = s.validate(bad);
  assert.ok(errs.length >= 2, JSON.stringify(errs));
  assert.ok(errs.every((e) => typeof e.code === 'string' && typeof e.message === 'string'));
});

test('sampling plan and fleet arithmetic', () => {
  const plan = s.SamplingPlan.fromJson(readText('examples/sampling-plan.json'));
  assert.equal(plan.rate('metrics'), 50000);
  const period = plan.periodAt(1_763_856_000n);
  assert.equal(typeof period, 'bigint');
  assert.equal(plan.periodAt(1763856000), period);
  const pos = plan.position('DA143532', 'metrics', period);
  assert.match(pos, /^[0-9a-f]{16}$/);
  assert.equal(plan.isSampled('DA143532', 'metrics', period), s.isBelow(pos, 50000));
  assert.equal(plan.isSampled(new TextEncoder().encode('DA143532'), 'metrics', period), plan.isSampled('DA143532', 'metrics', period));
  assert.equal(s.smallestRate({ fleet: 1_000_000, bugHours: 10_000, windowHours: 24, probability: 0.99 }), 1919);
  const est = s.estimate({ fleet: 1_000_000, ratePpm: 50_000, bugHours: 10_000, windowHours: 24 });
  assert.equal(est.sampled_devices, 50_000);
  const vol = s.volume({ fleet: 1_000_000, ratePpm: 1_000_000, items: 10, bytesPerItem: 8, samplesPerDay: 24, retentionDays: 30 });
  assert.equal(vol.bytes_per_day, 1_920_000_000);
  assert.equal(vol.retained_bytes, 57_600_000_000);
  assert.equal(s.periodIndex(86_400n * 3n + 5n, 86_400), 3n);
});
