// stepstone-node/plan: the same names as stepstone-wasm/plan, from the one addon.
export {
  backend, version, StepstoneError, isStepstoneError, Catalog, Campaign, validate,
} from './index.js';
