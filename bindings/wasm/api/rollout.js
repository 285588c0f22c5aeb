// The API over the `rollout` module: retry, rollouts, the reconciler (over a campaign table's wire form: `Campaign.toTable()` of the `plan` entry point).
// The module's functions need its instance only when called, so this file serves both ways
// of loading it (./rollout.js, ./node/rollout.js).
import * as native from '../pkg/rollout.js';
import { makeApi } from '../api.js';

export const {
  backend, version, StepstoneError, isStepstoneError, RetryPolicy, jitterHash, Rollout, haltTrips,
  rampFraction, wilsonLowerAbove, rolloutPosition, isBelow, Reconciler,
} = makeApi(native, 'wasm');
