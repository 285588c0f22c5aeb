// The types of the `rollout` entry point (stepstone-wasm/rollout, stepstone-node/rollout):
// retry, rollouts, the reconciler (and the catalogs it runs on).
export {
  backend, version, StepstoneError, isStepstoneError, RetryPolicy, jitterHash, Rollout, haltTrips,
  rampFraction, wilsonLowerAbove, rolloutPosition, isBelow, Reconciler, Catalog, Campaign, validate,
} from './index.js';
