// Opened from file:// (a double-click on index.html), the page says how to serve it instead of
// sitting at "loading…".
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { consoleDir } from './harness.mjs';

export async function run({ open, shotTop }) {
  const t0 = Date.now();
  const page = await open(pathToFileURL(path.join(consoleDir, 'index.html')).href);
  await page.waitForSelector('body[data-ready="failed"]', { timeout: 5000 });
  const text = await page.textContent('#boot-problem');
  assert.match(text, /must be served over HTTP/);
  assert.match(text, /python3 -m http\.server --bind 127\.0\.0\.1/);
  assert.equal(await page.textContent('#status'), 'not started');
  await shotTop(page, 'file-url', 240);
  console.log(`file://: explained after ${Date.now() - t0} ms: ${text.slice(0, 80)}…`);
  await page.close();
}
