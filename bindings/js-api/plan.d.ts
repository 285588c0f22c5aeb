// The types of the `plan` entry point (stepstone-wasm/plan, stepstone-node/plan):
// catalogs and campaign tables.
export {
  backend, version, StepstoneError, isStepstoneError, Catalog, Campaign, validate,
} from './index.js';
