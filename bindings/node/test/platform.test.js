// The addon loader of the installed stepstone-node (run from the consumer project that
// scripts/test-js.sh installs): which platform package it picks, and the errors naming the
// platform when none fits, the package is missing, does not load or is another version.
// The host is faked (platform, arch, glibc) and so is `require`; the last tests load the real
// package in a child Node whose process.arch / report are faked, or whose platform package is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const consumer = process.cwd();
const entry = createRequire(path.join(consumer, 'package.json')).resolve('stepstone-node');
const pkgDir = path.dirname(entry);
const { PLATFORMS, packageFor, platformName, describeProcess, loadAddon, elfProblem, readHead } = await import(
  pathToFileURL(path.join(pkgDir, 'platform.js')).href
);
const { StepstoneError } = await import(pathToFileURL(path.join(pkgDir, 'api.js')).href);
const version = createRequire(entry)('./package.json').version;

// A fake `require` over a table of installed packages: name -> { version, addon } or an Error.
// Its files read as a sound ELF header for `arch` (see `read`).
function fakeRequire(installed) {
  const calls = [];
  const load = (id) => {
    calls.push(id);
    const [name, sub] = id.endsWith('/package.json') ? [id.slice(0, -13), 'package.json'] : [id, null];
    const found = installed[name];
    if (found === undefined) {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    }
    if (sub) return { version: found.version };
    if (found.error) throw found.error;
    return found.addon;
  };
  load.resolve = (id) => `/fake/node_modules/${id}/${id.replace('stepstone-node-', 'stepstone-node.')}.node`;
  return { load, calls };
}

// An ELF header as the loader reads it: 64-bit, little-endian, `machine`, the section table at
// `shoff` (64 entries of 64 bytes), and the file's size.
function elf({ machine = 62, shoff = 1_000_000, size = shoff + 64 * 64, magic = [0x7f, 0x45, 0x4c, 0x46] } = {}) {
  const head = new Uint8Array(64);
  head.set(magic);
  head[4] = 2;
  head[5] = 1;
  const v = new DataView(head.buffer);
  v.setUint16(18, machine, true);
  v.setBigUint64(40, BigInt(shoff), true);
  v.setUint16(58, 64, true);
  v.setUint16(60, 64, true);
  return { head, size };
}
const soundFor = (arch) => () => elf({ machine: { x64: 62, arm64: 183 }[arch] });

const linux = (arch, glibc = '2.36') => ({ platform: 'linux', arch, glibc });

test('napi-rs platform names', () => {
  assert.equal(platformName(linux('x64')), 'linux-x64-gnu');
  assert.equal(platformName(linux('arm64')), 'linux-arm64-gnu');
  assert.equal(platformName(linux('x64', null)), 'linux-x64-musl');
  assert.equal(platformName({ platform: 'darwin', arch: 'arm64', glibc: null }), 'darwin-arm64');
  assert.equal(platformName({ platform: 'win32', arch: 'x64', glibc: null }), 'win32-x64-msvc');
  assert.deepEqual([...PLATFORMS], ['linux-x64-gnu', 'linux-arm64-gnu']);
  assert.equal(packageFor('linux-arm64-gnu'), 'stepstone-node-linux-arm64-gnu');
});

test('each supported host loads its own platform package', () => {
  for (const [arch, name] of [['x64', 'linux-x64-gnu'], ['arm64', 'linux-arm64-gnu']]) {
    const addon = { which: name };
    const { load, calls } = fakeRequire({
      'stepstone-node-linux-x64-gnu': { version, addon: { which: 'linux-x64-gnu' } },
      'stepstone-node-linux-arm64-gnu': { version, addon: { which: 'linux-arm64-gnu' } },
    });
    assert.deepEqual(loadAddon({ host: linux(arch), load, version, read: soundFor(arch) }), addon);
    assert.deepEqual(calls, [`stepstone-node-${name}/package.json`, `stepstone-node-${name}`]);
  }
});

test('a host without a build is refused, naming its platform', () => {
  const hosts = [
    [linux('x64', null), 'linux-x64-musl', "process.arch 'x64', no glibc (musl?)"],
    [linux('arm64', null), 'linux-arm64-musl', 'no glibc'],
    [linux('riscv64'), 'linux-riscv64-gnu', "process.arch 'riscv64', glibc 2.36"],
    [linux('arm'), 'linux-arm-gnu', "process.arch 'arm'"],
    [{ platform: 'darwin', arch: 'arm64', glibc: null }, 'darwin-arm64', "process.platform 'darwin'"],
    [{ platform: 'win32', arch: 'x64', glibc: null }, 'win32-x64-msvc', "process.platform 'win32'"],
    [{ platform: 'freebsd', arch: 'x64', glibc: null }, 'freebsd-x64', "process.platform 'freebsd'"],
  ];
  for (const [host, name, detail] of hosts) {
    const { load, calls } = fakeRequire({});
    assert.throws(() => loadAddon({ host, load, version }), (e) => {
      assert.ok(e instanceof StepstoneError, `${name}: ${e}`);
      assert.equal(e.code, 'js.unsupported_platform');
      assert.match(e.message, new RegExp(`no native addon for ${name} `));
      assert.ok(e.message.includes(detail), `${e.message} names ${detail}`);
      assert.match(e.message, /builds exist for linux-x64-gnu, linux-arm64-gnu/);
      assert.match(e.message, /stepstone-wasm/);
      return true;
    });
    assert.deepEqual(calls, [], `${name}: nothing is loaded`);
  }
});

