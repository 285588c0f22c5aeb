// core/tests/vectors/arguments.json: bad arguments at the binding boundary, against this backend,
// then every case on both backends, which must answer alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { s, importBackend, apiMembers, readJson } from './backend.js';

const doc = readJson('core/tests/vectors/arguments.json');

// Values JSON cannot spell.
const SPECIAL = { nan: NaN, inf: Infinity, '-inf': -Infinity };
function value(x) {
  if (Array.isArray(x)) return x.map(value);
  if (x !== null && typeof x === 'object') {
    if ('$special' in x) {
      assert.ok(Object.hasOwn(SPECIAL, x.$special), `unknown $special ${JSON.stringify(x)}`);
      return SPECIAL[x.$special];
    }
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, value(v)]));
  }
  return x;
}

// The JS API names arguments and option keys in camelCase; the vectors in snake_case.
const camel = (k) => k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
// A u64 sampling position is 16 hex digits in the JS API: a whole number in range becomes that,
// anything else is passed as it is (and must be refused).
const position = (x) =>
  Number.isSafeInteger(x) && x >= 0 ? x.toString(16).padStart(16, '0') : x;

// Each logical call: `pos`, the arguments passed positionally, in order (absent: undefined);
// `opts` (a list of the option keys known to the call, or true for an options object with any
// keys): every other argument goes, camelCased, into one options object after them; `nested`:
// option objects inside it whose keys are camelCased too. `run(ctx, ...positional, options)`.
// `rename`: an argument's name in the JS API when it is not the camelCased vector name.
const calls = {
  'catalog.load': { pos: ['source'], rename: { source: 'json' }, run: (c, src) => c.api.Catalog.load(src) },
  validate: { pos: ['source'], rename: { source: 'json' }, run: (c, src) => c.api.validate(src) },
  'catalog.plan': { opts: true, run: (c, q) => c.catalog.plan(q) },
  'catalog.next_hop': { opts: true, run: (c, q) => c.catalog.nextHop(q) },
  'catalog.explain': { opts: true, run: (c, q) => c.catalog.explain(q) },
  'catalog.graph': { opts: true, run: (c, d) => c.catalog.graph(d) },
  'catalog.render': { pos: ['format'], opts: true, run: (c, f, d) => c.catalog.render(f, d) },
  'catalog.campaign': { pos: ['target'], opts: true, run: (c, t, d) => c.catalog.campaign(t, d) },
  'campaign.next_hop': { pos: ['version'], run: (c, v) => c.campaign.nextHop(v) },
  'sampling.from_json': { pos: ['source'], rename: { source: 'json' }, run: (c, src) => c.api.SamplingPlan.fromJson(src) },
  'sampling.rate': { pos: ['class'], rename: { class: 'cls' }, run: (c, cls) => c.sampling().rate(cls) },
  'sampling.period_at': { pos: ['unix_seconds'], run: (c, t) => c.sampling().periodAt(t) },
  'sampling.position': { pos: ['device_id', 'class', 'period'], rename: { class: 'cls' }, run: (c, id, cls, p) => c.sampling().position(id, cls, p) },
  'sampling.is_sampled': { pos: ['device_id', 'class', 'period'], rename: { class: 'cls' }, run: (c, id, cls, p) => c.sampling().isSampled(id, cls, p) },
  position: { pos: ['salt', 'device_id', 'period', 'class'], rename: { class: 'cls' }, run: (c, ...a) => c.api.position(...a) },
  is_below: { pos: ['position', 'rate_ppm'], run: (c, p, r) => c.api.isBelow(position(p), r) },
  period_index: { pos: ['unix_seconds', 'period_seconds', 'offset_seconds'], run: (c, ...a) => c.api.periodIndex(...a) },
  estimate: { opts: true, run: (c, a) => c.api.estimate(a) },
  smallest_rate: { opts: true, run: (c, a) => c.api.smallestRate(a) },
  volume: { opts: true, run: (c, a) => c.api.volume(a) },
  'verifier.new': { pos: ['key'], run: (c, k) => new c.api.Verifier(k) },
  'verifier.update': { pos: ['chunk'], run: (c, x) => c.verifier().update(x) },
  'verifier.finish': { pos: ['signature'], run: (c, x) => c.verifier().finish(x) },
  verify_stream: { pos: ['key', 'signature', 'chunks'], run: (c, ...a) => c.api.verifyStream(...a) },
  'manifest_check.new': { opts: true, nested: ['device'], run: (c, a) => new c.api.ManifestCheck(a) },
  'manifest_first.new': { opts: true, nested: ['device'], run: (c, a) => new c.api.ManifestFirst(a) },
  'manifest_first.update': { pos: ['chunk'], run: (c, x) => c.manifest().update(x) },
  'manifest_check.update': { pos: ['chunk'], run: (c, x) => c.manifestCheck().update(x) },
  open_compact_catalog: { pos: ['envelope', 'key'], opts: true, run: (c, e, k, t) => c.api.openCompactCatalog(e, k, t) },
  // The placeholder key 'k' is the fixture's key (as the Python runner reads it).
  open_catalog: { pos: ['envelope'], opts: true, run: (c, e, t) => c.api.openCatalog(e, fixtureKeys(t)) },
  'rollout.from_json': { pos: ['source'], rename: { source: 'json' }, run: (c, src) => c.api.Rollout.fromJson(src) },
  'rollout.position': { pos: ['device_id'], run: (c, id) => c.rollout.position(id) },
  'rollout.stage_of': { pos: ['position'], run: (c, p) => c.rollout.stageOf(position(p)) },
  'rollout.trips': { pos: ['stage'], opts: true, run: (c, st, stats) => c.rollout.trips(st, stats) },
  halt_trips: { pos: ['rule'], opts: true, run: (c, r, stats) => c.api.haltTrips(r, stats) },
  ramp_fraction: { pos: ['ramp', 'elapsed'], run: (c, r, e) => c.api.rampFraction(r, e) },
  wilson_lower_above: { opts: true, run: (c, a) => c.api.wilsonLowerAbove(a) },
  rollout_position: { pos: ['salt', 'device_id'], run: (c, ...a) => c.api.rolloutPosition(...a) },
  'retry.from_json': { pos: ['source'], rename: { source: 'json' }, run: (c, src) => c.api.RetryPolicy.fromJson(src) },
  'retry.backoff': { opts: true, run: (c, a) => c.policy.backoff(a) },
  'retry.after_failure': { opts: true, run: (c, a) => c.policy.afterFailure(a) },
  jitter_hash: { pos: ['device_id', 'hop', 'attempt'], run: (c, ...a) => c.api.jitterHash(...a) },
  'reconciler.new': { opts: true, run: (c, o) => new c.api.Reconciler(c.campaign, o) },
  'reconciler.apply': { pos: ['state', 'event'], run: (c, st, e) => c.reconciler().apply(st, e) },
  'reconciler.state': { pos: ['state'], run: (c, st) => c.reconciler().state(st) },
  'reconciler.decide': { pos: ['device_id', 'state', 'now'], run: (c, id, st, now) => c.reconciler().decide(id, st, now) },
  'reconciler.rollout_advance': { pos: ['now'], run: (c, now) => c.reconciler().rolloutAdvance(now) },
  'reconciler.rollout_halt': { pos: ['now', 'note'], run: (c, now, note) => c.reconciler().rolloutHalt(now, note) },
  'reconciler.rollout_resume': { pos: ['now'], run: (c, now) => c.reconciler().rolloutResume(now) },
  'reconciler.rollout_record': { pos: ['stage', 'failed', 'now'], run: (c, st, f, now) => c.reconciler().rolloutRecord(st, f, now) },
};

