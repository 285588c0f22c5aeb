// Draws the upgrade graph the core gives (`catalog.graph({reduced: true})`: the transitive
// reduction of the installs) as SVG, laid out in a Web Worker (layout-worker.js) so a large
// catalog never blocks the page. A planned path is highlighted on it; a hop the reduction
// leaves out (an install that skips releases) is drawn as a dashed arc over them.
//
// A wide graph is drawn in windows: the SVG has the whole graph's size, but only the nodes and
// edges within a screen's width of the visible part (and the path, always) are in the DOM,
// redrawn as the graph scrolls. A thousand-release graph costs a few hundred elements.
import { esc } from './util.js';

const SVG = 'http://www.w3.org/2000/svg';
const key = (a, b) => `${a}\u0000${b}`;
const DEFS = `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#8892a6"/></marker>
  <marker id="arrow-on" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#1565c0"/></marker></defs>`;

export class GraphView {
  #el;
  #worker = null;
  #seq = 0;
  #flags = new Map(); // version -> the core's node (stepping_stone, yanked, deadend)
  #layout = null; // the worker's answer, with #box: version -> node box
  #box = new Map();
  #edges = new Set(); // reduced edges, key(a, b)
  #svg = null;
  #path = null; // { from, path }
  #frame = 0;
  /** Called with (ms, nodes, edges, how) once a graph is laid out and on screen. */
  onDrawn = () => {};

  constructor(el) {
    this.#el = el;
    el.addEventListener('scroll', () => {
      if (!this.#frame) this.#frame = requestAnimationFrame(() => { this.#frame = 0; this.#render(); });
    });
  }

  /** Starts the worker (and its dagre) before the first graph is asked for. */
  prepare() {
    this.#layoutWorker();
  }

  #layoutWorker() {
    if (!this.#worker) {
      this.#worker = new Worker('layout-worker.js');
      this.#worker.onmessage = (ev) => this.#drawn(ev.data);
      this.#worker.onerror = (ev) => this.#fail(`the layout worker failed: ${ev.message}`);
    }
    return this.#worker;
  }

  /** Shows nothing (a broken catalog, a refused device); a layout still running is dropped. */
  clear(html = '') {
    this.#seq += 1;
    this.#flags.clear();
    this.#box.clear();
    this.#edges.clear();
    this.#layout = null;
    this.#svg = null;
    this.#path = null;
    this.#el.innerHTML = html;
    delete this.#el.dataset.nodes;
    delete this.#el.dataset.edges;
  }

  /** Lays out `graph` ({nodes, edges}) in the worker, then draws it. */
  show(graph) {
    this.clear('<p class="pending">laying out…</p>');
    for (const n of graph.nodes) this.#flags.set(n.version, n);
    for (const [a, b] of graph.edges) this.#edges.add(key(a, b));
    const nodes = graph.nodes.map((n) => ({ v: n.version, width: 9 * n.version.length + 22, height: 30 }));
    this.#layoutWorker().postMessage({ id: this.#seq, nodes, edges: graph.edges });
  }

  /** Highlights `from` and the releases of `path` (null: no path), now or once drawn. */
  highlight(from, path) {
    this.#path = path ? { from, path } : null;
    if (this.#svg) {
      this.#render();
      this.#scrollToStart();
    }
  }

