// Random arguments at every public function and method of this backend (seeded, a few thousand
// calls). Each call must answer or throw a StepstoneError with a stable code; an argument that
// breaks the documented rules must be js.bad_argument (never a silent answer, never a TypeError
// or a RuntimeError from the glue); after every error the module must still answer right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { s, importBackend, apiMembers, readText, readJson } from './backend.js';

const SEED = Number(process.env.STEPSTONE_FUZZ_SEED ?? 20261206);
const CALLS = Number(process.env.STEPSTONE_FUZZ_CALLS ?? 6000);
const CODE = /^[a-z_]+\.[a-z_.]+$/;

// mulberry32: small, seeded, good enough to pick values.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let rand = prng(SEED);
const int = (n) => Math.floor(rand() * n);
const pick = (xs) => xs[int(xs.length)];
const chance = (p) => rand() < p;

const catalogText = readText('examples/catalog.json');
const attacks = readJson('core/tests/vectors/attacks.json');
const genuine = attacks.vectors.find((v) => v.name === 'genuine, with the signed catalog');
const hex = (h) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));

// ---- Random values: what a careless caller might pass.
const NUMBERS = [0, 1, 7, -1, -0, 0.5, -2.5, 1e300, -1e300, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 64,
  Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity, 64000, 86400, 1_800_000_000];
const BIGINTS = [0n, 1n, -1n, 2n ** 32n, 2n ** 53n, 2n ** 64n - 1n, 2n ** 64n, -(2n ** 70n), 1_800_000_000n];
const STRINGS = ['', 'v64000', 'v67000', 'v6x', '64000', '1000', '-1', '1.5', '1e3', '18446744073709551615', '18446744073709551616',
  '0000000000000005', 'ffffffffffffffff', 'FFFFFFFFFFFFFFFF', '5', 'zzzzzzzzzzzzzzzz', 'hops', 'bytes', 'dot', 'mermaid', 'svg',
  'AG-1', 'production', 'failed', 'timed_out', 'metrics', '{}', '[]', '{', 'null', '\u0000', '\ud800', 'é→✓', ' v64000',
  'x'.repeat(300), '{"releases":[]}', '{"salt":"s","schedule":{"stages":[{"fraction_ppm":5}]}}'];
function anyValue(depth = 0) {
  switch (int(depth > 1 ? 8 : 11)) {
    case 0:
      return pick(NUMBERS);
    case 1:
      return (rand() - 0.5) * 10 ** int(20);
    case 2:
      return pick(BIGINTS);
    case 3:
      return pick(STRINGS);
    case 4:
      return pick([null, undefined]);
    case 5:
      return pick([true, false]);
    case 6:
      return Uint8Array.from({ length: int(40) }, () => int(256));
    case 7:
      return pick([Symbol('s'), () => 1, new Date(0), new Map(), new ArrayBuffer(4), new Uint16Array(3), Object.create(null)]);
    case 8:
      return Array.from({ length: int(4) }, () => anyValue(depth + 1));
    case 9:
    case 10: {
      const o = {};
      for (let i = int(4); i > 0; i -= 1) o[pick(['a', 'from', 'to', 'now', 'finished', 'failed', 'salt', 'releases', 'key'])] = anyValue(depth + 1);
      return o;
    }
    default:
      return undefined;
  }
}

