// Fails when dist/ differs from a fresh build of src/, python/ and schema/.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const fresh = mkdtempSync(join(tmpdir(), 'dmr-dist-'))
try {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), fresh], { stdio: 'inherit' })
  const list = (dir) =>
    readdirSync(dir, { recursive: true })
      .map(String)
      .filter((p) => statSync(join(dir, p)).isFile())
      .sort()
  const committed = list(join(root, 'dist'))
  const built = list(fresh)
  const differences = []
  for (const file of new Set([...committed, ...built])) {
    const a = committed.includes(file) ? readFileSync(join(root, 'dist', file)) : null
    const b = built.includes(file) ? readFileSync(join(fresh, file)) : null
    if (a === null) differences.push(`missing from dist/: ${file}`)
    else if (b === null) differences.push(`not produced by the build: dist/${file}`)
    else if (!a.equals(b)) differences.push(`differs: dist/${file}`)
  }
  if (differences.length > 0) {
    console.error(`dist/ is stale (${relative(process.cwd(), join(root, 'dist')) || 'dist'}):`)
    for (const line of differences) console.error(`  ${line}`)
    console.error('Run `npm run build` and commit dist/.')
    process.exit(1)
  }
  console.log('dist/ is current.')
} finally {
  rmSync(fresh, { recursive: true, force: true })
}