  #fail(message) {
    this.#el.innerHTML = `<div class="error" role="alert">${esc(message)}</div>`;
  }

  #drawn(out) {
    if (out.id !== this.#seq) return; // a newer graph was asked for meanwhile
    if (out.error) return this.#fail(`layout failed: ${out.error}`);
    for (const p of out.nodes) this.#box.set(p.v, p);
    let [x0, y0, x1, y1] = [0, 0, out.width, out.height];
    for (const e of out.edges) {
      e.x0 = Math.min(...e.points.map((q) => q.x));
      e.x1 = Math.max(...e.points.map((q) => q.x));
      for (const q of e.points) [x0, y0, x1, y1] = [Math.min(x0, q.x - 8), Math.min(y0, q.y - 8), Math.max(x1, q.x + 8), Math.max(y1, q.y + 8)];
    }
    y0 -= 60; // room above the nodes for the arcs of hops that skip releases
    this.#layout = { ...out, x0, y0 };
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `${x0} ${y0} ${x1 - x0} ${y1 - y0}`);
    svg.setAttribute('width', x1 - x0);
    svg.setAttribute('height', y1 - y0);
    svg.innerHTML = `${DEFS}<g class="edges"></g><g class="arcs"></g><g class="nodes"></g>`;
    this.#svg = svg;
    this.#el.replaceChildren(svg);
    this.#el.dataset.nodes = String(out.nodes.length);
    this.#el.dataset.edges = String(out.edges.length);
    this.#render();
    this.#scrollToStart();
    this.onDrawn(out.ms, out.nodes.length, out.edges.length, out.how);
  }

  // The nodes and edges in view (a screen's width either side) and the path's, with the path's
  // classes; a hop that is not a reduced edge gets an arc.
  #render() {
    const svg = this.#svg;
    const out = this.#layout;
    if (!svg || !out) return;
    const span = this.#el.clientWidth || 1200;
    const left = out.x0 + this.#el.scrollLeft - span;
    const right = out.x0 + this.#el.scrollLeft + 2 * span;
    const onPath = this.#path ? [this.#path.from, ...this.#path.path] : [];
    const hotNodes = new Set(onPath);
    const hops = new Map(); // key(a, b) -> [a, b]
    for (let i = 1; i < onPath.length; i++) hops.set(key(onPath[i - 1], onPath[i]), [onPath[i - 1], onPath[i]]);

    const edges = [];
    for (const e of out.edges) {
      const hot = hops.has(key(e.v, e.w));
      if (!hot && (e.x1 < left || e.x0 > right)) continue;
      const d = e.points.map((q, i) => `${i ? 'L' : 'M'}${q.x.toFixed(1)} ${q.y.toFixed(1)}`).join(' ');
      const path = `<path class="edge${hot ? ' onpath' : ''}" d="${d}" marker-end="url(#arrow${hot ? '-on' : ''})" data-edge="${esc(`${e.v}->${e.w}`)}"/>`;
      if (hot) edges.push(path); else edges.unshift(path); // the path drawn over the others
    }
    const arcs = [];
    for (const [k, [a, b]] of hops) {
      const [p, q] = [this.#box.get(a), this.#box.get(b)];
      if (this.#edges.has(k) || !p || !q) continue; // drawn as an edge; or the current version is not in this graph
      const top = Math.min(p.y, q.y) - p.height / 2;
      const lift = Math.min(55, 18 + Math.abs(q.x - p.x) / 8);
      arcs.push(`<path class="edge onpath skip" d="M${p.x} ${top} C${p.x} ${top - lift} ${q.x} ${top - lift} ${q.x} ${top}" marker-end="url(#arrow-on)" data-edge="${esc(`${a}->${b}`)}"/>`);
    }
    const nodes = [];
    for (const { v, x, y, width: w, height: h } of out.nodes) {
      const hot = hotNodes.has(v);
      if (!hot && (x + w / 2 < left || x - w / 2 > right)) continue;
      const n = this.#flags.get(v);
      const cls = ['node', n.stepping_stone && 'stone', n.yanked && 'yanked', n.deadend && 'deadend', hot && 'onpath'].filter(Boolean).join(' ');
      const notes = `${n.stepping_stone ? ' (stepping stone)' : ''}${n.yanked ? ' (yanked)' : ''}${n.deadend ? ' (dead end)' : ''}`;
      nodes.push(`<g class="${cls}" data-version="${esc(v)}"><rect x="${x - w / 2}" y="${y - h / 2}" width="${w}" height="${h}"/>` +
        `<text x="${x}" y="${y}">${esc(v)}</text><title>${esc(v)}${notes}</title></g>`);
    }
    svg.querySelector('.edges').innerHTML = edges.join('');
    svg.querySelector('.arcs').innerHTML = arcs.join('');
    svg.querySelector('.nodes').innerHTML = nodes.join('');
  }

  // Brings the start of the path into view in a wide graph.
  #scrollToStart() {
    const start = this.#path && this.#box.get(this.#path.from);
    if (start && this.#layout) this.#el.scrollLeft = Math.max(0, start.x - this.#layout.x0 - start.width - 24);
  }
}
