// A generated 1,000-release catalog: opened as a file, it must show its path (the plan, the
// graph laid out in the worker, the path highlighted on it) in under BUDGET_MS, measured from
// the file being chosen to the highlighted path on screen. The page's main thread must stay
// free meanwhile (no task over LONG_TASK_MS: the layout runs in the worker).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from './harness.mjs';

export const BUDGET_MS = 1000;
const LONG_TASK_MS = 250;
const N = 1000;

/** 1,000 releases v1001..v2000: a stepping stone every 40 (the next release needs it), a
 * barrier every 250, every 97th yanked, every 333rd a dead end, sizes, a delta from the one
 * before, two models (every 11th release for AG-2 alone). */
export function generatedCatalog(n = N) {
  const releases = [];
  for (let i = 0; i < n; i++) {
    const v = 1001 + i;
    // Every 11th is for AG-2 alone (never a stepping stone or a barrier).
    const ag2 = i % 11 === 5 && i % 40 > 1 && i % 250 !== 0;
    const r = { version: `v${v}`, size: 4_000_000 + (i % 7) * 100_000, models: ag2 ? ['AG-2'] : ['AG-1', 'AG-2'] };
    if (i % 40 === 1 && i > 1) r.min_sw_version = `v${v - 1}`;
    if (i % 250 === 0 && i > 0) r.barrier = true;
    if (i % 97 === 50) r.yanked = true;
    if (i % 333 === 100) r.deadend = true;
    if (i > 0) r.deltas = [{ from: `v${v - 1}`, size: 300_000 }];
    releases.push(r);
  }
  return { scheme: 'integer', releases };
}

export async function run({ open, ready, shotOf }) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'stepstone-scale-'));
  const page = await ready(await open());
  try {
    const catalog = generatedCatalog();
    const file = path.join(tmp, 'catalog-1000.json');
    writeFileSync(file, JSON.stringify(catalog));
    const s = await import(pathToFileURL(path.join(root, 'bindings/wasm/index.js')).href);
    const c = s.Catalog.load(JSON.stringify(catalog));
    const first = catalog.releases[0].version;
    const last = catalog.releases[N - 1].version;
    const expect = c.plan({ from: first, to: last, model: 'AG-1' });
    const full = c.graph({ model: 'AG-1' }).edges.length;

    await page.evaluate((ms) => {
      window.longTasks = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.duration > ms) window.longTasks.push(Math.round(e.duration)); })
        .observe({ type: 'longtask' });
    }, LONG_TASK_MS);
    const t0 = performance.now();
    await page.setInputFiles('#catalog-file', file);
    await page.waitForFunction((n) => {
      const hot = document.querySelectorAll('#graph .edge.onpath').length;
      return hot === n && document.querySelector('#path-summary');
    }, expect.hops, { timeout: 30000, polling: 'raf' });
    const ms = performance.now() - t0;
    const pageMs = Number(await page.getAttribute('#status', 'data-first-path-ms'));
    const summary = await page.textContent('#path-summary');
    assert.ok(summary.startsWith([first, ...expect.path].join(' → ')), summary);
    const nodes = Number(await page.getAttribute('#graph', 'data-nodes'));
    const edges = Number(await page.getAttribute('#graph', 'data-edges'));
    const inDom = await page.$$eval('#graph .node', (ns) => ns.length);
    const explained = await page.$$eval('#explain-table .xrow[data-version]', (rs) => rs.length);
    const longTasks = await page.evaluate(() => window.longTasks);
    console.log(`1,000-release catalog: path of ${expect.hops} hops on screen ${ms.toFixed(0)} ms after the file was chosen ` +
      `(page's own measure ${pageMs} ms; budget ${BUDGET_MS} ms); ${nodes} nodes, ${edges} edges drawn ` +
      `(all installs: ${full}), ${inDom} nodes in the DOM; ${explained} releases explained; ${await page.textContent('#graph-note')}; ` +
      `main-thread tasks over ${LONG_TASK_MS} ms: ${JSON.stringify(longTasks)}`);
    await shotOf(page, '#plan-section', 'catalog-1000');
    assert.equal(nodes, catalog.releases.filter((r) => r.models.includes('AG-1')).length);
    assert.ok(edges < 2 * nodes, `the reduction is drawn (${edges} edges), not all ${full} installs`);
    assert.ok(inDom < nodes / 2, `only the part in view is in the DOM (${inDom} of ${nodes} nodes)`);
    assert.equal(explained, N - 1, 'every release above the current one explained');
    assert.ok(ms < BUDGET_MS, `1,000-release catalog took ${ms.toFixed(0)} ms to show its path (budget ${BUDGET_MS} ms)`);
    assert.deepEqual(longTasks, [], `no main-thread task over ${LONG_TASK_MS} ms`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await page.close();
  }
}
