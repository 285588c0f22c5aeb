// A long-lived page calls the WASM modules many times: their allocators must give memory back,
// so the module's memory stops growing once the calls' working set is reached. (The sample
// module has its own, smaller allocator: bindings/wasm/src/lib.rs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { backendName, importBackend, importEntry } from './backend.js';

const require = createRequire(path.join(process.cwd(), 'package.json'));
const dir = path.dirname(require.resolve('stepstone-wasm/package.json'));

/** The instance's exports (its memory) of one of the package's modules, as its entry loaded it. */
async function instanceOf(name) {
  const pkg = await import(pathToFileURL(path.join(dir, 'pkg', `${name}.js`)).href);
  // Already instantiated by the entry point: initSync gives that instance back.
  return pkg.initSync({ module: readFileSync(path.join(dir, 'pkg', `${name}_bg.wasm`)) });
}

// Objects of a class (a SamplingPlan) are freed in the module when JS collects them
// (wasm-bindgen's FinalizationRegistry): collect every 250 rounds, and let the finalizers run.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
async function collect() {
  gc();
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

const PLAN = { salt: 'campaign-67000', period_seconds: 86400, classes: { metrics: 10000, logs: 1000000 } };

/** One round of calls that allocate: plans read and refused, positions, fleet answers and errors. */
function round(api, i) {
  const plan = api.SamplingPlan.fromJson({ ...PLAN, salt: `salt-${i}`.repeat(1 + (i % 7)) });
  plan.isSampled(`device-${i}`, 'metrics', BigInt(i));
  api.position(`salt-${i}`, 'x'.repeat(i % 300), BigInt(i), 'logs');
  api.volume({ fleet: i, ratePpm: 1000, items: 100, bytesPerItem: 4, samplesPerDay: 100, retentionDays: 30 });
  for (const bad of [`{"salt": "${'s'.repeat(i % 400)}", "period_seconds": 0, "classes": {}}`, '{"salt": [1, {"a": "\\u00e9"}]}']) {
    assert.throws(() => api.SamplingPlan.fromJson(bad));
  }
  assert.throws(() => api.estimate({ fleet: 1, ratePpm: 1, bugHours: -(i + 1) / 7, windowHours: 1 }), /got -/);
  assert.throws(() => plan.rate(`class-${i}`), /no class/);
}

// The WASM package's modules, once: in the suite run for the wasm backend.
for (const [name, load] of [['sample', () => importEntry('wasm', 'sample')], ['stepstone_wasm', () => importBackend('wasm')]]) {
  test(`pkg/${name}_bg.wasm: memory stays bounded over 6,000 rounds of allocating calls`, { skip: backendName !== 'wasm' }, async (t) => {
    const api = await load();
    const { memory } = await instanceOf(name);
    const rounds = async (from, to) => {
      for (let i = from; i < to; i++) {
        round(api, i);
        if (i % 250 === 249) await collect();
      }
    };
    await rounds(0, 1000);
    const warm = memory.buffer.byteLength;
    await rounds(1000, 6000);
    const after = memory.buffer.byteLength;
    t.diagnostic(`${name}: ${warm} B after 1,000 rounds, ${after} B after 6,000`);
    // Nothing kept between rounds: a leak of 14 bytes a round would add more than a page (64 KiB).
    assert.ok(after <= warm + 65536, `${name}: ${warm} B after 1,000 rounds, ${after} B after 6,000`);
  });
}
