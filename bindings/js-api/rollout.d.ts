// The types of the `rollout` entry point (stepstone-wasm/rollout, stepstone-node/rollout):
// retry, rollouts, the reconciler (over a campaign table's wire form: `Campaign.toTable()` of the `plan` entry point).
export {
  backend, version, StepstoneError, isStepstoneError, RetryPolicy, jitterHash, Rollout, haltTrips,
  rampFraction, wilsonLowerAbove, rolloutPosition, isBelow, Reconciler,
} from './index.js';
export type {
  CampaignTableWire,
} from './index.js';
