// The one build: `npm ci` / `npm install` run it as the `prepare` script, `npm run build` runs it
// by hand, and the mocha global setup runs `--server` before every test run.
//
// 1. The server and CLI → build/ with esbuild, one ESM bundle per entry: build/src/cli/index.js
//    (the CLI: commander and the command table), one per subcommand next to it
//    (build/src/cli/verify.js, sign.js, serve.js …, imported by index.js only when that command
//    runs), build/src/cli/verify-worker.js (verify's worker threads) and
//    build/src/db/engine/sidecar.js (the MongoDB engine process). Why bundles and not one .js per
//    .ts: loading pdf-lib's 140 modules alone took half a second of every `lienthong verify`, and
//    every further module file costs a resolution, a read and a link; one self-contained file per
//    command loads fastest. The pure-JS libraries in BUNDLED are bundled (a process loads one
//    command's bundle, so each sees one copy); every other package stays an ordinary import from
//    node_modules: native addons, the database drivers and anything that finds its own files on
//    disk behave exactly as with tsx.
//    Types are not checked here (esbuild strips them; isolatedModules makes that exact): that is
//    `npm run typecheck`'s job, so a type error never breaks an installation. esbuild is a
//    runtime dependency, so `npm ci --omit=dev` builds the server too.
// 2. client/dist with Vite, so that `npm start` serves the web client (the hub never runs
//    Vite); skipped when its inputs are unchanged since the last build (client-build.mjs).
//    Without dev dependencies there is no Vite: say how to build elsewhere and succeed.
//
// `import.meta.url` in a source file is rewritten to the URL its own compiled file would have in
// a one-file-per-module layout (build/src/http/client.js for server/src/http/client.ts): paths
// the sources resolve relative to themselves (../../../client/dist, ./sidecar.js,
// ./verify-worker.js) then resolve the same from whichever bundle the code landed in.
// A file is rewritten only when its content changed, through a temporary file and a rename, and
// files of older builds are left an hour before removal: a CLI or hub of another test run
// starting meanwhile never reads a half-written or vanished module.
import { build } from 'esbuild';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureClientBuild } from './client-build.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = 'cli/index.ts';
const ENTRIES = [CLI, 'cli/verify-worker.ts', 'db/engine/sidecar.ts'];

/** The subcommand modules cli/index.ts imports lazily: each is an entry of its own. */
function commandEntries(sourceRoot) {
  const index = readFileSync(join(sourceRoot, CLI), 'utf8');
  return [...index.matchAll(/import\('\.\/([\w-]+)\.js'\)/g)].map((m) => `cli/${m[1]}.ts`);
}
/** Pure-JS packages bundled with the CLI (with whatever they import); no state shared with others. */
const BUNDLED = new Set([
  'pdf-lib',
  'pkijs',
  'asn1js',
  'pvtsutils',
  'pvutils',
  'bytestreamjs',
  '@noble/hashes',
  'commander',
  // zod with the one package that shares its classes, so both see the same ZodType
  'zod',
  '@asteasolutions/zod-to-openapi',
]);
const ROOT_MARK = '__LIENTHONG_BUILD_ROOT__/';
const STALE_AFTER_MS = 3_600_000;

function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Our bare imports: bundled when in BUNDLED, else left to node_modules at run time. The CLI's
 * `import('./verify.js')` stays an import of the verify bundle beside it.
 */
function dependencies(cliEntry) {
  return {
    name: 'lienthong-dependencies',
    setup(b) {
      b.onResolve({ filter: /^\.\/[\w-]+\.js$/ }, (args) =>
        args.importer === cliEntry && args.kind === 'dynamic-import'
          ? { path: args.path, external: true }
          : undefined,
      );
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.importer.includes(`${sep}node_modules${sep}`)) return undefined;
        if (args.path.startsWith('node:') || BUNDLED.has(packageOf(args.path))) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}

/** import.meta.url → the URL of this module's file in the one-file-per-module layout. */
function moduleUrls(sourceRoot, outDir) {
  return {
    name: 'lienthong-module-urls',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return { contents: source, loader: 'ts' };
        const own = relative(outDir, join(outDir, 'src', relative(sourceRoot, args.path)))
          .split(sep)
          .join('/')
          .replace(/\.ts$/, '.js');
        const url = `new URL(${JSON.stringify(ROOT_MARK + own)}, import.meta.url).href`;
        return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
      });
    },
  };
}

function writeIfChanged(path, bytes) {
  if (existsSync(path) && readFileSync(path).equals(bytes)) return false;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
  return true;
}

function outputs(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return outputs(path);
    return /\.js(\.map)?$/.test(e.name) ? [path] : [];
  });
}

export async function buildServer() {
  const config = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8'));
  const sourceRoot = resolve(ROOT, config.compilerOptions.rootDir, 'src');
  const outDir = resolve(ROOT, config.compilerOptions.outDir);
  const result = await build({
    entryPoints: [...ENTRIES, ...commandEntries(sourceRoot)].map((e) => join(sourceRoot, e)),
    outdir: outDir,
    outbase: dirname(sourceRoot),
    entryNames: '[dir]/[name]',
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    // CommonJS inside the bundle may require() node built-ins
    banner: {
      js: "import { createRequire as __lienthongRequire } from 'node:module'; const require = __lienthongRequire(import.meta.url);",
    },
    // less to parse at every start, but line breaks kept: Node prints the source line of an
    // uncaught error, and one minified line is the whole bundle (100 KB on the terminal)
    minifyIdentifiers: true,
    minifySyntax: true,
    keepNames: true, // error classes keep their names (LibraryError subclasses use new.target.name)
    sourcemap: 'linked',
    write: false,
    metafile: Boolean(process.env.LIENTHONG_BUILD_META),
    logLevel: 'warning',
    plugins: [dependencies(join(sourceRoot, CLI)), moduleUrls(sourceRoot, outDir)],
  });
  const wanted = new Set();
  let written = 0;
  for (const f of result.outputFiles) {
    const toRoot = relative(dirname(f.path), outDir).split(sep).join('/');
    const text = f.text.replaceAll(ROOT_MARK, toRoot ? `${toRoot}/` : './');
    wanted.add(f.path);
    if (writeIfChanged(f.path, Buffer.from(text))) written++;
  }
  const now = Date.now();
  for (const old of outputs(outDir)) {
    if (!wanted.has(old) && now - statSync(old).mtimeMs > STALE_AFTER_MS) rmSync(old);
  }

  if (result.metafile)
    writeFileSync(process.env.LIENTHONG_BUILD_META, JSON.stringify(result.metafile));
  return { files: result.outputFiles.length, written, outDir: relative(ROOT, outDir) };
}

async function buildClient() {
  let vite;
  try {
    vite = await import('vite');
  } catch {
    console.warn(
      'lienthong: Vite is not installed (dev dependencies omitted); client/dist was not built.\n' +
        'Build it where dev dependencies are installed (npm run build) and copy client/dist.',
    );
    return;
  }
  await ensureClientBuild(async () => vite);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const serverOnly = process.argv.includes('--server');
  const server = await buildServer();
  if (!serverOnly || server.written > 0)
    console.log(
      `lienthong: ${server.outDir}/ built (${server.files} files, ${server.written} changed)`,
    );
  if (!serverOnly) await buildClient();
}
