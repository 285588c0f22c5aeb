// The one JavaScript API over either backend (the WASM module or the napi addon).
// Both backends expose the same raw functions (see bindings/js-glue); this file only checks and
// converts the arguments into their plain form, parses the JSON answers and turns errors into
// StepstoneError. It is copied verbatim into both npm packages.
//
// Every public function and method checks its arguments here, before any of them reaches WASM
// memory or a napi conversion, so both backends refuse a bad argument the same way: a
// StepstoneError with code `js.bad_argument` naming the argument and the value. Only the type and
// the JS encoding of a value are checked here (a string, a whole number in range, 16 hex digits,
// a decimal string); what a value means (an unknown version, cost, kind, a rate above 10^6) is
// the core's to answer, with its own code.

// The brand every StepstoneError carries, shared through the global symbol registry: each copy
// of this file (stepstone-wasm's, stepstone-node's, a second copy a bundler made) has its own
// class, and `instanceof` asks the brand instead of the prototype chain.
const BRAND = Symbol.for('stepstone.error');

/** Whether `e` is an error from stepstone, whichever package (or copy of one) threw it. */
export function isStepstoneError(e) {
  return e !== null && typeof e === 'object' && e[BRAND] === true;
}

/** An error from stepstone: `code` is the core's stable `area.reason` code. */
export class StepstoneError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'StepstoneError';
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }
  /** `e instanceof StepstoneError` holds for a StepstoneError from either package. */
  static [Symbol.hasInstance](e) {
    return isStepstoneError(e);
  }
}

const PREFIXED = /^\[([a-z0-9_]+\.[a-z0-9_.]+)\] ([\s\S]*)$/;

// A native error as a StepstoneError: both backends throw an Error whose message is
// `[code] message` (the glue's `Fault::prefixed`).
function converted(e) {
  if (e instanceof StepstoneError) return e;
  const m = e && typeof e.message === 'string' ? PREFIXED.exec(e.message) : null;
  return m ? new StepstoneError(m[1], m[2]) : e;
}

function rethrow(e) {
  throw converted(e);
}

function call(f) {
  try {
    return f();
  } catch (e) {
    return rethrow(e);
  }
}

// ---- Argument checks. Each takes the value and the argument's name, returns the value in the
// form the native function takes, or throws js.bad_argument naming the argument and the value.

const BAD = 'js.bad_argument';
const U32_MAX = 4294967295;
const U64_MAX = 18446744073709551615n;
const U64 = 'a whole number from 0 to 2^64-1 (a safe integer, a bigint or a decimal string)';
const clip = (s) => (s.length > 60 ? `${s.slice(0, 57)}...` : s);
// A Proxy's traps and a getter are the caller's code and may throw: every look at an argument
// goes through these, so that what they throw becomes js.bad_argument, never escapes as is.
/** `f()`, or `otherwise` when it throws. */
const tryOr = (f, otherwise) => {
  try {
    return f();
  } catch {
    return otherwise;
  }
};
/** `x instanceof C`, false when `x` is a Proxy whose `getPrototypeOf` throws. */
function isA(x, C) {
  try {
    return x instanceof C;
  } catch {
    return false;
  }
}
function isPlain(x) {
  if (x === null || typeof x !== 'object') return false;
  try {
    const p = Object.getPrototypeOf(x);
    return p === Object.prototype || p === null;
  } catch {
    return false;
  }
}
const absent = (x) => x === undefined || x === null;

/** The value as a message shows it: its type, then the value (strings quoted, long ones clipped). */
function describe(x) {
  switch (typeof x) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return `string ${JSON.stringify(clip(x))}`;
    case 'number':
      return `number ${Object.is(x, -0) ? '-0' : String(x)}`;
    case 'bigint':
      return `bigint ${clip(String(x))}n`;
    case 'boolean':
      return `boolean ${x}`;
    case 'symbol':
      return `symbol ${clip(String(x))}`;
    case 'function':
      return 'a function';
    default:
      return x === null ? 'null' : tryOr(() => describeObject(x), 'an object that cannot be read');
  }
}
/** An object as `describe` shows it (a Proxy's trap may throw: `describe` catches it). */
function describeObject(x) {
  if (x instanceof Uint8Array) return `Uint8Array(${x.length})`;
  if (ArrayBuffer.isView(x) || x instanceof ArrayBuffer) return `${x.constructor.name}(${x.byteLength} bytes)`;
  if (Array.isArray(x) || isPlain(x)) {
    try {
      return `${Array.isArray(x) ? 'array' : 'object'} ${clip(JSON.stringify(x))}`;
    } catch {
      return Array.isArray(x) ? `array of ${x.length} items` : 'object';
    }
  }
  return `object ${x.constructor?.name ?? ''}`.trimEnd();
}

