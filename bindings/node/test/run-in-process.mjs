// Runs node:test files in this one Node process: `node run-in-process.mjs FILE...`.
// `node --test` starts a Node per file, which a Node run by qemu-user (scripts/test-js.sh's arm64
// suite) cannot do without binfmt; imported here, the files' tests run and report in this
// process, and a failing test makes the exit status non-zero.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node run-in-process.mjs FILE.test.js...');
  process.exit(2);
}
for (const f of files) await import(pathToFileURL(path.resolve(f)).href);
