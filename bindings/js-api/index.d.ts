// The one TypeScript API of both stepstone packages (stepstone-wasm and stepstone-node).

// Every function and method checks its arguments before they reach the WASM module or the
// addon: a wrong type, a missing required field, a number that is negative, fractional, NaN,
// infinite or out of range, or an unknown option key throws StepstoneError `js.bad_argument`
// naming the argument and the value (docs/js.md, "Arguments"). Values of the right type that the
// core refuses throw the core's code.

/**
 * Whether `e` is an error from stepstone, from either package (stepstone-wasm, stepstone-node)
 * or any copy of one: a brand (`Symbol.for('stepstone.error')`), not the prototype chain.
 */
export declare function isStepstoneError(e: unknown): e is StepstoneError;

/**
 * Every error thrown by stepstone: a real Error with the core's stable code. `e instanceof
 * StepstoneError` holds for errors from either package (it asks the brand, as `isStepstoneError`).
 */
export declare class StepstoneError extends Error {
  /** `area.reason`, e.g. `catalog.duplicate_version`, `plan.unreachable`, `js.bad_argument`. */
  readonly code: string;
  /** From `Catalog.load` on an invalid catalog: every problem, the first being `code`'s. */
  errors?: Problem[];
  constructor(code: string, message: string);
}

export type Cost = 'hops' | 'bytes';

/**
 * The device a question is for. Where the catalog's releases differ by model (or environment),
 * leaving it out is refused with `plan.model_required` (`plan.environment_required`); a name no
 * release lists is `plan.unknown_model` (`plan.unknown_environment`). A catalog that names no
 * model takes any.
 */
export interface Device {
  model?: string | null;
  environment?: string | null;
}

export interface Query extends Device {
  from: string;
  to: string;
  cost?: Cost;
  allowDowngrade?: boolean;
}

export interface Step {
  version: string;
  bytes: number | null;
  delta_from?: string;
}

export interface Plan {
  path: string[];
  hops: number;
  bytes: number | null;
  steps: Step[];
}

export interface Problem {
  code: string;
  message: string;
}

export interface LintWarning {
  code: string;
  release: string;
  message: string;
}

export interface Explanation {
  outcome: { plan: Plan } | { error: Problem };
  /** `hop`: the 1-based hop of an `install` verdict. */
  releases: { version: string; verdict: string; hop?: number; reason: string }[];
}

export interface Graph {
  nodes: { version: string; yanked: boolean; stepping_stone: boolean; deadend: boolean }[];
  edges: [string, string][];
}

export declare class Campaign {
  private constructor();
  /** The release a device at `version` installs next; null when it is at the target. */
  nextHop(version: string): string | null;
  readonly target: string;
  readonly size: number;
  /** The table's wire form, JSON text (`docs/schema/campaign-table.schema.json`): what a Reconciler of the `rollout` entry point takes. */
  toTable(): string;
}

/** A campaign table's wire form: `Campaign.toTable()`, as text or parsed. */
export interface CampaignTableWire {
  format: 'stepstone.campaign_table';
  version: 1;
  scheme: 'integer' | 'semver' | 'dotted';
  target: string;
  allow_downgrade: boolean;
  points: string[];
  answers: number[];
  releases: string[];
}

export declare class Catalog {
  private constructor();
  /** Loads and validates a catalog (JSON text, UTF-8 bytes or a plain object). An invalid catalog
   * throws one StepstoneError: the first problem's code, every problem in `errors`. */
  static load(json: string | Uint8Array | object): Catalog;
  readonly releaseCount: number;
  readonly scheme: string;
  toJSON(): unknown;
  plan(query: Query): Plan;
  nextHop(query: Query): string | null;
  explain(query: Query): Explanation;
  lint(): LintWarning[];
  /** The upgrade graph for a device: every direct install as an edge, or with `reduced: true`
   * the transitive reduction (an install drawn only when no other chain of installs leads there;
   * about one edge per release, where the full graph is quadratic). */
  graph(device?: Device & { reduced?: boolean }): Graph;
  render(format?: 'dot' | 'mermaid', device?: Device): string;
  campaign(target: string, device?: Device & { cost?: Cost; allowDowngrade?: boolean }): Campaign;
}

