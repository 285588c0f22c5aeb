// Arguments a JavaScript caller can make that JSON cannot spell (so arguments.json cannot carry
// them): getters and Proxies that throw, detached and shared buffers, values JSON.stringify would
// drop or write as `{}`, methods taken off their object. Each must be a StepstoneError
// (js.bad_argument naming the argument) on this backend, and the same code and message on both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { s, readText, readJson, importBackend } from './backend.js';

const catalogText = readText('examples/catalog.json');
const query = { from: 'v64000', to: 'v67000', model: 'AG-1' };
const rolloutDoc = { salt: 's', schedule: { stages: [{ fraction_ppm: 10000 }, { fraction_ppm: 1000000 }] } };
const halt = { max_failure_rate_ppm: 50000, min_finished: 100 };
const key = readJson('core/tests/vectors/arguments.json').manifest.key;

/** An object whose `key` getter throws. */
const throwing = (base, key) => {
  const o = { ...base };
  Object.defineProperty(o, key, { enumerable: true, get: () => { throw new RangeError('getter says no'); } });
  return o;
};
/** A Proxy every trap of which throws. */
const hostileProxy = () => {
  const no = () => { throw new Error('trap says no'); };
  return new Proxy({}, { get: no, has: no, ownKeys: no, getPrototypeOf: no, getOwnPropertyDescriptor: no });
};
const detachedBytes = () => {
  const b = new ArrayBuffer(8);
  const u = new Uint8Array(b);
  structuredClone(b, { transfer: [b] });
  return u;
};

// Each case: [name, call(api), the code, text its message must hold].
const cases = [
  ['plan: query.from getter throws', (a) => a.Catalog.load(catalogText).plan(throwing(query, 'from')), 'js.bad_argument', '`from` cannot be read: getter says no'],
  ['plan: query a hostile Proxy', (a) => a.Catalog.load(catalogText).plan(hostileProxy()), 'js.bad_argument', '`query` must be an object'],
  ['plan: query a revoked Proxy', (a) => { const r = Proxy.revocable({}, {}); r.revoke(); return a.Catalog.load(catalogText).plan(r.proxy); }, 'js.bad_argument', 'an object that cannot be read'],
  ['estimate: args.fleet getter throws', (a) => a.estimate(throwing({ ratePpm: 1, bugHours: 1, windowHours: 1 }, 'fleet')), 'js.bad_argument', '`fleet` cannot be read'],
  ['Verifier: key a hostile Proxy', (a) => new a.Verifier(hostileProxy()), 'js.bad_argument', '`key` must be a Uint8Array or a string'],
  ['Verifier.update: a detached buffer', (a) => new a.Verifier(key).update(detachedBytes()), 'js.bad_argument', '`chunk` must be a Uint8Array whose buffer is not detached, got Uint8Array(0)'],
  ['Catalog.load: a detached buffer', (a) => a.Catalog.load(detachedBytes()), 'js.bad_argument', 'whose buffer is not detached'],
  ['position: salt a detached buffer', (a) => a.position(detachedBytes(), 'd', 0, 'metrics'), 'js.bad_argument', '`salt` must be a Uint8Array whose buffer is not detached'],
  ['openCatalog: keys an array Proxy that throws', (a) => a.openCatalog('x', { keys: new Proxy([], { get: () => { throw new Error('no'); } }), now: 1 }), 'js.bad_argument', '`keys` must be bytes or an array of bytes'],
  ['afterFailure: failures a Proxy that throws', (a) => a.RetryPolicy.fromJson().afterFailure({
    attempts: 1, failures: new Proxy({}, { ownKeys: () => { throw new Error('no'); } }), kind: 'failed', totalAttempts: 1,
    firstAttemptAt: 0, failedAt: 1, deviceId: 'd', hop: 'h' }), 'js.bad_argument', '`failures`'],
  ['haltTrips: a rule limit that is a function', (a) => a.haltTrips({ ...halt, max_failure_rate_ppm: () => 50000 }, { finished: 1000, failed: 999 }), 'js.bad_argument', '`rule` holds a function at `max_failure_rate_ppm`: JSON has no such value'],
  ['haltTrips: a rule limit that is a Symbol', (a) => a.haltTrips({ ...halt, max_failure_rate_ppm: Symbol('x') }, { finished: 1000, failed: 999 }), 'js.bad_argument', 'holds symbol Symbol(x) at `max_failure_rate_ppm`'],
  ['Rollout.fromJson: halt a Map', (a) => a.Rollout.fromJson({ ...rolloutDoc, halt: new Map([['max_failure_rate_ppm', 1]]) }), 'js.bad_argument', '`json` holds object Map at `halt`: only plain objects'],
  ['RetryPolicy.fromJson: a typed array inside', (a) => a.RetryPolicy.fromJson({ attempts_per_hop: new Uint8Array([3]) }), 'js.bad_argument', 'holds Uint8Array(1) at `attempts_per_hop`'],
  ['Reconciler: windows holding a function', (a) => new a.Reconciler(a.Catalog.load(catalogText).campaign('v67000', { model: 'AG-1' }), { windows: [() => 1] }), 'js.bad_argument', '`windows` holds a function at `0`'],
  ['verifyStream: chunks one Uint8Array', (a) => a.verifyStream('k', 's', new Uint8Array(4)), 'js.bad_argument', 'one Uint8Array: pass [bytes]'],
  ['Catalog#plan taken off its object', (a) => { const { plan } = a.Catalog.load(catalogText); return plan(query); }, 'js.bad_argument', '`this` must be a Catalog of this entry point'],
  ['Catalog#plan called on a Campaign', (a) => { const c = a.Catalog.load(catalogText); return a.Catalog.prototype.plan.call(c.campaign('v67000', { model: 'AG-1' }), query); }, 'js.bad_argument', 'got object Campaign'],
  ['Catalog#releaseCount on Object.create(Catalog.prototype)', (a) => Object.create(a.Catalog.prototype).releaseCount, 'js.bad_argument', '`this` must be a Catalog'],
  ['Reconciler#decide called on null', (a) => a.Reconciler.prototype.decide.call(null, 'd', null, 1), 'js.bad_argument', 'got null'],
];

