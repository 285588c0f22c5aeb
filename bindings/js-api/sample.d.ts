// The types of the `sample` entry point (stepstone-wasm/sample, stepstone-node/sample):
// sampling and the fleet arithmetic.
export {
  backend, version, StepstoneError, isStepstoneError, SamplingPlan, position, isBelow, periodIndex,
  estimate, smallestRate, volume,
} from './index.js';
