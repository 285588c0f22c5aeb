// The trust chain through the API, against this backend: openCompactCatalog and ManifestFirst
// on the genuine vector of attacks.json (the vectors themselves run in vectors.test.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey } from 'node:crypto';
import { s, readJson, hex } from './backend.js';

const attacks = readJson('core/tests/vectors/attacks.json');
const genuine = attacks.vectors.find((v) => v.name === 'genuine, with the signed catalog');

function codeOf(f) {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof s.StepstoneError, `not a StepstoneError: ${e}`);
    return e.code;
  }
  assert.fail('expected a StepstoneError');
}

const envelope = hex(genuine.catalog.envelope);
const catalogKey = hex(genuine.catalog.key);
const open = (trust) => s.openCompactCatalog(envelope, catalogKey, { now: genuine.catalog.now, ...trust });
const device = { model: 'AG-1', environment: 'production', currentVersion: 'v66000', counter: 'v66000', now: 1_800_000_000n };
const first = (more = {}) =>
  new s.ManifestFirst({ key: hex(genuine.manifest_key), manifest: hex(genuine.manifest), signature: hex(genuine.signature), device, ...more });

test('openCompactCatalog: the core JSON, the payload as a view, the state round trip', () => {
  const o = open();
  assert.deepEqual(Object.keys(o).sort(), ['header', 'payload', 'payload_offset', 'state']);
  assert.deepEqual(Object.keys(o.header).sort(), ['expires', 'issued', 'key_id', 'payload_len', 'sequence']);
  assert.equal(o.payload_offset, 72);
  assert.equal(o.payload.buffer, envelope.buffer, 'a view, not a copy');
  assert.equal(o.payload.length, o.header.payload_len);
  assert.equal(Buffer.from(o.payload.subarray(0, 4)).toString(), 'SSCC');
  assert.deepEqual(o.state, genuine.expect.catalog);
  assert.equal(o.state.sha256, createHash('sha256').update(envelope.subarray(0, envelope.length - 64)).digest('hex'));
  // The key as PEM too; the state back as an object or its JSON text; now as bigint or string.
  const pem = createPublicKey({ key: Buffer.from(catalogKey), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' });
  assert.deepEqual(s.openCompactCatalog(envelope, pem, { now: '1800000000', last: o.state }).state, o.state);
  assert.deepEqual(open({ now: 1_800_000_000n, last: JSON.stringify(o.state) }).state, o.state);
});

test('openCompactCatalog: refusals and bad arguments', () => {
  const o = open();
  assert.equal(codeOf(() => open({ now: 0 })), 'signed_catalog.clock_unset');
  assert.equal(codeOf(() => open({ last: { ...o.state, issued: o.state.issued + 1e6 } })), 'signed_catalog.clock_behind');
  assert.equal(codeOf(() => open({ last: { ...o.state, sha256: '0'.repeat(64) } })), 'signed_catalog.sequence_reused');
  assert.equal(codeOf(() => open({ last: { ...o.state, sequence: o.state.sequence + 1 } })), 'signed_catalog.rollback');
  assert.equal(codeOf(() => open({ now: o.header.expires })), 'signed_catalog.expired');
  assert.equal(codeOf(() => s.openCompactCatalog(envelope.subarray(1), catalogKey, { now: 1_800_000_000 })), 'signed_catalog.malformed');
  assert.equal(codeOf(() => s.openCompactCatalog(envelope, hex(genuine.manifest_key), { now: 1_800_000_000 })), 'signed_catalog.unknown_key');
  assert.equal(codeOf(() => s.openCompactCatalog(envelope, 'not a key', { now: 1_800_000_000 })), 'signature.key_malformed');
  for (const last of [{ sequence: 1 }, { ...o.state, sha256: 'ab' }, { ...o.state, extra: 1 }, '{']) {
    assert.equal(codeOf(() => open({ last })), 'js.bad_argument', JSON.stringify(last));
  }
  assert.equal(codeOf(() => open({ now: undefined })), 'js.bad_argument');
  assert.equal(codeOf(() => open({ now: -1 })), 'js.bad_argument');
  assert.equal(codeOf(() => s.openCompactCatalog(envelope, catalogKey)), 'js.bad_argument');
});

test('ManifestFirst: checked before the image, streamed, the verified facts', () => {
  const image = hex(genuine.image);
  const m = first({ catalog: open().payload });
  assert.equal(m.remaining, image.length);
  assert.equal(m.update(image.subarray(0, 100)), m);
  assert.equal(m.remaining, image.length - 100);
  m.update(image.subarray(100));
  const { catalog, ...want } = genuine.expect;
  assert.deepEqual(m.finish(), want);
  assert.equal(m.remaining, 0);
  assert.equal(codeOf(() => m.finish()), 'js.verifier_finished');
  assert.equal(codeOf(() => m.update(image)), 'js.verifier_finished');
  void catalog;
  // The signature as hex text works too (any encoding the core reads).
  const h = first({ signature: genuine.signature });
  h.update(image);
  assert.equal(h.finish().version, 'v66003');
});

test('ManifestFirst: refusals', () => {
  const image = hex(genuine.image);
  assert.equal(codeOf(() => first({ device: { ...device, now: 0 } })), 'manifest.clock_unset');
  assert.equal(codeOf(() => first({ device: { ...device, counter: 'v66003' } })), 'manifest.rollback');
  assert.equal(codeOf(() => first({ device: { ...device, now: undefined } })), 'js.bad_argument');
  assert.equal(codeOf(() => first({ device: { ...device, now: 'soon' } })), 'js.bad_argument');
  // ManifestCheck (no catalog, fewer facts) is the same check underneath.
  const args = { key: hex(genuine.manifest_key), manifest: hex(genuine.manifest), signature: hex(genuine.signature) };
  assert.equal(codeOf(() => new s.ManifestCheck({ ...args, device: { ...device, now: 'soon' } })), 'js.bad_argument');
  assert.equal(codeOf(() => new s.ManifestCheck({ ...args, device: { ...device, now: 0 } })), 'manifest.clock_unset');
  const check = new s.ManifestCheck({ ...args, device });
  check.update(image);
  assert.deepEqual(check.finish(), { version: 'v66003', size: image.length, sha256: genuine.expect.sha256 });
  assert.equal(codeOf(() => first({ signature: 'junk' })), 'manifest.bad_signature');
  // The whole envelope is not a compact catalog: its payload is.
  assert.match(codeOf(() => first({ catalog: envelope })), /^compact\./);
  // Sticky: once a chunk went past the size, every call is refused, even an empty chunk.
  const m = first();
  m.update(image.subarray(0, image.length - 1));
  assert.equal(codeOf(() => m.update(Uint8Array.of(1, 2))), 'manifest.size_mismatch');
  assert.equal(codeOf(() => m.update(new Uint8Array())), 'manifest.size_mismatch');
  assert.equal(codeOf(() => m.finish()), 'manifest.size_mismatch');
  const short = first();
  short.update(image.subarray(1));
  assert.equal(codeOf(() => short.finish()), 'manifest.size_mismatch');
});
