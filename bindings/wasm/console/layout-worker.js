// Lays out the upgrade graph off the main thread.
// In: {id, nodes: [{v, width, height}], edges: [[from, to]]} (nodes in version order; every
// edge goes from a lower to a higher version, so that order is a topological order).
// Out: {id, ms, how, width, height, nodes: [{v, x, y, width, height}], edges: [{v, w, points}]}.
//
// Up to DAGRE_MAX nodes: dagre (vendored), which orders nodes to cut crossings. Above, dagre takes
// seconds (2.3 s for 914 nodes in Node 20 here), so a layered layout made for these graphs is
// used: the reduction of a large catalog is nearly a chain, one release per column.
/* global dagre */
importScripts('vendor/dagre.min.js');

const DAGRE_MAX = 200;
const RANKSEP = 46;
const NODESEP = 18;
const MARGIN = 12;

function withDagre(nodes, edges) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: NODESEP, ranksep: RANKSEP, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.v, { width: n.width, height: n.height });
  for (const [a, b] of edges) g.setEdge(a, b);
  dagre.layout(g);
  return {
    how: 'dagre',
    width: g.graph().width,
    height: g.graph().height,
    nodes: g.nodes().map((v) => {
      const { x, y, width, height } = g.node(v);
      return { v, x, y, width, height };
    }),
    edges: g.edges().map((e) => ({ v: e.v, w: e.w, points: g.edge(e).points })),
  };
}

/**
 * Columns by longest path from the sources, in one pass over the topological order; a node
 * with no way in (a yanked release) sits one column before its first successor instead of in
 * column 0. In a column, nodes are stacked in version order. An edge between neighbouring
 * columns is a straight line; a longer one runs in a lane under the rows it passes.
 */
function layered(nodes, edges) {
  const index = new Map(nodes.map((n, i) => [n.v, i]));
  const out = nodes.map(() => []);
  const hasIn = nodes.map(() => false);
  for (const [a, b] of edges) {
    out[index.get(a)].push(index.get(b));
    hasIn[index.get(b)] = true;
  }
  const rank = nodes.map(() => 0);
  for (let i = 0; i < nodes.length; i++) for (const j of out[i]) rank[j] = Math.max(rank[j], rank[i] + 1);
  for (let i = nodes.length - 1; i >= 0; i--) {
    if (!hasIn[i] && out[i].length) rank[i] = Math.max(0, Math.min(...out[i].map((j) => rank[j])) - 1);
  }
  const columns = [];
  nodes.forEach((n, i) => (columns[rank[i]] ??= []).push(i));
  const placed = new Array(nodes.length);
  let x = MARGIN;
  let height = 0;
  const rows = [];
  columns.forEach((col = [], r) => {
    const w = Math.max(0, ...col.map((i) => nodes[i].width));
    let y = MARGIN;
    for (const i of col) {
      const n = nodes[i];
      placed[i] = { v: n.v, x: x + w / 2, y: y + n.height / 2, width: n.width, height: n.height };
      y += n.height + NODESEP;
    }
    rows[r] = y;
    height = Math.max(height, y);
    x += w + RANKSEP;
  });
  const laneEdges = edges.map(([a, b]) => {
    const [p, q] = [placed[index.get(a)], placed[index.get(b)]];
    const [ra, rb] = [rank[index.get(a)], rank[index.get(b)]];
    const start = { x: p.x + p.width / 2, y: p.y };
    const end = { x: q.x - q.width / 2, y: q.y };
    if (rb - ra <= 1) return { v: a, w: b, points: [start, end] };
    const lane = Math.max(...rows.slice(ra + 1, rb).map((h) => h ?? 0)) + 4;
    height = Math.max(height, lane + NODESEP);
    return { v: a, w: b, points: [start, { x: start.x + 12, y: lane }, { x: end.x - 12, y: lane }, end] };
  });
  return { how: 'columns', width: x - RANKSEP + MARGIN, height: height + MARGIN, nodes: placed, edges: laneEdges };
}

self.onmessage = (ev) => {
  const { id, nodes, edges } = ev.data;
  const t0 = performance.now();
  try {
    const layout = nodes.length > DAGRE_MAX ? layered(nodes, edges) : withDagre(nodes, edges);
    self.postMessage({ id, ms: performance.now() - t0, ...layout });
  } catch (e) {
    self.postMessage({ id, error: String(e && e.message ? e.message : e) });
  }
};
