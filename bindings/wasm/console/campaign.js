// The campaign panel: a device list (CSV, as `stepstone next-hop` reads it) answered with the
// core's campaign tables, one per (model, environment) the list names; each device's next hop
// and the number of devices per next hop. The CSV is read by Papa Parse (vendored).
/* global Papa */
import { esc } from './util.js';

const COLUMNS = ['device_id', 'version', 'model', 'environment'];
/** Rows listed on the page (every row is counted). */
export const SHOWN_ROWS = 200;

/** A refusal of the whole list, with the code `stepstone next-hop` gives for it. */
export class ListError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * The rows of a device list: CSV with a header naming columns from device_id, version, model,
 * environment (any order, any letter case; device_id and version required). Blank lines are
 * skipped; spaces around a field are trimmed; a UTF-8 byte order mark is ignored.
 * Each row: {line, device_id, version, model, environment} or {line, error: code, message}.
 */
export function readDeviceList(text) {
  const parsed = Papa.parse(text.replace(/^\uFEFF/, ''), { delimiter: ',', skipEmptyLines: 'greedy' });
  const [header, ...records] = parsed.data;
  if (!header) throw new ListError('csv.header_incomplete', 'the device list is empty: it needs a header row naming device_id and version');
  const names = header.map((h) => h.trim().toLowerCase());
  const unknown = names.find((n) => !COLUMNS.includes(n));
  if (unknown !== undefined) {
    throw new ListError('csv.header_unknown', `the header names a column ${JSON.stringify(unknown)}: columns are ${COLUMNS.join(', ')}`);
  }
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new ListError('csv.header_duplicate', `the header names the column ${JSON.stringify(twice)} twice`);
  for (const need of ['device_id', 'version']) {
    if (!names.includes(need)) throw new ListError('csv.header_incomplete', `the header has no ${need} column (it has ${names.join(', ')})`);
  }
  // Rows are judged by their number of fields (an unclosed quote runs to the end of the list:
  // that row has too few).
  return records.map((fields, i) => {
    const line = i + 2;
    if (fields.length < names.length) return { line, error: 'csv.missing_columns', message: `${fields.length} fields, the header has ${names.length}` };
    if (fields.length > names.length) return { line, error: 'csv.extra_columns', message: `${fields.length} fields, the header has ${names.length}` };
    const row = { line };
    names.forEach((n, j) => { row[n] = fields[j].trim(); });
    if (!row.device_id) return { line, error: 'csv.empty_device_id', message: 'empty device_id' };
    return row;
  });
}

/**
 * Each row's next hop toward `target` from the core's campaign tables (`catalog.campaign`),
 * one table per (model, environment); a row without a model or environment takes
 * `device`'s. Returns {rows: [{...row, hop} | {...row, error, message}], counts: Map}.
 * `counts` keys: a version (the next hop), '' (at the target), 'error:<code>'.
 */
export function nextHops(catalog, target, device, rows) {
  const tables = new Map();
  const table = (model, environment) => {
    const k = `${model ?? ''}\u0000${environment ?? ''}`;
    if (!tables.has(k)) {
      try {
        tables.set(k, { t: catalog.campaign(target, { model, environment, cost: device.cost }) });
      } catch (e) {
        tables.set(k, { e });
      }
    }
    return tables.get(k);
  };
  const counts = new Map();
  const count = (k) => counts.set(k, (counts.get(k) ?? 0) + 1);
  const out = rows.map((row) => {
    if (row.error) {
      count(`error:${row.error}`);
      return row;
    }
    const { t, e } = table(row.model || device.model, row.environment || device.environment);
    try {
      if (e) throw e;
      const hop = t.nextHop(row.version);
      count(hop ?? '');
      return { ...row, hop };
    } catch (err) {
      count(`error:${err.code ?? 'error'}`);
      return { ...row, error: err.code ?? 'error', message: err.message };
    }
  });
  return { rows: out, counts };
}

/** The counts and the first rows as HTML. */
export function campaignHtml(target, { rows, counts }) {
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const label = (k) => (k === '' ? `at ${esc(target)}` : k.startsWith('error:') ? `<code class="bad">${esc(k)}</code>` : `install <b>${esc(k)}</b>`);
  const countRows = sorted.map(([k, n]) => `<tr data-hop="${esc(k)}"><td>${label(k)}</td><td class="n">${n.toLocaleString('en')}</td></tr>`).join('');
  const shown = rows.slice(0, SHOWN_ROWS).map((r) => `<tr><td>${r.line}</td><td>${esc(r.device_id ?? '')}</td><td>${esc(r.version ?? '')}</td>` +
    `<td>${esc(r.model ?? '')}</td><td>${esc(r.environment ?? '')}</td>` +
    `<td>${r.error ? `<code class="bad">error:${esc(r.error)}</code> ${esc(r.message)}` : r.hop === null ? `(at ${esc(target)})` : esc(r.hop)}</td></tr>`).join('');
  const more = rows.length > SHOWN_ROWS ? `<p>first ${SHOWN_ROWS} of ${rows.length.toLocaleString('en')} devices shown; every device is counted above.</p>` : '';
  return `<div class="ok" id="campaign-summary">${rows.length.toLocaleString('en')} devices toward <b>${esc(target)}</b></div>` +
    `<div class="cols"><table class="hops" id="campaign-counts"><tr><th>next hop</th><th>devices</th></tr>${countRows}</table>` +
    `<div><table class="hops" id="campaign-rows"><tr><th>line</th><th>device_id</th><th>version</th><th>model</th><th>environment</th><th>next hop</th></tr>${shown}</table>${more}</div></div>`;
}
