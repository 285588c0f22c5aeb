// SHA-256 time in the WASM modules: two builds of the `verify` and `sample` modules in one
// process (a baseline's wasm-bindgen output folder and this build's), median of 15 runs each,
// and the ratio. Weighs the WASM's SHA-256 backend (docs/js.md, "Size"): streamed verification
// of an 8 MiB image in 64 KiB chunks, and 10,000 sampling positions.
//
//   node bindings/js-tests/bench/wasm-hash.mjs BASELINE_PKG_DIR bindings/wasm/pkg
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { medianMs } from './bench-core.js';

const [base, current] = process.argv.slice(2).map((d) => path.resolve(d));
if (!base || !current) throw new Error('usage: wasm-hash.mjs BASELINE_PKG_DIR PKG_DIR');

async function load(dir, name) {
  const m = await import(pathToFileURL(path.join(dir, `${name}.js`)).href);
  m.initSync({ module: readFileSync(path.join(dir, `${name}_bg.wasm`)) });
  return m;
}

const median = (f) => medianMs(f, 15);

const dir = mkdtempSync(path.join(os.tmpdir(), 'stepstone-hash-'));
const image = Buffer.alloc(8 << 20, 0xa5);
writeFileSync(path.join(dir, 'image.bin'), image);
execSync('openssl ecparam -name prime256v1 -genkey -noout -out key.pem && openssl ec -in key.pem -pubout -out pub.pem 2>/dev/null'
  + ' && openssl dgst -sha256 -sign key.pem -out image.sig image.bin', { cwd: dir });
const key = new Uint8Array(readFileSync(path.join(dir, 'pub.pem')));
const sig = new Uint8Array(readFileSync(path.join(dir, 'image.sig')));
rmSync(dir, { recursive: true });

// The byte count of a raw `finish()` answer: newline-separated fields `sha256, bytes,
// signature_format, key_format, key_id` (the glue's `Fields`, as api.js's VERIFIED_FIELDS reads
// them); a baseline built before that answered JSON (`{"bytes": ...}`), which is read too.
function verifiedBytes(text) {
  if (text.startsWith('{')) return JSON.parse(text).bytes;
  const fields = text.split('\n');
  if (fields.length !== 5) throw new Error(`finish() gave ${fields.length} fields: ${JSON.stringify(text)}`);
  return Number(fields[1]);
}

const verify = (m) => () => {
  const v = m.newVerifier(key);
  for (let at = 0; at < image.length; at += 1 << 16) v.update(image.subarray(at, at + (1 << 16)));
  const bytes = verifiedBytes(v.finish(sig));
  if (bytes !== image.length) throw new Error(`verified ${bytes} bytes`);
};
const ids = Array.from({ length: 10000 }, (_, i) => new TextEncoder().encode(`AG1-${String(i).padStart(6, '0')}`));
const salt = new TextEncoder().encode('acme-2026');
const positions = (m) => () => {
  for (const id of ids) m.position(salt, id, '20415', 'metrics');
};

const rows = [
  ['verify', 'verify an 8 MiB image (64 KiB chunks)', verify],
  ['sample', 'position() x 10,000', positions],
];
for (const [name, what, job] of rows) {
  const [a, b] = [await load(base, name), await load(current, name)];
  const [ta, tb] = [median(job(a)), median(job(b))];
  console.log(`${what}: baseline ${ta.toFixed(2)} ms, this build ${tb.toFixed(2)} ms, ratio ${(tb / ta).toFixed(2)}`);
}
