// The per-area entry points (stepstone-wasm/plan, /sample, /verify, /rollout and the same names
// from stepstone-node) and the one StepstoneError across both packages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { s, AREAS, backendName, importBackend, importEntry, readText } from './backend.js';

const require = createRequire(path.join(process.cwd(), 'package.json'));
const PACKAGE = { wasm: 'stepstone-wasm', napi: 'stepstone-node' }[backendName];

// The names an entry's installed `.d.ts` exports (`export { a, b } from './index.js'`).
function declared(area) {
  const dir = path.dirname(require.resolve(`${PACKAGE}/package.json`));
  const { exports } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const dts = path.join(dir, exports[`./${area}`].types);
  const list = /export \{([^}]*)\} from '\.\/index\.js';/.exec(readFileSync(dts, 'utf8'));
  assert.ok(list, `${dts}: an export list`);
  return list[1].split(',').map((n) => n.trim()).filter(Boolean).sort();
}

const entries = Object.fromEntries(await Promise.all(AREAS.map(async (a) => [a, await importEntry(backendName, a)])));

for (const area of AREAS) {
  test(`${PACKAGE}/${area}: exports what its .d.ts declares, each the whole package's kind of value`, () => {
    const api = entries[area];
    assert.deepEqual(Object.keys(api).sort(), declared(area));
    assert.equal(api.backend, backendName);
    assert.equal(api.version(), s.version());
    for (const [name, value] of Object.entries(api)) assert.equal(typeof value, typeof s[name], name);
  });
}

test('every name of the whole package is in some entry point', () => {
  const inAreas = new Set(AREAS.flatMap((a) => Object.keys(entries[a])));
  assert.deepEqual(Object.keys(s).filter((n) => !inAreas.has(n)), []);
});

test('the node condition: the wasm package loads its module from the file, one module per entry', () => {
  if (backendName !== 'wasm') return;
  for (const area of [null, ...AREAS]) {
    const file = require.resolve(area ? `stepstone-wasm/${area}` : 'stepstone-wasm');
    assert.match(file, new RegExp(`node_modules/stepstone-wasm/node/${area ?? 'index'}\\.js$`));
    const wasm = /'\.\.\/pkg\/(\w+)_bg\.wasm'/.exec(readFileSync(file, 'utf8'));
    assert.equal(wasm?.[1], area ?? 'stepstone_wasm', `${file} loads its own module`);
  }
});

test('require() loads each entry (no top-level await on the node condition)', (t) => {
  if (!process.features.require_module) return t.skip(`Node ${process.version} cannot require() an ES module`);
  for (const area of [null, ...AREAS]) {
    const api = require(area ? `${PACKAGE}/${area}` : PACKAGE);
    assert.equal(api.version(), s.version(), `require('${PACKAGE}${area ? `/${area}` : ''}')`);
  }
});

test('an entry answers as the whole package does, and refuses alike', () => {
  const catalog = readText('examples/catalog.json');
  const query = { from: 'v64000', to: 'v67000', model: 'AG-1' };
  const { plan, rollout, sample } = entries;
  assert.deepEqual(plan.Catalog.load(catalog).plan(query), s.Catalog.load(catalog).plan(query));
  // The rollout entry has no catalogs: its reconciler takes a campaign's table.
  assert.equal(rollout.Catalog, undefined);
  for (const [p, rate] of [['0000000000000000', 0], ['0000000000000000', 1], ['ffffffffffffffff', 999999], ['ffffffffffffffff', 1000000]]) {
    assert.equal(sample.isBelow(p, rate), s.isBelow(p, rate));
    assert.equal(rollout.isBelow(p, rate), s.isBelow(p, rate));
  }
  assert.deepEqual([0, 1000000].map((rate) => rollout.isBelow('0000000000000000', rate)), [false, true]);
  const campaign = plan.Catalog.load(catalog).campaign('v67000', { model: 'AG-1' });
  const table = campaign.toTable();
  const state = { reported: 'v64000', device_seq: 1 };
  const now = 1_700_000_000;
  const want = new s.Reconciler(s.Catalog.load(catalog).campaign('v67000', { model: 'AG-1' }), {}).decide('dev-1', state, now);
  for (const t of [table, JSON.parse(table)]) {
    assert.deepEqual(new rollout.Reconciler(t, {}).decide('dev-1', state, now), want);
    assert.deepEqual(new s.Reconciler(t, {}).decide('dev-1', state, now), want);
  }
  assert.equal(want.action, 'install');
  assert.throws(() => new rollout.Reconciler(table.replace('"version":1', '"version":2'), {}), (e) => e.code === 'reconcile.table_version' && /format version 2/.test(e.message));
  assert.throws(() => new rollout.Reconciler('{"format":"stepstone.campaign_table"}', {}), (e) => e.code === 'reconcile.invalid_table' && /missing field 'version'/.test(e.message));
  assert.throws(() => new rollout.Reconciler(table.slice(0, 40), {}), (e) => e.code === 'reconcile.invalid_table');
  assert.throws(() => new rollout.Reconciler(42, {}), (e) => e.code === 'js.bad_argument' && /campaign/.test(e.message));
  if (backendName === 'wasm') {
    // Each wasm entry has its own module: its objects stay in it.
    // The rollout module has no catalogs: a Campaign is not its argument, the table is.
    assert.throws(() => new rollout.Reconciler(campaign, {}), (e) => e.code === 'js.bad_argument' && /toTable\(\)/.test(e.message));
  } else {
    // stepstone-node's entries are views of the one addon.
    assert.equal(typeof new rollout.Reconciler(campaign, {}).decide, 'function');
  }
  for (const api of [s, plan]) {
    assert.throws(() => api.Catalog.load('{'), (e) => e.code === 'catalog.json' && e instanceof api.StepstoneError);
  }
});

