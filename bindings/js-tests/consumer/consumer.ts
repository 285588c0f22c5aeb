// A user's file: both packages, one API. Checked with `tsc --noEmit`.
import * as wasm from 'stepstone-wasm';
import * as napi from 'stepstone-node';
import type {
  Plan, Query, Problem, Action, DeviceState, RetryDecision, OpenedCatalog, RolloutState, CatalogState, OpenedCompactCatalog,
  VerifiedRelease,
} from 'stepstone-wasm';

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

  // Retry decisions, rollouts, the reconciler, signed catalogs.
  const policy = s.RetryPolicy.fromJson({ attempts_per_hop: 3, rejected: { retry: false } });
  const wait: number = policy.backoff({ kind: 'timed_out', n: 1, deviceId: 'd1', hop: 'v65000', attempt: 1 });
  const decision: RetryDecision = policy.afterFailure({
    attempts: 1, failures: { failed: 1 }, kind: 'failed', totalAttempts: 1, firstAttemptAt: 0, failedAt: 60n,
    deviceId: 'd1', hop: 'v65000',
  });
  const retryAt: number | undefined = 'retry_at' in decision ? decision.retry_at : undefined;
  const jitter: string = s.jitterHash('d1', 'v65000', 1);
  const rollout = s.Rollout.fromJson({ salt: 'c', schedule: { ramp: { start: 0, duration_secs: 86400 } }, halt: { max_failures: 5 } });
  const halt: string | null = rollout.trips(0, { finished: 10, failed: 5 }) ?? s.haltTrips({ max_failures: 1 }, { finished: 1, failed: 1 });
  const open: number = s.rampFraction({ start: 0, duration_secs: 100 }, 50);
  const above: boolean = s.wilsonLowerAbove({ failed: 1, finished: 10, limitPpm: 50_000, zNum: 196, zDen: 100 });
  const rec = new s.Reconciler(t, { policy, rollout, windows: [{ day: 6, start_minute: 120, duration_minutes: 120 }] });
  const applied: { state: DeviceState; outcome: string } = rec.apply(null, { event: 'reported', seq: 1, at: 0, reports: 'v64000' });
  const action: Action = rec.decide('d1', applied.state, 1_700_000_000);
  if (action.action === 'install') {
    const release: string = action.release;
    void release;
  }
  const advanced: boolean = rec.rolloutAdvance(10n);
  const rs: RolloutState | null = rec.rolloutState;
  const opened: OpenedCatalog = s.openCatalog(new Uint8Array(), { keys: ['-----BEGIN PUBLIC KEY-----'], now: 0, lastSequence: 1 });
  const signed: wasm.Catalog = s.Catalog.load(opened.payload);
  const again: OpenedCatalog = s.openCatalog(new Uint8Array(), {
    keys: '-----BEGIN PUBLIC KEY-----', now: 1_800_000_000n, lastSequence: opened.sequence, lastDigest: opened.digest,
  });
  const issued: number | null = again.issued;
  void [wait, retryAt, jitter, halt, open, above, advanced, rs, signed, issued];

  // The trust chain: signed compact catalog, manifest first, streamed image, verified facts.
  let stored: CatalogState | null = null;
  const compact: OpenedCompactCatalog = s.openCompactCatalog(new Uint8Array(), new Uint8Array(), { now: '1800000000', last: stored });
  stored = compact.state;
  const floor: number = stored.issued;
  const check = new s.ManifestFirst({
    key: new Uint8Array(), manifest: new Uint8Array(), signature: 'hex',
    device: { model: 'AG-1', environment: 'production', currentVersion: 'v66000', counter: 'v66000', now: floor },
    catalog: compact.payload,
  });
  const left: number = check.update(new Uint8Array(8)).remaining;
  const facts: VerifiedRelease = check.finish();
  const counter: string = facts.version;
  const seq: number = compact.header.sequence;
  void [left, counter, seq];
}
