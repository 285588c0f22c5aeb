// The admin console: a static page over the stepstone-wasm package. Every answer comes from
// the WASM core (plans, explanations, the reduced graph, campaign tables, rollout stages, halt
// rules, signed catalogs, verification, sampling); this file reads inputs, calls the API and
// draws. The graph is laid out in a Web Worker (graph-view.js, layout-worker.js).
import * as s from './stepstone/index.js';
import { $, esc, fmtBytes, showError, options, fileBytes } from './util.js';
import { GraphView } from './graph-view.js';
import { ListError, readDeviceList, nextHops, campaignHtml } from './campaign.js';
import { EXAMPLE_ROLLOUT, deviceIds, assign, stagesOf, stagesHtml, devicesHtml, haltHtml } from './rollout.js';
import { openedHtml } from './signed.js';

const ANY = '(any)';
const graph = new GraphView($('graph'));
let catalog = null;
let loadedAt = 0; // performance.now() when the current catalog's load began
let shown = { from: null, path: null }; // the path on screen

// ---- Catalog

/** Everything that depends on a loaded catalog, emptied and disabled. */
function clearCatalog() {
  catalog = null;
  shown = { from: null, path: null };
  for (const id of ['model', 'environment', 'from', 'to', 'campaign-target']) {
    $(id).innerHTML = '';
    $(id).disabled = true;
  }
  $('plan').disabled = true;
  $('campaign-go').disabled = true;
  graph.clear();
  for (const id of ['plan-result', 'explain-result', 'campaign-result', 'graph-note']) $(id).innerHTML = '';
}

function loadCatalog(source) {
  loadedAt = performance.now();
  const out = $('catalog-result');
  clearCatalog();
  let loaded;
  try {
    loaded = s.Catalog.load(source);
  } catch (e) {
    const all = e.errors ?? [];
    if (all.length > 1) {
      // The error's message joins every problem: listed one a line instead.
      out.innerHTML = `<div class="error" role="alert">${all.length} problems:<ul>` +
        `${all.map((p) => `<li><code>${esc(p.code)}</code> ${esc(p.message)}</li>`).join('')}</ul></div>`;
    } else {
      showError(out, e);
    }
    return;
  }
  catalog = loaded;
  const rel = catalog.toJSON().releases;
  out.innerHTML = `<div class="ok" id="catalog-summary">${rel.length.toLocaleString('en')} release${rel.length === 1 ? '' : 's'}, ` +
    `${esc(catalog.scheme)} versions, loaded in ${(performance.now() - loadedAt).toFixed(0)} ms<span id="lint"></span></div>`;
  // Lint warnings once the path is on screen: they are advice, not part of the answer.
  setTimeout(() => showLint(loaded), 0);
  if (rel.length === 0) {
    // Valid, but there is nothing to plan toward: the controls stay empty and disabled.
    $('plan-result').innerHTML = '<div class="error" role="alert">the catalog lists no release: nothing to plan</div>';
    return;
  }
  const uniq = (k) => [...new Set(rel.flatMap((r) => r[k] ?? []))].sort();
  const models = uniq('models');
  const envs = uniq('environments');
  options($('model'), [ANY, ...models], models[0] ?? ANY);
  options($('environment'), [ANY, ...envs], envs.includes('production') ? 'production' : ANY);
  const versions = rel.map((r) => r.version);
  options($('from'), versions, versions[0]);
  options($('to'), versions, versions[versions.length - 1]);
  for (const id of ['model', 'environment', 'from', 'to', 'plan']) $(id).disabled = false;
  // The graph first: the worker lays it out while this thread plans and explains. The
  // campaign's target in the next task.
  showGraph();
  showPlan();
  setTimeout(() => {
    if (catalog !== loaded) return;
    options($('campaign-target'), versions, versions[versions.length - 1]);
    $('campaign-target').disabled = false;
    $('campaign-go').disabled = false;
  }, 0);
}

function showLint(c) {
  if (c !== catalog) return; // another catalog since
  const warnings = c.lint();
  $('lint').innerHTML = warnings.length
    ? `; lint: ${warnings.slice(0, 5).map((w) => `<code>${esc(w.code)}</code> ${esc(w.message)}`).join('; ')}${warnings.length > 5 ? `; … ${warnings.length - 5} more` : ''}`
    : '; lint: no warning';
}

