// The console page in real Chromium (Debian's), driven by playwright-core: serves
// bindings/wasm/console from 127.0.0.1, loads the example catalog, shows the v64000 -> v67000
// path, shows an error for a broken catalog, and saves screenshots under STEPSTONE_OUT.
import { execSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';

const root = process.env.STEPSTONE_ROOT;
const out = path.join(process.env.STEPSTONE_OUT, 'console');
mkdirSync(out, { recursive: true });
const require = createRequire(path.join(root, 'bindings/js-tests/package.json'));
const { chromium } = require('playwright-core');

const port = 8000 + (process.pid % 1000);
const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], {
  cwd: path.join(root, 'bindings/wasm/console'),
  stdio: 'ignore',
});
const profile = mkdtempSync(path.join(os.tmpdir(), 'stepstone-chromium-'));
let browser;
try {
  for (let i = 0; i < 50; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/index.html`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  // A fresh user-data-dir (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1200, height: 900 },
  });
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`http://127.0.0.1:${port}/index.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });

  // 1. The bundled example catalog and KeepTruckin's 2020 FOTA path.
  await page.click('#load-example');
  await page.waitForSelector('#graph svg');
  await page.selectOption('#from', 'v64000');
  await page.selectOption('#to', 'v67000');
  await page.click('#plan');
  const summary = await page.textContent('#path-summary');
  assert.match(summary, /v64000 → v65000 → v66000 → v66003 → v67000/);
  const onPath = await page.$$eval('#graph .node.onpath', (ns) => ns.map((n) => n.dataset.version));
  assert.deepEqual(onPath.sort(), ['v64000', 'v65000', 'v66000', 'v66003', 'v67000']);
  const hot = await page.$$eval('#graph .edge.onpath', (es) => es.map((e) => e.dataset.edge));
  assert.deepEqual(hot.sort(), ['v64000->v65000', 'v65000->v66000', 'v66000->v66003', 'v66003->v67000']);
  assert.ok((await page.$$('#graph .node.stone')).length > 0, 'stepping stones marked');
  await page.screenshot({ path: path.join(out, 'path.png'), fullPage: true });
  console.log(`path on screen: ${summary.trim()}`);

  // 1b. The example catalog's releases differ by model: with model "(any)" the graph and the
  // plan are refused with the core's code, and no page error is thrown.
  await page.selectOption('#model', '(any)');
  assert.match(await page.textContent('#graph .error'), /plan\.model_required/);
  await page.click('#plan');
  assert.match(await page.textContent('#plan-result .error'), /plan\.model_required.*AG-1, AG-2/);
  await page.screenshot({ path: path.join(out, 'model-required.png'), fullPage: true });
  console.log(`no model: ${(await page.textContent('#plan-result .error')).trim()}`);
  await page.selectOption('#model', 'AG-1');
  await page.waitForSelector('#graph svg');

  // 2. Sampling and fleet arithmetic.
  await page.click('#sample');
  assert.match(await page.textContent('#sample-result'), /metrics .*: (sampled|not sampled)/);
  await page.click('#fleet-go');
  assert.match(await page.textContent('#fleet-result'), /1,919 ppm|1919 ppm/);
  await page.screenshot({ path: path.join(out, 'sampling.png'), fullPage: true });

  // 3. A good and a tampered image, signed with a key made here by OpenSSL.
  const keys = mkdtempSync(path.join(os.tmpdir(), 'stepstone-keys-'));
  const sh = (cmd) => execSync(cmd, { cwd: keys, stdio: 'pipe' });
  sh('openssl ecparam -name prime256v1 -genkey -noout -out key.pem');
  sh('openssl ec -in key.pem -pubout -out pub.pem');
  writeFileSync(path.join(keys, 'image.bin'), Buffer.alloc(3 * 1024 * 1024 + 17, 0x5a));
  sh('openssl dgst -sha256 -sign key.pem -out image.sig image.bin');
  const tampered = readFileSync(path.join(keys, 'image.bin'));
  tampered[1_000_000] ^= 1;
  writeFileSync(path.join(keys, 'tampered.bin'), tampered);
  const verify = async (image) => {
    await page.setInputFiles('#image-file', path.join(keys, image));
    await page.setInputFiles('#sig-file', path.join(keys, 'image.sig'));
    await page.setInputFiles('#key-file', path.join(keys, 'pub.pem'));
    await page.click('#verify');
    await page.waitForFunction(() => document.querySelector('#verify-result').textContent.length > 0);
    return page.textContent('#verify-result');
  };
  const good = await verify('image.bin');
  assert.match(good, /valid signature.*3,145,745 bytes/);
  await page.screenshot({ path: path.join(out, 'verify-good.png'), fullPage: true });
  await page.evaluate(() => { document.querySelector('#verify-result').textContent = ''; });
  const bad = await verify('tampered.bin');
  assert.match(bad, /signature\.invalid/);
  await page.screenshot({ path: path.join(out, 'verify-tampered.png'), fullPage: true });
  rmSync(keys, { recursive: true, force: true });
  console.log(`good image: ${good.trim()}`);
  console.log(`tampered image: ${bad.trim()}`);

  // 4. A broken catalog: a readable error with its code.
  await page.evaluate(() => { document.querySelector('details').open = true; });
  await page.fill('#catalog-text', '{"releases": [{"version": "v1"}, {"version": "v1"}]}');
  await page.click('#load-text');
  const err = await page.textContent('#catalog-result .error');
  assert.match(err, /catalog\.[a-z_]+/);
  await page.screenshot({ path: path.join(out, 'broken-catalog.png'), fullPage: true });
  console.log(`broken catalog: ${err.trim()}`);

  assert.deepEqual(errors, [], 'no page errors');
  console.log(`screenshots in ${out}`);
} finally {
  if (browser) await browser.close();
  server.kill();
  rmSync(profile, { recursive: true, force: true });
}
