// Small helpers shared by the console's panels: element lookup, HTML escaping, error boxes.
import { StepstoneError } from './stepstone/index.js';

export const $ = (id) => document.getElementById(id);

/** Text made safe for innerHTML. */
export const esc = (x) => String(x).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

export const fmtBytes = (n) => (n === null || n === undefined ? 'unknown' : `${n.toLocaleString('en')} B (${(n / 1048576).toFixed(2)} MiB)`);

/** Shows an error in `el`: a StepstoneError with its code, anything else with its message. */
export function showError(el, e, extra = '') {
  if (e instanceof StepstoneError) {
    el.innerHTML = `<div class="error" role="alert"><code>${esc(e.code)}</code> ${esc(e.message)}${extra}</div>`;
  } else {
    el.innerHTML = `<div class="error" role="alert">${esc(e && e.message ? e.message : e)}</div>`;
  }
}

/** Replaces a select's options (`selected`: the one chosen). */
export function options(select, values, selected) {
  select.innerHTML = values.map((v) => `<option${v === selected ? ' selected' : ''}>${esc(v)}</option>`).join('');
}

/** The bytes of the first file chosen in an <input type=file>, or null. */
export async function fileBytes(input) {
  const f = input.files[0];
  return f ? new Uint8Array(await f.arrayBuffer()) : null;
}
