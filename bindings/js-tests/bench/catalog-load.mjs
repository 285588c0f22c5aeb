// Catalog.load time in the WASM: the same generated catalogs loaded by two builds of the whole
// module in one process, median of 25 loads each, and the ratio. Used to weigh the WASM's
// catalog reader (docs/js.md, "Size"): run it with the folder of a baseline build's
// wasm-bindgen output (`stepstone_wasm.js` + `stepstone_wasm_bg.wasm`) and the package's own.
//
//   node bindings/js-tests/bench/catalog-load.mjs BASELINE_PKG_DIR bindings/wasm/pkg
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { medianMs } from './bench-core.js';

const [base, current] = process.argv.slice(2).map((d) => path.resolve(d));
if (!base || !current) throw new Error('usage: catalog-load.mjs BASELINE_PKG_DIR PKG_DIR');

async function load(dir) {
  const m = await import(pathToFileURL(path.join(dir, 'stepstone_wasm.js')).href);
  m.initSync({ module: readFileSync(path.join(dir, 'stepstone_wasm_bg.wasm')) });
  return m;
}

// n releases as the example catalog writes them; every tenth a stepping stone.
function catalog(n) {
  const releases = [];
  for (let i = 0; i < n; i++) {
    const r = { version: `v${1000 + i}`, kind: i % 10 === 0 ? 'major' : 'minor', size: 100000 + i,
      sha256: (i.toString(16).padStart(8, '0')).repeat(8), models: ['AG-1', 'AG-2'], environments: ['production'] };
    if (i >= 10 && i % 10 === 0) r.min_sw_version = `v${1000 + i - 10}`;
    releases.push(r);
  }
  return JSON.stringify({ scheme: 'integer', releases }, null, 2);
}

const median = (f) => medianMs(f, 25);

const [a, b] = [await load(base), await load(current)];
for (const n of [60, 1000, 10000]) {
  const text = catalog(n);
  for (const m of [a, b]) {
    const c = m.loadCatalog(text);
    if (c.releaseCount() !== n) throw new Error(`loaded ${c.releaseCount()} of ${n} releases`);
  }
  const [ta, tb] = [median(() => a.loadCatalog(text).free()), median(() => b.loadCatalog(text).free())];
  console.log(`${n} releases (${text.length} B): baseline ${ta.toFixed(3)} ms, this build ${tb.toFixed(3)} ms, ratio ${(tb / ta).toFixed(2)}`);
}
