#!/usr/bin/env node
// Bundles the CLI into dist/bundle/ for start-up speed (run by `npm run build`
// after tsc and the schema script). One ESM entry (cli.js) plus chunks: every
// command, step handler and lazily imported library stays a chunk of its own,
// loaded on first use, so `payctl --help` still loads only commander. What the
// bundle saves is module resolution (stat and package.json reads for ~700
// files) and the CJS/ESM interop. dist/ from tsc is left as it is: tests and
// benchmarks import modules from there, and bin/payctl.js falls back to it when
// the bundle is missing or older than the tsc output.
//
// Kept external: node-pty and the other dev-only packages (never imported by
// the CLI), and liquidjs (loaded with require on first use, see
// src/template/engine.ts). Source maps are written next to the chunks; node
// reads them only when PAYCTL_DEBUG=1 (bin/payctl.js enables them).
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/**
 * zod's error messages in English only. zod exports every locale (~330 KB of
 * the ~1.9 MB a failover compiles); payctl uses the default, English, which
 * zod registers itself (classic/schemas.js imports locales/en.js directly).
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (a) => ({ contents: 'export { default as en } from "./en.js";\n', loader: 'js', resolveDir: dirname(a.path) }));
  },
};

/**
 * `import process from 'node:process'` (chalk, ora, execa, …) makes node build
 * the builtin's ESM facade, which reads every property of process, including
 * allowedNodeEnvironmentFlags (~3 ms to compute). In the bundle, such imports
 * get the global process instead. A name not exported here fails the build
 * ("No matching export"), never the run.
 */
const processWithoutFacade = {
  name: 'process-without-facade',
  setup(b) {
    b.onResolve({ filter: /^(node:)?process$/ }, (a) => (a.kind === 'import-statement' ? { path: 'process', namespace: 'payctl-process' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'payctl-process' }, () => ({
      loader: 'js',
      contents: [
        'const p = globalThis.process;',
        'export default p;',
        // plain values only: no getters with side effects (stdin, stdout) are touched here
        'export const { env, argv, execArgv, execPath, platform, arch, pid, version, versions, hrtime } = p;',
        '',
      ].join('\n'),
    }));
  },
};

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.12',
  external: [...Object.keys(pkg.devDependencies ?? {}), 'liquidjs'],
  // CommonJS packages inside an ESM bundle call require() for node built-ins
  banner: { js: "import { createRequire as __payctlCreateRequire } from 'node:module'; const require = __payctlCreateRequire(import.meta.url);" },
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  plugins: [zodEnglishOnly, processWithoutFacade],
});
const outputs = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
process.stdout.write(`bundled the CLI into ${outputs.length} files in dist/bundle/\n`);