function device() {
  const pick = (id) => ($(id).value === ANY || $(id).value === '' ? undefined : $(id).value);
  return { model: pick('model'), environment: pick('environment') };
}

// ---- Graph and plan

function showGraph() {
  if (!catalog) return;
  let g;
  try {
    // The transitive reduction (core): about one edge per release instead of n²/2. Refused when
    // the device is not one the catalog can place (plan.model_required, plan.unknown_model).
    g = catalog.graph({ ...device(), reduced: true });
  } catch (e) {
    graph.clear();
    showError($('graph'), e);
    $('graph-note').textContent = '';
    return;
  }
  $('graph-note').textContent = '';
  graph.show(g);
  graph.highlight(shown.from, shown.path);
}

graph.onDrawn = (ms, nodes, edges, how) => {
  $('graph-note').textContent = `${nodes.toLocaleString('en')} releases, ${edges.toLocaleString('en')} edges (the transitive reduction of the installs), ` +
    `laid out in ${ms.toFixed(0)} ms in a worker (${how === 'dagre' ? 'dagre' : 'one column per step'})`;
  if (loadedAt) {
    $('status').dataset.firstPathMs = String(Math.round(performance.now() - loadedAt));
    loadedAt = 0;
  }
};

const VERDICT = {
  install: 'installed', yanked: 'skipped: yanked', wrong_model: 'skipped: not for this model',
  wrong_environment: 'skipped: not for this environment', dead_end: 'skipped: dead end',
  unreachable: 'skipped: unreachable', no_route: 'skipped: no route on', cheaper_path: 'skipped: a cheaper path',
};

// Rows are blocks; past 200 the browser lays them out only when scrolled into view
// (content-visibility), so a thousand releases cost what a screenful does.
function explanationHtml(x) {
  const rows = x.releases.map((r) => `<div class="xrow v-${esc(r.verdict)}" data-version="${esc(r.version)}"><span>${esc(r.version)}</span>` +
    `<span>${r.verdict === 'install' ? `<b>hop ${r.hop}</b>` : esc(VERDICT[r.verdict] ?? r.verdict)}</span><span>${esc(r.reason)}</span></div>`).join('');
  return `<div id="explain-table"${x.releases.length > 200 ? ' class="many"' : ''}><div class="xrow head"><span>release</span><span>verdict</span><span>why</span></div>${rows}</div>`;
}

function showPlan() {
  const out = $('plan-result');
  const why = $('explain-result');
  if (!catalog) {
    why.innerHTML = '';
    return showError(out, new Error('load a catalog first'));
  }
  const q = { from: $('from').value, to: $('to').value, cost: $('cost').value, ...device() };
  let x;
  try {
    // One call: the plan (or the refusal) and every release's verdict between current and target.
    x = catalog.explain(q);
  } catch (e) {
    showError(out, e);
    why.innerHTML = '';
    highlight(null, null);
    return;
  }
  // No releases: already there, a downgrade, or a refusal before any release is judged.
  why.innerHTML = x.releases.length ? explanationHtml(x) : '';
  if (x.outcome.error) {
    const err = new s.StepstoneError(x.outcome.error.code, x.outcome.error.message);
    showError(out, err);
    highlight(null, null);
    return;
  }
  const p = x.outcome.plan;
  const rows = p.steps.map((st, i) => `<tr><td>${i + 1}</td><td>${esc(st.version)}</td><td>${fmtBytes(st.bytes)}</td><td>${st.delta_from ? `delta from ${esc(st.delta_from)}` : 'full image'}</td></tr>`).join('');
  out.innerHTML = p.hops === 0
    ? `<div class="ok" id="path-summary">already at ${esc(q.to)}</div>`
    : `<div class="ok" id="path-summary"><b>${esc([q.from, ...p.path].join(' → '))}</b>: ${p.hops} hops, ${fmtBytes(p.bytes)}</div>` +
      `<table class="hops"><tr><th>#</th><th>install</th><th>download</th><th></th></tr>${rows}</table>`;
  highlight(q.from, p.path);
}

function highlight(from, path) {
  shown = { from, path };
  graph.highlight(from, path);
}

