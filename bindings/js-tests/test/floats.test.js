// Floats named in error messages: the WASM modules write them from the JavaScript engine's own
// shortest digits (`String(x)`, laid out by the core as zmij lays them out), the Node addon with
// zmij itself. The two must give the same text for every double.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendName, importBackend, importEntry } from './backend.js';

const [wasm, wasmSample, napi] = [await importBackend('wasm'), await importEntry('wasm', 'sample'), await importBackend('napi')];

/** The message a backend gives for a double `x` in a sampling error. */
function message(api, x) {
  try {
    // A bug_hours of 0 or less, or not finite, is refused naming it; a probability of 1 or
    // more too (a positive x below 1 is named through -x: the sign is the only difference).
    if (x >= 1) api.smallestRate({ fleet: 1, bugHours: 1, windowHours: 1, probability: x });
    else api.estimate({ fleet: 1, ratePpm: 1, bugHours: x > 0 ? -x : x, windowHours: 1 });
  } catch (e) {
    assert.ok(['sample.bad_input'].includes(e.code), `${x}: ${e.code} ${e.message}`);
    return e.message;
  }
  throw new Error(`${x} was not refused`);
}

/** Doubles at every exponent and the layouts' edges, both signs, and random bit patterns. */
function doubles() {
  const out = [NaN, Infinity, -Infinity, 0, -0, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 64, Number.MAX_VALUE, Number.MIN_VALUE,
    2.2250738585072014e-308, 2.225073858507201e-308, 0.1, 0.2, 0.30000000000000004, 1 / 3, 2 / 3, Math.PI, Math.E];
  for (let e = -325; e <= 308; e++) {
    for (const m of ['1', '1.5', '2.5', '9.999', '1.0000000000000002', '7', '4.9406564584124654']) out.push(Number(`${m}e${e}`));
  }
  // 1e-5 .. 1e-7 and 1e15 .. 1e22 and what is just below and above each.
  for (const edge of [1e-7, 1e-6, 1e-5, 1e15, 1e16, 1e17, 1e21, 1e22]) {
    const bits = new BigUint64Array(new Float64Array([edge]).buffer)[0];
    for (const d of [-2n, -1n, 1n, 2n]) out.push(new Float64Array(new BigUint64Array([bits + d]).buffer)[0]);
  }
  // xorshift64* over the bit patterns: every exponent, subnormals and NaN payloads among them.
  let state = 0x9e3779b97f4a7c15n;
  const mask = (1n << 64n) - 1n;
  for (let i = 0; i < 1500; i++) {
    state ^= state >> 12n;
    state = (state ^ (state << 25n)) & mask;
    state ^= state >> 27n;
    out.push(new Float64Array(new BigUint64Array([(state * 0x2545f4914f6cdd1dn) & mask]).buffer)[0]);
  }
  return out.flatMap((x) => [x, -x]);
}

// Once, in the suite run for the wasm backend (it compares both packages itself).
test('a float in a message reads the same from the WASM modules as from the Node addon (zmij)', { skip: backendName !== 'wasm' }, () => {
  const xs = doubles();
  let compared = 0;
  for (const x of xs) {
    const want = message(napi, x);
    assert.equal(message(wasm, x), want, `whole module, ${x}`);
    assert.equal(message(wasmSample, x), want, `sample module, ${x}`);
    compared++;
  }
  assert.ok(compared > 11000, `${compared} doubles compared`);
});

test('floats in messages: the layouts users see', () => {
  const got = (x) => message(wasmSample, x).replace(/^.*, got /, '');
  assert.equal(got(-1.5), '-1.5');
  assert.equal(got(-1), '-1');
  assert.equal(got(-0), '0');
  assert.equal(got(NaN), 'NaN');
  assert.equal(got(-Infinity), '-inf');
  assert.equal(got(-1e-7), '-1e-7');
  assert.equal(got(-0.00001), '-0.00001');
  assert.equal(got(-0.000001), '-1e-6');
  assert.equal(got(-1e21), '-1e+21');
  assert.equal(got(-(2 ** 53 + 2)), '-9007199254740994.0');
  assert.equal(got(-1.5e16), '-1.5e+16');
  assert.equal(got(1.5), '1.5');
  assert.equal(got(Number.MAX_VALUE), '1.7976931348623157e+308');
  assert.equal(got(-Number.MIN_VALUE), '-5e-324');
});
