#!/usr/bin/env node
// payctl's entry: the compiled CLI (dist/cli.js, from `npm run build`), nothing else.
'use strict';
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
require('node:module').enableCompileCache?.(); // node >= 22.1 keeps V8's code cache itself; a no-op before
void import(pathToFileURL(join(__dirname, '..', 'dist', 'cli.js')).href).then((cli) => cli.main(process.argv));
