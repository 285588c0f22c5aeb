// The types of the `verify` entry point (stepstone-wasm/verify, stepstone-node/verify):
// verification, manifests and signed catalogs.
export {
  backend, version, StepstoneError, isStepstoneError, Verifier, verifyStream, ManifestCheck,
  ManifestFirst, openCompactCatalog, openCatalog,
} from './index.js';
