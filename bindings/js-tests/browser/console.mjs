// The console page in real Chromium (Debian's), driven by playwright-core, each panel with good
// and wrong input: the example catalog's path, graph and explanation (path.mjs), the campaign,
// rollout and signed-catalog panels (panels.mjs), a generated 1,000-release catalog against
// its time budget (scale.mjs), and the page opened from file:// (file-url.mjs). Screenshots in
// STEPSTONE_OUT/console.
import assert from 'node:assert/strict';
import { withConsole, out } from './harness.mjs';
import * as pathChecks from './path.mjs';
import * as panels from './panels.mjs';
import * as scale from './scale.mjs';
import * as fileUrl from './file-url.mjs';

await withConsole(async (ctx) => {
  for (const [name, checks] of [['path', pathChecks], ['panels', panels], ['scale', scale], ['file-url', fileUrl]]) {
    const t0 = Date.now();
    await checks.run(ctx);
    console.log(`console ${name}: ok (${Date.now() - t0} ms)`);
  }
  assert.deepEqual(ctx.errors, [], 'no page errors');
});
console.log(`screenshots in ${out}`);
