// stepstone-node: loads the napi addon and exposes the shared API of api.js over it.
import { makeApi } from './api.js';
import { native } from './native.js';

export { StepstoneError, isStepstoneError } from './api.js';
export const {
  backend, Catalog, Campaign, SamplingPlan, version, validate, position, isBelow, periodIndex,
  estimate, smallestRate, volume, Verifier, verifyStream, Rollout,
  ManifestCheck, ManifestFirst, openCompactCatalog, RetryPolicy, jitterHash, Reconciler, openCatalog, haltTrips, rampFraction,
  wilsonLowerAbove, rolloutPosition,
} = makeApi(native, 'napi');
