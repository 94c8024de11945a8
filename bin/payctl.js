#!/usr/bin/env node
// The bundled CLI (dist/bundle/, scripts/bundle.mjs) starts faster; the tsc
// output (dist/) is used when the bundle is missing or older than it, so a
// bare `npx tsc -p .` never runs stale code.
import { statSync } from 'node:fs';

if (process.env.PAYCTL_DEBUG === '1') process.setSourceMapsEnabled(true); // stack traces point into src/

const bundle = new URL('../dist/bundle/cli.js', import.meta.url);
const compiled = new URL('../dist/cli.js', import.meta.url);
const mtime = (url) => statSync(url, { throwIfNoEntry: false })?.mtimeMs ?? -1;
const bundled = mtime(bundle);
const { main } = await import(bundled >= 0 && bundled >= mtime(compiled) ? bundle.href : compiled.href);

main(process.argv);
