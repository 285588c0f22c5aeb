// Retry decisions, the reconciler, rollouts and signed catalogs through the API, against this
// backend. The vectors (vectors.test.js) check the answers; these check the API's shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { s, readText } from './backend.js';

const catalogText = readText('examples/catalog.json');

function codeOf(f) {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof s.StepstoneError, `StepstoneError, got ${e}`);
    assert.ok(e instanceof Error);
    assert.ok(e.message.length > 0 && !e.message.startsWith('['), e.message);
    return e.code;
  }
  assert.fail('did not throw');
}

test('retry policy: default, JSON round trip, backoff, decisions, errors', () => {
  const p = s.RetryPolicy.fromJson();
  const spec = p.toJSON();
  assert.equal(spec.attempts_per_hop, 5);
  assert.deepEqual(s.RetryPolicy.fromJson(JSON.stringify(spec)).toJSON(), spec);
  const tight = s.RetryPolicy.fromJson({ attempts_per_hop: 2, jitter_ppm: 0 });
  assert.equal(tight.backoff({ kind: 'failed', n: 1, deviceId: 'd', hop: 'v65000', attempt: 1 }), 60);
  assert.equal(tight.backoff({ kind: 'failed', n: 3, deviceId: 'd', hop: 'v65000', attempt: 3 }), 240);
  const args = { attempts: 1, failures: { failed: 1 }, kind: 'failed', totalAttempts: 1, firstAttemptAt: 0, failedAt: 1000n, deviceId: 'd', hop: 'v65000' };
  assert.deepEqual(tight.afterFailure(args), { retry_at: 1060 });
  // The core's wire form: the code and the rule with its limit.
  assert.deepEqual(tight.afterFailure({ ...args, attempts: 2, failures: { failed: 2 } }),
    { give_up: 'retry.attempts_per_hop', rule: { rule: 'attempts_per_hop', limit: 2 } });
  assert.match(s.jitterHash('AG1-000123', 'v66003', 1), /^[0-9a-f]{16}$/);
  assert.equal(s.jitterHash(new TextEncoder().encode('AG1-000123'), 'v66003', 1), s.jitterHash('AG1-000123', 'v66003', 1));
  assert.equal(codeOf(() => s.RetryPolicy.fromJson({ attempts_per_hop: 0 })), 'retry.zero_attempts');
  assert.equal(codeOf(() => s.RetryPolicy.fromJson('{')), 'retry.json');
  assert.equal(codeOf(() => p.backoff({ kind: 'melted', n: 1, deviceId: 'd', hop: 'h', attempt: 1 })), 'retry.unknown_kind');
  assert.equal(codeOf(() => p.afterFailure({ ...args, failedAt: -1 })), 'js.bad_argument');
});

test('rollout: JSON round trip, trips, ramp, Wilson, errors', () => {
  const spec = {
    salt: 'campaign-67000',
    schedule: { stages: [{ fraction_ppm: 10000, min_soak_secs: 3600 }, { fraction_ppm: 1000000 }] },
    halt: { max_failures: 3 },
  };
  const r = s.Rollout.fromJson(spec);
  assert.equal(r.toJSON().schedule.stages[1].min_soak_secs, 0);
  assert.equal(r.trips(0, { finished: 10, failed: 3 }), 'rollout.failure_count');
  assert.equal(r.trips(0, { finished: 10, failed: 2 }), null);
  assert.equal(s.haltTrips({ max_failure_rate_ppm: 100000, min_finished: 10 }, { finished: 10, failed: 2 }), 'rollout.failure_rate');
  assert.equal(s.rampFraction({ start: 0, start_ppm: 100000, duration_secs: 100 }, 50n), 550000);
  assert.equal(s.wilsonLowerAbove({ failed: 150, finished: 1000, limitPpm: 50000, zNum: 196, zDen: 100 }), true);
  assert.equal(s.wilsonLowerAbove({ failed: 2, finished: 20, limitPpm: 50000, zNum: 196, zDen: 100 }), false);
  assert.equal(s.rolloutPosition('campaign-67000', 'AG1-000000'), r.position('AG1-000000'));
  assert.equal(codeOf(() => s.Rollout.fromJson({ salt: 's', schedule: { stages: [] } })), 'rollout.no_stages');
  assert.equal(codeOf(() => s.haltTrips({ nonsense: 1 }, { finished: 1, failed: 1 })), 'rollout.json');
});

