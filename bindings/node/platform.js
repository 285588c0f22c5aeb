// Which native addon this process needs, and loading it: the napi-rs layout. Each platform's
// build is its own npm package, `stepstone-node-<platform>` (e.g. `stepstone-node-linux-x64-gnu`,
// holding `stepstone-node.linux-x64-gnu.node`), listed in the main package's
// `optionalDependencies`, so npm installs only the one whose `os`, `cpu` and `libc` fit.
//
//   import { platformName, loadAddon } from './platform.js';
//   platformName({ platform: 'linux', arch: 'arm64', glibc: '2.36' });   // 'linux-arm64-gnu'
//   loadAddon({ host: describeProcess(), load: createRequire(import.meta.url), version: '0.1.0' });
//
// No platform without a build, no missing or mismatched platform package passes silently: each
// is a StepstoneError naming the platform (`js.unsupported_platform`, `js.addon_unavailable`).
import { StepstoneError } from './api.js';

/** The platforms with a build, as napi-rs names them (`<os>-<cpu>[-<abi>]`). */
export const PLATFORMS = Object.freeze(['linux-x64-gnu', 'linux-arm64-gnu']);

/** The npm package that holds a platform's build. */
export const packageFor = (name) => `stepstone-node-${name}`;

/** The napi-rs name of a host: Linux names its C library (`gnu` for glibc, `musl` otherwise),
 * Windows its ABI (`msvc`), the others none: 'linux-x64-gnu', 'linux-arm64-musl', 'darwin-arm64'. */
export function platformName({ platform, arch, glibc }) {
  if (platform === 'linux') return `linux-${arch}-${glibc ? 'gnu' : 'musl'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

/** This process's platform, CPU and glibc version (null where there is no glibc: musl, or not
 * Linux). The glibc version is the one Node reports (`process.report`), as napi-rs reads it. */
export function describeProcess(proc = process) {
  let glibc = null;
  if (proc.platform === 'linux' && typeof proc.report?.getReport === 'function') {
    glibc = proc.report.getReport().header?.glibcVersionRuntime ?? null;
  }
  return { platform: proc.platform, arch: proc.arch, glibc };
}

// A StepstoneError that keeps the error behind it (`cause`), as Error's own option does.
function failure(code, message, cause) {
  const e = new StepstoneError(code, message);
  if (cause !== undefined) Object.defineProperty(e, 'cause', { value: cause, writable: true, configurable: true });
  return e;
}

function hostText({ platform, arch, glibc }) {
  const libc = platform !== 'linux' ? '' : glibc ? `, glibc ${glibc}` : ', no glibc (musl?)';
  return `process.platform '${platform}', process.arch '${arch}'${libc}`;
}

/**
 * Loads the addon for `host` with `load` (a `require`): the platform package of `host`, whose
 * version must be `version` (the main package's). Throws `js.unsupported_platform` when no build
 * exists for the host, `js.addon_unavailable` when its package is not installed, does not load
 * or is another version.
 */
export function loadAddon({ host, load, version }) {
  const name = platformName(host);
  if (!PLATFORMS.includes(name)) {
    throw failure('js.unsupported_platform',
      `stepstone-node has no native addon for ${name} (${hostText(host)}); builds exist for ` +
      `${PLATFORMS.join(', ')}. On other platforms use stepstone-wasm, the same API in WebAssembly`);
  }
  const pkg = packageFor(name);
  let addon;
  let found;
  try {
    found = load(`${pkg}/package.json`).version;
    addon = load(pkg);
  } catch (e) {
    const missing = e?.code === 'MODULE_NOT_FOUND' && found === undefined;
    throw failure('js.addon_unavailable', missing
      ? `stepstone-node's addon for ${name} is not installed: the package ${pkg} is missing ` +
        `(npm leaves optional dependencies out with --omit=optional, or when the lockfile was ` +
        `made on another platform); install it with \`npm install ${pkg}@${version}\``
      : `stepstone-node's addon for ${name} (${pkg}) does not load on this host ` +
        `(${hostText(host)}): ${e?.message ?? e}`, e);
  }
  if (found !== version) {
    throw failure('js.addon_unavailable',
      `stepstone-node ${version} needs ${pkg} ${version}, but ${found} is installed; ` +
      `install it with \`npm install ${pkg}@${version}\``);
  }
  return addon;
}