// ---- Argument kinds: a generator of valid values, and the rule (written here again, apart
// from api.js) that says whether a value is valid.
const U64_MAX = 2n ** 64n - 1n;
const isPlain = (x) => x !== null && typeof x === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(x));
const jsonable = (x) => {
  try {
    JSON.stringify(x);
    return true;
  } catch {
    return false;
  }
};
const opt = (k) => ({ ok: (x) => x === undefined || x === null || k.ok(x), gen: () => (chance(0.3) ? pick([undefined, null]) : k.gen()) });
const K = {
  str: (pool) => ({ ok: (x) => typeof x === 'string', gen: () => pick(pool ?? STRINGS) }),
  u32: { ok: (x) => Number.isInteger(x) && x >= 0 && x <= 4294967295, gen: () => pick([0, 1, 3, 10, 100, 1000, 4294967295, int(200)]) },
  u53: { ok: (x) => Number.isSafeInteger(x) && x >= 0, gen: () => pick([0, 1, 1000, 1_000_000, 2 ** 53 - 1, int(1e6)]) },
  i32: { ok: (x) => Number.isInteger(x) && x >= -(2 ** 31) && x < 2 ** 31, gen: () => pick([0, -3600, 7200, -(2 ** 31)]) },
  num: { ok: (x) => typeof x === 'number', gen: () => pick([0, 0.5, 24, 1e4, 0.99, -1, NaN, Infinity]) },
  u64: {
    ok: (x) => (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)
      || (typeof x === 'bigint' && x >= 0n && x <= U64_MAX)
      || (typeof x === 'string' && /^[0-9]+$/.test(x) && BigInt(x) <= U64_MAX),
    gen: () => pick([0, 1, 86400, 1_800_000_000, 1_800_000_000n, 2n ** 64n - 1n, '1800000000', '0', '18446744073709551615']),
  },
  bool: { ok: (x) => typeof x === 'boolean', gen: () => chance(0.5) },
  bytes: { ok: (x) => x instanceof Uint8Array || typeof x === 'string', gen: () => (chance(0.5) ? pick(STRINGS) : Uint8Array.from({ length: int(80) }, () => int(256))) },
  hex16: { ok: (x) => typeof x === 'string' && /^[0-9a-fA-F]{16}$/.test(x), gen: () => pick(['0000000000000000', '0000000000000005', 'ffffffffffffffff', '8000000000000000', 'ABCDEF0123456789']) },
  json: (pool) => ({ ok: (x) => typeof x === 'string' || (isPlain(x) && jsonable(x)), gen: () => pick(pool) }),
  // An options object: plain, known keys only, each field valid. Absent fields are generated too.
  obj: (fields, optional = false) => ({
    ok: (x) => (optional && x === undefined)
      || (isPlain(x) && Object.keys(x).every((k) => Object.hasOwn(fields, k)) && Object.entries(fields).every(([k, f]) => f.ok(x[k]))),
    gen: () => {
      const o = {};
      for (const [k, f] of Object.entries(fields)) if (!chance(0.1)) o[k] = arg(f);
      if (chance(0.05)) o[pick(['colour', 'allow_downgrade', 'extra'])] = 1;
      return o;
    },
  }),
  any: { ok: () => true, gen: () => anyValue() },
};
// A value for an argument of kind `k`: mostly valid, else anything.
const arg = (k) => (chance(0.85) ? k.gen() : anyValue());

const KEY = { ok: K.bytes.ok, gen: () => (chance(0.5) ? hex(genuine.manifest_key) : K.bytes.gen()) };
const VERSIONS = ['v64000', 'v65000', 'v66000', 'v66001', 'v66003', 'v67000', 'v99999', 'v6x', '', '64000'];
const version = K.str(VERSIONS);
const QUERY = K.obj({ from: version, to: version, cost: opt(K.str(['hops', 'bytes', 'fast'])), model: opt(K.str(['AG-1', 'AG-2'])),
  environment: opt(K.str(['production', 'dev'])), allowDowngrade: opt(K.bool) });
const DEVICE = K.obj({ model: opt(K.str(['AG-1', 'AG-2'])), environment: opt(K.str(['production'])) }, true);
const STATS = K.obj({ finished: K.u32, failed: K.u32 });
const catalogs = [catalogText, JSON.parse(catalogText), '{"releases":[{"version":"v1"},{"version":"v1"}]}', '{', '{"releases":[]}',
  { releases: [{ version: 'v1', size: -1 }] }, { scheme: 'semver', releases: [{ version: '1.0.0' }] }];
const rules = [{ max_failures: 3 }, { max_failure_rate_ppm: 20000, min_finished: 10 }, '{"nonsense": 1}', { max_failure_rate_ppm: 2e6 },
  { max_failure_rate_ppm: 50000, confidence: { z_num: 196, z_den: 100 } }];
