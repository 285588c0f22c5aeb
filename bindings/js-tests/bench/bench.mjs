// node bench.mjs: napi vs WASM in Node vs WASM in Chromium (run by scripts/bench-js.sh from
// the consumer project that test-js.sh installs).
import { execSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { runBench } from './bench-core.js';

const root = process.env.STEPSTONE_ROOT;
const consumer = process.env.STEPSTONE_CONSUMER;
const dir = mkdtempSync(path.join(os.tmpdir(), 'stepstone-bench-'));
execSync('openssl ecparam -name prime256v1 -genkey -noout -out key.pem && openssl ec -in key.pem -pubout -out pub.pem 2>/dev/null', { cwd: dir });
writeFileSync(path.join(dir, 'image.bin'), Buffer.alloc(1 << 20, 0xa5));
execSync('openssl dgst -sha256 -sign key.pem -out image.sig image.bin', { cwd: dir });
const inputs = {
  catalog: readFileSync(path.join(root, 'examples/catalog.json'), 'utf8'),
  key: new Uint8Array(readFileSync(path.join(dir, 'pub.pem'))),
  image: new Uint8Array(readFileSync(path.join(dir, 'image.bin'))),
  sig: new Uint8Array(readFileSync(path.join(dir, 'image.sig'))),
};
const req = createRequire(path.join(consumer, 'package.json'));
const results = [];
for (const name of ['stepstone-node', 'stepstone-wasm']) {
  const s = await import(pathToFileURL(req.resolve(name)).href);
  results.push({ where: `${s.backend} (Node ${process.version})`, ...runBench(s, inputs) });
}

// Chromium: the console folder serves the WASM package; the bench body is copied beside it.
const con = path.join(root, 'bindings/wasm/console');
copyFileSync(path.join(import.meta.dirname, 'bench-core.js'), path.join(con, 'bench-core.js'));
const { chromium } = createRequire(path.join(root, 'bindings/js-tests/package.json'))('playwright-core');
const port = 9000 + (process.pid % 900);
const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], { cwd: con, stdio: 'ignore' });
const profile = mkdtempSync(path.join(os.tmpdir(), 'stepstone-chromium-'));
let ctx;
try {
  await new Promise((r) => setTimeout(r, 700));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await ctx.newPage();
  await page.goto(`http://127.0.0.1:${port}/index.html`);
  await page.waitForSelector('body[data-ready="true"]');
  const version = ctx.browser()?.version() ?? 'chromium';
  const r = await page.evaluate(async (inp) => {
    const s = await import('./stepstone/index.js');
    const { runBench } = await import('./bench-core.js');
    const u8 = (a) => Uint8Array.from(a);
    return runBench(s, { catalog: inp.catalog, key: u8(inp.key), image: u8(inp.image), sig: u8(inp.sig) });
  }, { catalog: inputs.catalog, key: [...inputs.key], image: [...inputs.image], sig: [...inputs.sig] });
  results.push({ where: `wasm (Chromium ${version})`, ...r });
} finally {
  if (ctx) await ctx.close();
  server.kill();
  rmSync(profile, { recursive: true, force: true });
  rmSync(path.join(con, 'bench-core.js'), { force: true });
  rmSync(dir, { recursive: true, force: true });
}

const names = Object.keys(results[0].nsPerCall);
const fmt = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);
// Each column after the first also as a ratio to the first (napi), measured in this same run.
const cell = (r, n) => {
  const base = results[0].nsPerCall[n];
  return r === results[0] ? fmt(r.nsPerCall[n]) : `${fmt(r.nsPerCall[n])} (${(r.nsPerCall[n] / base).toFixed(2)}×)`;
};
console.log(`| per call (median of 5; × napi) | ${results.map((r) => r.where).join(' | ')} |`);
console.log(`|---|${results.map(() => '---').join('|')}|`);
for (const n of names) console.log(`| ${n} | ${results.map((r) => cell(r, n)).join(' | ')} |`);
