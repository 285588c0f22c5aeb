// The example catalog (KeepTruckin's 2020 FOTA post): the v64000 -> v67000 path on the reduced
// graph and in the explanation; a device the catalog cannot place; verification and sampling;
// a broken catalog clearing every control that depended on the last good one.
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';

export async function run({ open, ready, shot, shotOf }) {
  const page = await ready(await open());

  // 1. The path, highlighted on the graph. The graph is the transitive reduction: v66000 ->
  // v66003 (a hop of the path) is not one of its edges, so the hop is drawn as an arc.
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
  const arcs = await page.$$eval('#graph .edge.skip', (es) => es.map((e) => e.dataset.edge));
  assert.deepEqual(arcs, ['v66000->v66003'], 'the hop the reduction leaves out is an arc');
  const drawn = await page.$$eval('#graph .edges .edge', (es) => es.map((e) => e.dataset.edge));
  assert.ok(!drawn.includes('v66000->v66003') && drawn.includes('v66002->v66003'), `reduced edges: ${drawn}`);
  assert.ok((await page.$$('#graph .node.stone')).length > 0, 'stepping stones marked');
  console.log(`path on screen: ${summary.trim()}; ${drawn.length} edges drawn`);

  // 2. The explanation: every release between current and target, why it is installed or not.
  const rows = await page.$$eval('#explain-table .xrow[data-version]', (rs) => rs.map((r) => [r.dataset.version, r.classList[1], r.children[2].textContent]));
  const versions = rows.map((r) => r[0]);
  for (const v of ['v65000', 'v66000', 'v66001', 'v66002', 'v66003', 'v67000']) assert.ok(versions.includes(v), `${v} explained: ${versions}`);
  const why66001 = rows.find((r) => r[0] === 'v66001');
  assert.equal(why66001[1], 'v-cheaper_path');
  assert.match(why66001[2], /v66003/);
  assert.deepEqual(rows.filter((r) => r[1] === 'v-install').map((r) => r[0]), ['v65000', 'v66000', 'v66003', 'v67000']);
  await shot(page, 'path');
  await shotOf(page, '#plan-section', 'explain');
  console.log(`why v66001 is skipped: ${why66001[2]}`);

  // 3. No model on a catalog whose releases differ by model: the core's refusal, no page error.
  await page.selectOption('#model', '(any)');
  assert.match(await page.textContent('#graph .error'), /plan\.model_required/);
  await page.click('#plan');
  assert.match(await page.textContent('#plan-result .error'), /plan\.model_required.*AG-1, AG-2/);
  assert.equal(await page.textContent('#explain-result'), '', 'no stale explanation');
  await shot(page, 'model-required');
  console.log(`no model: ${(await page.textContent('#plan-result .error')).trim()}`);
  await page.selectOption('#model', 'AG-1');
  await page.waitForSelector('#graph svg');

  // 4. Sampling and fleet arithmetic.
  await page.click('#sample');
  assert.match(await page.textContent('#sample-result'), /metrics .*: (sampled|not sampled)/);
  await page.click('#fleet-go');
  assert.match(await page.textContent('#fleet-result'), /1,919 ppm|1919 ppm/);
  await shot(page, 'sampling');

  // 5. A good and a tampered image, signed with a key made here by OpenSSL.
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
    await page.evaluate(() => { document.querySelector('#verify-result').textContent = ''; });
    await page.setInputFiles('#image-file', path.join(keys, image));
    await page.setInputFiles('#sig-file', path.join(keys, 'image.sig'));
    await page.setInputFiles('#key-file', path.join(keys, 'pub.pem'));
    await page.click('#verify');
    await page.waitForFunction(() => document.querySelector('#verify-result').textContent.length > 0);
    return page.textContent('#verify-result');
  };
  const good = await verify('image.bin');
  assert.match(good, /valid signature.*3,145,745 bytes/);
  await shot(page, 'verify-good');
  const bad = await verify('tampered.bin');
  assert.match(bad, /signature\.invalid/);
  await shot(page, 'verify-tampered');
  rmSync(keys, { recursive: true, force: true });
  console.log(`good image: ${good.trim()}`);
  console.log(`tampered image: ${bad.trim()}`);

  // 6. A broken catalog: its error with every problem, and nothing left from the last good
  // catalog (no versions to pick, no graph, no path, no explanation, no campaign target).
  await page.evaluate(() => { document.querySelector('#catalog-section details').open = true; });
  await page.fill('#catalog-text', '{"releases": [{"version": "v1"}, {"version": "v1"}, {"version": "v2", "size": -1}]}');
  await page.click('#load-text');
  const err = await page.textContent('#catalog-result .error');
  assert.match(err, /catalog\.bad_size/);
  assert.match(err, /catalog\.duplicate_version/);
  for (const id of ['model', 'environment', 'from', 'to', 'campaign-target']) {
    assert.equal(await page.$eval(`#${id}`, (s) => s.options.length), 0, `#${id} emptied`);
    assert.ok(await page.$eval(`#${id}`, (s) => s.disabled), `#${id} disabled`);
  }
  for (const id of ['plan', 'campaign-go']) assert.ok(await page.$eval(`#${id}`, (b) => b.disabled), `#${id} disabled`);
  for (const id of ['graph', 'plan-result', 'explain-result', 'campaign-result']) {
    assert.equal((await page.textContent(`#${id}`)).trim(), '', `#${id} emptied`);
  }
  await shot(page, 'broken-catalog');
  console.log(`broken catalog: ${err.trim()}`);

  // 7. A valid catalog with no release: nothing to pick, said so.
  await page.fill('#catalog-text', '{"releases": []}');
  await page.click('#load-text');
  assert.match(await page.textContent('#catalog-summary'), /^0 releases/);
  assert.match(await page.textContent('#plan-result .error'), /no release/);
  assert.ok(await page.$eval('#from', (x) => x.disabled && x.options.length === 0));
  await page.close();
}