const rolloutSpec = { salt: 'r', schedule: { stages: [{ fraction_ppm: 0, min_soak_secs: 10 }, { fraction_ppm: 1000000 }] }, halt: { max_failures: 2 } };
const states = [{ reported: 'v64000', device_seq: 1 }, '{"reported": "v66000"}', { reported: 'v6x' }, '{', { device_seq: -1 }];
const events = [{ event: 'reported', seq: 2, at: 0, reports: 'v65000' }, { event: 'job_created', job: 1, release: 'v65000', at: 0, expires_at: 9 },
  { event: 'exploded' }, '{"event": "reported"}', '[]'];
const device = (now) => ({ model: 'AG-1', environment: 'production', currentVersion: 'v66000', counter: 'v66000', now });
const MANIFEST_DEVICE = K.obj({ model: K.str(['AG-1', 'AG-2']), environment: K.str(['production']), currentVersion: version,
  counter: version, now: { ok: K.u64.ok, gen: () => pick([1_800_000_000, 0, 1_800_000_000n, '1800000000', 2 ** 40]) } });
const manifestArgs = (withCatalog) => ({
  key: { ok: K.bytes.ok, gen: () => hex(genuine.manifest_key) },
  manifest: { ok: K.bytes.ok, gen: () => (chance(0.8) ? hex(genuine.manifest) : pick(STRINGS)) },
  signature: { ok: K.bytes.ok, gen: () => (chance(0.8) ? hex(genuine.signature) : 'junk') },
  device: MANIFEST_DEVICE,
  ...(withCatalog ? { catalog: opt({ ok: K.bytes.ok, gen: () => pick([openedPayload(), new Uint8Array(3)]) }) } : {}),
});
let payload;
const openedPayload = () => payload;

