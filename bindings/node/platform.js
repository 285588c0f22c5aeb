// Which native addon this process needs, and loading it: the napi-rs layout. Each platform's
// build is its own npm package, `stepstone-node-<platform>` (e.g. `stepstone-node-linux-x64-gnu`,
// holding `stepstone-node.linux-x64-gnu.node`), listed in the main package's
// `optionalDependencies`, so npm installs only the one whose `os`, `cpu` and `libc` fit.
//
//   import { platformName, loadAddon } from './platform.js';
//   platformName({ platform: 'linux', arch: 'arm64', glibc: '2.36' });   // 'linux-arm64-gnu'
//   loadAddon({ host: describeProcess(), load: createRequire(import.meta.url), version: '0.1.0' });
//
// No platform without a build, no missing, mismatched, truncated or other-CPU platform package
// passes silently: each is a StepstoneError naming the platform (`js.unsupported_platform`,
// `js.addon_unavailable`).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
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

/** The ELF machine of each CPU with a build (`e_machine`). */
const ELF_MACHINE = Object.freeze({ x64: 62, arm64: 183 });

/** The first 64 bytes of a file (an ELF header) and its size in bytes. */
export function readHead(file) {
  const fd = openSync(file, 'r');
  try {
    const head = new Uint8Array(64);
    const read = readSync(fd, head, 0, 64, 0);
    return { head: head.subarray(0, read), size: fstatSync(fd).size };
  } finally {
    closeSync(fd);
  }
}

/**
 * What is wrong with an addon file for `arch`, from its ELF header and size, or null: not a
 * 64-bit little-endian ELF, another CPU's, or shorter than its own section table says (a
 * truncated file, which the dynamic loader would map and then crash on with SIGBUS).
 *
 *   elfProblem({ head, size: 100000 }, 'x64');   // 'truncated: 100000 bytes, its section table ends at byte 1633880'
 */
export function elfProblem({ head, size }, arch) {
  if (head.length < 64 || head[0] !== 0x7f || head[1] !== 0x45 || head[2] !== 0x4c || head[3] !== 0x46) {
    return `not an ELF shared library (${size} bytes)`;
  }
  if (head[4] !== 2 || head[5] !== 1) return 'not a 64-bit little-endian ELF file';
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const machine = view.getUint16(18, true);
  if (machine !== ELF_MACHINE[arch]) {
    const cpu = Object.keys(ELF_MACHINE).find((k) => ELF_MACHINE[k] === machine) ?? `ELF machine ${machine}`;
    return `built for ${cpu}, not ${arch}`;
  }
  const end = Number(view.getBigUint64(40, true)) + view.getUint16(58, true) * view.getUint16(60, true);
  return size < end ? `truncated: ${size} bytes, its section table ends at byte ${end}` : null;
}

/**
 * Loads the addon for `host` with `load` (a `require`, with `resolve`): the platform package of
 * `host`, whose version must be `version` (the main package's), its file checked with
 * `elfProblem` (read by `read`) before it is loaded. Throws `js.unsupported_platform` when no
 * build exists for the host, `js.addon_unavailable` when its package is not installed, is
 * another version, is damaged or for another CPU, or does not load.
 */
export function loadAddon({ host, load, version, read = readHead }) {
  const name = platformName(host);
  if (!PLATFORMS.includes(name)) {
    throw failure('js.unsupported_platform',
      `stepstone-node has no native addon for ${name} (${hostText(host)}); builds exist for ` +
      `${PLATFORMS.join(', ')}. On other platforms use stepstone-wasm, the same API in WebAssembly`);
  }
  const pkg = packageFor(name);
  let found;
  try {
    found = load(`${pkg}/package.json`).version;
  } catch (e) {
    if (e?.code !== 'MODULE_NOT_FOUND') throw unloadable(name, pkg, host, e);
    throw failure('js.addon_unavailable',
      `stepstone-node's addon for ${name} is not installed: the package ${pkg} is missing ` +
      `(npm leaves it out with --omit=optional, when installing for another platform with ` +
      `--os/--cpu/--libc, or when the lockfile was made on another platform): run ` +
      `\`npm install --include=optional\`, or ` +
      `\`npm install ${pkg}@${version}\``, e);
  }
  if (found !== version) {
    throw failure('js.addon_unavailable',
      `stepstone-node ${version} needs ${pkg} ${version}, but ${found} is installed; ` +
      `install it with \`npm install ${pkg}@${version}\``);
  }
  try {
    const file = load.resolve(pkg);
    const problem = elfProblem(read(file), host.arch);
    if (problem) {
      throw failure('js.addon_unavailable',
        `stepstone-node's addon for ${name} (${file}) is unusable: ${problem}; reinstall it with ` +
        `\`npm install ${pkg}@${version}\``);
    }
    return load(pkg);
  } catch (e) {
    throw e instanceof StepstoneError ? e : unloadable(name, pkg, host, e);
  }
}

function unloadable(name, pkg, host, e) {
  return failure('js.addon_unavailable',
    `stepstone-node's addon for ${name} (${pkg}) does not load on this host ` +
    `(${hostText(host)}): ${e?.message ?? e}`, e);
}