// ---- Campaign

function showCampaign() {
  const out = $('campaign-result');
  if (!catalog) return showError(out, new Error('load a catalog first'));
  let rows;
  try {
    rows = readDeviceList($('campaign-csv').value);
  } catch (e) {
    if (e instanceof ListError) {
      out.innerHTML = `<div class="error" role="alert"><code>${esc(e.code)}</code> ${esc(e.message)}</div>`;
      return;
    }
    throw e;
  }
  const target = $('campaign-target').value;
  out.innerHTML = campaignHtml(target, nextHops(catalog, target, { ...device(), cost: $('cost').value }, rows));
}

// ---- Rollout

function clearRollout() {
  $('halt-stage').innerHTML = '';
  $('halt-stage').disabled = true;
  $('halt-go').disabled = true;
  $('halt-result').innerHTML = '';
}

let rollout = null;

function showRollout() {
  const out = $('rollout-result');
  rollout = null;
  clearRollout();
  let r;
  let devices;
  try {
    r = s.Rollout.fromJson($('rollout-spec').value);
    devices = assign(r, deviceIds($('rollout-devices').value));
  } catch (e) {
    return showError(out, e);
  }
  rollout = r;
  const spec = r.toJSON();
  out.innerHTML = stagesHtml(spec, devices) + devicesHtml(devices);
  options($('halt-stage'), stagesOf(spec).map((_, i) => String(i)), '0');
  $('halt-stage').disabled = false;
  $('halt-go').disabled = false;
}

/** A count typed in a box: a whole number as the API takes it (anything else it refuses, naming it). */
const countOf = (id) => {
  const t = $(id).value.trim();
  return /^[0-9]+$/.test(t) ? Number(t) : t;
};

function showHalt() {
  const out = $('halt-result');
  if (!rollout) return showError(out, new Error('assign stages first'));
  const stage = Number($('halt-stage').value);
  const stats = { finished: countOf('halt-finished'), failed: countOf('halt-failed') };
  try {
    out.innerHTML = haltHtml(stage, stats, rollout.trips(stage, stats));
  } catch (e) {
    showError(out, e);
  }
}

// ---- Signed catalog

async function openSigned() {
  const out = $('signed-result');
  out.innerHTML = '';
  const [envelope, key] = [await fileBytes($('signed-envelope')), await fileBytes($('signed-key'))];
  if (!envelope || !key) return showError(out, new Error('choose the envelope and the catalog public key'));
  const last = $('signed-last').value.trim();
  const now = $('signed-now').value.trim();
  try {
    const o = s.openCompactCatalog(envelope, key, { now: /^[0-9]+$/.test(now) ? now : Number(now), last: last === '' ? null : last });
    out.innerHTML = openedHtml(o);
  } catch (e) {
    showError(out, e);
  }
}

// ---- Verification and sampling

// The image is read chunk by chunk through the File API's stream: never all in memory.
async function verifyImage() {
  const out = $('verify-result');
  const [image, sig, key] = ['image-file', 'sig-file', 'key-file'].map((id) => $(id).files[0]);
  if (!image || !sig || !key) return showError(out, new Error('choose an image, its signature and the public key'));
  try {
    const v = new s.Verifier(new Uint8Array(await key.arrayBuffer()));
    const reader = image.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      v.update(value);
    }
    const r = v.finish(new Uint8Array(await sig.arrayBuffer()));
    out.innerHTML = `<div class="ok" id="verdict"><b>valid signature</b>: ${esc(image.name)}, ${r.bytes.toLocaleString('en')} bytes, ` +
      `sha256 <code>${esc(r.sha256)}</code>, ${esc(r.signature_format)} signature, key ${esc(r.key_id.slice(0, 16))}… (${esc(r.key_format)})</div>`;
  } catch (e) {
    showError(out, e);
  }
}

function showSample() {
  const out = $('sample-result');
  try {
    const plan = s.SamplingPlan.fromJson($('sample-plan').value);
    const period = plan.periodAt($('unix-time').value.trim());
    const id = $('device-id').value;
    const classes = Object.keys(JSON.parse($('sample-plan').value).classes ?? {});
    out.innerHTML = `<div class="ok">period ${period}: ` + classes.map((c) =>
      `${esc(c)} (${(plan.rate(c) / 10000).toFixed(4).replace(/\.?0+$/, '')}%): <b>${plan.isSampled(id, c, period) ? 'sampled' : 'not sampled'}</b>`).join(', ') + '</div>';
  } catch (e) {
    showError(out, e);
  }
}