// Every member of the JS API: the logical call whose cases exercise it, or null for those that
// take no argument (getters, toJSON, finish). A new function or method must be listed here, and
// so get bad-argument cases in arguments.json.
const API = {
  version: null, validate: 'validate', position: 'position', isBelow: 'is_below', periodIndex: 'period_index',
  estimate: 'estimate', smallestRate: 'smallest_rate', volume: 'volume', verifyStream: 'verify_stream',
  openCompactCatalog: 'open_compact_catalog', openCatalog: 'open_catalog', haltTrips: 'halt_trips',
  rampFraction: 'ramp_fraction', wilsonLowerAbove: 'wilson_lower_above', rolloutPosition: 'rollout_position',
  jitterHash: 'jitter_hash',
  'Catalog.load': 'catalog.load', 'Catalog#plan': 'catalog.plan', 'Catalog#nextHop': 'catalog.next_hop',
  'Catalog#explain': 'catalog.explain', 'Catalog#graph': 'catalog.graph', 'Catalog#render': 'catalog.render',
  'Catalog#campaign': 'catalog.campaign', 'Catalog#releaseCount': null, 'Catalog#scheme': null, 'Catalog#toJSON': null,
  'Catalog#lint': null,
  'Campaign#nextHop': 'campaign.next_hop', 'Campaign#target': null, 'Campaign#size': null, 'Campaign#toTable': null,
  'SamplingPlan.fromJson': 'sampling.from_json', 'SamplingPlan#rate': 'sampling.rate', 'SamplingPlan#periodAt': 'sampling.period_at',
  'SamplingPlan#position': 'sampling.position', 'SamplingPlan#isSampled': 'sampling.is_sampled',
  'new Verifier': 'verifier.new', 'Verifier#update': 'verifier.update', 'Verifier#finish': 'verifier.finish',
  'new ManifestCheck': 'manifest_check.new', 'ManifestCheck#update': 'manifest_check.update', 'ManifestCheck#finish': null,
  'ManifestCheck#remaining': null,
  'new ManifestFirst': 'manifest_first.new', 'ManifestFirst#update': 'manifest_first.update', 'ManifestFirst#finish': null,
  'ManifestFirst#remaining': null,
  'Rollout.fromJson': 'rollout.from_json', 'Rollout#position': 'rollout.position', 'Rollout#stageOf': 'rollout.stage_of',
  'Rollout#trips': 'rollout.trips', 'Rollout#toJSON': null,
  'RetryPolicy.fromJson': 'retry.from_json', 'RetryPolicy#backoff': 'retry.backoff', 'RetryPolicy#afterFailure': 'retry.after_failure',
  'RetryPolicy#toJSON': null,
  'new Reconciler': 'reconciler.new', 'Reconciler#apply': 'reconciler.apply', 'Reconciler#state': 'reconciler.state',
  'Reconciler#decide': 'reconciler.decide', 'Reconciler#rolloutAdvance': 'reconciler.rollout_advance',
  'Reconciler#rolloutHalt': 'reconciler.rollout_halt', 'Reconciler#rolloutResume': 'reconciler.rollout_resume',
  'Reconciler#rolloutRecord': 'reconciler.rollout_record', 'Reconciler#rolloutState': null,
};
/** `trust` with its placeholder keys `'k'` (alone or in a list) as the fixture's key. */
function fixtureKeys(t) {
  if (t === null || typeof t !== 'object' || !('keys' in t)) return t;
  const k = (x) => (x === 'k' ? doc.manifest.key : x);
  return { ...t, keys: Array.isArray(t.keys) ? t.keys.map(k) : k(t.keys) };
}

