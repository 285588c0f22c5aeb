// The API over the `plan` module: catalogs and campaign tables.
// The module's functions need its instance only when called, so this file serves both ways
// of loading it (./plan.js, ./node/plan.js).
import * as native from '../pkg/plan.js';
import { makeApi } from '../api.js';

export const {
  backend, version, StepstoneError, isStepstoneError, Catalog, Campaign, validate,
} = makeApi(native, 'wasm');
