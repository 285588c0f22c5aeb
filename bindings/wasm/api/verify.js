// The API over the `verify` module: verification, manifests and signed catalogs.
// The module's functions need its instance only when called, so this file serves both ways
// of loading it (./verify.js, ./node/verify.js).
import * as native from '../pkg/verify.js';
import { makeApi } from '../api.js';

export const {
  backend, version, StepstoneError, isStepstoneError, Verifier, verifyStream, ManifestCheck,
  ManifestFirst, openCompactCatalog, openCatalog,
} = makeApi(native, 'wasm');
