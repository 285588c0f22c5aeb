// The API itself, against this backend: shapes, errors, argument conversion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { s, readText } from './backend.js';

const catalogText = readText('examples/catalog.json');

test('backend is the one asked for', () => {
  assert.equal(s.backend, process.env.STEPSTONE_BACKEND ?? 'wasm');
  assert.match(s.version(), /^\d+\.\d+\.\d+/);
});

// Figure 1's releases differ by model (v64000 is for AG-1 alone): every question names one.
test("KeepTruckin's 2020 FOTA v64000 -> v67000 path", () => {
  const c = s.Catalog.load(catalogText);
  const p = s.Catalog.load(JSON.parse(catalogText)).plan({ from: 'v64000', to: 'v67000', model: 'AG-1' });
  assert.deepEqual(p, c.plan({ from: 'v64000', to: 'v67000', model: 'AG-1' }));
  assert.deepEqual(p.path, ['v65000', 'v66000', 'v66003', 'v67000']);
  assert.equal(p.hops, 4);
  assert.equal(p.steps.length, 4);
  assert.equal(c.nextHop({ from: 'v64000', to: 'v67000', model: 'AG-1' }), 'v65000');
  assert.equal(c.nextHop({ from: 'v67000', to: 'v67000', model: 'AG-2' }), null);
  const t = c.campaign('v67000', { model: 'AG-1' });
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
  const e = c.explain({ from: 'v64000', to: 'v67000', model: 'AG-1' });
  assert.deepEqual(e.outcome.plan.path, ['v65000', 'v66000', 'v66003', 'v67000']);
  assert.ok(e.releases.length > 0);
  assert.match(c.render('dot', { model: 'AG-1' }), /^digraph/);
  assert.match(c.render('mermaid', { model: 'AG-2' }), /^flowchart LR/);
});

test('a device the catalog cannot place is refused by every call, with the core code', () => {
  const c = s.Catalog.load(catalogText);
  const noModel = "this catalog's releases differ by model (AG-1, AG-2): state the device's model";
  const calls = [
    () => c.plan({ from: 'v64000', to: 'v67000' }),
    () => c.nextHop({ from: 'v64000', to: 'v67000', environment: 'production' }),
    () => c.campaign('v67000'),
    () => c.graph(),
    () => c.graph({ environment: 'staging' }),
    () => c.render('dot'),
    () => c.render('mermaid', {}),
  ];
  for (const f of calls) {
    assert.throws(f, (e) => e instanceof s.StepstoneError && e.code === 'plan.model_required' && e.message === noModel, `${f}`);
  }
  // An explanation carries the refusal and explains no release.
  const e = c.explain({ from: 'v64000', to: 'v67000' });
  assert.equal(e.outcome.error.code, 'plan.model_required');
  assert.deepEqual(e.releases, []);
  assert.throws(() => c.plan({ from: 'v64000', to: 'v67000', model: 'ag-1' }),
    (x) => x.code === 'plan.unknown_model' && x.message === 'unknown model "ag-1": the catalog\'s releases name AG-1, AG-2');
  assert.throws(() => c.campaign('v67000', { model: 'AG-2', environment: 'dev' }), (x) => x.code === 'plan.unknown_environment');
  // Every release is for production and staging: no environment is needed.
  assert.deepEqual(c.plan({ from: 'v65000', to: 'v67000', model: 'AG-2' }).path, ['v66000', 'v66003', 'v67000']);
  // A catalog that names no model takes any model, or none; one whose releases differ by
  // environment needs an environment.
  const plain = s.Catalog.load({ releases: [{ version: '1' }, { version: '2', environments: ['beta'] }] });
  assert.equal(plain.nextHop({ from: '1', to: '2', model: 'anything', environment: 'beta' }), '2');
  assert.throws(() => plain.nextHop({ from: '1', to: '2' }), (x) => x.code === 'plan.environment_required');
});