/** Bytes: a Uint8Array (or Buffer) as it is, a string as its UTF-8. */
export type Bytes = Uint8Array | string;
/** A 64-bit count or time: a safe integer >= 0, a bigint 0 to 2^64 - 1, or its decimal string. */
export type U64 = bigint | number | string;

export declare class SamplingPlan {
  private constructor();
  static fromJson(json: string | object): SamplingPlan;
  rate(cls: string): number;
  periodAt(unixSeconds: U64): bigint;
  /** 16 lowercase hex digits. */
  position(deviceId: Bytes, cls: string, period: U64): string;
  isSampled(deviceId: Bytes, cls: string, period: U64): boolean;
}

export interface Estimate {
  fleet: number;
  rate_ppm: number;
  sampled_devices: number;
  bug_hours: number;
  per_hour: number;
  per_day: number;
  seconds_between: number | null;
  window_hours: number;
  expected_in_window: number;
  p_at_least_one: number;
}

export interface Volume {
  fleet: number;
  rate_ppm: number;
  sampled_devices: number;
  items: number;
  bytes_per_item: number;
  samples_per_day: number;
  retention_days: number;
  points_per_day: number;
  bytes_per_day: number;
  retained_bytes: number;
}

/** `"wasm"` or `"napi"`. */
export declare const backend: 'wasm' | 'napi';
export declare function version(): string;
/** Every error of a catalog (empty when valid). */
export declare function validate(json: string | object): Problem[];
export declare function position(salt: Bytes, deviceId: Bytes, period: U64, cls: string): string;
/** Whether a position (16 hex digits) is below a rate (ppm, a u32). */
export declare function isBelow(position: string, ratePpm: number): boolean;
export declare function periodIndex(unixSeconds: U64, periodSeconds: U64, offsetSeconds?: U64): bigint | null;
export declare function estimate(a: { fleet: number; ratePpm: number; bugHours: number; windowHours: number }): Estimate;
export declare function smallestRate(a: { fleet: number; bugHours: number; windowHours: number; probability: number }): number | null;
export declare function volume(a: {
  fleet: number;
  ratePpm: number;
  items: number;
  bytesPerItem: number;
  samplesPerDay: number;
  retentionDays: number;
}): Volume;

export interface Verified {
  /** SHA-256 of the image, hex. */
  sha256: string;
  bytes: number;
  signature_format: 'der' | 'raw' | 'hex' | 'base64' | 'hex-raw' | 'base64-raw';
  key_format: 'pem' | 'der' | 'sec1' | 'hex';
  key_id: string;
}

/** Streamed ECDSA P-256 verification of an image: the image never has to be in memory. */
export declare class Verifier {
  /** `key`: PEM, DER, SEC1 or hex bytes (detected). */
  constructor(key: Bytes);
  update(chunk: Uint8Array): this;
  /** Throws StepstoneError `signature.invalid` (or another `signature.*`) when it does not verify. */
  finish(signature: Bytes): Verified;
}

export declare function verifyStream(
  key: Bytes,
  signature: Bytes,
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
): Promise<Verified>;

/** A rollout's schedule: discrete stages, or a linear ramp. */
export interface Stage {
  fraction_ppm: number;
  min_soak_secs?: number;
}
export interface Ramp {
  start: number;
  start_ppm?: number;
  duration_secs: number;
}
export interface Confidence {
  z_num: number;
  z_den: number;
}
/** When a stage's failures halt the rollout; every rule optional. */
export interface HaltRule {
  max_failures?: number | null;
  max_failure_rate_ppm?: number | null;
  min_finished?: number;
  confidence?: Confidence | null;
}
export interface RolloutSpec {
  salt: string;
  schedule: { stages: Stage[] } | { ramp: Ramp };
  halt?: HaltRule;
}
export interface StageStats {
  finished: number;
  failed: number;
}
/** `rollout.failure_count`, `rollout.failure_rate` or `rollout.failure_rate_confident`. */
export type HaltCode = string;