// Every public function and method: its argument kinds and how to call it on a context.
const targets = [
  ['version', [], (c) => c.s.version()],
  ['validate', [K.json(catalogs)], (c, a) => c.s.validate(a)],
  ['Catalog.load', [{ ok: (x) => x instanceof Uint8Array || K.json(catalogs).ok(x), gen: () => (chance(0.2) ? new TextEncoder().encode(catalogText) : pick(catalogs)) }],
    (c, a) => c.s.Catalog.load(a)],
  ['new Catalog', [{ ok: () => false, gen: () => anyValue() }], (c, a) => new c.s.Catalog(a)],
  ['Catalog#releaseCount', [], (c) => c.catalog.releaseCount],
  ['Catalog#scheme', [], (c) => c.catalog.scheme],
  ['Catalog#toJSON', [], (c) => c.catalog.toJSON()],
  ['Catalog#plan', [QUERY], (c, q) => c.catalog.plan(q)],
  ['Catalog#nextHop', [QUERY], (c, q) => c.catalog.nextHop(q)],
  ['Catalog#explain', [QUERY], (c, q) => c.catalog.explain(q)],
  ['Catalog#lint', [], (c) => c.catalog.lint()],
  ['Catalog#graph', [DEVICE], (c, d) => c.catalog.graph(d)],
  ['Catalog#render', [{ ok: (x) => x === undefined || typeof x === 'string', gen: () => pick(['dot', 'mermaid', undefined]) }, DEVICE],
    (c, f, d) => c.catalog.render(f, d)],
  ['Catalog#campaign', [version, K.obj({ model: opt(K.str(['AG-1'])), environment: opt(K.str(['production'])), cost: opt(K.str(['hops', 'bytes', 'x'])),
    allowDowngrade: opt(K.bool) }, true)], (c, t, d) => c.catalog.campaign(t, d)],
  ['Campaign#nextHop', [version], (c, v) => c.campaign.nextHop(v)],
  ['Campaign#target', [], (c) => c.campaign.target],
  ['Campaign#size', [], (c) => c.campaign.size],
  ['Campaign#toTable', [], (c) => c.campaign.toTable()],
  ['SamplingPlan.fromJson', [K.json([{ salt: 's', period_seconds: 60, classes: { metrics: 5000 } }, '{"salt":"s"}', { classes: {} }])],
    (c, a) => c.s.SamplingPlan.fromJson(a)],
  ['SamplingPlan#rate', [K.str(['metrics', 'logs', ''])], (c, a) => c.sampling.rate(a)],
  ['SamplingPlan#periodAt', [K.u64], (c, a) => c.sampling.periodAt(a)],
  ['SamplingPlan#position', [K.bytes, K.str(['metrics']), K.u64], (c, ...a) => c.sampling.position(...a)],
  ['SamplingPlan#isSampled', [K.bytes, K.str(['metrics', 'logs']), K.u64], (c, ...a) => c.sampling.isSampled(...a)],
  ['new Verifier', [KEY], (c, k) => new c.s.Verifier(k)],
  ['Verifier#update', [K.bytes], (c, x) => c.verifier.update(x)],
  ['Verifier#finish', [K.bytes], (c, x) => c.verifier.finish(x)],
  // Any iterable (an empty Uint8Array or Map has no chunk: the empty image). A chunk is checked
  // when it arrives, after the key is read: a bad chunk must be refused, by whichever check.
  ['verifyStream', [KEY, K.bytes, { ok: (x) => x !== null && typeof x === 'object' && Symbol.iterator in x,
    refused: (x) => ![...x].every(K.bytes.ok), gen: () => pick([[new Uint8Array(5), 'abc'], [], new Set(['x'])]) }],
  (c, ...a) => c.s.verifyStream(...a)],
  ['new ManifestCheck', [K.obj(manifestArgs(false))], (c, a) => new c.s.ManifestCheck(a)],
  ['new ManifestFirst', [K.obj(manifestArgs(true))], (c, a) => new c.s.ManifestFirst(a)],
  ['ManifestFirst#update', [K.bytes], (c, x) => c.manifest().update(x)],
  ['ManifestFirst#finish', [], (c) => c.manifest().finish()],
  ['ManifestFirst#remaining', [], (c) => c.manifest().remaining],
  ['ManifestCheck#update', [K.bytes], (c, x) => c.manifestCheck().update(x)],
  ['ManifestCheck#finish', [], (c) => c.manifestCheck().finish()],
  ['ManifestCheck#remaining', [], (c) => c.manifestCheck().remaining],
  ['openCompactCatalog', [{ ok: K.bytes.ok, gen: () => hex(genuine.catalog.envelope) }, { ok: K.bytes.ok, gen: () => hex(genuine.catalog.key) },
    K.obj({ now: K.u64, last: opt(K.json([genuine.expect.catalog, '{', { sequence: 1 }])) }, true)], (c, ...a) => c.s.openCompactCatalog(...a)],
  ['openCatalog', [K.bytes, K.obj({ keys: { ok: (x) => K.bytes.ok(x) || (Array.isArray(x) && x.every(K.bytes.ok)), gen: () => pick([hex(genuine.manifest_key), [], ['x']]) },
    now: K.u64, lastSequence: opt(K.u64), lastDigest: opt(K.str(['ab', '0'.repeat(64)])) })], (c, ...a) => c.s.openCatalog(...a)],
  ['Rollout.fromJson', [K.json([rolloutSpec, '{', { salt: 's', schedule: { stages: [] } }])], (c, a) => c.s.Rollout.fromJson(a)],
  ['Rollout#toJSON', [], (c) => c.rollout.toJSON()],
  ['Rollout#position', [K.bytes], (c, a) => c.rollout.position(a)],
  ['Rollout#stageOf', [K.hex16], (c, a) => c.rollout.stageOf(a)],
  ['Rollout#trips', [K.u32, STATS], (c, st, x) => c.rollout.trips(st, x)],
  ['haltTrips', [K.json(rules), STATS], (c, r, x) => c.s.haltTrips(r, x)],
  ['rampFraction', [K.json([{ start: 0, duration_secs: 100 }, { start: 0 }, '{']), K.u64], (c, r, e) => c.s.rampFraction(r, e)],
  ['wilsonLowerAbove', [K.obj({ failed: K.u32, finished: K.u32, limitPpm: K.u32, zNum: K.u32, zDen: K.u32 })], (c, a) => c.s.wilsonLowerAbove(a)],
  ['rolloutPosition', [K.bytes, K.bytes], (c, ...a) => c.s.rolloutPosition(...a)],
  ['RetryPolicy.fromJson', [{ ok: (x) => x === undefined || K.json([]).ok(x), gen: () => pick([undefined, {}, { attempts_per_hop: 0 }, '{', { jitter_ppm: 0 }]) }],
    (c, a) => c.s.RetryPolicy.fromJson(a)],
  ['RetryPolicy#toJSON', [], (c) => c.policy.toJSON()],
  ['RetryPolicy#backoff', [K.obj({ kind: K.str(['failed', 'timed_out', 'melted']), n: K.u32, deviceId: K.bytes, hop: K.bytes, attempt: K.u32 })],
    (c, a) => c.policy.backoff(a)],
  ['RetryPolicy#afterFailure', [K.obj({ attempts: K.u32, failures: { ok: (x) => x === undefined || (isPlain(x) && Object.values(x).every(K.u32.ok)), gen: () => pick([{ failed: 1 }, {}, { melted: 1 }, undefined]) },
    kind: K.str(['failed', 'rejected']), totalAttempts: K.u32, firstAttemptAt: K.u64, failedAt: K.u64, deviceId: K.bytes, hop: K.bytes })],
  (c, a) => c.policy.afterFailure(a)],
  ['jitterHash', [K.bytes, K.bytes, K.u32], (c, ...a) => c.s.jitterHash(...a)],
  // The campaign: the Campaign, its table's wire form ('table': toTable() text), or other JSON
  // text or plain objects (a table by type; refused by the table reader).
  ['new Reconciler', [{ ok: (x) => typeof x === 'string' || (isPlain(x) && jsonable(x)), gen: () => pick(['campaign', 'campaign', 'table', '{', {}, { format: 'stepstone.campaign_table', version: 2 }]) }, K.obj({
    policy: { ok: (x) => x === undefined || x === null || x?.constructor?.name === 'RetryPolicy' || (isPlain(x) && jsonable(x)), gen: () => pick([undefined, { attempts_per_hop: 0 }, {}]) },
    rollout: { ok: (x) => x === undefined || x === null || x?.constructor?.name === 'Rollout' || (isPlain(x) && jsonable(x)), gen: () => pick([undefined, rolloutSpec]) },
    rolloutStartedAt: opt(K.u64), start: opt(K.u64), end: opt(K.u64),
    windows: { ok: (x) => x === undefined || x === null || (Array.isArray(x) && jsonable(x)), gen: () => pick([[], [{ day: 7, start_minute: 0, duration_minutes: 1 }]]) },
    utcOffsetSecs: opt(K.i32), jobTtlSecs: opt(K.u64),
  }, true)], (c, camp, o) => new c.s.Reconciler(camp === 'campaign' ? c.campaign : camp === 'table' ? c.campaign.toTable() : camp, o)],
  ['Reconciler#apply', [opt(K.json(states)), K.json(events)], (c, st, e) => c.reconciler.apply(st, e)],
  ['Reconciler#state', [opt(K.json(states))], (c, st) => c.reconciler.state(st)],
  ['Reconciler#decide', [K.bytes, opt(K.json(states)), K.u64], (c, ...a) => c.reconciler.decide(...a)],
  ['Reconciler#rolloutAdvance', [K.u64], (c, a) => c.reconciler.rolloutAdvance(a)],
  ['Reconciler#rolloutHalt', [K.u64, opt(K.str(['note']))], (c, now, note) => c.reconciler.rolloutHalt(now, note)],
  ['Reconciler#rolloutResume', [K.u64], (c, a) => c.reconciler.rolloutResume(a)],
  ['Reconciler#rolloutRecord', [K.u32, K.bool, K.u64], (c, ...a) => c.reconciler.rolloutRecord(...a)],
  ['Reconciler#rolloutState', [], (c) => c.reconciler.rolloutState],
  ['position', [K.bytes, K.bytes, K.u64, K.str(['metrics'])], (c, ...a) => c.s.position(...a)],
  ['isBelow', [K.hex16, K.u32], (c, ...a) => c.s.isBelow(...a)],
  ['periodIndex', [K.u64, K.u64, { ok: (x) => x === undefined || K.u64.ok(x), gen: () => pick([undefined, 0, 3600]) }], (c, ...a) => c.s.periodIndex(...a)],
  ['estimate', [K.obj({ fleet: K.u53, ratePpm: K.u32, bugHours: K.num, windowHours: K.num })], (c, a) => c.s.estimate(a)],
  ['smallestRate', [K.obj({ fleet: K.u53, bugHours: K.num, windowHours: K.num, probability: K.num })], (c, a) => c.s.smallestRate(a)],
  ['volume', [K.obj({ fleet: K.u53, ratePpm: K.u32, items: K.u53, bytesPerItem: K.u53, samplesPerDay: K.u53, retentionDays: K.u53 })],
    (c, a) => c.s.volume(a)],
];

