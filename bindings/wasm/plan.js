// stepstone-wasm/plan for browsers and bundlers (export conditions `browser` and `default`):
// no `node:` import; the `.wasm` is found through `new URL(..., import.meta.url)` and fetched
// (bundlers that follow that pattern, as Vite does, copy it next to the bundle).
import init from './pkg/plan.js';

await init({ module_or_path: new URL('./pkg/plan_bg.wasm', import.meta.url) });

export * from './api/plan.js';
