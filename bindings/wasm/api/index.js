// The API over the `stepstone_wasm` module: the whole API.
// The module's functions need its instance only when called, so this file serves both ways
// of loading it (./index.js, ./node/index.js).
import * as native from '../pkg/stepstone_wasm.js';
import { makeApi } from '../api.js';

export const {
  backend, version, StepstoneError, isStepstoneError, Catalog, Campaign, validate, SamplingPlan,
  position, isBelow, periodIndex, estimate, smallestRate, volume, Verifier, verifyStream,
  ManifestCheck, ManifestFirst, openCompactCatalog, openCatalog, RetryPolicy, jitterHash, Rollout,
  haltTrips, rampFraction, wilsonLowerAbove, rolloutPosition, Reconciler,
} = makeApi(native, 'wasm');