/** What `f` throws (or its promise rejects with); null when it answers. */
async function outcome(f) {
  try {
    await f();
  } catch (e) {
    return e;
  }
  return null;
}

test(`hostile arguments on ${s.backend}: a StepstoneError naming the argument`, async () => {
  for (const [name, f, code, text] of cases) {
    const e = await outcome(() => f(s));
    assert.ok(e instanceof s.StepstoneError, `${name}: a StepstoneError, got ${e?.stack ?? e}`);
    assert.equal(e.code, code, `${name}: ${e.message}`);
    assert.ok(e.message.includes(text), `${name}: ${e.message}`);
  }
});

test('a detached buffer is refused before it reaches the module, with its argument named', async () => {
  const v = new s.Verifier(key);
  const e = await outcome(() => v.update(detachedBytes()));
  assert.ok(e instanceof s.StepstoneError);
  assert.equal(e.message, '`chunk` must be a Uint8Array whose buffer is not detached, got Uint8Array(0)');
  // The verifier still works afterwards, and an empty chunk that is not detached is a chunk.
  assert.equal(v.update(new Uint8Array(0)), v);
});

test('values JSON would drop are refused; undefined is absent and toJSON is honoured', () => {
  // Before: `{max_failure_rate_ppm: () => 1}` was written as `{}` and the rule never tripped.
  assert.equal(s.haltTrips({ ...halt, confidence: undefined }, { finished: 1000, failed: 999 }), 'rollout.failure_rate');
  const r = s.Rollout.fromJson(rolloutDoc);
  const policy = s.RetryPolicy.fromJson({ attempts_per_hop: 2 });
  const campaign = s.Catalog.load(catalogText).campaign('v67000', { model: 'AG-1' });
  // Objects of this entry point are written through their toJSON.
  assert.ok(new s.Reconciler(campaign, { rollout: r, policy, rolloutStartedAt: 1 }));
  assert.deepEqual(s.Rollout.fromJson(r.toJSON()).toJSON(), r.toJSON());
});

test('shared memory is read like any other bytes', () => {
  const shared = new Uint8Array(new SharedArrayBuffer(7));
  shared.set(new TextEncoder().encode('AG1-001'));
  assert.equal(s.rolloutPosition('salt', shared), s.rolloutPosition('salt', 'AG1-001'));
});

test('hostile arguments: both backends throw the same code and message', async () => {
  const [wasm, napi] = [await importBackend('wasm'), await importBackend('napi')];
  for (const [name, f] of cases) {
    const [a, b] = [await outcome(() => f(wasm)), await outcome(() => f(napi))];
    assert.deepEqual([b?.code, b?.message], [a?.code, a?.message], name);
  }
  // An object of one backend is refused by the other (objects do not cross modules).
  const e = await outcome(() => new napi.Reconciler(napi.Catalog.load(catalogText).campaign('v67000', { model: 'AG-1' }), { policy: wasm.RetryPolicy.fromJson() }));
  assert.equal(e?.code, 'js.bad_argument');
  assert.match(e.message, /`policy` must be a RetryPolicy or a policy object of this entry point \(objects do not cross modules\)/);
});
