// The native addon of this process's platform, loaded once (see platform.js): what index.js
// (and any entry point of the package) wraps.
import { createRequire } from 'node:module';
import { describeProcess, loadAddon } from './platform.js';

const load = createRequire(import.meta.url);

export const native = loadAddon({ host: describeProcess(), load, version: load('./package.json').version });
