// The admin console: static page over the stepstone-wasm package. Every answer comes from
// the WASM core; this file only reads inputs, calls the API and draws.
import * as s from './stepstone/index.js';

const $ = (id) => document.getElementById(id);
const esc = (x) => String(x).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const fmtBytes = (n) => (n === null || n === undefined ? 'unknown' : `${n.toLocaleString('en')} B (${(n / 1048576).toFixed(2)} MiB)`);
const SVG = 'http://www.w3.org/2000/svg';

function showError(el, e, extra = '') {
  if (e instanceof s.StepstoneError) {
    el.innerHTML = `<div class="error" role="alert"><code>${esc(e.code)}</code> ${esc(e.message)}${extra}</div>`;
  } else {
    el.innerHTML = `<div class="error" role="alert">${esc(e && e.message ? e.message : e)}</div>`;
  }
}

let catalog = null;
let catalogJson = null;

function options(select, values, selected) {
  select.innerHTML = values.map((v) => `<option${v === selected ? ' selected' : ''}>${esc(v)}</option>`).join('');
}

function loadCatalog(text) {
  const out = $('catalog-result');
  $('catalog-text').value = text;
  try {
    catalog = s.Catalog.load(text);
  } catch (e) {
    catalog = null;
    const all = s.validate(text);
    const list = all.length > 1 ? `<ul>${all.map((p) => `<li><code>${esc(p.code)}</code> ${esc(p.message)}</li>`).join('')}</ul>` : '';
    showError(out, e, list);
    $('graph').innerHTML = '';
    $('plan-result').innerHTML = '';
    return;
  }
  catalogJson = catalog.toJSON();
  const rel = catalogJson.releases;
  const warnings = catalog.lint();
  out.innerHTML = `<div class="ok">${rel.length} releases, ${esc(catalog.scheme)} versions` +
    (warnings.length ? `; lint: ${warnings.map((w) => `<code>${esc(w.code)}</code> ${esc(w.message)}`).join('; ')}` : '') + '</div>';
  const uniq = (k) => [...new Set(rel.flatMap((r) => r[k] ?? []))].sort();
  options($('model'), ['(any)', ...uniq('models')], '(any)');
  options($('environment'), ['(any)', ...uniq('environments')], '(any)');
  const versions = rel.map((r) => r.version);
  options($('from'), versions, versions[0]);
  options($('to'), versions, versions[versions.length - 1]);
  if (uniq('models').length) $('model').value = uniq('models')[0];
  if (uniq('environments').includes('production')) $('environment').value = 'production';
  drawGraph(null);
}

function device() {
  const pick = (id) => ($(id).value === '(any)' ? undefined : $(id).value);
  return { model: pick('model'), environment: pick('environment') };
}

