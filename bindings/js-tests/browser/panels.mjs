// The campaign, rollout and signed-catalog panels with good and wrong input. What the page shows
// is compared with the same calls made here on the WASM package in Node.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from './harness.mjs';

const s = await import(pathToFileURL(path.join(root, 'bindings/wasm/node/index.js')).href);
const countsOn = (page) => page.$$eval('#campaign-counts tr[data-hop]', (rs) => Object.fromEntries(rs.map((r) => [r.dataset.hop, Number(r.cells[1].textContent.replace(/,/g, ''))])));

async function campaign(page, shotOf, tmp) {
  // The page's example list, toward v67000 for AG-1 (chosen in the path section).
  await page.selectOption('#campaign-target', 'v67000');
  await page.click('#campaign-go');
  const counts = await countsOn(page);
  assert.deepEqual(counts, { v65000: 1, v66000: 1, v66003: 2, v67000: 1, '': 1 });
  const catalog = s.Catalog.load(readFileSync(path.join(root, 'examples/catalog.json'), 'utf8'));
  const table = catalog.campaign('v67000', { model: 'AG-1', environment: 'production' });
  const hops = await page.$$eval('#campaign-rows tr', (rs) => rs.slice(1).map((r) => [r.cells[2].textContent, r.cells[5].textContent]));
  for (const [version, hop] of hops) assert.equal(hop, table.nextHop(version) ?? '(at v67000)', `next hop from ${version}`);
  await shotOf(page, '#campaign-section', 'campaign');
  console.log(`campaign counts: ${JSON.stringify(counts)}`);

  // A list uploaded as a file, columns in another order and case, a model column, quoted
  // fields, CRLF, a byte order mark; rows that cannot be answered are counted by their code.
  const list = '\uFEFFVersion,Model,device_id\r\nv64000,AG-1,"gw,1"\r\nv66001,AG-2,gw-2\r\nbanana,AG-1,gw-3\r\nv65000,AG-9,gw-4\r\nv66000,,\r\nv66000\r\n\r\n';
  writeFileSync(path.join(tmp, 'devices.csv'), list);
  await page.setInputFiles('#campaign-file', path.join(tmp, 'devices.csv'));
  await page.waitForFunction(() => document.querySelector('#campaign-summary')?.textContent.startsWith('6 devices'));
  const upload = await countsOn(page);
  const ag2 = catalog.campaign('v67000', { model: 'AG-2', environment: 'production' }).nextHop('v66001');
  assert.deepEqual(upload, {
    v65000: 1, [ag2]: 1, 'error:version.malformed': 1, 'error:plan.unknown_model': 1,
    'error:csv.empty_device_id': 1, 'error:csv.missing_columns': 1,
  });
  assert.equal(await page.$eval('#campaign-rows tr:nth-child(2) td:nth-child(2)', (td) => td.textContent), 'gw,1');
  await shotOf(page, '#campaign-section', 'campaign-errors');
  console.log(`campaign upload with bad rows: ${JSON.stringify(upload)}`);

  // A header the list cannot be read with: the whole list refused, nothing stale left.
  for (const [csv, code] of [['device_id,firmware\nd1,v64000', 'csv.header_unknown'], ['device_id\nd1', 'csv.header_incomplete'],
    ['version,version,device_id\nv1,v1,d', 'csv.header_duplicate'], ['', 'csv.header_incomplete']]) {
    await page.fill('#campaign-csv', csv);
    await page.click('#campaign-go');
    assert.match(await page.textContent('#campaign-result .error'), new RegExp(code.replace('.', '\\.')));
    assert.equal(await page.$('#campaign-counts'), null);
  }
  console.log(`campaign bad header: ${(await page.textContent('#campaign-result .error')).trim()}`);
}

