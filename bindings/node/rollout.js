// stepstone-node/rollout: the same names as stepstone-wasm/rollout, from the one addon.
export {
  backend, version, StepstoneError, isStepstoneError, RetryPolicy, jitterHash, Rollout, haltTrips,
  rampFraction, wilsonLowerAbove, rolloutPosition, isBelow, Reconciler,
} from './index.js';