// The objects the methods run on; rebuilt now and then (a finished verifier stays finished).
function context(s) {
  const catalog = s.Catalog.load(catalogText);
  const campaign = catalog.campaign('v67000', { model: 'AG-1' });
  payload = s.openCompactCatalog(hex(genuine.catalog.envelope), hex(genuine.catalog.key), { now: genuine.catalog.now }).payload;
  // One signature check per context (a P-256 verify is the slowest call here); once finished or
  // past its size, every call on it is refused, which is an answer too.
  const first = new s.ManifestFirst({ key: hex(genuine.manifest_key), manifest: hex(genuine.manifest), signature: hex(genuine.signature), device: device(1_800_000_000) });
  const check = new s.ManifestCheck({ key: hex(genuine.manifest_key), manifest: hex(genuine.manifest), signature: hex(genuine.signature), device: device(1_800_000_000) });
  return {
    s,
    catalog,
    campaign,
    sampling: s.SamplingPlan.fromJson({ salt: 's', period_seconds: 86400, classes: { metrics: 50000 } }),
    verifier: new s.Verifier(hex(genuine.manifest_key)),
    manifest: () => first,
    manifestCheck: () => check,
    rolloutPosition: s.rolloutPosition('salt', 'device'),
    rollout: s.Rollout.fromJson(rolloutSpec),
    policy: s.RetryPolicy.fromJson(),
    reconciler: new s.Reconciler(campaign, { rollout: rolloutSpec }),
  };
}