test("reconciler: KeepTruckin's 2020 FOTA march, idempotent events, rollout halt and resume", () => {
  const campaign = s.Catalog.load(catalogText).campaign('v67000', { model: 'AG-1' });
  const rec = new s.Reconciler(campaign, { policy: s.RetryPolicy.fromJson({ jitter_ppm: 0 }) });
  assert.equal(rec.rolloutState, null);
  let state = { reported: 'v64000', device_seq: 1 };
  let now = 0;
  const path = [];
  for (let job = 1; job < 10; job += 1) {
    const a = rec.decide('AG1-000123', state, now);
    if (a.action === 'done') break;
    assert.equal(a.action, 'install', JSON.stringify(a));
    assert.equal(a.job, job);
    path.push(a.release);
    ({ state } = rec.apply(state, { event: 'job_created', job, release: a.release, at: now, expires_at: a.expires_at }));
    now += 100;
    const done = { event: 'job_succeeded', job, seq: job + 1, at: now, reports: a.release };
    const r = rec.apply(state, done);
    assert.equal(r.outcome, 'changed');
    assert.equal(rec.apply(r.state, done).outcome, 'not_in_flight');
    state = r.state;
  }
  assert.deepEqual(path, ['v65000', 'v66000', 'v66003', 'v67000']);
  assert.deepEqual(rec.decide('AG1-000123', state, now), { action: 'done' });
  assert.equal(rec.state().device_seq, 0);
  assert.equal(rec.state(JSON.stringify(state)).reported, 'v67000');

  const staged = new s.Reconciler(campaign, {
    rollout: { salt: 'c', schedule: { stages: [{ fraction_ppm: 0, min_soak_secs: 10 }, { fraction_ppm: 1000000 }] } },
    rolloutStartedAt: 5,
  });
  assert.equal(staged.rolloutState.started_at, 5);
  assert.equal(staged.decide('d', { reported: 'v64000', device_seq: 1 }, 6).reason.why, 'not_in_rollout');
  assert.equal(staged.rolloutAdvance(15), true);
  assert.equal(staged.decide('d', { reported: 'v64000', device_seq: 1 }, 16).stage, 1);
  staged.rolloutHalt(20, 'by hand');
  assert.equal(staged.rolloutState.halted.reason.rule, 'operator');
  assert.equal(codeOf(() => staged.rolloutHalt(21)), 'rollout.already_halted');
  assert.equal(staged.decide('d', { reported: 'v64000', device_seq: 1 }, 22).reason.why, 'rollout_halted');
  staged.rolloutResume(30);
  assert.equal(staged.rolloutState.halted, null);
  assert.equal(codeOf(() => staged.rolloutResume(31)), 'rollout.not_halted');
  // A stateless service stores the rollout state and carries on from it.
  const stored = staged.rolloutState;
  const again = new s.Reconciler(campaign, {
    rollout: { salt: 'c', schedule: { stages: [{ fraction_ppm: 0, min_soak_secs: 10 }, { fraction_ppm: 1000000 }] } },
    rolloutState: stored,
  });
  assert.deepEqual(again.rolloutState, stored);
  assert.equal(codeOf(() => new s.Reconciler(campaign, { rolloutState: stored })), 'reconcile.rollout_state_mismatch');
  assert.equal(codeOf(() => new s.Reconciler(campaign, { rolloutState: '{}' })), 'js.bad_argument');
  assert.equal(codeOf(() => rec.rolloutHalt(40)), 'reconcile.no_rollout');
  assert.equal(codeOf(() => rec.rolloutAdvance(40)), 'reconcile.no_rollout');

  assert.equal(codeOf(() => rec.apply(state, { event: 'exploded' })), 'reconcile.invalid_json');
  assert.equal(codeOf(() => rec.apply({ reported: 'v6x' }, { event: 'reported', seq: 9, at: 0, reports: 'v64000' })), 'version.malformed');
  assert.equal(codeOf(() => new s.Reconciler(campaign, { windows: [{ day: 7, start_minute: 0, duration_minutes: 60 }] })), 'window.day');
  assert.equal(codeOf(() => new s.Reconciler(campaign, { policy: { attempts_per_hop: 0 } })), 'retry.zero_attempts');
  assert.equal(codeOf(() => new s.Reconciler(campaign, { rollout: { salt: 's', schedule: { stages: [] } } })), 'rollout.no_stages');
  // A plain object is a campaign table's wire form (campaign.toTable(), parsed): {} has no fields.
  assert.equal(codeOf(() => new s.Reconciler({}, {})), 'reconcile.invalid_table');
  assert.equal(codeOf(() => new s.Reconciler(7, {})), 'js.bad_argument');
  assert.equal(codeOf(() => new s.Reconciler(new Date(0), {})), 'js.bad_argument');
});