function showFleet() {
  const out = $('fleet-result');
  const num = (id) => Number($(id).value);
  try {
    const a = { fleet: num('fleet'), ratePpm: num('rate'), bugHours: num('bug-hours'), windowHours: num('window') };
    const e = s.estimate(a);
    // smallestRate takes no rate (it finds one): passing ratePpm is js.bad_argument.
    const r = s.smallestRate({ fleet: a.fleet, bugHours: a.bugHours, windowHours: a.windowHours, probability: 0.99 });
    out.innerHTML = `<div class="ok">${e.sampled_devices.toLocaleString('en')} devices sampled; ` +
      `${e.per_day.toPrecision(3)} occurrences a day; P(at least one in ${e.window_hours} h) = ${(100 * e.p_at_least_one).toPrecision(3)}%.<br>` +
      `Smallest rate seeing it within the window with 99%: ${r === null ? 'not even the whole fleet' : `${r} ppm (${(r / 10000).toPrecision(3)}%)`}</div>`;
  } catch (e) {
    showError(out, e);
  }
}

// ---- Wiring

async function loadExample() {
  const r = await fetch('example-catalog.json');
  const text = await r.text();
  $('catalog-text').value = text;
  loadCatalog(text);
}

$('load-example').onclick = loadExample;
$('load-text').onclick = () => loadCatalog($('catalog-text').value);
$('catalog-file').onchange = async (ev) => {
  const f = ev.target.files[0];
  if (!f) return;
  const bytes = new Uint8Array(await f.arrayBuffer());
  // The text box shows what was opened (a large file: only its size).
  $('catalog-text').value = bytes.length <= 200_000 ? new TextDecoder().decode(bytes) : `(${f.name}: ${bytes.length.toLocaleString('en')} bytes, not shown)`;
  loadCatalog(bytes);
};
for (const id of ['model', 'environment']) {
  $(id).onchange = () => {
    showGraph();
    showPlan();
  };
}
for (const id of ['from', 'to', 'cost']) $(id).onchange = () => catalog && showPlan();
$('plan').onclick = showPlan;
$('campaign-go').onclick = showCampaign;
$('campaign-file').onchange = async (ev) => {
  const f = ev.target.files[0];
  if (!f) return;
  $('campaign-csv').value = await f.text();
  showCampaign();
};
$('rollout-go').onclick = showRollout;
for (const id of ['rollout-spec', 'rollout-devices']) $(id).oninput = () => { rollout = null; clearRollout(); $('rollout-result').innerHTML = ''; };
$('halt-go').onclick = showHalt;
$('signed-go').onclick = openSigned;
$('verify').onclick = verifyImage;
$('sample').onclick = showSample;
$('fleet-go').onclick = showFleet;

const now = String(Math.floor(Date.now() / 1000));
$('sample-plan').value = JSON.stringify({ salt: 'acme-2026', period_seconds: 86400, classes: { uptime: 1000000, metrics: 50000, coredumps: 1000 } }, null, 2);
$('unix-time').value = now;
$('signed-now').value = now;
$('rollout-spec').value = JSON.stringify(EXAMPLE_ROLLOUT, null, 2);
$('rollout-devices').value = Array.from({ length: 40 }, (_, i) => `AG1-${String(i + 1).padStart(6, '0')}`).join('\n');
graph.prepare();
// The WASM module compiles each function when it is first called: run a tiny catalog through
// what loading one calls, before a real one arrives.
setTimeout(() => {
  const c = s.Catalog.load({ releases: [{ version: 'v1' }, { version: 'v2' }, { version: 'v3', min_sw_version: 'v2' }] });
  c.toJSON();
  c.lint();
  c.graph({ reduced: true });
  c.explain({ from: 'v1', to: 'v3' });
}, 0);
$('status').textContent = `stepstone ${s.version()} (${s.backend})`;
document.body.dataset.ready = 'true';
