// A user's file: both packages, one API. Checked with `tsc --noEmit`.
import * as wasm from 'stepstone-wasm';
import * as napi from 'stepstone-node';
import type { Plan, Query, Problem } from 'stepstone-wasm';

type Api = typeof wasm;
const backends: Api[] = [wasm, napi];

const q: Query = { from: 'v64000', to: 'v67000', cost: 'bytes', model: 'AG-1' };
for (const s of backends) {
  const c: wasm.Catalog = s.Catalog.load('{"releases": []}');
  const p: Plan = c.plan(q);
  const hop: string | null = c.nextHop(q);
  const path: string[] = p.path;
  const hopBytes: number | null = p.steps[0]?.bytes ?? null;
  const t = c.campaign('v67000', { model: 'AG-1', allowDowngrade: true });
  const next: string | null = t.nextHop('v64000');
  const problems: Problem[] = s.validate({ releases: [] });
  const plan = s.SamplingPlan.fromJson({ salt: 'x', period_seconds: 86400, classes: {} });
  const period: bigint = plan.periodAt(1_700_000_000n);
  const sampled: boolean = plan.isSampled(new Uint8Array([1, 2]), 'metrics', period);
  const rate: number | null = s.smallestRate({ fleet: 1e6, bugHours: 1e4, windowHours: 24, probability: 0.99 });
  try {
    c.plan({ from: 'x', to: 'y' });
  } catch (e) {
    if (e instanceof s.StepstoneError) {
      const code: string = e.code;
      const msg: string = e.message;
      void [code, msg];
    }
  }
  void [hop, path, hopBytes, next, problems, sampled, rate];
}