const badArgument = (message) => new StepstoneError(BAD, message);
/** Largest catalog `Catalog.load` takes (bytes or UTF-16 units): a 10,000-release catalog is ~3 MB. */
const MAX_CATALOG = 256 * 1024 * 1024;
function fail(name, what, x) {
  throw badArgument(`\`${name}\` must be ${what}, got ${describe(x)}`);
}

/** A string (required). */
const str = (x, name, what = 'a string') => (typeof x === 'string' ? x : fail(name, what, x));
/** A string, or undefined/null for none. */
const optStr = (x, name, what = 'a string') => (absent(x) ? undefined : str(x, name, `${what} or null`));
/** A version as the catalog spells it: its form is the core's to check (`version.malformed`). */
const ver = (x, name) => str(x, name, 'a version string');
/** A u32: a number, whole, 0 to 4294967295. */
const u32 = (x, name) =>
  typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= U32_MAX ? x + 0 : fail(name, 'a whole number from 0 to 4294967295', x);
/** A count the glue takes as a JS number: a safe integer, 0 or more. */
const u53 = (x, name) => (Number.isSafeInteger(x) && x >= 0 ? x + 0 : fail(name, 'a whole number from 0 to 2^53-1', x));
/** An i32: a number, whole, -2^31 to 2^31-1. */
const i32 = (x, name) =>
  Number.isInteger(x) && x >= -2147483648 && x <= 2147483647 ? x + 0 : fail(name, 'a whole number from -2147483648 to 2147483647', x);
/** A float the core checks itself (`sample.bad_input` for NaN, a negative, ...): any number. */
const num = (x, name) => (typeof x === 'number' ? x : fail(name, 'a number', x));
/** A u64 as the decimal text the glue takes: a safe integer, a bigint or a decimal string. */
function u64(x, name) {
  if (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0) return String(x + 0);
  if (typeof x === 'bigint' && x >= 0n && x <= U64_MAX) return x.toString();
  if (typeof x === 'string' && /^[0-9]+$/.test(x) && BigInt(x) <= U64_MAX) return BigInt(x).toString();
  return fail(name, U64, x);
}
const optU64 = (x, name) => (absent(x) ? undefined : u64(x, name));
/** A u64 as the bigint the sampling functions take (checked as `u64` checks it). */
const big = (x, name) => BigInt(u64(x, name));
/** A sampling position as this API spells it: the native bigint as 16 lowercase hex digits. */
const positionText = (p) => p.toString(16).padStart(16, '0');
// A fleet estimate or volume crosses from the native side as its numbers in field order (no
// JSON text); the object is built here, a non-finite number (and NaN for "none") as null, as
// JSON text gave them. Both backends answer through this.
const ESTIMATE_FIELDS = ['fleet', 'rate_ppm', 'sampled_devices', 'bug_hours', 'per_hour', 'per_day',
  'seconds_between', 'window_hours', 'expected_in_window', 'p_at_least_one'];
const VOLUME_FIELDS = ['fleet', 'rate_ppm', 'sampled_devices', 'items', 'bytes_per_item', 'samples_per_day',
  'retention_days', 'points_per_day', 'bytes_per_day', 'retained_bytes'];
// The verify answers cross as one string, their fields in order separated by "\n" (no field
// holds one), text as it is and numbers as their decimal digits ("" for none, then null): the
// object is built here with the JSON text's fields and order, a number as `JSON.parse` read its
// digits. Both backends answer through this.
function textFields(names, joined) {
  const texts = typeof joined === 'string' ? joined.split('\n') : joined;
  const out = {};
  names.forEach((name, i) => {
    const [key, kind] = name.split(':');
    const x = texts[i];
    out[key] = kind === undefined ? x : x === '' ? null : Number(x);
  });
  return out;
}
const VERIFIED_FIELDS = ['sha256', 'bytes:n', 'signature_format', 'key_format', 'key_id'];
const MANIFEST_FIELDS = ['version', 'size:n', 'sha256', 'key_id', 'expires:n'];
const OPENED_FIELDS = ['sequence:n', 'issued:n', 'expires:n', 'key_id', 'digest', 'start:n', 'end:n'];
const HEADER_FIELDS = ['sequence:n', 'issued:n', 'expires:n', 'key_id', 'payload_len:n'];
const STATE_FIELDS = ['sequence:n', 'sha256', 'issued:n'];
function fields(names, numbers) {
  const out = {};
  names.forEach((name, i) => {
    const x = numbers[i];
    out[name] = Number.isFinite(x) ? x : null;
  });
  return out;
}
const bool = (x, name) => (typeof x === 'boolean' ? x : fail(name, 'true or false', x));
const optBool = (x, name) => (absent(x) ? undefined : bool(x, name));
const encoder = new TextEncoder();
/** Whether a view's buffer was transferred away (its length then reads 0; WASM cannot copy it). */
const detached = (view) => tryOr(() => (new Uint8Array(view.buffer, 0, 0), false), true);
/** Bytes: a Uint8Array (Buffer too) as it is, a string as its UTF-8. */
function bytes(x, name) {
  if (isA(x, Uint8Array)) return x.length === 0 && detached(x) ? fail(name, 'a Uint8Array whose buffer is not detached', x) : x;
  if (typeof x === 'string') return encoder.encode(x);
  return fail(name, 'a Uint8Array or a string', x);
}
const optBytes = (x, name) => (absent(x) ? undefined : bytes(x, name));
/** A 64-bit position as this API spells it: 16 hex digits. */
const hex16 = (x, name) =>
  typeof x === 'string' && /^[0-9a-fA-F]{16}$/.test(x) ? x : fail(name, 'a position: 16 hex digits', x);
