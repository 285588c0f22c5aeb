// The one TypeScript API of both stepstone packages (stepstone-wasm and stepstone-node).

/** Every error thrown by stepstone: a real Error with the core's stable code. */
export declare class StepstoneError extends Error {
  /** `area.reason`, e.g. `catalog.duplicate_version`, `plan.unreachable`. */
  readonly code: string;
  constructor(code: string, message: string);
}

export type Cost = 'hops' | 'bytes';

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
  releases: { version: string; verdict: string; reason: string }[];
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
}

export declare class Catalog {
  private constructor();
  /** Loads and validates a catalog (JSON text or object); throws the first error. */
  static load(json: string | object): Catalog;
  readonly releaseCount: number;
  readonly scheme: string;
  toJSON(): unknown;
  plan(query: Query): Plan;
  nextHop(query: Query): string | null;
  explain(query: Query): Explanation;
  lint(): LintWarning[];
  graph(device?: Device): Graph;
  render(format?: 'dot' | 'mermaid', device?: Device): string;
  campaign(target: string, device?: Device & { cost?: Cost; allowDowngrade?: boolean }): Campaign;
}

export type Bytes = Uint8Array | string;
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

export declare class Rollout {
  private constructor();
  static fromJson(json: string | object): Rollout;
  /** The device's rollout position, 16 hex digits. */
  position(deviceId: Bytes): string;
  stageOf(position: string): number;
}

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