// Valid calls with known answers: the module still works (`after` names the call before).
function stillWorks(ctx, after) {
  try {
    assert.deepEqual(ctx.catalog.plan({ from: 'v64000', to: 'v67000', model: 'AG-1' }).path, ['v65000', 'v66000', 'v66003', 'v67000']);
    assert.equal(ctx.s.isBelow('0000000000000000', 1), true);
    assert.equal(ctx.campaign.nextHop('v64000'), 'v65000');
    assert.equal(ctx.s.rolloutPosition('salt', 'device'), ctx.rolloutPosition);
  } catch (e) {
    assert.fail(`after ${after()}: ${e.stack ?? e}`);
  }
}

const show = (a) => a.map((x) => inspect(x, { depth: 2, maxStringLength: 60, maxArrayLength: 8, breakLength: Infinity })).join(', ');

// What a call gave, to compare backends: the error's code and message, or the answer.
function outcome(error, out) {
  if (error) return `${error.code}: ${error.message}`;
  if (out !== null && typeof out === 'object' && ![Object, Array].includes(out.constructor)) return `a ${out.constructor.name}`;
  return inspect(out, { depth: 6, breakLength: Infinity });
}

/** `calls` seeded random calls on `api`, each checked; the outcomes in order. */
async function fuzz(api, seed, calls) {
  rand = prng(seed);
  const t0 = performance.now();
  let ctx = context(api);
  const counts = { answered: 0, refused: 0, bad_argument: 0 };
  const seen = new Set();
  const spent = {};
  const outcomes = [];
  for (let i = 0; i < calls; i += 1) {
    if (i % 200 === 0) ctx = context(api);
    const [name, kinds, f] = targets[i < targets.length ? i : int(targets.length)];
    seen.add(name);
    const args = kinds.map(arg);
    const valid = kinds.every((k, j) => k.ok(args[j]));
    // Valid by type, yet refused for sure (by js.bad_argument or a check that comes first).
    const refused = valid && kinds.some((k, j) => k.refused?.(args[j]));
    const what = () => `#${i} ${name}(${show(args)})`;
    let error = null;
    let out;
    const t1 = performance.now();
    try {
      out = f(ctx, ...args);
      if (out instanceof Promise) out = await out;
    } catch (e) {
      error = e;
    }
    spent[name] = (spent[name] ?? 0) + performance.now() - t1;
    outcomes.push(`${name}: ${outcome(error, out)}`);
    if (error === null) {
      if (!valid || refused) assert.fail(`${what()}: answered, but an argument breaks the rules`);
      counts.answered += 1;
      continue;
    }
    if (!(error instanceof api.StepstoneError)) assert.fail(`${what()}: threw ${error?.stack ?? error}`);
    if (!CODE.test(error.code) || typeof error.message !== 'string' || error.message === '') {
      assert.fail(`${what()}: code ${error.code}, message ${error.message}`);
    }
    if (!valid && error.code !== 'js.bad_argument') assert.fail(`${what()}: ${error.code} (${error.message}), not js.bad_argument`);
    counts[error.code === 'js.bad_argument' ? 'bad_argument' : 'refused'] += 1;
    stillWorks(ctx, what);
  }
  assert.equal(seen.size, targets.length, 'every target called');
  assert.deepEqual(apiMembers(api).filter((m) => !seen.has(m)), [], 'API members no target calls');
  const secs = (performance.now() - t0) / 1000;
  const slowest = Object.entries(spent).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)} s`);
  return { outcomes, counts, secs, slowest };
}

test(`fuzz: ${CALLS} random calls on ${s.backend} (seed ${SEED})`, async (t) => {
  const { counts, secs, slowest } = await fuzz(s, SEED, CALLS);
  t.diagnostic(`${JSON.stringify(counts)} in ${secs.toFixed(1)} s (slowest: ${slowest.join(', ')})`);
  assert.ok(secs < 20, `${secs} s: keep it under 20 s`);
});

test('fuzz: the same random calls on both backends, the same outcomes', async (t) => {
  const [wasm, napi] = [await importBackend('wasm'), await importBackend('napi')];
  const calls = Math.min(CALLS, 2000);
  const [a, b] = [await fuzz(wasm, SEED + 1, calls), await fuzz(napi, SEED + 1, calls)];
  for (let i = 0; i < calls; i += 1) assert.equal(b.outcomes[i], a.outcomes[i], `call #${i}`);
  t.diagnostic(`${calls} calls alike: ${JSON.stringify(a.counts)}`);
});

test(`fuzz: a missing or bad count never reads as "do not halt" (${s.backend})`, () => {
  const r = s.Rollout.fromJson(rolloutSpec);
  const rule = { max_failures: 1000 };
  for (const stats of [{}, { finished: 100 }, { failed: 0 }, { finished: 100, failed: undefined }, { finished: 100, failed: null },
    { finished: 100, failed: -1 }, { finished: 100, failed: NaN }, { finished: '100', failed: 0 }, { finished: 100, failed: 1.5 },
    { finished: 2 ** 32, failed: 0 }, { finished: 100n, failed: 0 }]) {
    for (const f of [() => r.trips(0, stats), () => s.haltTrips(rule, stats)]) {
      assert.throws(f, (e) => e instanceof s.StepstoneError && e.code === 'js.bad_argument', JSON.stringify(stats, (k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
    }
  }
  assert.throws(() => r.trips(0), (e) => e.code === 'js.bad_argument');
  assert.throws(() => s.haltTrips(rule), (e) => e.code === 'js.bad_argument');
});