test('a missing platform package says which one and how to install it', () => {
  const { load } = fakeRequire({});
  assert.throws(() => loadAddon({ host: linux('arm64'), load, version }), (e) => {
    assert.ok(e instanceof StepstoneError);
    assert.equal(e.code, 'js.addon_unavailable');
    assert.match(e.message, /addon for linux-arm64-gnu is not installed/);
    assert.ok(e.message.includes('run `npm install --include=optional`, or ' +
      `\`npm install stepstone-node-linux-arm64-gnu@${version}\``), e.message);
    assert.equal(e.cause.code, 'MODULE_NOT_FOUND');
    return true;
  });
});

test('a platform package that does not load gives the loader\'s reason', () => {
  const dlopen = new Error('/lib/libc.so.6: version `GLIBC_2.38\' not found');
  const { load } = fakeRequire({ 'stepstone-node-linux-x64-gnu': { version, error: dlopen } });
  assert.throws(() => loadAddon({ host: linux('x64', '2.28'), load, version, read: soundFor('x64') }), (e) => {
    assert.equal(e.code, 'js.addon_unavailable');
    assert.match(e.message, /\(stepstone-node-linux-x64-gnu\) does not load on this host/);
    assert.match(e.message, /glibc 2\.28\): \/lib\/libc\.so\.6: version `GLIBC_2\.38' not found$/);
    assert.equal(e.cause, dlopen);
    return true;
  });
});

test('a platform package of another version is refused', () => {
  const { load } = fakeRequire({ 'stepstone-node-linux-x64-gnu': { version: '0.0.9', addon: {} } });
  assert.throws(() => loadAddon({ host: linux('x64'), load, version }), (e) => {
    assert.equal(e.code, 'js.addon_unavailable');
    assert.equal(e.message, `stepstone-node ${version} needs stepstone-node-linux-x64-gnu ${version}, ` +
      `but 0.0.9 is installed; install it with \`npm install stepstone-node-linux-x64-gnu@${version}\``);
    return true;
  });
});

test('an addon file that is not ELF, for another CPU or truncated is refused before it is loaded', () => {
  assert.equal(elfProblem(elf(), 'x64'), null);
  assert.equal(elfProblem(elf({ machine: 183 }), 'arm64'), null);
  assert.equal(elfProblem(elf({ machine: 183 }), 'x64'), 'built for arm64, not x64');
  assert.equal(elfProblem(elf({ machine: 62 }), 'arm64'), 'built for x64, not arm64');
  assert.equal(elfProblem(elf({ machine: 40 }), 'x64'), 'built for ELF machine 40, not x64');
  assert.equal(elfProblem(elf({ size: 100_000 }), 'x64'),
    'truncated: 100000 bytes, its section table ends at byte 1004096');
  assert.equal(elfProblem(elf({ size: 1_004_095 }), 'x64'), 'truncated: 1004095 bytes, its section table ends at byte 1004096');
  assert.equal(elfProblem(elf({ magic: [0x4d, 0x5a, 0, 0] }), 'x64'), 'not an ELF shared library (1004096 bytes)');
  assert.equal(elfProblem({ head: new Uint8Array(10), size: 10 }, 'x64'), 'not an ELF shared library (10 bytes)');
  assert.equal(elfProblem({ head: new Uint8Array(0), size: 0 }, 'x64'), 'not an ELF shared library (0 bytes)');
  const head32 = elf();
  head32.head[4] = 1;
  assert.equal(elfProblem(head32, 'x64'), 'not a 64-bit little-endian ELF file');

  // The loader checks before it loads: nothing is loaded from a bad file.
  for (const [read, problem] of [
    [() => elf({ size: 4096 }), 'truncated: 4096 bytes'],
    [() => elf({ machine: 183 }), 'built for arm64, not x64'],
  ]) {
    const { load, calls } = fakeRequire({ 'stepstone-node-linux-x64-gnu': { version, addon: {} } });
    assert.throws(() => loadAddon({ host: linux('x64'), load, version, read }), (e) => {
      assert.equal(e.code, 'js.addon_unavailable');
      assert.ok(e.message.startsWith("stepstone-node's addon for linux-x64-gnu (/fake/node_modules/" +
        'stepstone-node-linux-x64-gnu/stepstone-node.linux-x64-gnu.node) is unusable: ' + problem), e.message);
      assert.ok(e.message.endsWith(`reinstall it with \`npm install stepstone-node-linux-x64-gnu@${version}\``), e.message);
      return true;
    });
    assert.deepEqual(calls, ['stepstone-node-linux-x64-gnu/package.json']);
  }
  // A file that cannot be read at all: the reader's reason.
  const { load } = fakeRequire({ 'stepstone-node-linux-x64-gnu': { version, addon: {} } });
  const gone = () => { throw Object.assign(new Error("ENOENT: no such file or directory, open 'x.node'"), { code: 'ENOENT' }); };
  assert.throws(() => loadAddon({ host: linux('x64'), load, version, read: gone }),
    { code: 'js.addon_unavailable', message: /does not load on this host .*: ENOENT: no such file/ });

  // The addon installed here passes.
  const installed = createRequire(path.join(consumer, 'package.json'))
    .resolve(packageFor(platformName(describeProcess())));
  assert.equal(elfProblem(readHead(installed), process.arch), null);
});

