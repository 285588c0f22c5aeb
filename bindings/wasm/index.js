// stepstone-wasm: loads the WASM module (fetch in browsers, the file in Node) and exposes
// the shared API of api.js over it.
import init, { initSync } from './pkg/stepstone_wasm.js';
import * as native from './pkg/stepstone_wasm.js';
import { makeApi } from './api.js';

const url = new URL('./pkg/stepstone_wasm_bg.wasm', import.meta.url);
if (url.protocol === 'file:') {
  const { readFile } = await import('node:fs/promises');
  initSync({ module: await readFile(url) });
} else {
  await init({ module_or_path: url });
}

export { StepstoneError } from './api.js';
export const {
  backend, Catalog, Campaign, SamplingPlan, version, validate, position, isBelow, periodIndex,
  estimate, smallestRate, volume, Verifier, verifyStream, Rollout,
  ManifestCheck, ManifestFirst, openCompactCatalog, RetryPolicy, jitterHash, Reconciler, openCatalog, haltTrips, rampFraction,
  wilsonLowerAbove, rolloutPosition,
} = makeApi(native, 'wasm');
