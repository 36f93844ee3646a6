import { describe, expect, it } from 'vitest'
import { graphUnknowns, settleConflicts } from '../../src/graph/conflicts.js'
import { leafNodes } from '../../src/graph/graph.js'
import { hiddenModules } from '../../src/review/tree-migrations.js'
import { GRAPH_FIXTURES, ourGraph, type GraphFixture } from './fixtures.js'

function problemsOf(fixture: GraphFixture) {
  const tree = ourGraph(fixture)
  return [
    ...tree.parseErrors.map((error) => ({ kind: 'syntax-error', path: error.path, line: error.line, message: error.message })),
    ...tree.graph.problems
  ]
}

describe('the migration graph', () => {
  for (const fixture of GRAPH_FIXTURES.filter((f) => f.expect.leaves)) {
    it(`finds the leaves of ${fixture.name}`, () => {
      const { graph } = ourGraph(fixture)
      const leaves: Record<string, string[]> = {}
      for (const app of Object.keys(fixture.expect.leaves!)) leaves[app] = leafNodes(graph, app)
      expect(leaves).toEqual(fixture.expect.leaves)
      expect(graph.problems).toEqual([])
    })
  }

  it('reports conflicting apps only where an app has two leaves that nothing unread may join', () => {
    for (const fixture of GRAPH_FIXTURES.filter((f) => f.expect.leaves || f.expect.unsettled)) {
      const tree = ourGraph(fixture)
      const { settled, unsettled } = settleConflicts(tree.graph, [...graphUnknowns(tree.graph), ...hiddenModules(tree).values()])
      expect([...settled.keys()], fixture.name).toEqual(fixture.expect.conflicts ?? [])
      expect(unsettled.map((app) => app.app), fixture.name).toEqual(fixture.expect.unsettled ?? [])
    }
  })

  for (const fixture of GRAPH_FIXTURES.filter((f) => f.expect.problem)) {
    it(`names the file and line for ${fixture.name}`, () => {
      const expected = fixture.expect.problem!
      const problems = problemsOf(fixture)
      expect(problems).toHaveLength(1)
      expect(problems[0]).toMatchObject({ kind: expected.kind, path: expected.path, line: expected.line })
      expect(problems[0]!.message).toContain(expected.mentions)
    })
  }

  it('prints the whole cycle', () => {
    const fixture = GRAPH_FIXTURES.find((f) => f.expect.problem?.kind === 'cycle')!
    const [problem] = problemsOf(fixture)
    expect(problem!.message).toMatch(/circular dependency: (shop|library)\.0001_initial -> (shop|library)\.0001_initial -> \1\.0001_initial/)
  })

  it('replaces the originals of a squash, repointing dependencies on them', () => {
    const fixture = GRAPH_FIXTURES.find((f) => f.name === 'a squash beside its originals')!
    const { graph } = ourGraph(fixture)
    expect(graph.nodes.has('shop.0002_book_note')).toBe(false)
    expect([...graph.nodes.get('library.0001_initial')!.parents]).toEqual(['shop.0001_squashed_0003_book_isbn'])
    expect(graph.replacedBy.get('shop.0003_book_isbn')).toBe('shop.0001_squashed_0003_book_isbn')
  })

  it('resolves a dependency on a deleted original to its squash', () => {
    const fixture = GRAPH_FIXTURES.find((f) => f.name.startsWith('a squash whose originals were deleted'))!
    const { graph } = ourGraph(fixture)
    expect([...graph.nodes.get('shop.0003_book_isbn')!.parents]).toEqual(['shop.0001_squashed_0002_book_note'])
    expect([...graph.nodes.get('library.0001_initial')!.parents]).toEqual(['shop.0001_squashed_0002_book_note'])
  })

  it('lists dependencies on apps outside the tree without calling them missing', () => {
    const fixture = GRAPH_FIXTURES.find((f) => f.name === 'a dependency on a contrib app')!
    const { graph } = ourGraph(fixture)
    expect(graph.externalDependencies).toEqual([
      { migration: 'shop.0001_initial', dependency: 'auth.0012_alter_user_first_name_max_length', line: 9 }
    ])
  })
})
