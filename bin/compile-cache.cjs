// Loading the bundled CLI with V8's code cache: compiling dist/bundle/cli.cjs
// (~650 KB) and the functions a run calls costs ~10–15 ms of every start; with
// the cache, V8 skips that work. Node 22 does this itself
// (module.enableCompileCache); on Node 20 it is done here, with vm.Script's
// cachedData, the way node's own cache works:
//
// - the cache is a file beside the bundle, named for the command, the V8
//   version and the CPU (cli.cjs.failover.<v8>-<arch>.v8cache): whoever may
//   write the bundle may write it, so it adds no trust boundary; a rebuild
//   removes dist/bundle/ and with it the cache. One per command, because it
//   holds what that command's runs compile (a failover's cache made by
//   `payctl --version` saved 7 ms less);
// - V8 checks it against the source and its own flags, and rejects one that
//   does not match (or is damaged): the file is then compiled as usual and
//   the cache written again;
// - it is written at exit, after the run, so it also holds the functions the
//   run compiled; only when it was missing or rejected; atomically (a temp
//   file renamed), and never as an error: a read-only install runs uncached.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

/**
 * require(file), compiled with the code cache beside it when this node has no
 * cache of its own. `command`: the command being run (its cache).
 */
function requireWithCompileCache(file, command) {
  if (typeof Module.enableCompileCache === 'function') {
    Module.enableCompileCache();
    return require(file);
  }
  const name = /^[a-z][a-z-]{0,30}$/.test(command ?? '') ? command : 'other';
  const cacheFile = `${file}.${name}.${process.versions.v8}-${process.arch}.v8cache`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // no cache yet
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) process.once('exit', () => writeCache(cacheFile, script));

  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  return mod.exports;
}

function writeCache(cacheFile, script) {
  const temp = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temp, script.createCachedData());
    fs.renameSync(temp, cacheFile);
  } catch {
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // nothing more to do: the next run compiles without a cache
    }
  }
}

module.exports = { requireWithCompileCache };
