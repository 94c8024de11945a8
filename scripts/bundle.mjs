#!/usr/bin/env node
// Bundles the CLI into dist/bundle/ for start-up speed (run by `npm run build`
// after tsc and the schema script):
//
//   dist/bundle/cli.cjs           payctl's own code, with commander, chalk and
//                                 proper-lockfile: one CommonJS file
//   dist/bundle/vendor/<lib>.cjs  each large library (zod, yaml, the prompts,
//                                 ora, execa, the proxy agents), one file each,
//                                 loaded on first use
//
// Why this shape (measured with bench/failover.bench.mjs on Node 20): node's
// ESM loader costs ~0.3 ms per module file and more per import edge, so an
// ESM bundle split into ~30 chunks spent ~30 ms of a failover just loading
// them. One CommonJS file is read and compiled in one go (V8 compiles function
// bodies lazily, so unused code costs little), and modules payctl imports
// lazily stay lazy: esbuild wraps them in initialisers that run on first
// import(). What stays out of cli.cjs is what would make every start slower
// to parse: the large libraries, which only some commands use (~2 MB).
//
// The tsc output in dist/ is left as it is: tests and benchmarks import
// modules from there, and bin/payctl.cjs falls back to it when the bundle is
// missing or older. Kept external: liquidjs (loaded with require on first use,
// see src/template/engine.ts) and the dev-only packages. Source maps are
// written next to the files; node reads them only with PAYCTL_DEBUG=1.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Libraries bundled on their own, as dist/bundle/vendor/<file>.cjs. */
const VENDOR = {
  zod: 'zod',
  yaml: 'yaml',
  '@inquirer/prompts': 'inquirer-prompts',
  ora: 'ora',
  execa: 'execa',
  'proxy-from-env': 'proxy-from-env',
  'https-proxy-agent': 'https-proxy-agent',
  'http-proxy-agent': 'http-proxy-agent',
};

/**
 * zod's error messages in English only. zod exports every locale (~330 KB);
 * payctl uses the default, English, which zod registers itself
 * (classic/schemas.js imports locales/en.js directly).
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    const english = {
      js: 'export { default as en } from "./en.js";\n',
      cjs: 'Object.defineProperty(exports, "__esModule", { value: true });\nexports.en = require("./en.cjs").default;\n',
    };
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.c?js$/ }, (a) => ({
      contents: english[a.path.endsWith('.cjs') ? 'cjs' : 'js'],
      loader: 'js',
      resolveDir: dirname(a.path),
    }));
  },
};

/**
 * The proxy agents without their debug logging. With DEBUG=* (or
 * DEBUG=http-proxy-agent) in the environment, the `debug` package would write
 * the proxy URL with its password, and whole request heads with their API
 * keys, straight to stderr, past payctl's redaction. In the bundle `debug` is
 * a logger that logs nothing. (The tsc output in dist/, used only when the
 * bundle is missing or stale, keeps the real one.)
 */
const debugSilenced = {
  name: 'debug-silenced',
  setup(b) {
    b.onResolve({ filter: /^debug$/ }, () => ({ path: 'debug', namespace: 'payctl-stub' }));
    b.onLoad({ filter: /^debug$/, namespace: 'payctl-stub' }, () => ({
      contents:
        'module.exports = function createDebug() { const debug = () => {}; debug.enabled = false; debug.extend = createDebug; return debug; };\n',
      loader: 'js',
    }));
  },
};

/**
 * Three of node's built-in modules that cli.cjs's libraries load at start-up
 * but a run almost never uses, replaced by what those libraries need of them
 * (measured: ~2-3 ms of every start each, with `node -e "require('x')"`
 * against `node -e 0`, interleaved):
 * - commander requires child_process for executable subcommands, which payctl
 *   has none of: its spawn is required on first call;
 * - proper-lockfile uses graceful-fs, whose patches of fs's stream classes
 *   load fs/promises and readline: it gets plain fs (its retry queue for EMFILE
 *   is for programs holding thousands of files open; payctl holds a lock);
 * - signal-exit (proper-lockfile's) requires assert for one type check.
 */
const leanBuiltins = {
  name: 'lean-builtins',
  setup(b) {
    const stubs = {
      'node:child_process': {
        from: /[\\/]commander[\\/]/,
        contents: "exports.spawn = (...args) => require('node:child_process').spawn(...args);\n",
      },
      'graceful-fs': { from: /[\\/]proper-lockfile[\\/]/, contents: "module.exports = require('node:fs');\n" },
      assert: {
        from: /[\\/]signal-exit[\\/]/,
        contents: 'exports.equal = (actual, expected, message) => { if (actual != expected) throw new Error(message); };\n',
      },
    };
    b.onResolve({ filter: /^(node:child_process|graceful-fs|assert)$/ }, (a) =>
      stubs[a.path].from.test(a.importer) ? { path: a.path, namespace: 'payctl-lean' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'payctl-lean' }, (a) => ({ contents: stubs[a.path].contents, loader: 'js' }));
  },
};

/** In cli.cjs, an import of a vendored library becomes require('./vendor/<file>.cjs'). */
const vendorAsFiles = {
  name: 'vendor-as-files',
  setup(b) {
    const names = Object.keys(VENDOR);
    b.onResolve({ filter: /.*/ }, (a) => (names.includes(a.path) ? { path: `./vendor/${VENDOR[a.path]}.cjs`, external: true } : undefined));
  },
};

/**
 * A vendored library's module.exports. cli.cjs imports it the way node imports
 * CommonJS from an ES module (payctl's sources are ES modules): the default
 * import is module.exports itself. So a library whose default export is a
 * function (ora) exports that function, carrying the named exports; any other
 * exports its namespace (named imports read its properties).
 */
function vendorEntry(name) {
  return [
    `const ns = require(${JSON.stringify(name)});`,
    "module.exports = typeof ns.default === 'function' ? Object.assign(ns.default, ns) : ns;",
    '',
  ].join('\n');
}

// import.meta.url in CommonJS output: the file's own URL (package-root.ts, config/cache.ts and template/engine.ts use it)
const shim = join(root, 'dist', 'import-meta-url.cjs.js');
mkdirSync(dirname(shim), { recursive: true });
writeFileSync(shim, "export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;\n");

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.12',
  outExtension: { '.js': '.cjs' },
  define: { 'import.meta.url': 'importMetaUrl' },
  inject: [shim],
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
};

rmSync(outdir, { recursive: true, force: true });
const builds = await Promise.all([
  build({
    ...common,
    entryPoints: { cli: 'src/cli.ts' },
    outdir,
    external: [...Object.keys(pkg.devDependencies ?? {}), 'liquidjs'],
    // import() of a vendored file becomes a require: the file is CommonJS, and node's
    // import() of CommonJS would see only its default export (and start the ESM loader)
    supported: { 'dynamic-import': false },
    plugins: [leanBuiltins, vendorAsFiles],
  }),
  ...Object.entries(VENDOR).map(([name, file]) =>
    build({
      ...common,
      stdin: { contents: vendorEntry(name), resolveDir: root, loader: 'js', sourcefile: `vendor-${file}.js` },
      outfile: join(outdir, 'vendor', `${file}.cjs`),
      plugins: [zodEnglishOnly, debugSilenced],
    }),
  ),
]);
rmSync(shim, { force: true });
const files = builds.flatMap((r) => Object.keys(r.metafile.outputs)).filter((f) => f.endsWith('.cjs'));
process.stdout.write(`bundled the CLI into ${files.length} files in dist/bundle/\n`);