export declare class Rollout {
  private constructor();
  /** Reads and checks a rollout (throws `rollout.*`). */
  static fromJson(json: string | RolloutSpec): Rollout;
  /** The rollout with every field. */
  toJSON(): RolloutSpec;
  /** The device's rollout position, 16 hex digits. */
  position(deviceId: Bytes): string;
  /** The stage of a position (16 hex digits). */
  stageOf(position: string): number;
  /** The halt rule these counts of `stage` trip, or null. Both counts are required (whole numbers,
   * 0 to 2^32 - 1): a missing count throws `js.bad_argument`, it never reads as "do not halt". */
  trips(stage: number, stats: StageStats): HaltCode | null;
}

/** The halt rule these counts trip, or null (both counts required, as for `Rollout.trips`). */
export declare function haltTrips(rule: string | HaltRule, stats: StageStats): HaltCode | null;
/** A ramp's open fraction (ppm) `elapsed` seconds after it started. */
export declare function rampFraction(ramp: string | Ramp, elapsed: U64): number;
/** Whether the Wilson score lower bound of `failed / finished` at z = zNum / zDen is above `limitPpm / 1e6` (exact). */
export declare function wilsonLowerAbove(a: { failed: number; finished: number; limitPpm: number; zNum: number; zDen: number }): boolean;
/** A device's rollout position for `salt` (class `rollout`, period 0), 16 hex digits. */
export declare function rolloutPosition(salt: Bytes, deviceId: Bytes): string;

export type FailureKind = 'failed' | 'timed_out' | 'rejected' | 'download_error';

export interface KindPolicy {
  retry?: boolean;
  max_failures?: number | null;
  base_secs?: number;
  factor?: number;
  cap_secs?: number;
}

/** A retry policy as JSON: only the fields that differ from the default. */
export interface RetryPolicySpec {
  attempts_per_hop?: number;
  jitter_ppm?: number;
  failed?: KindPolicy;
  timed_out?: KindPolicy;
  rejected?: KindPolicy;
  download_error?: KindPolicy;
  give_up?: { max_total_attempts?: number | null; max_elapsed_secs?: number | null };
}

/** `give_up`: `retry.attempts_per_hop`, `retry.not_retried`, `retry.kind_limit`, `retry.total_attempts` or
 * `retry.elapsed`; `rule`: the same rule with its limit (`{rule: 'attempts_per_hop', limit: 5}`). */
export type RetryDecision = { retry_at: number } | { give_up: string; rule: { rule: string; [k: string]: unknown } };

export declare class RetryPolicy {
  private constructor();
  /** Reads and checks a policy (throws `retry.*`); no argument: the default policy. */
  static fromJson(json?: string | RetryPolicySpec): RetryPolicy;
  /** The policy with every field. */
  toJSON(): Required<RetryPolicySpec>;
  /** Seconds to wait after the `n`-th failure of `kind` (jittered by device, hop and attempt); `n` and
   * `attempt` are numbered from 1 (0 throws `retry.zero_number`). */
  backoff(a: { kind: FailureKind; n: number; deviceId: Bytes; hop: Bytes; attempt: number }): number;
  /** What to do after a failure; `failures` counts this one. A `failedAt` before `firstAttemptAt` throws
   * `retry.failed_before_first_attempt`. */
  afterFailure(a: {
    attempts: number;
    failures?: Partial<Record<FailureKind, number>>;
    kind: FailureKind;
    totalAttempts: number;
    firstAttemptAt: U64;
    failedAt: U64;
    deviceId: Bytes;
    hop: Bytes;
  }): RetryDecision;
}

/** The jitter hash of (device, hop, attempt): 16 hex digits. */
export declare function jitterHash(deviceId: Bytes, hop: Bytes, attempt: number): string;

/** A device's state in the core's wire form (versions as the catalog spells them); absent fields default. */
export interface DeviceState {
  reported?: string | null;
  device_seq?: number;
  last_job?: number;
  job?: { id: number; release: string; created_at: number; expires_at: number; device_seq: number } | null;
  hop?: {
    release: string;
    counters: { attempts: number; failures: [number, number, number, number] };
    last_failure: { kind: FailureKind; at: number; device_seq: number } | null;
  } | null;
  total_attempts?: number;
  first_attempt_at?: number | null;
  rolled_back?: string[];
  campaign?: number;
  catalog_revision?: number;
  operator_seq?: number;
}

