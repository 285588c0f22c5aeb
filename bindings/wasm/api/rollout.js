// The API over the `rollout` module: retry, rollouts, the reconciler (and the catalogs it runs on).
// The module's functions need its instance only when called, so this file serves both ways
// of loading it (./rollout.js, ./node/rollout.js).
import * as native from '../pkg/rollout.js';
import { makeApi } from '../api.js';

export const {
  backend, version, StepstoneError, isStepstoneError, RetryPolicy, jitterHash, Rollout, haltTrips,
  rampFraction, wilsonLowerAbove, rolloutPosition, isBelow, Reconciler, Catalog, Campaign, validate,
} = makeApi(native, 'wasm');
