#!/usr/bin/env node
// payctl's entry: the compiled CLI (dist/cli.js, from `npm run build`), nothing else.
'use strict';
require('node:module').enableCompileCache?.(); // node >= 22.1 keeps V8's code cache itself; a no-op before
import(require('node:url').pathToFileURL(require('node:path').join(__dirname, '..', 'dist', 'cli.js')).href).then((cli) => cli.main(process.argv));
