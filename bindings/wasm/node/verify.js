// stepstone-wasm/verify for Node (export condition `node`): reads the `.wasm` from the
// package and instantiates it synchronously: importing it needs no top-level await.
import { readFileSync } from 'node:fs';
import { initSync } from '../pkg/verify.js';

initSync({ module: readFileSync(new URL('../pkg/verify_bg.wasm', import.meta.url)) });

export * from '../api/verify.js';
