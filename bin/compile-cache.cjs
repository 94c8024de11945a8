// Loading the bundled CLI with V8's code cache: compiling dist/bundle/cli.cjs
// (~650 KB) and the functions a run calls costs ~10–15 ms of every start; with
// the cache, V8 skips that work. Node 22 does this itself
// (module.enableCompileCache, pointed at a directory beside the bundle); on
// Node 20 it is done here, with vm.Script's cachedData:
//
// - the cache is a file beside the bundle: whoever may write the bundle may
//   write it, so it adds no trust boundary (a cache in a shared temp directory
//   would). A rebuild removes dist/bundle/ and with it the cache.
// - its name holds the command, the V8 version and CPU, and the bundle's size
//   and modification time (cli.cjs.failover.<v8>-<arch>.<size>-<mtime>.v8cache):
//   V8 itself checks only the source's length and its own flags, so an edit
//   in place that kept the length would otherwise run the old code. One per
//   command, because it holds what that command's runs compile (a failover's
//   cache made by `payctl --version` saved 7 ms less).
// - V8 rejects a cache that does not match or is damaged: the file is then
//   compiled as usual and the cache written again.
// - it is written at exit, after the run, so it also holds the functions the
//   run compiled; only when it was missing or rejected; atomically (a temp
//   file renamed), replacing the command's older caches; never as an error:
//   a read-only install runs uncached.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

/** payctl's commands (src/cli.ts; a test keeps the two lists equal): any other first word shares one cache. */
const COMMANDS = new Set([
  'init',
  'playbook',
  'incident',
  'check',
  'maintenance',
  'providers',
  'failover',
  'failback',
  'drill',
  'demo',
  'postmortem',
  'template',
  'sandbox',
]);

/**
 * require(file), compiled with the code cache beside it. `command`: the first
 * word of the command line (each command has its own cache).
 */
function requireWithCompileCache(file, command) {
  if (typeof Module.enableCompileCache === 'function') {
    Module.enableCompileCache(path.join(path.dirname(file), 'node-compile-cache'));
    return require(file);
  }
  const stat = fs.statSync(file);
  const prefix = `${path.basename(file)}.${COMMANDS.has(command) ? command : 'other'}.`;
  const cacheFile = path.join(
    path.dirname(file),
    `${prefix}${process.versions.v8}-${process.arch}.${stat.size}-${Math.trunc(stat.mtimeMs)}.v8cache`,
  );
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // no cache yet
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) process.once('exit', () => writeCache(cacheFile, prefix, script));

  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  return mod.exports;
}

function writeCache(cacheFile, prefix, script) {
  const dir = path.dirname(cacheFile);
  const temp = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temp, script.createCachedData());
    fs.renameSync(temp, cacheFile);
    for (const f of fs.readdirSync(dir)) {
      if (f.startsWith(prefix) && f.endsWith('.v8cache') && f !== path.basename(cacheFile)) fs.rmSync(path.join(dir, f), { force: true });
    }
  } catch {
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // nothing more to do: the next run compiles without a cache
    }
  }
}

module.exports = { requireWithCompileCache, COMMANDS };
