// Serves bindings/wasm/console from 127.0.0.1 and opens it in Debian's Chromium with
// playwright-core (a fresh user-data-dir); screenshots go under STEPSTONE_OUT/console.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export const root = process.env.STEPSTONE_ROOT;
export const consoleDir = path.join(root, 'bindings/wasm/console');
export const out = path.join(process.env.STEPSTONE_OUT, 'console');
mkdirSync(out, { recursive: true });
const require = createRequire(path.join(root, 'bindings/js-tests/package.json'));
const { chromium } = require('playwright-core');

/** Runs `body(ctx)` with ctx = {browser, base, open(url), ready(page), shot, shotOf, shotTop, errors}, then stops everything. */
export async function withConsole(body) {
  const port = 8000 + (process.pid % 1000);
  const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], { cwd: consoleDir, stdio: 'ignore' });
  const profile = mkdtempSync(path.join(os.tmpdir(), 'stepstone-chromium-'));
  let browser;
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 50; i++) {
      try {
        await fetch(`${base}/index.html`);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1200, height: 900 },
    });
    const errors = [];
    const open = async (url = `${base}/index.html`) => {
      const page = await browser.newPage();
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url);
      return page;
    };
    const ready = async (page) => {
      await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
      return page;
    };
    const shot = (page, name) => page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
    /** The part of the page a section covers, as a screenshot. */
    const shotOf = (page, selector, name) => page.locator(selector).screenshot({ path: path.join(out, `${name}.png`) });
    /** The top `height` pixels of the page. */
    const shotTop = (page, name, height) => page.screenshot({ path: path.join(out, `${name}.png`), clip: { x: 0, y: 0, width: 1200, height } });
    await body({ browser, base, open, ready, shot, shotOf, shotTop, errors });
  } finally {
    if (browser) await browser.close();
    server.kill();
    rmSync(profile, { recursive: true, force: true });
  }
}
