// Our graph must equal Django's own MigrationLoader on every fixture, for
// every supported Django version: the same nodes, edges, leaves, conflicts,
// and an error exactly where Django raises one.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { conflictingApps, leafNodes } from '../../src/graph/graph.js'
import { projectFiles } from '../support/django-project.js'
import { djangoVenvs, REPO_ROOT } from '../support/python-envs.js'
import { GRAPH_FIXTURES, ourGraph, type GraphFixture } from './fixtures.js'

interface DjangoAnswer {
  django?: string
  nodes?: string[]
  edges?: Array<[string, string]>
  leaves?: Record<string, string[]>
  conflicts?: Record<string, string[]>
  error?: { type: string; message: string; node: string | null; file: string | null; line: number | null }
}

const dirs: string[] = []
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

function djangoAnswer(python: string, fixture: GraphFixture): DjangoAnswer {
  const dir = mkdtempSync(join(tmpdir(), 'dmr-loader-'))
  dirs.push(dir)
  const files = { ...projectFiles(fixture.apps, { contrib: fixture.contrib, settings: fixture.settings }), ...fixture.files }
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  const out = execFileSync(python, [join(REPO_ROOT, 'test/support/django_graph.py')], {
    cwd: dir,
    env: { ...process.env, DJANGO_SETTINGS_MODULE: 'project.settings', PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: dir },
    encoding: 'utf8'
  })
  return JSON.parse(out) as DjangoAnswer
}

const ERROR_KINDS: Record<string, string> = {
  NodeNotFoundError: 'missing-dependency',
  CircularDependencyError: 'cycle',
  ValueError: 'app-without-migrations',
  SyntaxError: 'syntax-error'
}

const atLeast = (series: string, min: string | undefined): boolean => {
  if (min === undefined) return true
  const [a, b] = series.split('.').map(Number)
  const [c, d] = min.split('.').map(Number)
  return a! > c! || (a === c && b! >= d!)
}

describe.each(djangoVenvs())('Django $django MigrationLoader', ({ series, python }) => {
  for (const fixture of GRAPH_FIXTURES.filter((f) => atLeast(series, f.minDjango))) {
    it(`agrees on ${fixture.name}`, () => {
      const answer = djangoAnswer(python, fixture)
      const ours = ourGraph(fixture)
      const problems = [
        ...ours.parseErrors.map((e) => ({ kind: 'syntax-error', message: e.message, path: e.path, line: e.line })),
        ...ours.graph.problems
      ]
      if (answer.error) {
        expect(problems.map((p) => p.kind)).toContain(ERROR_KINDS[answer.error.type])
        const problem = problems.find((p) => p.kind === ERROR_KINDS[answer.error!.type])!
        if (answer.error.node) expect(problem.message).toContain(answer.error.node)
        if (answer.error.type === 'SyntaxError') {
          expect(answer.error.file).toContain(problem.path)
          expect(problem.line).toBe(answer.error.line)
        }
        if (answer.error.type === 'CircularDependencyError') {
          for (const node of answer.error.message.split(', ')) expect(problem.message).toContain(node)
        }
        return
      }
      expect(problems).toEqual([])
      const apps = new Set(fixture.apps)
      const nodes = [...ours.graph.nodes.keys()].filter((key) => apps.has(key.split('.')[0]!)).sort()
      const edges = [...ours.graph.nodes.values()]
        .flatMap((node) => [...node.parents].map((parent): [string, string] => [parent, node.key]))
        .sort((a, b) => (a.join() < b.join() ? -1 : 1))
      const leaves: Record<string, string[]> = {}
      for (const leaf of leafNodes(ours.graph)) (leaves[leaf.split('.')[0]!] ??= []).push(leaf)
      const conflicts = Object.fromEntries(
        [...conflictingApps(ours.graph)].map(([app, keys]) => [app, keys.map((key) => key.split('.')[1]!).sort()])
      )
      expect({ nodes, edges, leaves, conflicts }).toEqual({
        nodes: answer.nodes,
        edges: answer.edges,
        leaves: answer.leaves,
        conflicts: answer.conflicts
      })
    })
  }
})