/** An event, tagged `event`: `job_created`, `job_succeeded`, `job_failed`, `job_expired`, `reported`,
 * `target_changed`, `catalog_changed`, `release_yanked`, `operator`. */
export interface ReconcileEvent {
  event: string;
  [field: string]: unknown;
}

export type Outcome = 'changed' | 'duplicate' | 'stale' | 'not_in_flight';

/** What to do with a device now, tagged `action`. */
export type Action =
  | { action: 'install'; release: string; job: number; expires_at: number; attempt: number; stage?: number }
  | { action: 'wait'; until: number; reason: { why: string; [k: string]: unknown } }
  | { action: 'expire'; job: number }
  | { action: 'done' }
  | { action: 'hold'; reason: { why: string; [k: string]: unknown } }
  | { action: 'give_up'; reason: { why: string; [k: string]: unknown } };

/** A weekly maintenance window in the device's local time (day 0 = Monday). */
export interface Window {
  day: number;
  start_minute: number;
  duration_minutes: number;
}

export interface ReconcilerOptions {
  policy?: RetryPolicy | RetryPolicySpec | null;
  rollout?: Rollout | RolloutSpec | null;
  /** When the rollout started (default 0). */
  rolloutStartedAt?: U64;
  /**
   * Where the rollout stands, as stored from `rolloutState` (a stateless service carries on
   * from it; `reconcile.rollout_state_mismatch` when its stage count, open stage or counts do
   * not fit the rollout; `reconcile.bad_option` with `rolloutStartedAt`).
   */
  rolloutState?: object | null;
  start?: U64 | null;
  end?: U64 | null;
  windows?: Window[];
  /** Whole seconds, -2^31 to 2^31 - 1. */
  utcOffsetSecs?: number;
  /** Lifetime of a job document (default 7 days). */
  jobTtlSecs?: U64;
}

/** The scheduler's brain for one campaign (throws `reconcile.*`, `retry.*`, `rollout.*`, `window.*`). */
export declare class Reconciler {
  /** `campaign`: a Campaign, or its table (`campaign.toTable()`), the only form the `rollout` entry point takes (`reconcile.invalid_table`, `reconcile.table_version`). */
  constructor(campaign: Campaign | CampaignTableWire | string, options?: ReconcilerOptions);
  /** Applies an event; a duplicate or stale event leaves the state as it was. */
  apply(state: DeviceState | string | null | undefined, event: ReconcileEvent | string): { state: DeviceState; outcome: Outcome };
  /** The state in the core's full wire form (none: a new device). */
  state(state?: DeviceState | string | null): DeviceState;
  decide(deviceId: Bytes, state: DeviceState | string | null | undefined, now: U64): Action;
  /** Opens the rollout's next stage if its soak is done; whether it did. */
  rolloutAdvance(now: U64): boolean;
  /** Halts the rollout by hand (`rollout.already_halted`). */
  rolloutHalt(now: U64, note?: string): void;
  /** Resumes a halted rollout (`rollout.not_halted`). */
  rolloutResume(now: U64): void;
  /**
   * Counts one finished attempt (after applying `job_succeeded` / `job_failed`) of a device of
   * `stage` (the `stage` of the `install` action) and halts the rollout if a rule trips: the
   * halt's code, or null (`rollout.unknown_stage`, `reconcile.no_rollout`).
   */
  rolloutRecord(stage: number, failed: boolean, now: U64): string | null;
  /** Where the rollout stands (null without a rollout). */
  readonly rolloutState: RolloutState | null;
}

/** Where a rollout stands. `reason.rule`: `failure_count`, `failure_rate`, `confidence` or `operator`. */
export interface RolloutState {
  started_at: number;
  stage: number;
  stage_opened_at: number;
  halted_secs: number;
  halted: { at: number; reason: { rule: string; [k: string]: unknown } } | null;
  stats: StageStats[];
  log: ({ event: 'opened'; stage: number; at: number } | { event: 'halted'; at: number; reason: { rule: string } } | { event: 'resumed'; at: number })[];
}

