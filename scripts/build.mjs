// Bundles the action and the CLI into dist/ (what GitHub runs), and ships the
// Python helper and the report schema beside them.
// Usage: node scripts/build.mjs [outdir]   (default: dist)
import { build } from 'esbuild'
import { cp, mkdir, rm, writeFile } from 'node:fs/promises'
import { resolve, sep } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const outdir = resolve(root, process.argv[2] ?? 'dist')

// Bundled CommonJS dependencies (dockerode, ssh2) expect require/__dirname.
const banner = [
  "import { createRequire as __dmrCreateRequire } from 'node:module';",
  "import { fileURLToPath as __dmrFileURLToPath } from 'node:url';",
  "import { dirname as __dmrDirname } from 'node:path';",
  'const require = __dmrCreateRequire(import.meta.url);',
  'const __filename = __dmrFileURLToPath(import.meta.url);',
  'const __dirname = __dmrDirname(__filename);'
].join(' ')

await rm(outdir, { recursive: true, force: true })
await mkdir(outdir, { recursive: true })
await build({
  absWorkingDir: root,
  entryPoints: { index: 'src/index.ts', cli: 'src/cli.ts', post: 'src/post-index.ts' },
  outdir,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Chunks live beside the entries so that import.meta.url-relative paths
  // (dist/python/) are the same from every file.
  chunkNames: '[name]-[hash]',
  banner: { js: banner },
  // ssh2 and cpu-features load optional native add-ons inside try/catch and
  // fall back to pure JavaScript when they are missing.
  external: ['cpu-features', '*.node'],
  legalComments: 'none',
  logLevel: 'warning',
  charset: 'utf8'
})
// The helper's own unit tests (python/dmr_helper/tests) stay out of the bundle.
const pythonTests = resolve(root, 'python', 'dmr_helper', 'tests')
await cp(resolve(root, 'python'), resolve(outdir, 'python'), {
  recursive: true,
  filter: (src) => !src.includes('__pycache__') && !src.endsWith('.pyc') && src !== pythonTests && !src.startsWith(pythonTests + sep)
})
await cp(resolve(root, 'schema'), resolve(outdir, 'schema'), { recursive: true })
await writeFile(resolve(outdir, 'package.json'), '{ "type": "module" }\n')