test('new Reconciler refuses a non-campaign with one message on every entry point and backend', async () => {
  const apis = [];
  for (const which of ['wasm', 'napi']) {
    apis.push([which, await importBackend(which)], [`${which}/rollout`, await importEntry(which, 'rollout')]);
  }
  for (const bad of [null, undefined, 42, true, [], new Uint8Array(2)]) {
    const messages = new Set();
    for (const [name, api] of apis) {
      assert.throws(() => new api.Reconciler(bad, {}), (e) => {
        assert.equal(e.code, 'js.bad_argument', name);
        messages.add(e.message);
        return true;
      });
    }
    assert.equal(messages.size, 1, `${String(bad)}: ${[...messages].join(' | ')}`);
    const [message] = messages;
    assert.match(message, /^`campaign` must be a campaign table \(a Campaign's toTable\(\): JSON text or its object\) or a Campaign/);
  }
});

test('the edges a new user tripped on: one code and one message on every backend and entry', async () => {
  const { generateKeyPairSync } = await import('node:crypto');
  const pem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' });
  const after = { attempts: 1, failures: { failed: 1 }, kind: 'failed', totalAttempts: 1, firstAttemptAt: 2000, failedAt: 1000, deviceId: 'd', hop: 'v65000' };
  const badStage = { salt: 's', schedule: { stages: [{ fraction_ppm: 1 }, { fraction_ppm: 2 }, { fraction_ppm: -1 }] } };
  const cases = [
    ['rollout', (api) => api.RetryPolicy.fromJson().afterFailure(after), 'retry.failed_before_first_attempt',
      "failed_at (1000) is before first_attempt_at (2000): a failure cannot come before the march's first attempt"],
    ['rollout', (api) => api.RetryPolicy.fromJson().backoff({ kind: 'failed', n: 0, deviceId: 'd', hop: 'h', attempt: 1 }), 'retry.zero_number',
      'n must be at least 1 (failures and attempts are numbered from 1), got 0'],
    ['rollout', (api) => api.Rollout.fromJson(badStage), 'rollout.json',
      'rollout JSON: schedule.stages[2].fraction_ppm: expected an unsigned integer (u32), found -1 at line 1 column 91'],
    ['rollout', (api) => api.RetryPolicy.fromJson('{"timed_out": {"base_secs": -1}}'), 'retry.json',
      'retry policy JSON: timed_out.base_secs: expected an unsigned integer (u64), found -1 at line 1 column 31'],
    ['verify', (api) => api.openCatalog(new Uint8Array(1), { keys: pem, now: 1, lastDigest: '0'.repeat(64) }), 'signed_catalog.digest_without_sequence',
      'the last digest is given without the last sequence it was stored with: pass both (alone, the digest checks nothing)'],
    ['verify', (api) => api.openCompactCatalog(new Uint8Array(1), pem, { now: 1, last: '{"sequence": 1}' }), 'js.bad_argument', null],
  ];
  for (const [area, run, code, message] of cases) {
    const seen = new Set();
    for (const which of ['wasm', 'napi']) {
      for (const api of [await importBackend(which), await importEntry(which, area)]) {
        assert.throws(() => run(api), (e) => {
          assert.equal(e.code, code, `${which}: ${e.message}`);
          if (message !== null) assert.equal(e.message, message, which);
          seen.add(e.message);
          return true;
        });
      }
    }
    assert.equal(seen.size, 1, [...seen].join(' | '));
    if (code === 'js.bad_argument') assert.match([...seen][0], /^`last` must be a catalog state/);
  }
});

test('one StepstoneError: instanceof and isStepstoneError hold across both packages and every entry', async () => {
  const wasm = await importBackend('wasm');
  const napi = await importBackend('napi');
  const apis = [wasm, napi, ...(await Promise.all(AREAS.flatMap((a) => [importEntry('wasm', a), importEntry('napi', a)])))];
  const thrown = [];
  for (const api of [wasm, napi]) {
    try {
      api.Catalog.load('{');
    } catch (e) {
      thrown.push(e);
    }
    // An argument refused in api.js, and one the core refuses.
    try {
      api.isBelow(1, 1);
    } catch (e) {
      thrown.push(e);
    }
  }
  assert.equal(thrown.length, 4);
  assert.notEqual(wasm.StepstoneError, napi.StepstoneError, 'two copies of the class');
  for (const e of thrown) {
    for (const api of apis) {
      assert.ok(e instanceof api.StepstoneError, `${e.code} instanceof ${api.backend}'s StepstoneError`);
      assert.ok(api.isStepstoneError(e));
    }
    assert.ok(e instanceof Error);
  }
  const plain = Object.assign(new Error('x'), { code: 'catalog.json' });
  for (const api of apis) {
    assert.equal(plain instanceof api.StepstoneError, false, 'a plain Error with a code is not one');
    for (const x of [null, undefined, 0, 'catalog.json', {}, { code: 'catalog.json' }]) assert.equal(api.isStepstoneError(x), false);
  }
  const made = new napi.StepstoneError('js.bad_argument', 'made by hand');
  assert.ok(made instanceof wasm.StepstoneError && wasm.isStepstoneError(made));
  assert.equal(made.name, 'StepstoneError');
  const brand = Object.getOwnPropertyDescriptor(made, Symbol.for('stepstone.error'));
  assert.deepEqual([brand.value, brand.enumerable, brand.writable], [true, false, false]);
});
