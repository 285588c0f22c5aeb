// The API over the `sample` module: sampling and the fleet arithmetic.
// The module's functions need its instance only when called, so this file serves both ways
// of loading it (./sample.js, ./node/sample.js).
import * as native from '../pkg/sample.js';
import { makeApi } from '../api.js';

export const {
  backend, version, StepstoneError, isStepstoneError, SamplingPlan, position, isBelow, periodIndex,
  estimate, smallestRate, volume,
} = makeApi(native, 'wasm');