function drawGraph(path) {
  if (!catalog) return;
  let g;
  try {
    // Refused when the device is not one the catalog can place (no model where the releases
    // differ by model: plan.model_required; a model no release names: plan.unknown_model).
    g = catalog.graph(device());
  } catch (e) {
    showError($('graph'), e);
    return;
  }
  const on = new Set(path ?? []);
  const from = $('from').value;
  const pathEdges = new Set();
  if (path) {
    let prev = from;
    for (const v of path) {
      pathEdges.add(`${prev}\u0000${v}`);
      prev = v;
    }
  }
  const d = new dagre.graphlib.Graph();
  d.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 46, marginx: 12, marginy: 12 });
  d.setDefaultEdgeLabel(() => ({}));
  for (const n of g.nodes) d.setNode(n.version, { width: 9 * n.version.length + 22, height: 30, n });
  for (const [a, b] of g.edges) d.setEdge(a, b);
  dagre.layout(d);
  const svg = document.createElementNS(SVG, 'svg');
  // Bounds of nodes and edge points (dagre may route an edge outside the graph box).
  let [x0, y0, x1, y1] = [0, 0, d.graph().width, d.graph().height];
  for (const e of d.edges()) for (const q of d.edge(e).points) [x0, y0, x1, y1] = [Math.min(x0, q.x - 8), Math.min(y0, q.y - 8), Math.max(x1, q.x + 8), Math.max(y1, q.y + 8)];
  const [width, height] = [x1 - x0, y1 - y0];
  svg.setAttribute('viewBox', `${x0} ${y0} ${width} ${height}`);
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  svg.innerHTML = `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#8892a6"/></marker>
    <marker id="arrow-on" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#1565c0"/></marker></defs>`;
  const edges = [...d.edges()].sort((x, y) => pathEdges.has(`${x.v}\u0000${x.w}`) - pathEdges.has(`${y.v}\u0000${y.w}`));
  for (const e of edges) {
    const pts = d.edge(e).points;
    const p = document.createElementNS(SVG, 'path');
    const hot = pathEdges.has(`${e.v}\u0000${e.w}`);
    p.setAttribute('d', pts.map((q, i) => `${i ? 'L' : 'M'}${q.x.toFixed(1)} ${q.y.toFixed(1)}`).join(' '));
    p.setAttribute('class', hot ? 'edge onpath' : 'edge');
    p.setAttribute('marker-end', hot ? 'url(#arrow-on)' : 'url(#arrow)');
    p.dataset.edge = `${e.v}->${e.w}`;
    svg.appendChild(p);
  }
  for (const v of d.nodes()) {
    const { x, y, width: w, height: h, n } = d.node(v);
    const grp = document.createElementNS(SVG, 'g');
    const cls = ['node', n.stepping_stone && 'stone', n.yanked && 'yanked', n.deadend && 'deadend', (on.has(v) || (path && v === from)) && 'onpath'];
    grp.setAttribute('class', cls.filter(Boolean).join(' '));
    grp.dataset.version = v;
    grp.innerHTML = `<rect x="${x - w / 2}" y="${y - h / 2}" width="${w}" height="${h}"/><text x="${x}" y="${y}">${esc(v)}</text>` +
      `<title>${esc(v)}${n.stepping_stone ? ' (stepping stone)' : ''}${n.yanked ? ' (yanked)' : ''}${n.deadend ? ' (dead end)' : ''}</title>`;
    svg.appendChild(grp);
  }
  $('graph').replaceChildren(svg);
}

function showPlan() {
  const out = $('plan-result');
  if (!catalog) return showError(out, new Error('load a catalog first'));
  const q = { from: $('from').value, to: $('to').value, cost: $('cost').value, ...device() };
  try {
    const p = catalog.plan(q);
    const rows = p.steps.map((st, i) => `<tr><td>${i + 1}</td><td>${esc(st.version)}</td><td>${fmtBytes(st.bytes)}</td><td>${st.delta_from ? `delta from ${esc(st.delta_from)}` : 'full image'}</td></tr>`).join('');
    out.innerHTML = p.hops === 0
      ? `<div class="ok">already at ${esc(q.to)}</div>`
      : `<div class="ok" id="path-summary"><b>${esc([q.from, ...p.path].join(' → '))}</b>: ${p.hops} hops, ${fmtBytes(p.bytes)}</div>` +
        `<table class="hops"><tr><th>#</th><th>install</th><th>download</th><th></th></tr>${rows}</table>`;
    drawGraph(p.path);
  } catch (e) {
    showError(out, e);
    drawGraph(null);
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

async function loadExample() {
  const r = await fetch('example-catalog.json');
  loadCatalog(await r.text());
}

$('load-example').onclick = loadExample;
$('load-text').onclick = () => loadCatalog($('catalog-text').value);
$('catalog-file').onchange = async (ev) => {
  const f = ev.target.files[0];
  if (f) loadCatalog(await f.text());
};
for (const id of ['model', 'environment']) $(id).onchange = () => drawGraph(null);
$('plan').onclick = showPlan;
$('verify').onclick = verifyImage;
$('sample').onclick = showSample;
$('fleet-go').onclick = showFleet;
$('sample-plan').value = JSON.stringify({ salt: 'acme-2026', period_seconds: 86400, classes: { uptime: 1000000, metrics: 50000, coredumps: 1000 } }, null, 2);
$('unix-time').value = String(Math.floor(Date.now() / 1000));
$('status').textContent = `stepstone ${s.version()} (${s.backend})`;
document.body.dataset.ready = 'true';