test('errors are StepstoneError with the core code', () => {
  const cases = [
    [() => s.Catalog.load('{'), 'catalog.json'],
    [() => s.Catalog.load(catalogText).plan({ from: 'v64000', to: 'v99999', model: 'AG-1' }), 'plan.unknown_target'],
    [() => s.Catalog.load(catalogText).plan({ from: 'v64000', to: 'v99999' }), 'plan.model_required'],
    [() => s.Catalog.load(catalogText).plan({ from: 'v6x', to: 'v67000', model: 'AG-1' }), 'version.malformed'],
    [() => s.Catalog.load(catalogText).plan({ from: 'v64000', to: 'v67000', cost: 'speed', model: 'AG-1' }), null],
    [() => s.SamplingPlan.fromJson('{}'), null],
    [() => s.position('salt', 'id', 'not a number', 'metrics'), 'js.bad_argument'],
    [() => s.estimate({ fleet: 1.5, ratePpm: 1000, bugHours: 10, windowHours: 1 }), 'js.bad_argument'],
    [() => s.estimate({ fleet: 1000, ratePpm: 1000, bugHours: NaN, windowHours: 1 }), 'sample.bad_input'],
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

// isBelow and periodIndex are the core's primitives, as in Python, the CLI and the device
// port's C API (the conformance vectors below-ffffffffffffffff-4294967295 and period-5-0-0 pin
// them for every binding): a rate above 10^6 saturates (every position is below it) and a
// period of 0 seconds has no period index (null). Plans and estimate refuse both.
test('isBelow saturates above 10^6 and periodIndex has no period of 0 seconds, as the core primitives', () => {
  for (const p of ['0000000000000000', 'fffffffffffffffe', 'ffffffffffffffff']) {
    assert.equal(s.isBelow(p, 1_000_001), true);
    assert.equal(s.isBelow(p, 4_294_967_295), s.isBelow(p, 1_000_000));
  }
  assert.equal(s.periodIndex(5, 0), null);
  assert.equal(s.periodIndex(0n, 0n, 0n), null);
  assert.throws(() => s.estimate({ fleet: 1, ratePpm: 1_000_001, bugHours: 1, windowHours: 1 }), { code: 'sample.rate_out_of_range' });
  assert.throws(() => s.SamplingPlan.fromJson({ salt: 's', period_seconds: 0, classes: { a: 1 } }), { code: 'sample.zero_period' });
  assert.throws(() => s.SamplingPlan.fromJson({ salt: 's', period_seconds: 1, classes: { a: 1_000_001 } }), { code: 'sample.rate_out_of_range' });
  // A number serde_json cannot read (past the largest double) is not JSON: the plan is invalid.
  assert.throws(() => s.SamplingPlan.fromJson('{"salt": "s", "period_seconds": 1, "classes": {"a": 1E9999}}'),
    { code: 'sample.invalid_json', message: 'invalid sampling plan JSON: number out of range at line 1 column 58' });
});

// The fleet answers cross from the native side as numbers; api.js builds the objects. Their
// fields, order, nulls and large counts are what the JSON text gave before.
test('fleet answers: fields in order, null for none, counts above 2^53 rounded', () => {
  const est = s.estimate({ fleet: 1_000_000, ratePpm: 50_000, bugHours: 10_000, windowHours: 24 });
  assert.deepEqual(Object.keys(est), ['fleet', 'rate_ppm', 'sampled_devices', 'bug_hours', 'per_hour', 'per_day',
    'seconds_between', 'window_hours', 'expected_in_window', 'p_at_least_one']);
  assert.deepEqual([est.fleet, est.rate_ppm, est.bug_hours, est.per_hour, est.per_day, est.seconds_between, est.window_hours],
    [1_000_000, 50_000, 10_000, 5, 120, 720, 24]);
  assert.ok(est.p_at_least_one > 0.99 && est.p_at_least_one <= 1);
  const none = s.estimate({ fleet: 1_000_000, ratePpm: 0, bugHours: 10_000, windowHours: 24 });
  assert.equal(none.seconds_between, null);
  assert.equal(none.sampled_devices, 0);
  const vol = s.volume({ fleet: Number.MAX_SAFE_INTEGER, ratePpm: 1_000_000, items: 1, bytesPerItem: 1000, samplesPerDay: 1, retentionDays: 1 });
  assert.deepEqual(Object.keys(vol), ['fleet', 'rate_ppm', 'sampled_devices', 'items', 'bytes_per_item', 'samples_per_day',
    'retention_days', 'points_per_day', 'bytes_per_day', 'retained_bytes']);
  assert.equal(vol.fleet, Number.MAX_SAFE_INTEGER);
  assert.equal(vol.bytes_per_day, Number(9_007_199_254_740_991_000n));
  assert.equal(vol.retained_bytes, Number(9_007_199_254_740_991_000n));
  assert.throws(() => s.volume({ fleet: Number.MAX_SAFE_INTEGER, ratePpm: 1_000_000, items: 1, bytesPerItem: 1000, samplesPerDay: 1, retentionDays: 3 }),
    (e) => e.code === 'sample.overflow');
});

// Bad arguments are refused in api.js, the same on both backends (arguments.test.js runs the
// shared vectors, fuzz.test.js random ones): these are the messages as a user reads them.
function badArgument(f) {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof s.StepstoneError, `StepstoneError, got ${e?.stack ?? e}`);
    assert.equal(e.code, 'js.bad_argument', e.message);
    return e.message;
  }
  assert.fail('did not throw');
}

test('bad arguments: js.bad_argument naming the argument and the value', () => {
  const c = s.Catalog.load(catalogText);
  const r = s.Rollout.fromJson({ salt: 's', schedule: { stages: [{ fraction_ppm: 1000000 }] }, halt: { max_failures: 1 } });
  const cases = [
    [() => c.plan({ from: 64000, to: 'v67000' }), '`from` must be a version string, got number 64000'],
    [() => c.plan({}), '`from` must be a version string, got undefined'],
    [() => c.plan({ from: 'v64000', to: 'v67000', allow_downgrade: true }), '`query` has an unknown key `allow_downgrade` (known: from, to, cost, model, environment, allowDowngrade)'],
    [() => c.plan('v64000'), '`query` must be an object with from, to, cost, model, environment, allowDowngrade, got string "v64000"'],
    [() => c.campaign(67000), '`target` must be a version string, got number 67000'],
    [() => c.graph({ model: 5 }), '`model` must be a string or null, got number 5'],
    [() => c.render(5), "`format` must be 'dot' or 'mermaid', got number 5"],
    [() => r.stageOf(5), '`position` must be a position: 16 hex digits, got number 5'],
    [() => s.Catalog.load(undefined), '`json` must be catalog JSON text, UTF-8 bytes or a plain object, got undefined'],
    [() => r.trips(0, { finished: 100 }), '`failed` must be a whole number from 0 to 4294967295, got undefined'],
    [() => s.haltTrips({ max_failures: 1 }, {}), '`finished` must be a whole number from 0 to 4294967295, got undefined'],
    [() => r.trips(0, { finished: '1000', failed: 0 }), '`finished` must be a whole number from 0 to 4294967295, got string "1000"'],
    [() => r.trips(0, { finished: 100, failed: -1 }), '`failed` must be a whole number from 0 to 4294967295, got number -1'],
    [() => r.trips(0, { finished: 100, failed: NaN }), '`failed` must be a whole number from 0 to 4294967295, got number NaN'],
    [() => s.isBelow('0000000000000000', 2 ** 32), '`ratePpm` must be a whole number from 0 to 4294967295, got number 4294967296'],
    [() => s.periodIndex(-1n, 86400), '`unixSeconds` must be a whole number from 0 to 2^64-1 (a safe integer, a bigint or a decimal string), got bigint -1n'],
    [() => s.periodIndex(2 ** 53, 86400), '`unixSeconds` must be a whole number from 0 to 2^64-1 (a safe integer, a bigint or a decimal string), got number 9007199254740992'],
    [() => s.periodIndex('18446744073709551616', 86400), '`unixSeconds` must be a whole number from 0 to 2^64-1 (a safe integer, a bigint or a decimal string), got string "18446744073709551616"'],
    [() => c.nextHop({ from: 'v'.repeat(100), to: 5 }), '`to` must be a version string, got number 5'],
    [() => c.campaign('v67000', { model: 'AG-1' }).nextHop(['v1']), '`version` must be a version string, got array ["v1"]'],
    [() => s.validate(Symbol('x')), '`json` must be catalog JSON text or a plain object, got symbol Symbol(x)'],
    [() => s.validate({ releases: [{ version: 'v1', size: 1n }] }), '`json` cannot be written as JSON: Do not know how to serialize a BigInt, got object'],
    [() => new s.Catalog({}), 'Catalog has no public constructor: use Catalog.load(json)'],
  ];
  for (const [f, want] of cases) assert.equal(badArgument(f), want);
  // Long strings are clipped in the message.
  assert.equal(badArgument(() => c.plan({ from: 'v64000', to: 'v67000', cost: 5, model: 'x'.repeat(100) })), '`cost` must be \'hops\' or \'bytes\' or null, got number 5');
  assert.equal(badArgument(() => s.isBelow('x'.repeat(100), 1)), `\`position\` must be a position: 16 hex digits, got string "${'x'.repeat(57)}..."`);
  // The core still answers for values of the right type.
  assert.throws(() => c.plan({ from: 'v64000', to: 'v67000', model: 'AG-1', cost: 'speed' }), (e) => e.code === 'plan.unknown_cost');
  assert.throws(() => c.campaign('v6x'), (e) => e.code === 'version.malformed');
});

test('64-bit arguments: safe integer, bigint or decimal string, the same answer', () => {
  const want = s.periodIndex(1_800_000_000, 86_400);
  for (const t of [1_800_000_000n, '1800000000', '001800000000']) assert.equal(s.periodIndex(t, 86_400n), want);
  assert.equal(s.periodIndex(18446744073709551615n, '1'), 18446744073709551615n);
  assert.equal(s.periodIndex('18446744073709551615', 1), 18446744073709551615n);
  assert.equal(s.periodIndex(-0, 1), 0n);
});

test('Catalog.load on an invalid catalog: one StepstoneError, every problem in errors', () => {
  const bad = JSON.parse(catalogText);
  bad.releases.push(bad.releases[0], { version: 'v6x' }, { version: 'v70000', sizes: 1 });
  const all = s.validate(bad);
  assert.ok(all.length >= 3, JSON.stringify(all));
  for (const source of [bad, JSON.stringify(bad), new TextEncoder().encode(JSON.stringify(bad))]) {
    let thrown;
    try {
      s.Catalog.load(source);
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown instanceof s.StepstoneError);
    assert.equal(thrown.code, all[0].code);
    assert.deepEqual(thrown.errors, all);
    assert.ok(thrown.errors.every((p) => Object.keys(p).sort().join() === 'code,message'));
  }
  // Not UTF-8, not JSON: one problem.
  for (const source of [Uint8Array.of(0xff, 0xfe), '{']) {
    assert.throws(() => s.Catalog.load(source), (e) => e.code === 'catalog.json' && e.errors.length === 1 && e.errors[0].code === 'catalog.json');
  }
});