// What each call runs on, fresh for every case (nothing a case does is seen by the next).
function context(api) {
  const catalog = api.Catalog.load(doc.catalog);
  const campaign = catalog.campaign('v66000', { model: 'AG-1', environment: 'production' });
  const m = doc.manifest;
  const d = m.device;
  const manifestArgs = {
    key: m.key, manifest: m.manifest, signature: m.signature,
    device: { model: d.model, environment: d.environment, currentVersion: d.current_version, counter: d.counter, now: d.now },
  };
  return {
    api,
    catalog,
    campaign,
    rollout: api.Rollout.fromJson(doc.rollout),
    policy: api.RetryPolicy.fromJson(),
    reconciler: () => new api.Reconciler(campaign, { rollout: doc.rollout }),
    sampling: () => api.SamplingPlan.fromJson(doc.sampling_plan),
    verifier: () => new api.Verifier(m.key),
    manifest: () => new api.ManifestFirst(manifestArgs),
    manifestCheck: () => new api.ManifestCheck(manifestArgs),
  };
}

function argumentsOf(spec, args) {
  const positional = (spec.pos ?? []).map((k) => args[k]);
  const rest = Object.entries(args).filter(([k]) => !(spec.pos ?? []).includes(k));
  if (!spec.opts) {
    assert.deepEqual(rest.map(([k]) => k), [], 'arguments this call does not take');
    return positional;
  }
  const nested = spec.nested ?? [];
  const options = Object.fromEntries(rest.map(([k, v]) => [
    camel(k),
    nested.includes(k) && v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).map(([k2, v2]) => [camel(k2), v2]))
      : v,
  ]));
  return [...positional, options];
}

