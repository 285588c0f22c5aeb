// Type-checked by check.mjs (tsc --strict, module nodenext) against the installed packages:
// each entry point's .d.ts gives its names the whole package's types.
import { Catalog, Campaign, validate, StepstoneError, isStepstoneError, backend } from 'stepstone-wasm/plan';
import { SamplingPlan, position, isBelow, estimate } from 'stepstone-wasm/sample';
import { Verifier, ManifestFirst, openCatalog, verifyStream } from 'stepstone-wasm/verify';
import { Reconciler, RetryPolicy, Rollout, isBelow as below } from 'stepstone-wasm/rollout';
import type { CampaignTableWire } from 'stepstone-wasm/rollout';
import * as nodeSample from 'stepstone-node/sample';
import * as whole from 'stepstone-wasm';

const catalog: Catalog = Catalog.load('{"releases": []}');
const campaign: Campaign = Catalog.load('{"releases": [{"version": "v1"}]}').campaign('v1');
const table: string = campaign.toTable();
const wire: CampaignTableWire = JSON.parse(table);
const rec: Reconciler = new Reconciler(table, { policy: RetryPolicy.fromJson({}) });
const rec2: Reconciler = new Reconciler(wire);
const sampled: boolean = isBelow(position('salt', 'id', 0n, 'metrics'), 10000) && below('0000000000000000', 1);
const same: boolean = nodeSample.isBelow('0000000000000000', 1) === whole.isBelow('0000000000000000', 1);
const plan: SamplingPlan = SamplingPlan.fromJson('{}');
const problems: { code: string; message: string }[] = validate('{}');
const kind: 'wasm' | 'napi' = backend;
const v: Verifier = new Verifier('key');
const m: typeof ManifestFirst = ManifestFirst;
const r: typeof Rollout = Rollout;
const o: typeof openCatalog = openCatalog;
const s: typeof verifyStream = verifyStream;
const e: unknown = new Error('x');
if (isStepstoneError(e)) {
  const code: string = e.code;
  console.log(code);
}
const made: StepstoneError = new StepstoneError('js.bad_argument', 'm');
console.log(catalog, rec, rec2, sampled, same, plan, problems, kind, v, m, r, o, s, made, estimate);