async function rollout(page, shotOf) {
  await page.click('#rollout-go');
  const spec = await page.inputValue('#rollout-spec');
  const ids = (await page.inputValue('#rollout-devices')).split('\n');
  const r = s.Rollout.fromJson(spec);
  const expect = [0, 0, 0];
  for (const id of ids) expect[r.stageOf(r.position(id))] += 1;
  const shown = await page.$$eval('#rollout-stages tr[data-stage]', (rs) => rs.map((x) => Number(x.cells[2].textContent)));
  assert.deepEqual(shown, expect);
  assert.equal(expect.reduce((a, b) => a + b), 40);
  const perDevice = await page.$$eval('#rollout-positions tr', (rs) => rs.slice(1).map((x) => [x.cells[0].textContent, x.cells[1].textContent, Number(x.cells[2].textContent)]));
  for (const [id, position, stage] of perDevice) {
    assert.equal(position, r.position(id));
    assert.equal(stage, r.stageOf(position));
  }
  console.log(`rollout: devices per stage ${JSON.stringify(shown)}`);

  // Halt verdicts, and counts the API refuses.
  const halt = async (stage, finished, failed) => {
    await page.selectOption('#halt-stage', String(stage));
    await page.fill('#halt-finished', finished);
    await page.fill('#halt-failed', failed);
    await page.click('#halt-go');
    return page.textContent('#halt-result');
  };
  const tripped = await halt(0, '1000', '90');
  const code = r.trips(0, { finished: 1000, failed: 90 });
  assert.ok(code, 'the example counts trip a rule');
  assert.match(tripped, new RegExp(`halt, ${code.replace('.', '\\.')} trips`));
  await shotOf(page, '#rollout-section', 'rollout');
  assert.match(await halt(1, '1000', '10'), /carry on/);
  assert.equal(r.trips(1, { finished: 1000, failed: 10 }), null);
  assert.match(await halt(0, '10', '20'), /rollout\.failed_above_finished/);
  assert.match(await halt(0, '1000', '-3'), /js\.bad_argument.*`failed`.*"-3"/);
  assert.match(await halt(0, '', '1'), /js\.bad_argument.*`finished`/);
  console.log(`halt verdict: ${tripped.trim()}`);

  // A broken rollout: its error, no stages left to pick.
  await page.fill('#rollout-spec', '{"salt": "s", "schedule": {"stages": [{"fraction_ppm": 2000000}]}}');
  await page.click('#rollout-go');
  assert.match(await page.textContent('#rollout-result .error'), /rollout\./);
  assert.equal(await page.$eval('#halt-stage', (x) => x.options.length), 0);
  assert.ok(await page.$eval('#halt-go', (b) => b.disabled));
  assert.equal(await page.textContent('#halt-result'), '');
  console.log(`broken rollout: ${(await page.textContent('#rollout-result .error')).trim()}`);
}

async function signed(page, shotOf, tmp) {
  const genuine = JSON.parse(readFileSync(path.join(root, 'core/tests/vectors/attacks.json'), 'utf8')).vectors[0].catalog;
  const file = (name, hex) => {
    writeFileSync(path.join(tmp, name), Buffer.from(hex, 'hex'));
    return path.join(tmp, name);
  };
  const envelope = file('catalog.signed', genuine.envelope);
  const key = file('catalog-key.der', genuine.key);
  const tampered = Buffer.from(genuine.envelope, 'hex');
  tampered[tampered.length - 1] ^= 1;
  const bad = file('tampered.signed', tampered.toString('hex'));
  const open = async (env, now, last = '') => {
    await page.setInputFiles('#signed-envelope', env);
    await page.setInputFiles('#signed-key', key);
    await page.fill('#signed-now', now);
    await page.fill('#signed-last', last);
    await page.click('#signed-go');
    await page.waitForFunction(() => document.querySelector('#signed-result').textContent.length > 0);
    return page.textContent('#signed-result');
  };
  const ok = await open(envelope, String(genuine.now));
  const o = s.openCompactCatalog(Buffer.from(genuine.envelope, 'hex'), Buffer.from(genuine.key, 'hex'), { now: genuine.now });
  assert.match(ok, new RegExp(`signature valid: sequence ${o.header.sequence}`));
  assert.deepEqual(JSON.parse(await page.textContent('#signed-state')), o.state);
  await shotOf(page, '#signed-section', 'signed-catalog');
  console.log(`signed catalog: ${(await page.textContent('#signed-verdict')).trim()}`);
  const older = JSON.stringify({ ...o.state, sequence: o.state.sequence + 1 });
  for (const [env, now, last, code] of [[bad, String(genuine.now), '', /signed_catalog\.bad_signature/], [envelope, '0', '', /signed_catalog\.clock_unset/],
    [envelope, String(genuine.now), older, /signed_catalog\.rollback/], [envelope, 'soon', '', /js\.bad_argument.*`now`/],
    [envelope, String(genuine.now), '{"sequence": 1}', /js\.bad_argument|signed_catalog\./]]) {
    const text = await open(env, now, last);
    assert.match(text, code);
    assert.equal(await page.$('#signed-verdict'), null, 'no stale verdict');
  }
  console.log(`signed catalog, older than the stored state: ${(await open(envelope, String(genuine.now), older)).trim()}`);
}

export async function run({ open, ready, shotOf }) {
  const page = await ready(await open());
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'stepstone-console-'));
  try {
    await page.click('#load-example');
    await page.waitForSelector('#graph svg');
    await campaign(page, shotOf, tmp);
    await rollout(page, shotOf);
    await signed(page, shotOf, tmp);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await page.close();
  }
}
