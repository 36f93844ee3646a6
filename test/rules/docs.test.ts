// Every finding the review can emit links to docs/rules/<id>.md from the PR
// comment: each id has its page, each page its sections, and no page outlives
// its rule.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RULES } from '../../src/rules/table.js'
import { REPO_ROOT } from '../support/python-envs.js'

const DOCS = join(REPO_ROOT, 'docs', 'rules')
const SRC = join(REPO_ROOT, 'src')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []
  )
}

/**
 * The ids a finding can carry, read from the code: the rules table, every `rule: '<id>'` the stages
 * write, and the graph problems, which become findings too: the kinds of the GraphProblem type, the
 * kinds the report contract documents, and every hyphenated `kind:` the graph and review parts write.
 */
function emittedIds(): Set<string> {
  const ids = new Set(RULES.map((rule) => rule.id))
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8')
    for (const match of text.matchAll(/\brule: '([a-z0-9-]+)'/g)) ids.add(match[1]!)
    if (/^src\/(graph|review)\//.test(file.slice(REPO_ROOT.length + 1))) {
      for (const line of text.split('\n').filter((line) => /\bkind: /.test(line))) {
        for (const match of line.matchAll(/'([a-z0-9]+(?:-[a-z0-9]+)+)'/g)) ids.add(match[1]!)
      }
    }
  }
  const graph = readFileSync(join(SRC, 'model', 'graph.ts'), 'utf8')
  const union = graph.slice(graph.indexOf('export type GraphProblem ='), graph.indexOf('\n\n', graph.indexOf('export type GraphProblem =')))
  for (const match of union.matchAll(/kind: '([a-z0-9-]+)'/g)) ids.add(match[1]!)
  const report = readFileSync(join(SRC, 'model', 'report.ts'), 'utf8')
  const documented = report.slice(report.indexOf('Something about the migration graph'), report.indexOf('export interface GraphProblemReport'))
  for (const match of documented.matchAll(/`([a-z0-9]+(?:-[a-z0-9]+)+)`/g)) ids.add(match[1]!)
  return ids
}

const pages = readdirSync(DOCS).filter((name) => name.endsWith('.md') && name !== 'README.md').map((name) => name.slice(0, -3))

describe('the rule pages', () => {
  it('exist for every id a finding can carry', () => {
    const missing = [...emittedIds()].filter((id) => !pages.includes(id)).sort()
    expect(missing).toEqual([])
  })

  it('belong to ids the code still emits', () => {
    const emitted = emittedIds()
    expect(pages.filter((id) => !emitted.has(id)).sort()).toEqual([])
  })

  it('each say what the rule flags, a bad example, why, and the safe pattern, under the id and its severity', () => {
    for (const id of pages) {
      const text = readFileSync(join(DOCS, `${id}.md`), 'utf8')
      expect(text.startsWith(`# \`${id}\`\n`), id).toBe(true)
      expect(text, id).toMatch(/^\*\*Severity:\*\* /m)
      for (const section of ['What it flags', 'Bad', 'Why', 'Safe']) expect(text, `${id}: ${section}`).toMatch(new RegExp(`\\n## ${section}\\b`))
    }
  })

  it('are all in the index', () => {
    const index = readFileSync(join(DOCS, 'README.md'), 'utf8')
    for (const id of pages) expect(index, id).toContain(`[\`${id}\`](${id}.md)`)
  })

  it('link only to files that exist', () => {
    for (const name of [...pages.map((id) => `${id}.md`), 'README.md']) {
      const text = readFileSync(join(DOCS, name), 'utf8')
      for (const [, target] of text.matchAll(/\]\(((?!https?:)[^)#\s]+)(?:#[^)]*)?\)/g)) {
        expect(existsSync(resolve(dirname(join(DOCS, name)), target!)), `${name} -> ${target}`).toBe(true)
      }
    }
  })
})
