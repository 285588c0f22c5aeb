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
const opt = (x) => (x === undefined || x === null ? undefined : x);
const queryArgs = (q) => [q.from, q.to, opt(q.cost), opt(q.model), opt(q.environment), !!q.allowDowngrade];

export function makeApi(native, backend) {
  class Campaign {
    #raw;
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
    /** Loads a catalog from JSON text or an object; throws the first error. */
    static load(json) {
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

  /** A signed manifest checked for a device; then the image streamed against its size and digest. */
  class ManifestCheck {
    #raw;
    constructor({ key, manifest, signature, device }) {
      const d = device;
      this.#raw = call(() => native.newManifestCheck(bytes(key, 'key'), bytes(manifest, 'manifest'), bytes(signature, 'signature'),
        d.model, d.environment, d.currentVersion, d.counter, dec(d.now)));
    }
    get remaining() {
      return this.#raw.remaining();
    }
    update(chunk) {
      call(() => this.#raw.update(bytes(chunk, 'chunk')));
      return this;
    }
    finish() {
      return JSON.parse(call(() => this.#raw.finish()));
    }
  }

  class Rollout {
    #raw;
    constructor(raw) {
      this.#raw = raw;
    }
    static fromJson(json) {
      return new Rollout(call(() => native.rolloutFromJson(text(json))));
    }
    position(deviceId) {
      return this.#raw.position(bytes(deviceId, 'deviceId'));
    }
    stageOf(position) {
      return call(() => this.#raw.stageOf(position));
    }
  }

  return {
    backend,
    Verifier,
    ManifestCheck,
    verifyStream,
    Rollout,
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
    volume: ({ fleet, ratePpm, items, bytesPerItem, samplesPerDay, retentionDays }) =>
      JSON.parse(call(() => native.volume(fleet, ratePpm, items, bytesPerItem, samplesPerDay, retentionDays))),
  };
}
