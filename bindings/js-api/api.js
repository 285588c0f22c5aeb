// The one JavaScript API over either backend (the WASM module or the napi addon).
// Both backends expose the same raw functions (see bindings/js-glue); this file only turns
// arguments into their plain form, parses the JSON answers and turns errors into
// StepstoneError. It is copied verbatim into both npm packages.

/** An error from stepstone: `code` is the core's stable `area.reason` code. */
export class StepstoneError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'StepstoneError';
    this.code = code;
  }
}

const CODE = /^[a-z0-9_]+\.[a-z0-9_.]+$/;
const PREFIXED = /^\[([a-z0-9_]+\.[a-z0-9_.]+)\] ([\s\S]*)$/;

function rethrow(e) {
  if (e instanceof StepstoneError) throw e;
  if (e && typeof e.code === 'string' && CODE.test(e.code)) {
    throw new StepstoneError(e.code, e.message);
  }
  const m = e && typeof e.message === 'string' ? PREFIXED.exec(e.message) : null;
  if (m) throw new StepstoneError(m[1], m[2]);
  throw e;
}

function call(f) {
  try {
    return f();
  } catch (e) {
    return rethrow(e);
  }
}

const encoder = new TextEncoder();
const bytes = (x, what) => {
  if (x instanceof Uint8Array) return x;
  if (typeof x === 'string') return encoder.encode(x);
  throw new StepstoneError('js.bad_argument', `${what} must be a Uint8Array or a string`);
};
const dec = (x) => (typeof x === 'bigint' || typeof x === 'number' ? String(x) : x);
const text = (x) => (typeof x === 'string' ? x : JSON.stringify(x));
const optText = (x) => (x === undefined || x === null ? undefined : text(x));
const opt = (x) => (x === undefined || x === null ? undefined : x);
// A required 64-bit argument as decimal text (bigint, number or string): absent is js.bad_argument.
const u64 = (x, what) => {
  if (x === undefined || x === null) throw new StepstoneError('js.bad_argument', `${what} is required`);
  return dec(x);
};
const queryArgs = (q) => [q.from, q.to, opt(q.cost), opt(q.model), opt(q.environment), !!q.allowDowngrade];

