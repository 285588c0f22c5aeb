// stepstone-node/sample: the same names as stepstone-wasm/sample, from the one addon.
export {
  backend, version, StepstoneError, isStepstoneError, SamplingPlan, position, isBelow, periodIndex,
  estimate, smallestRate, volume,
} from './index.js';
