// Lays out the upgrade graph off the main thread with dagre (vendored next to the page).
// In: {id, nodes: [{v, width, height}], edges: [[from, to]]}.
// Out: {id, ms, width, height, nodes: [{v, x, y, width, height}], edges: [{v, w, points}]}.
/* global dagre */
importScripts('vendor/dagre.min.js');

// Past this many nodes dagre's network-simplex ranking costs seconds; longest-path ranking is
// linear and gives the same ranks on the chain-like graphs large catalogs reduce to.
const SIMPLEX_MAX = 300;

self.onmessage = (ev) => {
  const { id, nodes, edges } = ev.data;
  const t0 = performance.now();
  try {
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 46, marginx: 12, marginy: 12,
      ranker: nodes.length > SIMPLEX_MAX ? 'longest-path' : 'network-simplex' });
    g.setDefaultEdgeLabel(() => ({}));
    for (const n of nodes) g.setNode(n.v, { width: n.width, height: n.height });
    for (const [a, b] of edges) g.setEdge(a, b);
    dagre.layout(g);
    self.postMessage({
      id,
      ms: performance.now() - t0,
      width: g.graph().width,
      height: g.graph().height,
      nodes: g.nodes().map((v) => {
        const { x, y, width, height } = g.node(v);
        return { v, x, y, width, height };
      }),
      edges: g.edges().map((e) => ({ v: e.v, w: e.w, points: g.edge(e).points })),
    });
  } catch (e) {
    self.postMessage({ id, error: String(e && e.message ? e.message : e) });
  }
};