export function makeApi(native, backend) {
  let campaignRaw;

  class Campaign {
    #raw;
    static {
      campaignRaw = (c) => {
        if (!(c instanceof Campaign)) throw new StepstoneError('js.bad_argument', 'campaign must be a Campaign');
        return c.#raw;
      };
    }
    constructor(raw) {
      this.#raw = raw;
    }
    /** Next release for a device at `version` (null: at the target). */
    nextHop(version) {
      return call(() => this.#raw.nextHop(version) ?? null);
    }
    get target() {
      return this.#raw.target();
    }
    get size() {
      return this.#raw.size();
    }
  }

  class Catalog {
    #raw;
    constructor(raw) {
      this.#raw = raw;
    }
    /** Loads a catalog from JSON text, UTF-8 bytes or an object; throws the first error. */
    static load(json) {
      if (json instanceof Uint8Array) return new Catalog(call(() => native.loadCatalogBytes(json)));
      return new Catalog(call(() => native.loadCatalog(text(json))));
    }
    get releaseCount() {
      return this.#raw.releaseCount();
    }
    get scheme() {
      return this.#raw.scheme();
    }
    toJSON() {
      return JSON.parse(this.#raw.toJson());
    }
    plan(query) {
      return JSON.parse(call(() => this.#raw.plan(...queryArgs(query))));
    }
    nextHop(query) {
      return call(() => this.#raw.nextHop(...queryArgs(query)) ?? null);
    }
    explain(query) {
      return JSON.parse(call(() => this.#raw.explain(...queryArgs(query))));
    }
    lint() {
      return JSON.parse(this.#raw.lint());
    }
    graph(device = {}) {
      return JSON.parse(this.#raw.graph(opt(device.model), opt(device.environment)));
    }
    render(format = 'dot', device = {}) {
      return this.#raw.render(opt(device.model), opt(device.environment), format);
    }
    campaign(target, device = {}) {
      const raw = call(() =>
        native.buildCampaign(this.#raw, target, opt(device.model), opt(device.environment), opt(device.cost), !!device.allowDowngrade),
      );
      return new Campaign(raw);
    }
  }

  class SamplingPlan {
    #raw;
    constructor(raw) {
      this.#raw = raw;
    }
    static fromJson(json) {
      return new SamplingPlan(call(() => native.samplingFromJson(text(json))));
    }
    rate(cls) {
      return call(() => this.#raw.rate(cls));
    }
    periodAt(unixSeconds) {
      return BigInt(call(() => this.#raw.periodAt(dec(unixSeconds))));
    }
    position(deviceId, cls, period) {
      return call(() => this.#raw.position(bytes(deviceId, 'deviceId'), cls, dec(period)));
    }
    isSampled(deviceId, cls, period) {
      return call(() => this.#raw.isSampled(bytes(deviceId, 'deviceId'), cls, dec(period)));
    }
  }

  /** Streamed image verification: `update(chunk)` as the bytes arrive, then `finish(signature)`. */
  class Verifier {
    #raw;
    constructor(key) {
      this.#raw = call(() => native.newVerifier(bytes(key, 'key')));
    }
    update(chunk) {
      call(() => this.#raw.update(bytes(chunk, 'chunk')));
      return this;
    }
    finish(signature) {
      return JSON.parse(call(() => this.#raw.finish(bytes(signature, 'signature'))));
    }
  }

  /** Verifies an image given as any (async) iterable of Uint8Array chunks. */
  async function verifyStream(key, signature, chunks) {
    const v = new Verifier(key);
    for await (const chunk of chunks) v.update(chunk);
    return v.finish(signature);
  }

  // Both manifest classes stand on the one native check (`newManifestFirst`): one copy in the WASM.
  const manifestFirst = ({ key, manifest, signature, device, catalog }) => {
    const d = device ?? {};
    const cat = catalog === undefined || catalog === null ? undefined : bytes(catalog, 'catalog');
    return call(() => native.newManifestFirst(bytes(key, 'key'), bytes(manifest, 'manifest'), bytes(signature, 'signature'),
      d.model, d.environment, d.currentVersion, d.counter, u64(d.now, 'device.now'), cat));
  };

  /** A signed manifest checked for a device; then the image streamed against its size and digest. */
  class ManifestCheck {
    #raw;
    constructor({ key, manifest, signature, device }) {
      this.#raw = manifestFirst({ key, manifest, signature, device });
    }
    get remaining() {
      return this.#raw.remaining();
    }
    update(chunk) {
      call(() => this.#raw.update(bytes(chunk, 'chunk')));
      return this;
    }
    finish() {
      const { version, size, sha256 } = JSON.parse(call(() => this.#raw.finish()));
      return { version, size, sha256 };
    }
  }

  /**
   * The manifest-first install check: the manifest's signature (pinned manifest key), format,
   * key id, the device and, given `catalog` (an opened compact catalog's payload), the binding
   * to that catalog, all on construction, before any image byte; then the image streamed.
   */
  class ManifestFirst {
    #raw;
    constructor(args) {
      this.#raw = manifestFirst(args);
    }
    get remaining() {
      return this.#raw.remaining();
    }
    update(chunk) {
      call(() => this.#raw.update(bytes(chunk, 'chunk')));
      return this;
    }
    /** The verified facts: the core's JSON `{version, size, sha256, key_id, expires}`. */
    finish() {
      return JSON.parse(call(() => this.#raw.finish()));
    }
  }

  /** Opens a signed compact catalog with the pinned catalog key; `payload` is a view into `envelope`. */
  function openCompactCatalog(envelope, key, { now, last } = {}) {
    const env = bytes(envelope, 'envelope');
    const o = JSON.parse(call(() => native.openCompactCatalog(env, bytes(key, 'key'), u64(now, 'now'), optText(last))));
    o.payload = env.subarray(o.payload_offset, o.payload_offset + o.header.payload_len);
    return o;
  }

  class Rollout {
    #raw;
    constructor(raw) {
      this.#raw = raw;
    }
    static fromJson(json) {
      return new Rollout(call(() => native.rolloutFromJson(text(json))));
    }
    toJSON() {
      return JSON.parse(this.#raw.toJson());
    }
    position(deviceId) {
      return this.#raw.position(bytes(deviceId, 'deviceId'));
    }
    stageOf(position) {
      return call(() => this.#raw.stageOf(position));
    }
    /** The code of the halt rule a stage's counts trip, or null. */
    trips(stage, { finished, failed }) {
      return this.#raw.trips(stage, finished, failed) ?? null;
    }
  }

  /** A retry policy: the fields that differ from the default (none: the default). */
  class RetryPolicy {
    #raw;
    constructor(raw) {
      this.#raw = raw;
    }
    static fromJson(json = {}) {
      return new RetryPolicy(call(() => native.retryPolicyFromJson(text(json))));
    }
    toJSON() {
      return JSON.parse(this.#raw.toJson());
    }
    /** Seconds to wait after the `n`-th failure of `kind` on `hop` (jittered). */
    backoff({ kind, n, deviceId, hop, attempt }) {
      return call(() => this.#raw.backoff(kind, n, bytes(deviceId, 'deviceId'), bytes(hop, 'hop'), attempt));
    }
    /** After a failure: `{retry_at}` or `{give_up}` (the rule's code). */
    afterFailure({ attempts, failures = {}, kind, totalAttempts, firstAttemptAt, failedAt, deviceId, hop }) {
      return JSON.parse(call(() => this.#raw.afterFailure(attempts, text(failures), kind, totalAttempts,
        dec(firstAttemptAt), dec(failedAt), bytes(deviceId, 'deviceId'), bytes(hop, 'hop'))));
    }
  }

  /** The scheduler's brain for one campaign: `apply(state, event)` and `decide(deviceId, state, now)`. */
  class Reconciler {
    #raw;
    constructor(campaign, options = {}) {
      const o = options;
      const json = JSON.stringify({
        policy: o.policy, rollout: o.rollout, rollout_started_at: o.rolloutStartedAt, start: o.start, end: o.end,
        windows: o.windows, utc_offset_secs: o.utcOffsetSecs, job_ttl_secs: o.jobTtlSecs,
      });
      this.#raw = call(() => native.newReconciler(campaignRaw(campaign), json));
    }
    /** `{state, outcome}`: the new state and `changed`, `duplicate`, `stale` or `not_in_flight`. */
    apply(state, event) {
      return JSON.parse(call(() => this.#raw.apply(optText(state), text(event))));
    }
    /** `state` in the core's full wire form (none: a new device). */
    state(state) {
      return JSON.parse(call(() => this.#raw.state(optText(state))));
    }
    decide(deviceId, state, now) {
      return JSON.parse(call(() => this.#raw.decide(bytes(deviceId, 'deviceId'), optText(state), dec(now))));
    }
    rolloutAdvance(now) {
      return call(() => this.#raw.rolloutAdvance(dec(now)));
    }
    rolloutHalt(now, note) {
      call(() => this.#raw.rolloutHalt(dec(now), opt(note)));
    }
    rolloutResume(now) {
      call(() => this.#raw.rolloutResume(dec(now)));
    }
    get rolloutState() {
      const s = this.#raw.rolloutState();
      return s === undefined || s === null ? null : JSON.parse(s);
    }
  }

  /** Opens a signed catalog envelope with the trusted keys; the payload is a view into `envelope`. */
  function openCatalog(envelope, { keys, now, lastSequence, lastDigest }) {
    const env = bytes(envelope, 'envelope');
    const set = native.newCatalogKeys();
    for (const k of Array.isArray(keys) ? keys : [keys]) call(() => set.add(bytes(k, 'key')));
    const last = opt(lastSequence) === undefined ? undefined : dec(lastSequence);
    const o = JSON.parse(call(() => set.open(env, dec(now), last, opt(lastDigest))));
    const [start, end] = o.payload;
    return {
      sequence: o.sequence, issued: o.issued, expires: o.expires, key_id: o.key_id, digest: o.digest,
      payload: env.subarray(start, end),
    };
  }

  return {
    backend,
    Verifier,
    ManifestCheck,
    ManifestFirst,
    openCompactCatalog,
    verifyStream,
    Rollout,
    RetryPolicy,
    Reconciler,
    openCatalog,
    StepstoneError,
    Catalog,
    Campaign,
    SamplingPlan,
    version: () => native.version(),
    validate: (json) => JSON.parse(native.validate(text(json))),
    position: (salt, deviceId, period, cls) =>
      call(() => native.position(bytes(salt, 'salt'), bytes(deviceId, 'deviceId'), dec(period), cls)),
    isBelow: (position, ratePpm) => call(() => native.isBelow(position, ratePpm)),
    periodIndex: (unixSeconds, periodSeconds, offsetSeconds = 0) => {
      const p = call(() => native.periodIndex(dec(unixSeconds), dec(periodSeconds), dec(offsetSeconds)));
      return p === null || p === undefined ? null : BigInt(p);
    },
    estimate: ({ fleet, ratePpm, bugHours, windowHours }) =>
      JSON.parse(call(() => native.estimate(fleet, ratePpm, bugHours, windowHours))),
    smallestRate: ({ fleet, bugHours, windowHours, probability }) =>
      call(() => native.smallestRate(fleet, bugHours, windowHours, probability)) ?? null,
    jitterHash: (deviceId, hop, attempt) => native.jitterHash(bytes(deviceId, 'deviceId'), bytes(hop, 'hop'), attempt),
    haltTrips: (rule, { finished, failed }) => call(() => native.haltTrips(text(rule), finished, failed)) ?? null,
    rampFraction: (ramp, elapsed) => call(() => native.rampFraction(text(ramp), dec(elapsed))),
    wilsonLowerAbove: ({ failed, finished, limitPpm, zNum, zDen }) =>
      native.wilsonLowerAbove(failed, finished, limitPpm, zNum, zDen),
    rolloutPosition: (salt, deviceId) => native.rolloutPosition(bytes(salt, 'salt'), bytes(deviceId, 'deviceId')),
    volume: ({ fleet, ratePpm, items, bytesPerItem, samplesPerDay, retentionDays }) =>
      JSON.parse(call(() => native.volume(fleet, ratePpm, items, bytesPerItem, samplesPerDay, retentionDays))),
  };
}