test('describeProcess reads platform, arch and the glibc the report shows', () => {
  const report = (glibcVersionRuntime) => ({ getReport: () => ({ header: { glibcVersionRuntime } }) });
  assert.deepEqual(describeProcess({ platform: 'linux', arch: 'arm64', report: report('2.36') }),
    { platform: 'linux', arch: 'arm64', glibc: '2.36' });
  assert.deepEqual(describeProcess({ platform: 'linux', arch: 'x64', report: report(undefined) }),
    { platform: 'linux', arch: 'x64', glibc: null });
  assert.deepEqual(describeProcess({ platform: 'darwin', arch: 'arm64', report: report('x') }),
    { platform: 'darwin', arch: 'arm64', glibc: null });
  const here = describeProcess();
  assert.equal(here.platform, process.platform);
  assert.equal(here.arch, process.arch);
  assert.ok(PLATFORMS.includes(platformName(here)), `this machine (${platformName(here)}) has a build`);
});

// Imports the installed package in a child Node after `setup` (code run first, faking the host);
// returns the error's code and message, or 'loaded <backend>'.
function importIn(cwd, setup = '') {
  const script = `${setup}
    try { const s = await import('stepstone-node'); console.log('loaded ' + s.backend); }
    catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8' });
  return out.startsWith('loaded') ? out.trim() : JSON.parse(out);
}

test('the installed package loads here, and refuses a faked CPU or C library', () => {
  assert.equal(importIn(consumer), 'loaded napi');
  const riscv = importIn(consumer, "Object.defineProperty(process, 'arch', { value: 'riscv64' });");
  assert.equal(riscv.code, 'js.unsupported_platform');
  assert.match(riscv.message, /^stepstone-node has no native addon for linux-riscv64-gnu \(process\.platform 'linux', process\.arch 'riscv64', glibc \d+\.\d+\)/);
  const musl = importIn(consumer, `const real = process.report.getReport.bind(process.report);
    process.report.getReport = () => { const r = real(); delete r.header.glibcVersionRuntime; return r; };`);
  assert.equal(musl.code, 'js.unsupported_platform');
  assert.match(musl.message, /no native addon for linux-x64-musl|no native addon for linux-arm64-musl/);
});

test('the main package without its platform package says what to install', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'stepstone-no-addon-'));
  try {
    writeFileSync(path.join(dir, 'package.json'), '{"private": true, "type": "module"}');
    cpSync(pkgDir, path.join(dir, 'node_modules/stepstone-node'), { recursive: true });
    const r = importIn(dir);
    const name = platformName(describeProcess());
    assert.equal(r.code, 'js.addon_unavailable');
    assert.ok(r.message.includes(`addon for ${name} is not installed`), r.message);
    assert.ok(r.message.includes(`npm install stepstone-node-${name}@${version}`), r.message);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a truncated addon in the installed platform package is refused, not loaded (no SIGBUS)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'stepstone-truncated-'));
  try {
    const name = platformName(describeProcess());
    const pkg = packageFor(name);
    const from = path.dirname(createRequire(path.join(consumer, 'package.json')).resolve(`${pkg}/package.json`));
    writeFileSync(path.join(dir, 'package.json'), '{"private": true, "type": "module"}');
    cpSync(pkgDir, path.join(dir, 'node_modules/stepstone-node'), { recursive: true });
    cpSync(from, path.join(dir, 'node_modules', pkg), { recursive: true });
    const file = path.join(dir, 'node_modules', pkg, `stepstone-node.${name}.node`);
    truncateSync(file, 100_000);
    const r = importIn(dir);
    assert.equal(r.code, 'js.addon_unavailable');
    assert.match(r.message, /is unusable: truncated: 100000 bytes, its section table ends at byte \d+; reinstall/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