// A signed catalog made here with Node's crypto, following the format in docs/signatures.md.
// Format 1 without `issued`, format 2 with it. `digest` is the SHA-256 of the signed bytes.
function seal(payload, { sequence, expires, issued }, privateKey, publicKey) {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyId = createHash('sha256').update(spki.subarray(spki.length - 65)).digest('hex');
  const header = issued === undefined
    ? `stepstone-signed-catalog 1\nsequence ${sequence}\nexpires ${expires}\nkey_id ${keyId}\nsize ${payload.length}\n`
    : `stepstone-signed-catalog 2\nsequence ${sequence}\nissued ${issued}\nexpires ${expires}\nkey_id ${keyId}\nsize ${payload.length}\n`;
  const signed = Buffer.concat([Buffer.from(header + '\n'), payload]);
  const sig = sign('sha256', signed, privateKey).toString('hex');
  const digest = createHash('sha256').update(signed).digest('hex');
  return { keyId, digest, envelope: new Uint8Array(Buffer.concat([Buffer.from(`${header}signature ${sig}\n\n`), payload])) };
}

test('signed catalog: open, load the payload, each refusal', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
  const pem = publicKey.export({ type: 'spki', format: 'pem' });
  const payload = Buffer.from(catalogText);
  const { keyId, digest, envelope } = seal(payload, { sequence: 7, expires: 2_000_000_000 }, privateKey, publicKey);
  const o = s.openCatalog(envelope, { keys: [other.export({ type: 'spki', format: 'pem' }), pem], now: 1_800_000_000, lastSequence: 6 });
  assert.deepEqual([o.sequence, o.expires, o.key_id, o.issued, o.digest], [7, 2_000_000_000, keyId, null, digest]);
  assert.equal(Buffer.compare(Buffer.from(o.payload), payload), 0);
  assert.deepEqual(s.Catalog.load(o.payload).plan({ from: 'v64000', to: 'v67000', model: 'AG-1' }).path, ['v65000', 'v66000', 'v66003', 'v67000']);
  assert.equal(s.openCatalog(envelope, { keys: pem, now: 1_800_000_000n }).sequence, 7);
  // The same catalog fetched again: accepted with the stored digest; refused without it.
  assert.equal(s.openCatalog(envelope, { keys: pem, now: '1800000000', lastSequence: 7n, lastDigest: o.digest }).digest, digest);
  assert.equal(codeOf(() => s.openCatalog(envelope, { keys: pem, now: 1_800_000_000, lastSequence: 7 })), 'signed_catalog.sequence_reused');
  assert.equal(codeOf(() => s.openCatalog(envelope, { keys: pem, now: 1_800_000_000, lastSequence: 7, lastDigest: 'ab' })), 'js.bad_argument');
  // Format 2 carries `issued`; another catalog with the same sequence is refused.
  const two = seal(payload, { sequence: 7, expires: 2_000_000_000, issued: 1_700_000_000 }, privateKey, publicKey);
  const o2 = s.openCatalog(two.envelope, { keys: pem, now: 1_800_000_000 });
  assert.deepEqual([o2.issued, o2.digest], [1_700_000_000, two.digest]);
  assert.equal(codeOf(() => s.openCatalog(two.envelope, { keys: pem, now: 1_800_000_000, lastSequence: 7, lastDigest: o.digest })),
    'signed_catalog.sequence_reused');
  assert.equal(codeOf(() => s.openCatalog(envelope, { keys: pem, now: 0n })), 'signed_catalog.clock_unset');

  const trust = { keys: pem, now: 1_800_000_000 };
  assert.equal(codeOf(() => s.openCatalog(envelope, { ...trust, lastSequence: 8 })), 'signed_catalog.rollback');
  assert.equal(codeOf(() => s.openCatalog(envelope, { ...trust, now: 2_000_000_000 })), 'signed_catalog.expired');
  assert.equal(codeOf(() => s.openCatalog(envelope, { ...trust, keys: other.export({ type: 'spki', format: 'pem' }) })), 'signed_catalog.unknown_key');
  const tampered = envelope.slice();
  tampered[tampered.length - 2] ^= 1;
  assert.equal(codeOf(() => s.openCatalog(tampered, trust)), 'signed_catalog.bad_signature');
  assert.equal(codeOf(() => s.openCatalog(Uint8Array.of(...envelope, 32), trust)), 'signed_catalog.malformed');
  assert.equal(codeOf(() => s.openCatalog(envelope, { ...trust, keys: 'not a key' })), 'signature.key_malformed');
  assert.equal(codeOf(() => s.Catalog.load(Uint8Array.of(0xff, 0xfe))), 'catalog.json');
});