/**
 * A JSON value written as JSON text. JSON.stringify would write NaN and ±Infinity as null and
 * drop functions and symbols, or write a Map, a typed array or a class instance as `{}`: the core
 * would then read a value as missing (a halt rule without its limit) or empty. Those are refused
 * here, naming where they sit; `undefined` is absent (dropped), an object with `toJSON` (a Date,
 * a Rollout) is written as its `toJSON` says. Bigints and cycles cannot be written either.
 */
function stringify(x, name) {
  const faithful = function (key, v) {
    const at = () => `\`${name}\` holds ${describe(v)} at \`${key === '' ? name : clip(String(key))}\``;
    if (typeof v === 'number' && !Number.isFinite(v)) throw badArgument(`${at()}: JSON has no such number`);
    if (typeof v === 'function' || typeof v === 'symbol') throw badArgument(`${at()}: JSON has no such value`);
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !isPlain(v)) {
      throw badArgument(`${at()}: only plain objects, arrays, strings, numbers, booleans and null are JSON`);
    }
    return v;
  };
  try {
    return JSON.stringify(x, faithful);
  } catch (e) {
    if (e instanceof StepstoneError) throw e;
    throw badArgument(`\`${name}\` cannot be written as JSON: ${e.message}, got ${describe(x)}`);
  }
}
/** A JSON document (catalog, plan, rule, state, event): its text, or a plain object. */
const jsonArg = (x, name, what = 'JSON text or a plain object') =>
  typeof x === 'string' ? x : isPlain(x) ? stringify(x, name) : fail(name, what, x);
const optJson = (x, name, what = 'JSON text or a plain object') => (absent(x) ? undefined : jsonArg(x, name, `${what} or null`));
/**
 * An options object: plain, with only the `keys` this call knows (`optional`: undefined is {}).
 * Each known key is read once, into a new object: a getter is not asked twice, and what it or a
 * Proxy throws is js.bad_argument naming the key.
 */
function plainObject(x, name, keys, optional = false) {
  if (x === undefined && optional) return {};
  if (!isPlain(x)) fail(name, `an object with ${keys.join(', ')}`, x);
  const out = {};
  let at = name;
  try {
    for (const k of Object.keys(x)) {
      if (!keys.includes(k)) throw badArgument(`\`${name}\` has an unknown key \`${clip(k)}\` (known: ${keys.join(', ')})`);
    }
    for (const k of keys) {
      at = k;
      out[k] = x[k];
    }
  } catch (e) {
    if (tryOr(() => isStepstoneError(e), false)) throw e;
    throw badArgument(`\`${at}\` cannot be read: ${clip(tryOr(() => String(e?.message ?? e), 'it threw'))}`);
  }
  return out;
}

// A planning query: the same keys for plan, nextHop and explain.
const QUERY = ['from', 'to', 'cost', 'model', 'environment', 'allowDowngrade'];
function queryArgs(query) {
  const q = plainObject(query, 'query', QUERY);
  return [ver(q.from, 'from'), ver(q.to, 'to'), optStr(q.cost, 'cost', "'hops' or 'bytes'"), optStr(q.model, 'model'),
    optStr(q.environment, 'environment'), optBool(q.allowDowngrade, 'allowDowngrade')];
}
// Stage counts: both required (a missing count never reads as "do not halt").
function stageCounts(stats) {
  const s = plainObject(stats, 'stats', ['finished', 'failed']);
  return [u32(s.finished, 'finished'), u32(s.failed, 'failed')];
}

// Classes only this file constructs take this token first; FACTORY says what to call instead.
const INTERNAL = Symbol('stepstone internal');
const FACTORY = {
  Catalog: 'Catalog.load(json)',
  Campaign: 'catalog.campaign(target)',
  SamplingPlan: 'SamplingPlan.fromJson(json)',
  Rollout: 'Rollout.fromJson(json)',
  RetryPolicy: 'RetryPolicy.fromJson(json)',
};

