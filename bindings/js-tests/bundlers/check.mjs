// The bundler check (issue 17 item 2): bundles page/ (two entry points of stepstone-wasm, the
// package installed in target/js/consumer) with esbuild and with Vite, each with its default
// settings, serves each build from 127.0.0.1 and opens it in Debian's Chromium
// (playwright-core): the page must answer from both modules, fetch only their two `.wasm`
// files (not the whole package's), and throw no page error. Screenshots and the built files'
// sizes go to STEPSTONE_OUT/bundlers/.
//
// esbuild needs `--format=esm` (the entries use top-level await, which esbuild's default
// `iife` format cannot hold) and does not copy a file named by `new URL(..., import.meta.url)`:
// the `.wasm` files are copied next to the bundle (docs/js.md, "Bundlers"). Vite needs nothing.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';

const root = process.env.STEPSTONE_ROOT;
const out = path.join(process.env.STEPSTONE_OUT, 'bundlers');
const tools = path.join(root, 'bindings/js-tests/node_modules');
const consumer = path.join(process.env.STEPSTONE_OUT, 'consumer');
const require = createRequire(path.join(root, 'bindings/js-tests/package.json'));
const { chromium } = require('playwright-core');
const bin = (name) => path.join(tools, '.bin', name);
const version = (name) => JSON.parse(readFileSync(path.join(tools, name, 'package.json'), 'utf8')).version;

// The page in a project of its own, with the consumer's installed packages.
function project(bundler) {
  const dir = path.join(out, bundler);
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(import.meta.dirname, 'page'), dir, { recursive: true });
  cpSync(path.join(root, 'examples/catalog.json'), path.join(dir, 'catalog.json'));
  const html = path.join(dir, 'index.html');
  writeFileSync(html, readFileSync(html, 'utf8').replace('<html lang="en">', `<html lang="en" data-bundler="${bundler} ${version(bundler)}">`));
  symlinkSync(path.join(consumer, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

const builds = {
  esbuild(dir) {
    const log = execFileSync(bin('esbuild'), ['main.js', '--bundle', '--format=esm', '--outdir=dist'], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    cpSync(path.join(dir, 'index.html'), path.join(dir, 'dist/index.html'));
    const pkg = path.join(dir, 'node_modules/stepstone-wasm/pkg');
    mkdirSync(path.join(dir, 'dist/pkg'));
    for (const m of ['plan', 'sample']) cpSync(path.join(pkg, `${m}_bg.wasm`), path.join(dir, `dist/pkg/${m}_bg.wasm`));
    return log;
  },
  vite(dir) {
    return execFileSync(bin('vite'), ['build'], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  },
};

function files(dir) {
  return readdirSync(dir, { recursive: true }).filter((f) => statSync(path.join(dir, f)).isFile()).sort();
}

async function serve(dir) {
  const port = 9000 + ((process.pid + Object.keys(servers).length) % 900);
  servers[dir] = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], { cwd: dir, stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/index.html`);
      return `http://127.0.0.1:${port}`;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`no server on 127.0.0.1:${port}`);
}

const servers = {};
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// The entries' types first: entries.ts with tsc --strict (module nodenext: the export map).
{
  const dir = path.join(out, 'types');
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(import.meta.dirname, 'entries.ts'), path.join(dir, 'entries.ts'));
  writeFileSync(path.join(dir, 'package.json'), '{"type": "module", "private": true}\n');
  symlinkSync(path.join(consumer, 'node_modules'), path.join(dir, 'node_modules'));
  execFileSync(bin('tsc'), ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022',
    '--lib', 'es2022,dom', 'entries.ts'], { cwd: dir, stdio: 'inherit' });
  console.log('entry point types: tsc --strict on entries.ts: ok');
}

const profile = mkdtempSync(path.join(os.tmpdir(), 'stepstone-chromium-'));
let browser;
try {
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 900, height: 520 },
  });
  for (const bundler of Object.keys(builds)) {
    const dir = project(bundler);
    const log = builds[bundler](dir);
    // A warning about the package (a `new URL` it cannot find, a `node:` import) fails the check.
    assert.doesNotMatch(log, /warn|stepstone_wasm|node:/i, `${bundler} warned:\n${log}`);
    const dist = path.join(dir, 'dist');
    const built = files(dist);
    const sizes = built.map((f) => {
      const bytes = readFileSync(path.join(dist, f));
      return `${f} ${bytes.length} B (${gzipSync(bytes, { level: 9 }).length} B gzip)`;
    });
    assert.equal(built.filter((f) => f.endsWith('.wasm')).length, 2, `${bundler}: two .wasm files: ${built}`);

    const base = await serve(dist);
    const page = await browser.newPage();
    const errors = [];
    const wasm = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => r.url().endsWith('.wasm') && wasm.push(path.basename(new URL(r.url()).pathname)));
    await page.goto(`${base}/index.html`);
    await page.waitForSelector('#state[data-state="ready"], #state[data-state="error"]', { timeout: 20000 });
    const state = await page.textContent('#state');
    await page.screenshot({ path: path.join(out, `${bundler}.png`), fullPage: true });
    assert.equal(state, 'ready', `${bundler}: ${state}`);
    assert.equal(await page.textContent('#path'), 'v64000 → v65000 → v66000 → v66003 → v67000');
    assert.equal(await page.textContent('#refused'), 'catalog.duplicate_version');
    assert.match(await page.textContent('#sampled'), /^position [0-9a-f]{16}: (sampled|not sampled)$/);
    assert.deepEqual(errors, []);
    assert.equal(wasm.length, 2, `${bundler}: fetched ${wasm}`);
    assert.ok(wasm.every((f) => /^(plan|sample)[_-].*\.wasm$|^(plan|sample)_bg\.wasm$/.test(f)), `${bundler}: fetched ${wasm}`);
    console.log(`${bundler} ${version(bundler)} (default settings): ${await page.textContent('#path')}; fetched ${wasm.join(', ')}`);
    for (const s of sizes) console.log(`  ${s}`);
    await page.close();
  }
  console.log(`screenshots: ${out}/esbuild.png, ${out}/vite.png`);
} finally {
  await browser?.close();
  for (const s of Object.values(servers)) s.kill();
  rmSync(profile, { recursive: true, force: true });
}
