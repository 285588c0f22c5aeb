// Draws the upgrade graph the core gives (`catalog.graph({reduced: true})`: the transitive
// reduction of the installs) as SVG, laid out by dagre in a Web Worker so a large catalog never
// blocks the page. A planned path is highlighted on it; a hop the reduction leaves out (an
// install that skips releases) is drawn as an arc over them.
import { esc } from './util.js';

const SVG = 'http://www.w3.org/2000/svg';
const key = (a, b) => `${a}\u0000${b}`;

export class GraphView {
  #el;
  #worker = null;
  #seq = 0;
  #nodes = new Map(); // version -> graph node (flags) and, once laid out, its box
  #edges = new Set(); // reduced edges, key(a, b)
  #svg = null;
  #path = null; // { from, path }
  /** Called with the layout's time in ms once a graph is on screen. */
  onDrawn = () => {};

  constructor(el) {
    this.#el = el;
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
    this.#nodes.clear();
    this.#edges.clear();
    this.#svg = null;
    this.#path = null;
    this.#el.innerHTML = html;
    delete this.#el.dataset.nodes;
  }

  /** Lays out `graph` ({nodes, edges}) in the worker, then draws it. */
  show(graph) {
    this.clear('<p class="pending">laying out…</p>');
    for (const n of graph.nodes) this.#nodes.set(n.version, { n });
    for (const [a, b] of graph.edges) this.#edges.add(key(a, b));
    const nodes = graph.nodes.map((n) => ({ v: n.version, width: 9 * n.version.length + 22, height: 30 }));
    this.#layoutWorker().postMessage({ id: this.#seq, nodes, edges: graph.edges });
  }

  /** Highlights `from` and the releases of `path` (null: no path), now or once drawn. */
  highlight(from, path) {
    this.#path = path ? { from, path } : null;
    if (this.#svg) this.#paint();
  }

  #fail(message) {
    this.#el.innerHTML = `<div class="error" role="alert">${esc(message)}</div>`;
  }

  #drawn(out) {
    if (out.id !== this.#seq) return; // a newer graph was asked for meanwhile
    if (out.error) return this.#fail(`layout failed: ${out.error}`);
    for (const p of out.nodes) this.#nodes.get(p.v).box = p;
    let [x0, y0, x1, y1] = [0, 0, out.width, out.height];
    for (const e of out.edges) {
      for (const q of e.points) [x0, y0, x1, y1] = [Math.min(x0, q.x - 8), Math.min(y0, q.y - 8), Math.max(x1, q.x + 8), Math.max(y1, q.y + 8)];
    }
    // Room above the nodes for the arcs of hops that skip releases.
    y0 -= 60;
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `${x0} ${y0} ${x1 - x0} ${y1 - y0}`);
    svg.setAttribute('width', x1 - x0);
    svg.setAttribute('height', y1 - y0);
    const edges = out.edges.map((e) => {
      const d = e.points.map((q, i) => `${i ? 'L' : 'M'}${q.x.toFixed(1)} ${q.y.toFixed(1)}`).join(' ');
      return `<path class="edge" d="${d}" marker-end="url(#arrow)" data-edge="${esc(`${e.v}->${e.w}`)}"/>`;
    });
    const nodes = out.nodes.map(({ v, x, y, width: w, height: h }) => {
      const { n } = this.#nodes.get(v);
      const cls = ['node', n.stepping_stone && 'stone', n.yanked && 'yanked', n.deadend && 'deadend'].filter(Boolean).join(' ');
      const notes = `${n.stepping_stone ? ' (stepping stone)' : ''}${n.yanked ? ' (yanked)' : ''}${n.deadend ? ' (dead end)' : ''}`;
      return `<g class="${cls}" data-version="${esc(v)}"><rect x="${x - w / 2}" y="${y - h / 2}" width="${w}" height="${h}"/>` +
        `<text x="${x}" y="${y}">${esc(v)}</text><title>${esc(v)}${notes}</title></g>`;
    });
    svg.innerHTML = `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#8892a6"/></marker>
      <marker id="arrow-on" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#1565c0"/></marker></defs>
      <g class="edges">${edges.join('')}</g><g class="arcs"></g><g class="nodes">${nodes.join('')}</g>`;
    this.#svg = svg;
    this.#el.replaceChildren(svg);
    this.#el.dataset.nodes = String(out.nodes.length);
    this.#el.dataset.edges = String(out.edges.length);
    this.#paint();
    this.onDrawn(out.ms, out.nodes.length, out.edges.length, out.how);
  }

  // Marks the path's nodes and edges; a hop that is not a reduced edge gets an arc.
  #paint() {
    const svg = this.#svg;
    for (const el of svg.querySelectorAll('.onpath')) el.classList.remove('onpath');
    for (const el of svg.querySelectorAll('.edge[marker-end="url(#arrow-on)"]')) el.setAttribute('marker-end', 'url(#arrow)');
    const arcs = svg.querySelector('.arcs');
    arcs.replaceChildren();
    if (!this.#path) return;
    const { from, path } = this.#path;
    const onPath = [from, ...path];
    for (const v of onPath) svg.querySelector(`.node[data-version="${CSS.escape(v)}"]`)?.classList.add('onpath');
    for (let i = 1; i < onPath.length; i++) {
      const [a, b] = [onPath[i - 1], onPath[i]];
      const edge = svg.querySelector(`.edge[data-edge="${CSS.escape(`${a}->${b}`)}"]`);
      if (edge && this.#edges.has(key(a, b))) {
        edge.classList.add('onpath');
        edge.setAttribute('marker-end', 'url(#arrow-on)');
        edge.parentNode.appendChild(edge); // drawn over the others
        continue;
      }
      const [p, q] = [this.#nodes.get(a)?.box, this.#nodes.get(b)?.box];
      if (!p || !q) continue; // the current version is not a release of this graph
      const arc = document.createElementNS(SVG, 'path');
      const top = Math.min(p.y, q.y) - p.height / 2;
      const lift = Math.min(55, 18 + Math.abs(q.x - p.x) / 8);
      arc.setAttribute('d', `M${p.x} ${top} C${p.x} ${top - lift} ${q.x} ${top - lift} ${q.x} ${top}`);
      arc.setAttribute('class', 'edge onpath skip');
      arc.setAttribute('marker-end', 'url(#arrow-on)');
      arc.dataset.edge = `${a}->${b}`;
      arcs.appendChild(arc);
    }
    // Bring the start of the path into view in a wide graph.
    const start = this.#nodes.get(from)?.box;
    if (start) this.#el.scrollLeft = Math.max(0, start.x - svg.viewBox.baseVal.x - start.width - 24);
  }
}
