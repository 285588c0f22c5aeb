// A small page over two entry points of stepstone-wasm, built by esbuild and by Vite with their
// default settings (bindings/js-tests/bundlers/check.mjs).
import { Catalog, StepstoneError } from 'stepstone-wasm/plan';
import { position, isBelow, isStepstoneError } from 'stepstone-wasm/sample';
import catalog from './catalog.json';

const show = (id, text) => {
  document.getElementById(id).textContent = text;
};
const state = document.getElementById('state');
try {
  document.getElementById('bundler').textContent = document.documentElement.dataset.bundler ?? 'a bundler';
  const plan = Catalog.load(catalog).plan({ from: 'v64000', to: 'v67000', model: 'AG-1' });
  show('path', ['v64000', ...plan.path].join(' → '));
  try {
    Catalog.load('{"releases": [{"version": "v1"}, {"version": "v1"}]}');
    show('refused', 'not refused');
  } catch (e) {
    // The error class of one entry point is the other's too.
    const same = e instanceof StepstoneError && isStepstoneError(e);
    show('refused', `${e.code}${same ? '' : ' (not a StepstoneError)'}`);
  }
  const p = position('salt-1', 'AG1-000123', 0n, 'metrics');
  show('sampled', `position ${p}: ${isBelow(p, 10000) ? 'sampled' : 'not sampled'}`);
  state.dataset.state = 'ready';
  state.textContent = 'ready';
} catch (e) {
  state.dataset.state = 'error';
  state.textContent = `error: ${e.code ?? ''} ${e.message}`;
}
