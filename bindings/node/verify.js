// stepstone-node/verify: the same names as stepstone-wasm/verify, from the one addon.
export {
  backend, version, StepstoneError, isStepstoneError, Verifier, verifyStream, ManifestCheck,
  ManifestFirst, openCompactCatalog, openCatalog,
} from './index.js';
