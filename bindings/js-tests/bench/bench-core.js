// The benchmark body, shared by Node (both backends) and Chromium (WASM): medians of a few
// runs of each loop. `s` is the stepstone API; `inputs` holds the catalog text, a key, an
// image and its signature.
export function runBench(s, inputs, runs = 5) {
  const now = () => performance.now();
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const time = (n, f) => {
    const xs = [];
    for (let r = 0; r < runs; r++) {
      const t0 = now();
      f(n);
      xs.push(((now() - t0) * 1e6) / n);
    }
    return median(xs); // ns per call
  };
  const cat = s.Catalog.load(inputs.catalog);
  // The example catalog's releases differ by model: a question without one is plan.model_required.
  const q = { from: 'v64000', to: 'v67000', model: 'AG-1' };
  const table = cat.campaign('v67000', { model: 'AG-1' });
  const plan = s.SamplingPlan.fromJson({ salt: 'acme-2026', period_seconds: 86400, classes: { metrics: 50000 } });
  const ids = Array.from({ length: 1000 }, (_, i) => new TextEncoder().encode(`DA${String(i).padStart(6, '0')}`));
  const versions = ['v64000', 'v65000', 'v66000', 'v66001', 'v66002', 'v66003', 'v67000'];
  let sink = 0;
  const out = {
    'call overhead (version())': time(1_000_000, (n) => { for (let i = 0; i < n; i++) sink += s.version().length; }),
    'plan v64000->v67000': time(20_000, (n) => { for (let i = 0; i < n; i++) sink += cat.plan(q).hops; }),
    'next hop (planner) x100k': time(100_000, (n) => { for (let i = 0; i < n; i++) sink += cat.nextHop(q).length; }),
    'next hop (campaign table) x1M': time(1_000_000, (n) => { for (let i = 0; i < n; i++) sink += table.nextHop(versions[i % 7])?.length ?? 0; }),
    'sampling isSampled x1M': time(1_000_000, (n) => { for (let i = 0; i < n; i++) sink += plan.isSampled(ids[i % 1000], 'metrics', 20000n) ? 1 : 0; }),
    'verify 1 MiB image (64 KiB chunks)': time(20, (n) => {
      for (let i = 0; i < n; i++) {
        const v = new s.Verifier(inputs.key);
        for (let o = 0; o < inputs.image.length; o += 65536) v.update(inputs.image.subarray(o, o + 65536));
        sink += v.finish(inputs.sig).bytes;
      }
    }),
  };
  return { backend: s.backend, nsPerCall: out, sink };
}

// Milliseconds of one call of `f`, median of `runs` calls (the Node scripts that compare two
// builds in one process: catalog-load.mjs, wasm-hash.mjs).
export function medianMs(f, runs) {
  const t = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[runs >> 1];
}
