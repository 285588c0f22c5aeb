// ECDSA P-256 verification time in the `verify` WASM module: two builds in one process (a
// baseline's wasm-bindgen output folder and this build's), each running the same signature
// checks, median of 15 runs each, and the ratio. Weighs the verifier the module carries
// (docs/js.md, "Size"): 200 signature checks over a short image (hashing is negligible), with
// an uncompressed PEM key and with a compressed SEC1 key (which adds a point decompression).
//
//   node bindings/js-tests/bench/wasm-verify.mjs BASELINE_PKG_DIR bindings/wasm/pkg
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { medianMs } from './bench-core.js';

const [base, current] = process.argv.slice(2).map((d) => path.resolve(d));
if (!base || !current) throw new Error('usage: wasm-verify.mjs BASELINE_PKG_DIR PKG_DIR');

async function load(dir) {
  const m = await import(pathToFileURL(path.join(dir, 'verify.js')).href);
  m.initSync({ module: readFileSync(path.join(dir, 'verify_bg.wasm')) });
  return m;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'stepstone-verify-'));
const image = Buffer.from('stepstone firmware image bytes');
writeFileSync(path.join(dir, 'image.bin'), image);
execSync('openssl ecparam -name prime256v1 -genkey -noout -out key.pem && openssl ec -in key.pem -pubout -out pub.pem 2>/dev/null'
  + ' && openssl ec -in key.pem -pubout -conv_form compressed -outform DER -out pub.der 2>/dev/null'
  + ' && openssl dgst -sha256 -sign key.pem -out image.sig image.bin', { cwd: dir });
const pem = new Uint8Array(readFileSync(path.join(dir, 'pub.pem')));
// The last 33 bytes of a compressed SubjectPublicKeyInfo are the SEC1 point.
const compressed = new Uint8Array(readFileSync(path.join(dir, 'pub.der')).subarray(-33));
const sig = new Uint8Array(readFileSync(path.join(dir, 'image.sig')));
rmSync(dir, { recursive: true });

const CHECKS = 200;
const checks = (m, key) => () => {
  for (let i = 0; i < CHECKS; i++) {
    const v = m.newVerifier(key);
    v.update(image);
    // The answer's fields, `\n`-separated: sha256 first, then the byte count.
    const bytes = Number(v.finish(sig).split('\n')[1]);
    if (bytes !== image.length) throw new Error(`verified ${bytes} bytes`);
  }
};

const [a, b] = [await load(base), await load(current)];
for (const [what, key] of [['PEM key', pem], ['compressed SEC1 key', compressed]]) {
  // One warm-up pass each, so that both modules are compiled before timing.
  checks(a, key)();
  checks(b, key)();
  const [ta, tb] = [medianMs(checks(a, key), 15), medianMs(checks(b, key), 15)];
  console.log(`${CHECKS} verifications, ${what}: baseline ${ta.toFixed(1)} ms (${(ta / CHECKS).toFixed(3)} ms each), `
    + `this build ${tb.toFixed(1)} ms (${(tb / CHECKS).toFixed(3)} ms each), ratio ${(tb / ta).toFixed(2)}`);
}
