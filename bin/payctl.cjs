#!/usr/bin/env node
// The bundled CLI (dist/bundle/cli.cjs, built by scripts/bundle.mjs) starts
// faster, loaded with V8's code cache (./compile-cache.cjs); the tsc output
// (dist/cli.js) is used when the bundle is missing or older than it, so a bare
// `npx tsc -p .` never runs stale code. This file is CommonJS so that a run
// loads no ES module at all on its way to cli.cjs.
'use strict';
const { statSync } = require('node:fs');
const { join } = require('node:path');

const debug = process.env.PAYCTL_DEBUG === '1';
if (debug) process.setSourceMapsEnabled(true); // stack traces point into src/

const bundle = join(__dirname, '..', 'dist', 'bundle', 'cli.cjs');
const compiled = join(__dirname, '..', 'dist', 'cli.js');
const mtime = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;
const bundled = mtime(bundle);

if (bundled >= 0 && bundled >= mtime(compiled)) {
  // source maps apply to files node compiles itself: with PAYCTL_DEBUG, no code cache
  const cli = debug ? require(bundle) : require('./compile-cache.cjs').requireWithCompileCache(bundle, process.argv[2]);
  cli.main(process.argv);
} else {
  import(require('node:url').pathToFileURL(compiled).href).then((m) => m.main(process.argv));
}