export interface OpenedCatalog {
  sequence: number;
  /** When it was signed, Unix seconds (null for a format-1 envelope). */
  issued: number | null;
  expires: number;
  key_id: string;
  /** SHA-256 of the signed bytes, hex: store it with `sequence`, pass both back. */
  digest: string;
  /** The verified catalog bytes: a view into the envelope (pass it to `Catalog.load`). */
  payload: Uint8Array;
}

/** Opens a signed catalog: key among `keys`, signature, `now` set (0 is
 * `signed_catalog.clock_unset`), expiry at `now`, sequence not below `lastSequence`, and an
 * equal sequence only with the stored `lastDigest` (else `signed_catalog.sequence_reused`).
 * Throws `signed_catalog.*`, or `signature.*` for a bad key; `js.bad_argument` for a
 * `lastDigest` without `lastSequence` (the replay check needs both). */
export declare function openCatalog(
  envelope: Bytes,
  trust: { keys: Bytes | Bytes[]; now: U64; lastSequence?: U64 | null; lastDigest?: string | null },
): OpenedCatalog;

/** What a device stores of the last signed compact catalog it accepted (the core's JSON). */
export interface CatalogState {
  sequence: number;
  /** SHA-256 of the signed bytes, hex. */
  sha256: string;
  /** The time floor: the highest `issued` accepted. */
  issued: number;
}

export interface CompactCatalogHeader {
  sequence: number;
  issued: number;
  expires: number;
  key_id: string;
  payload_len: number;
}

/** A verified signed compact catalog: the core's JSON plus the payload. */
export interface OpenedCompactCatalog {
  header: CompactCatalogHeader;
  /** Store it; pass it back as `last` next time. */
  state: CatalogState;
  payload_offset: number;
  /** The compact catalog bytes, verified: a view into the envelope (pass it to `ManifestFirst`). */
  payload: Uint8Array;
}

/** Opens a signed compact catalog (`stepstone catalog pack --sign`) with the pinned catalog key:
 * layout, key, signature, clock (`now` not 0, not below `last.issued`), expiry, sequence
 * (throws `signed_catalog.*`; a `last` that is not a state is `js.bad_argument`). */
export declare function openCompactCatalog(
  envelope: Uint8Array,
  key: Bytes,
  trust: { now: U64; last?: CatalogState | string | null },
): OpenedCompactCatalog;

export interface ManifestDevice {
  model: string;
  environment: string;
  currentVersion: string;
  /** Anti-rollback counter: the highest version the device ever accepted. */
  counter: string;
  /** Now, Unix seconds. */
  now: U64;
}

/** A signed manifest: verified and checked for the device on construction (throws `manifest.*`). */
export declare class ManifestCheck {
  constructor(a: { key: Bytes; manifest: Bytes; signature: Bytes; device: ManifestDevice });
  /** Image bytes still expected. */
  readonly remaining: number;
  /** Refuses a chunk past the declared size (`manifest.size_mismatch`). */
  update(chunk: Uint8Array): this;
  finish(): { version: string; size: number; sha256: string };
}

/** What a device keeps once the manifest and the image check out (the core's JSON): `version` is
 * its new anti-rollback counter. */
export interface VerifiedRelease {
  version: string;
  size: number;
  /** SHA-256 of the image, hex. */
  sha256: string;
  /** The manifest key's id, hex. */
  key_id: string;
  expires: number;
}

/** The manifest-first install check: on construction the manifest's signature, format and key
 * id, the device and, given `catalog` (an opened compact catalog's payload), the binding to that
 * catalog (throws `manifest.*`; `compact.*` for a payload that is not a compact catalog). */
export declare class ManifestFirst {
  constructor(a: { key: Bytes; manifest: Bytes; signature: Bytes; device: ManifestDevice; catalog?: Uint8Array | null });
  /** Image bytes still expected. */
  readonly remaining: number;
  /** Refuses the first chunk past the declared size, and every call after (`manifest.size_mismatch`). */
  update(chunk: Uint8Array): this;
  /** Checks size and digest (`manifest.size_mismatch`, `manifest.digest_mismatch`). */
  finish(): VerifiedRelease;
}