export function makeApi(native, backend) {
  // Every class below wraps one native object, its `#raw`, read through `rawOf(this, Class)`:
  // a method called on anything but an object of its class (taken off its object, `.call`ed on
  // another, on an object of another entry point) is js.bad_argument, not a TypeError.
  let rawOf;
  class Handle {
    #raw;
    constructor(token, raw) {
      if (token !== INTERNAL) throw badArgument(`${new.target.name} has no public constructor: use ${FACTORY[new.target.name]}`);
      this.#raw = raw;
    }
    static {
      rawOf = (x, cls, what = cls.name) => (isA(x, cls) && #raw in x ? x.#raw : fail('this', `a ${what} of this entry point (call the method on one)`, x));
    }
  }
  /** A class's object read from JSON by `read` (the native reader). */
  const fromJson = (cls, read, json) => {
    const text = jsonArg(json, 'json');
    return new cls(INTERNAL, call(() => read(text)));
  };
  /** What `new Reconciler` takes, as its refusal says it on every entry point and backend. */
  const RECONCILER_CAMPAIGN = "a campaign table (a Campaign's toTable(): JSON text or its object) or a Campaign of this same entry point (objects do not cross modules)";
  const campaignRaw = (c) =>
    isA(c, Campaign)
      ? rawOf(c, Campaign)
      : fail('campaign', 'a Campaign from catalog.campaign of a Catalog of this same entry point (objects do not cross modules)', c);

  class Campaign extends Handle {
    /** Next release for a device at `version` (null: at the target). */
    nextHop(version) {
      const v = ver(version, 'version');
      return call(() => rawOf(this, Campaign).nextHop(v) ?? null);
    }
    get target() {
      return rawOf(this, Campaign).target();
    }
    get size() {
      return rawOf(this, Campaign).size();
    }
    /** The table's wire form, JSON text: what a Reconciler of the `rollout` entry point takes. */
    toTable() {
      return rawOf(this, Campaign).toTable();
    }
  }

  // Every problem of a catalog that failed to load, as `{code, message}`: `validate` on the same
  // text (bytes that are not UTF-8: the load error alone).
  const problems = (source, e) => {
    try {
      const text = source instanceof Uint8Array ? new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(source) : source;
      const list = JSON.parse(native.validate(text));
      if (list.length > 0) return list;
    } catch {
      // Not UTF-8: the load error is the one problem.
    }
    return [{ code: e.code, message: e.message }];
  };

  class Catalog extends Handle {
    /**
     * Loads a catalog from JSON text, UTF-8 bytes or a plain object. An invalid catalog throws
     * one StepstoneError: the first problem's code, and `errors` listing every problem.
     */
    static load(json) {
      const source = isA(json, Uint8Array) ? bytes(json, 'json') : jsonArg(json, 'json', 'catalog JSON text, UTF-8 bytes or a plain object');
      if (source.length > MAX_CATALOG) {
        throw badArgument(`\`json\` is ${source.length} long, over the ${MAX_CATALOG} (256 MiB) a catalog may be here`);
      }
      try {
        const raw = source instanceof Uint8Array ? native.loadCatalogBytes(source) : native.loadCatalog(source);
        return new Catalog(INTERNAL, raw);
      } catch (e) {
        const err = converted(e);
        if (err instanceof StepstoneError) err.errors = problems(source, err);
        throw err;
      }
    }
    get releaseCount() {
      return rawOf(this, Catalog).releaseCount();
    }
    get scheme() {
      return rawOf(this, Catalog).scheme();
    }
    toJSON() {
      return JSON.parse(rawOf(this, Catalog).toJson());
    }
    plan(query) {
      const a = queryArgs(query);
      return JSON.parse(call(() => rawOf(this, Catalog).plan(...a)));
    }
    nextHop(query) {
      const a = queryArgs(query);
      return call(() => rawOf(this, Catalog).nextHop(...a) ?? null);
    }
    explain(query) {
      const a = queryArgs(query);
      return JSON.parse(call(() => rawOf(this, Catalog).explain(...a)));
    }
    lint() {
      return JSON.parse(rawOf(this, Catalog).lint());
    }
    /** The upgrade graph; `reduced: true` gives the transitive reduction of the installs. */
    graph(device = undefined) {
      const d = plainObject(device, 'device', ['model', 'environment', 'reduced'], true);
      const [model, environment, reduced] = [optStr(d.model, 'model'), optStr(d.environment, 'environment'), optBool(d.reduced, 'reduced')];
      // The core checks the device first (plan.model_required, ...): a StepstoneError as any refusal.
      return JSON.parse(call(() => rawOf(this, Catalog).graph(model, environment, reduced)));
    }
    render(format = 'dot', device = undefined) {
      const f = str(format, 'format', "'dot' or 'mermaid'");
      const d = plainObject(device, 'device', ['model', 'environment'], true);
      const [model, environment] = [optStr(d.model, 'model'), optStr(d.environment, 'environment')];
      return call(() => rawOf(this, Catalog).render(model, environment, f));
    }
    campaign(target, device = undefined) {
      const t = ver(target, 'target');
      const d = plainObject(device, 'device', ['model', 'environment', 'cost', 'allowDowngrade'], true);
      const a = [optStr(d.model, 'model'), optStr(d.environment, 'environment'), optStr(d.cost, 'cost', "'hops' or 'bytes'"),
        optBool(d.allowDowngrade, 'allowDowngrade') ?? false];
      return new Campaign(INTERNAL, call(() => native.buildCampaign(rawOf(this, Catalog), t, ...a)));
    }
  }

  class SamplingPlan extends Handle {
    static fromJson(json) {
      return fromJson(SamplingPlan, (text) => native.samplingFromJson(text), json);
    }
    rate(cls) {
      const c = str(cls, 'cls');
      return call(() => rawOf(this, SamplingPlan).rate(c));
    }
    periodAt(unixSeconds) {
      const t = big(unixSeconds, 'unixSeconds');
      return call(() => rawOf(this, SamplingPlan).periodAt(t));
    }
    position(deviceId, cls, period) {
      const a = [bytes(deviceId, 'deviceId'), str(cls, 'cls'), big(period, 'period')];
      return positionText(call(() => rawOf(this, SamplingPlan).position(...a)));
    }
    isSampled(deviceId, cls, period) {
      const a = [bytes(deviceId, 'deviceId'), str(cls, 'cls'), big(period, 'period')];
      return call(() => rawOf(this, SamplingPlan).isSampled(...a));
    }
  }

  // A chunk goes to the module in slices (views, no copy): WASM copies each argument into its
  // own memory, and a chunk of gigabytes would not fit at once.
  const SLICE = 16 * 1024 * 1024;
  const feed = (raw, c) => {
    let at = 0;
    do {
      const part = c.subarray(at, at + SLICE);
      call(() => raw.update(part));
      at += SLICE;
    } while (at < c.length);
  };

  /** Streamed image verification: `update(chunk)` as the bytes arrive, then `finish(signature)`. */
  class Verifier extends Handle {
    constructor(key) {
      const k = bytes(key, 'key');
      super(INTERNAL, call(() => native.newVerifier(k)));
    }
    update(chunk) {
      feed(rawOf(this, Verifier), bytes(chunk, 'chunk'));
      return this;
    }
    finish(signature) {
      const sig = bytes(signature, 'signature');
      return textFields(VERIFIED_FIELDS, call(() => rawOf(this, Verifier).finish(sig)));
    }
  }

  /** Verifies an image given as any (async) iterable of Uint8Array chunks. */
  async function verifyStream(key, signature, chunks) {
    const k = bytes(key, 'key');
    const sig = bytes(signature, 'signature');
    const iterable = tryOr(() => Symbol.asyncIterator in chunks || Symbol.iterator in chunks, false);
    // A Uint8Array is iterable too, but of numbers: one image in one piece is `[bytes]`.
    if (chunks === null || typeof chunks !== 'object' || !iterable || ArrayBuffer.isView(chunks)) {
      fail('chunks', 'an iterable or async iterable of Uint8Array chunks (one Uint8Array: pass [bytes])', chunks);
    }
    const v = new Verifier(k);
    for await (const chunk of chunks) v.update(chunk);
    return v.finish(sig);
  }

  // Both manifest classes stand on the one native check (`newManifestFirst`): one copy in the WASM.
  const DEVICE = ['model', 'environment', 'currentVersion', 'counter', 'now'];
  const manifestFirst = (args, keys) => {
    const a = plainObject(args, 'args', keys);
    const [key, manifest, signature] = [bytes(a.key, 'key'), bytes(a.manifest, 'manifest'), bytes(a.signature, 'signature')];
    const d = plainObject(a.device, 'device', DEVICE);
    const device = [str(d.model, 'device.model'), str(d.environment, 'device.environment'),
      ver(d.currentVersion, 'device.currentVersion'), ver(d.counter, 'device.counter'), u64(d.now, 'device.now')];
    const catalog = optBytes(a.catalog, 'catalog');
    return call(() => native.newManifestFirst(key, manifest, signature, ...device, catalog));
  };

  /** What both manifest checks share: the check on construction, then the image streamed. */
  class StreamedImage extends Handle {
    constructor(args, keys) {
      super(INTERNAL, manifestFirst(args, keys));
    }
    /** Image bytes still expected. */
    get remaining() {
      return rawOf(this, StreamedImage, 'ManifestFirst or ManifestCheck').remaining();
    }
    update(chunk) {
      feed(rawOf(this, StreamedImage, 'ManifestFirst or ManifestCheck'), bytes(chunk, 'chunk'));
      return this;
    }
    /** The verified facts: the core's JSON `{version, size, sha256, key_id, expires}`. */
    finish() {
      return textFields(MANIFEST_FIELDS, call(() => rawOf(this, StreamedImage, 'ManifestFirst or ManifestCheck').finish()));
    }
  }

  /** A signed manifest checked for a device; then the image streamed against its size and digest. */
  class ManifestCheck extends StreamedImage {
    constructor(args) {
      super(args, ['key', 'manifest', 'signature', 'device']);
    }
    finish() {
      const { version, size, sha256 } = super.finish();
      return { version, size, sha256 };
    }
  }

  /**
   * The manifest-first install check: the manifest's signature (pinned manifest key), format,
   * key id, the device and, given `catalog` (an opened compact catalog's payload), the binding
   * to that catalog, all on construction, before any image byte; then the image streamed.
   */
  class ManifestFirst extends StreamedImage {
    constructor(args) {
      super(args, ['key', 'manifest', 'signature', 'device', 'catalog']);
    }
  }

  /** Opens a signed compact catalog with the pinned catalog key; `payload` is a view into `envelope`. */
  function openCompactCatalog(envelope, key, trust = undefined) {
    const env = bytes(envelope, 'envelope');
    const k = bytes(key, 'key');
    const t = plainObject(trust, 'trust', ['now', 'last'], true);
    const now = u64(t.now, 'now');
    const last = optJson(t.last, 'last', 'a catalog state (object or its JSON text)');
    const f = call(() => native.openCompactCatalog(env, k, now, last)).split('\n');
    const header = textFields(HEADER_FIELDS, f.slice(0, 5));
    const o = { header, state: textFields(STATE_FIELDS, f.slice(5, 8)), payload_offset: Number(f[8]) };
    o.payload = env.subarray(o.payload_offset, o.payload_offset + header.payload_len);
    return o;
  }

  class Rollout extends Handle {
    static fromJson(json) {
      return fromJson(Rollout, (text) => native.rolloutFromJson(text), json);
    }
    toJSON() {
      return JSON.parse(rawOf(this, Rollout).toJson());
    }
    position(deviceId) {
      return rawOf(this, Rollout).position(bytes(deviceId, 'deviceId'));
    }
    stageOf(position) {
      const p = hex16(position, 'position');
      return call(() => rawOf(this, Rollout).stageOf(p));
    }
    /** The code of the halt rule a stage's counts trip, or null. */
    trips(stage, stats) {
      const st = u32(stage, 'stage');
      const [finished, failed] = stageCounts(stats);
      return call(() => rawOf(this, Rollout).trips(st, finished, failed)) ?? null;
    }
  }

  /** A retry policy: the fields that differ from the default (none: the default). */
  class RetryPolicy extends Handle {
    static fromJson(json = {}) {
      return fromJson(RetryPolicy, (text) => native.retryPolicyFromJson(text), json);
    }
    toJSON() {
      return JSON.parse(rawOf(this, RetryPolicy).toJson());
    }
    /** Seconds to wait after the `n`-th failure of `kind` on `hop` (jittered). */
    backoff(args) {
      const a = plainObject(args, 'args', ['kind', 'n', 'deviceId', 'hop', 'attempt']);
      const v = [str(a.kind, 'kind'), u32(a.n, 'n'), bytes(a.deviceId, 'deviceId'), bytes(a.hop, 'hop'), u32(a.attempt, 'attempt')];
      return call(() => rawOf(this, RetryPolicy).backoff(...v));
    }
    /** After a failure: `{retry_at}` or `{give_up}` (the rule's code). */
    afterFailure(args) {
      const keys = ['attempts', 'failures', 'kind', 'totalAttempts', 'firstAttemptAt', 'failedAt', 'deviceId', 'hop'];
      const a = plainObject(args, 'args', keys);
      const attempts = u32(a.attempts, 'attempts');
      // Kind names are the core's to check (`retry.json`); the counts are checked here.
      const failures = a.failures === undefined ? {} : isPlain(a.failures) ? a.failures : fail('failures', 'an object of counts by kind', a.failures);
      const counts = tryOr(() => Object.entries(failures), null) ?? fail('failures', 'an object of counts by kind that can be read', failures);
      for (const [k, n] of counts) u32(n, `failures.${clip(k)}`);
      const v = [stringify(failures, 'failures'), str(a.kind, 'kind'), u32(a.totalAttempts, 'totalAttempts'),
        u64(a.firstAttemptAt, 'firstAttemptAt'), u64(a.failedAt, 'failedAt'), bytes(a.deviceId, 'deviceId'), bytes(a.hop, 'hop')];
      return JSON.parse(call(() => rawOf(this, RetryPolicy).afterFailure(attempts, ...v)));
    }
  }

  // The reconciler's options as the glue's JSON; 64-bit times written as JSON integers.
  const RECONCILER = ['policy', 'rollout', 'rolloutStartedAt', 'rolloutState', 'start', 'end', 'windows', 'utcOffsetSecs', 'jobTtlSecs'];
  const spec = (x, name, cls, what) =>
    absent(x) ? undefined : isA(x, cls) || isPlain(x) ? stringify(x, name) : fail(name, `${what} of this entry point (objects do not cross modules) or null`, x);
  function reconcilerOptions(options) {
    const o = plainObject(options, 'options', RECONCILER, true);
    const fields = {
      policy: spec(o.policy, 'policy', RetryPolicy, 'a RetryPolicy or a policy object'),
      rollout: spec(o.rollout, 'rollout', Rollout, 'a Rollout or a rollout object'),
      rollout_started_at: optU64(o.rolloutStartedAt, 'rolloutStartedAt'),
      // An object only: text would be spliced into the options as it is.
      rollout_state: absent(o.rolloutState) ? undefined : isPlain(o.rolloutState) ? stringify(o.rolloutState, 'rolloutState') : fail('rolloutState', 'a stored rollout state (an object) or null', o.rolloutState),
      start: optU64(o.start, 'start'),
      end: optU64(o.end, 'end'),
      windows: absent(o.windows) ? undefined : tryOr(() => Array.isArray(o.windows), false) ? stringify(o.windows, 'windows') : fail('windows', 'an array of windows', o.windows),
      utc_offset_secs: absent(o.utcOffsetSecs) ? undefined : String(i32(o.utcOffsetSecs, 'utcOffsetSecs')),
      job_ttl_secs: optU64(o.jobTtlSecs, 'jobTtlSecs'),
    };
    const parts = Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => `"${k}":${v}`);
    return `{${parts.join(',')}}`;
  }

  /**
   * The scheduler's brain for one campaign: `apply(state, event)` and `decide(deviceId, state, now)`.
   * `campaign`: a Campaign, or its table (`campaign.toTable()`: JSON text or the parsed object),
   * which is all the `rollout` entry point (no catalogs) takes.
   */
  class Reconciler extends Handle {
    constructor(campaign, options = undefined) {
      if (typeof campaign === 'string' || isPlain(campaign)) {
        const t = jsonArg(campaign, 'campaign');
        const json = reconcilerOptions(options);
        super(INTERNAL, call(() => native.newReconcilerFromTable(t, json)));
        return;
      }
      // One text for every entry point and backend: what any of them accepts.
      const c = native.newReconciler && isA(campaign, Campaign)
        ? rawOf(campaign, Campaign)
        : fail('campaign', RECONCILER_CAMPAIGN, campaign);
      const json = reconcilerOptions(options);
      super(INTERNAL, call(() => native.newReconciler(c, json)));
    }
    /** `{state, outcome}`: the new state and `changed`, `duplicate`, `stale` or `not_in_flight`. */
    apply(state, event) {
      const [s, e] = [optJson(state, 'state', 'a device state (object or JSON text)'), jsonArg(event, 'event', 'an event (object or JSON text)')];
      return JSON.parse(call(() => rawOf(this, Reconciler).apply(s, e)));
    }
    /** `state` in the core's full wire form (none: a new device). */
    state(state) {
      const s = optJson(state, 'state', 'a device state (object or JSON text)');
      return JSON.parse(call(() => rawOf(this, Reconciler).state(s)));
    }
    decide(deviceId, state, now) {
      const a = [bytes(deviceId, 'deviceId'), optJson(state, 'state', 'a device state (object or JSON text)'), u64(now, 'now')];
      return JSON.parse(call(() => rawOf(this, Reconciler).decide(...a)));
    }
    rolloutAdvance(now) {
      const t = u64(now, 'now');
      return call(() => rawOf(this, Reconciler).rolloutAdvance(t));
    }
    rolloutHalt(now, note) {
      const [t, n] = [u64(now, 'now'), optStr(note, 'note')];
      call(() => rawOf(this, Reconciler).rolloutHalt(t, n));
    }
    rolloutResume(now) {
      const t = u64(now, 'now');
      call(() => rawOf(this, Reconciler).rolloutResume(t));
    }
    /** Counts one finished attempt of a device of `stage`; the code of the halt it causes, or null. */
    rolloutRecord(stage, failed, now) {
      const a = [u32(stage, 'stage'), bool(failed, 'failed'), u64(now, 'now')];
      return call(() => rawOf(this, Reconciler).rolloutRecord(...a)) ?? null;
    }
    get rolloutState() {
      const s = rawOf(this, Reconciler).rolloutState();
      return s === undefined || s === null ? null : JSON.parse(s);
    }
  }

  /** Opens a signed catalog envelope with the trusted keys; the payload is a view into `envelope`. */
  function openCatalog(envelope, trust) {
    const env = bytes(envelope, 'envelope');
    const t = plainObject(trust, 'trust', ['keys', 'now', 'lastSequence', 'lastDigest']);
    const list = tryOr(() => (Array.isArray(t.keys) ? Array.from(t.keys) : [t.keys]), null) ?? fail('keys', 'bytes or an array of bytes that can be read', t.keys);
    const keys = list.map((k, i) => bytes(k, list.length === 1 && list[0] === t.keys ? 'keys' : `keys[${i}]`));
    const [now, lastSequence, lastDigest] = [u64(t.now, 'now'), optU64(t.lastSequence, 'lastSequence'), optStr(t.lastDigest, 'lastDigest')];
    const set = native.newCatalogKeys();
    for (const k of keys) call(() => set.add(k));
    const o = textFields(OPENED_FIELDS, call(() => set.open(env, now, lastSequence, lastDigest)));
    return {
      sequence: o.sequence, issued: o.issued, expires: o.expires, key_id: o.key_id, digest: o.digest,
      payload: env.subarray(o.start, o.end),
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
    isStepstoneError,
    Catalog,
    Campaign,
    SamplingPlan,
    version: () => native.version(),
    validate: (json) => JSON.parse(native.validate(jsonArg(json, 'json', 'catalog JSON text or a plain object'))),
    position: (salt, deviceId, period, cls) => {
      const a = [bytes(salt, 'salt'), bytes(deviceId, 'deviceId'), big(period, 'period'), str(cls, 'cls')];
      return positionText(call(() => native.position(...a)));
    },
    isBelow: (position, ratePpm) => {
      const a = [BigInt(`0x${hex16(position, 'position')}`), u32(ratePpm, 'ratePpm')];
      return call(() => native.isBelow(...a));
    },
    periodIndex: (unixSeconds, periodSeconds, offsetSeconds = 0) => {
      const a = [big(unixSeconds, 'unixSeconds'), big(periodSeconds, 'periodSeconds'), big(offsetSeconds, 'offsetSeconds')];
      return call(() => native.periodIndex(...a)) ?? null;
    },
    estimate: (args) => {
      const a = plainObject(args, 'args', ['fleet', 'ratePpm', 'bugHours', 'windowHours']);
      const v = [u53(a.fleet, 'fleet'), u32(a.ratePpm, 'ratePpm'), num(a.bugHours, 'bugHours'), num(a.windowHours, 'windowHours')];
      return fields(ESTIMATE_FIELDS, call(() => native.estimate(...v)));
    },
    smallestRate: (args) => {
      const a = plainObject(args, 'args', ['fleet', 'bugHours', 'windowHours', 'probability']);
      const v = [u53(a.fleet, 'fleet'), num(a.bugHours, 'bugHours'), num(a.windowHours, 'windowHours'), num(a.probability, 'probability')];
      return call(() => native.smallestRate(...v)) ?? null;
    },
    jitterHash: (deviceId, hop, attempt) => {
      const a = [bytes(deviceId, 'deviceId'), bytes(hop, 'hop'), u32(attempt, 'attempt')];
      return native.jitterHash(...a);
    },
    haltTrips: (rule, stats) => {
      const r = jsonArg(rule, 'rule', 'a halt rule (object or JSON text)');
      const [finished, failed] = stageCounts(stats);
      return call(() => native.haltTrips(r, finished, failed)) ?? null;
    },
    rampFraction: (ramp, elapsed) => {
      const a = [jsonArg(ramp, 'ramp', 'a ramp (object or JSON text)'), u64(elapsed, 'elapsed')];
      return call(() => native.rampFraction(...a));
    },
    wilsonLowerAbove: (args) => {
      const a = plainObject(args, 'args', ['failed', 'finished', 'limitPpm', 'zNum', 'zDen']);
      const v = [u32(a.failed, 'failed'), u32(a.finished, 'finished'), u32(a.limitPpm, 'limitPpm'), u32(a.zNum, 'zNum'), u32(a.zDen, 'zDen')];
      return call(() => native.wilsonLowerAbove(...v));
    },
    rolloutPosition: (salt, deviceId) => {
      const a = [bytes(salt, 'salt'), bytes(deviceId, 'deviceId')];
      return native.rolloutPosition(...a);
    },
    volume: (args) => {
      const a = plainObject(args, 'args', ['fleet', 'ratePpm', 'items', 'bytesPerItem', 'samplesPerDay', 'retentionDays']);
      const v = [u53(a.fleet, 'fleet'), u32(a.ratePpm, 'ratePpm'), u53(a.items, 'items'), u53(a.bytesPerItem, 'bytesPerItem'),
        u53(a.samplesPerDay, 'samplesPerDay'), u53(a.retentionDays, 'retentionDays')];
      return fields(VOLUME_FIELDS, call(() => native.volume(...v)));
    },
  };
}
