// Picks the backend by STEPSTONE_BACKEND (wasm | napi) and imports the package installed in
// the consumer project (the current directory), never the source folders. `importBackend`
// gives either package, for tests that compare the two.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const require = createRequire(path.join(process.cwd(), 'package.json'));

/** The per-area entry points (`stepstone-wasm/plan`, ...; the same names in stepstone-node). */
export const AREAS = ['plan', 'sample', 'verify', 'rollout'];

/** The installed package of a backend (`wasm` or `napi`). */
export async function importBackend(which) {
  return importEntry(which, null);
}

/** An entry point of a backend's installed package: `area` null for the whole package. */
export async function importEntry(which, area) {
  const name = { wasm: 'stepstone-wasm', napi: 'stepstone-node' }[which];
  if (!name) throw new Error(`STEPSTONE_BACKEND must be wasm or napi, not ${which}`);
  const entry = require.resolve(area ? `${name}/${area}` : name);
  if (!entry.includes(`${path.sep}node_modules${path.sep}`)) {
    throw new Error(`${name} resolved to ${entry}, not an installed package`);
  }
  return import(pathToFileURL(entry).href);
}

export const backendName = process.env.STEPSTONE_BACKEND ?? 'wasm';
export const s = await importBackend(backendName);
export const root = process.env.STEPSTONE_ROOT ?? path.resolve(import.meta.dirname, '../../..');
export const readJson = (rel) => JSON.parse(readFileSync(path.join(root, rel), 'utf8'));
export const readText = (rel) => readFileSync(path.join(root, rel), 'utf8');
export const hex = (h) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));

// Classes users construct themselves (the others have no public constructor).
const CONSTRUCTED = ['Verifier', 'ManifestCheck', 'ManifestFirst', 'Reconciler'];

/** Every function, static method (`Class.name`), method or getter (`Class#name`) and public
 * constructor (`new Class`) a package exports, sorted: what the argument tests must cover. */
export function apiMembers(api) {
  const out = [];
  for (const [k, v] of Object.entries(api)) {
    if (typeof v !== 'function' || k === 'StepstoneError' || k === 'isStepstoneError') continue;
    if (!/^class\b/.test(Function.prototype.toString.call(v))) {
      out.push(k);
      continue;
    }
    if (CONSTRUCTED.includes(k)) out.push(`new ${k}`);
    for (const m of Object.getOwnPropertyNames(v)) if (!['length', 'name', 'prototype'].includes(m)) out.push(`${k}.${m}`);
    // Methods a class inherits (ManifestCheck's from the base it shares with ManifestFirst) too.
    const own = new Set();
    for (let p = v.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      for (const m of Object.getOwnPropertyNames(p)) if (m !== 'constructor') own.add(m);
    }
    for (const m of own) out.push(`${k}#${m}`);
  }
  return out.sort();
}
