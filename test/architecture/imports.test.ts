// The parts of src/ import one another in one direction only (docs/architecture.md):
// `model` at the bottom imports nothing of ours; each part imports `model` and the
// parts whose values or services it uses, never a part that uses it. A new arrow
// that runs back up the flow fails here, with the file and the import.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../support/python-envs.js'

/** What each part may import besides itself. The entries (src/*.ts) may import anything. */
export const ALLOWED: Record<string, readonly string[]> = {
  model: [],
  lifecycle: ['model'],
  config: ['model'],
  git: ['model', 'lifecycle'],
  graph: ['model'],
  postgres: ['model', 'lifecycle'],
  django: ['model', 'lifecycle'],
  seed: ['model'],
  rules: ['model', 'graph'],
  rehearsal: ['model', 'lifecycle', 'postgres', 'django', 'seed'],
  verdict: ['model'],
  report: ['model'],
  github: ['model', 'lifecycle'],
  review: ['model', 'lifecycle', 'config', 'git', 'graph', 'rules', 'postgres', 'django', 'seed', 'rehearsal', 'verdict', 'report'],
  cli: ['model', 'lifecycle', 'config', 'review', 'report', 'verdict']
}

const SRC = join(REPO_ROOT, 'src')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []
  )
}

/** The part a file of src/ belongs to: its first folder, or null for the entries at the top. */
function partOf(file: string): string | null {
  const parts = relative(SRC, file).split('/')
  return parts.length > 1 ? parts[0]! : null
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]!)
}

/** Every import of one part of src/ into another that the table does not allow. */
export function forbiddenImports(): string[] {
  const problems: string[] = []
  for (const file of sourceFiles(SRC)) {
    const from = partOf(file)
    if (from === null) continue
    for (const specifier of importsOf(file)) {
      if (!specifier.startsWith('.')) continue
      const target = resolve(dirname(file), specifier)
      // Data the code ships beside it (the report's schema, the helper's protocol) is no part.
      if (!target.startsWith(`${SRC}/`)) continue
      const to = partOf(target)
      if (to === from) continue
      if (to === null || !(ALLOWED[from] ?? []).includes(to)) {
        problems.push(`${relative(REPO_ROOT, file)} imports ${specifier} (${from} -> ${to ?? 'an entry'})`)
      }
    }
  }
  return problems
}

describe('the parts of src/', () => {
  it('each belong to the table of allowed imports', () => {
    const parts = new Set(sourceFiles(SRC).map(partOf).filter((part): part is string => part !== null))
    expect([...parts].filter((part) => !(part in ALLOWED))).toEqual([])
  })

  it('import only model and the parts below them, never back up the flow', () => {
    expect(forbiddenImports()).toEqual([])
  })

  it('keep model a leaf: it imports nothing but model', () => {
    expect(ALLOWED.model).toEqual([])
    expect(forbiddenImports().filter((problem) => problem.startsWith('src/model/'))).toEqual([])
  })
})

/** Files of src/ outside the entries whose code (not comments) reads process.env. */
export function environmentReaders(): string[] {
  return sourceFiles(SRC)
    .filter((file) => partOf(file) !== null)
    .filter((file) => {
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/(^|[^:])\/\/.*$/gm, '$1')
      return /\bprocess\.env\b/.test(code)
    })
    .map((file) => relative(REPO_ROOT, file))
}

describe('the process environment', () => {
  it('is read only by the entries, which hand it down (git, Python and Postgres get it from there)', () => {
    expect(environmentReaders()).toEqual([])
  })
})
