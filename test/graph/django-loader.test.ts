// Our graph must equal Django's own MigrationLoader on every fixture, for
// every supported Django version: the same nodes, edges, leaves, conflicts,
// and an error exactly where Django raises one. Where a fixture has parts
// that cannot be read without Python, ours must stay on the safe side of
// Django's: no edge Django lacks, no conflict Django does not find, and every
// app whose leaves we cannot settle named as unsettled, never a conflict.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { graphUnknowns, settleConflicts } from '../../src/graph/conflicts.js'
import { leafNodes } from '../../src/graph/graph.js'
import { hiddenModules } from '../../src/review/tree-migrations.js'
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
    const full = join(dir, path)
    mkdirSync(dirname(full), { recursive: true })
    if (typeof content === 'string') writeFileSync(full, content)
    else if ('symlink' in content) symlinkSync(content.symlink, full)
    else {
      // Only the compiled module, where the source would be (a "sourceless" module), in this Python's format.
      writeFileSync(`${full}.src`, content.compiled)
      execFileSync(python, ['-c', 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)', `${full}.src`, `${full}c`])
      rmSync(`${full}.src`)
    }
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
      const hidden = hiddenModules(ours)
      const unknowns = [...graphUnknowns(ours.graph), ...hidden.values()]
      const { settled, unsettled } = settleConflicts(ours.graph, unknowns)
      const conflicts = Object.fromEntries([...settled].map(([app, keys]) => [app, keys.map((key) => key.split('.')[1]!).sort()]))
      expect(unsettled.map((app) => app.app)).toEqual(fixture.expect.unsettled ?? [])
      if (unknowns.length === 0) {
        expect({ nodes, edges, leaves, conflicts }).toEqual({
          nodes: answer.nodes,
          edges: answer.edges,
          leaves: answer.leaves,
          conflicts: answer.conflicts
        })
        return
      }
      // Something needs Python: the modules we cannot read are Django's only extra nodes,
      expect([...nodes, ...hidden.keys()].sort()).toEqual(answer.nodes)
      // we never invent an edge,
      const theirs = new Set(answer.edges!.map((edge) => edge.join(' -> ')))
      expect(edges.map((edge) => edge.join(' -> ')).filter((edge) => !theirs.has(edge))).toEqual([])
      // every conflict we report is one Django finds,
      for (const [app, names] of Object.entries(conflicts)) expect(answer.conflicts![app], `conflict in ${app}`).toEqual(names)
      // and an app Django finds in conflict is one we report or leave to Django.
      const ourApps = new Set([...settled.keys(), ...unsettled.map((app) => app.app)])
      for (const app of Object.keys(answer.conflicts!)) expect(ourApps.has(app), `conflict in ${app}`).toBe(true)
    })
  }
})