/** Runs one case on `api`: `{code, message}` for a StepstoneError, `{value}` for an answer. */
async function run(api, c) {
  const spec = calls[c.call];
  assert.ok(spec, `${c.name}: the call ${c.call} has no mapping in the JS runner: add one`);
  const ctx = context(api);
  try {
    const got = await spec.run(ctx, ...argumentsOf(spec, value(c.args)));
    return { value: got };
  } catch (e) {
    assert.ok(e instanceof api.StepstoneError, `${c.name}: a StepstoneError, got ${e?.stack ?? e}`);
    return { code: e.code, message: e.message };
  }
}

// The argument's name as the JS API spells it.
const jsName = (c, name) => calls[c.call].rename?.[name] ?? camel(name);

/** A case's `error` (bad_argument: js.bad_argument), its message naming `names`; or its `expect`. */
function check(c, got) {
  if ('expect' in c) {
    assert.ok(!('code' in got), `${c.name}: the core answers this call, got ${got.code}: ${got.message}`);
    assert.deepEqual(got.value, c.expect, c.name);
    return;
  }
  const want = c.error === 'bad_argument' ? 'js.bad_argument' : c.error;
  assert.ok('code' in got, `${c.name}: no error, answered ${typeof got.value === 'object' ? got.value?.constructor?.name : String(got.value)}`);
  assert.equal(got.code, want, `${c.name}: ${got.message}`);
  for (const name of [c.names ?? []].flat()) {
    assert.ok(got.message.includes(jsName(c, name)), `${c.name}: the message names ${jsName(c, name)}: ${got.message}`);
  }
}

test('arguments.json: the file', () => {
  assert.equal(doc.format, 1);
  // Every function and method that takes an argument has a logical call with a bad-argument case.
  assert.deepEqual(apiMembers(s), Object.keys(API).sort(), 'the API members listed in API');
  const covered = new Set(doc.cases.filter((c) => c.error === 'bad_argument').map((c) => c.call));
  const takesArguments = Object.values(API).filter((c) => c !== null);
  assert.deepEqual(takesArguments.filter((c) => !(c in calls)), [], 'API members whose call has no mapping');
  assert.deepEqual(Object.keys(calls).filter((k) => !covered.has(k)), [], 'calls without a bad_argument case');
  const names = doc.cases.map((c) => c.name);
  assert.equal(new Set(names).size, names.length, 'case names are unique');
  for (const c of doc.cases) {
    assert.ok(('error' in c) !== ('expect' in c), `${c.name}: exactly one of error and expect`);
    if ('error' in c) assert.match(c.error, /^(bad_argument|[a-z_]+\.[a-z_.]+)$/, `${c.name}: the code to expect (not a guess ending in ?)`);
  }
});

test(`arguments.json on ${s.backend}`, async (t) => {
  let n = 0;
  for (const c of doc.cases) {
    check(c, await run(s, c));
    n += 1;
  }
  t.diagnostic(`${n} cases`);
});

test('arguments.json: both backends answer every case alike', async (t) => {
  const [wasm, napi] = [await importBackend('wasm'), await importBackend('napi')];
  assert.equal(wasm.backend, 'wasm');
  assert.equal(napi.backend, 'napi');
  for (const c of doc.cases) {
    const [a, b] = [await run(wasm, c), await run(napi, c)];
    assert.deepEqual(b, a, c.name);
  }
  t.diagnostic(`${doc.cases.length} cases alike on wasm and napi`);
});
