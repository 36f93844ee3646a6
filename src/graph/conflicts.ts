// Conflicting leaves on the merge result: what `migrate` on main would refuse
// with "Conflicting migrations detected; multiple leaf nodes in the migration
// graph". For each app: the leaves, which side brought each, where the two
// lines of history part, and whether both sides touch the same models.
import { ancestors, compareKeys, conflictingApps, forwardsPlan } from './graph.js'
import type { Conflict, GraphUnknown, MigrationGraph, Overlap, Side, SideSets, UnsettledLeaves } from '../model/graph.js'
import { OPAQUE_OPERATIONS, operationModel, stringArgument } from './operation-args.js'
import { migrationKey, type MigrationKey, type Operation } from '../model/migration.js'

export function sideOf(key: MigrationKey, sides: SideSets): Side {
  if (sides.mergeBase.has(key)) return 'both'
  if (sides.head.has(key) && !sides.base.has(key)) return 'pr'
  if (sides.base.has(key) && !sides.head.has(key)) return 'main'
  return 'both'
}

/**
 * What of the graph could not be read from the files: the dynamic parts of
 * `dependencies`, `run_before` and `replaces`, and dependency items that are
 * not a readable pair.
 */
export function graphUnknowns(graph: MigrationGraph): GraphUnknown[] {
  const unknowns: GraphUnknown[] = []
  for (const file of graph.files.values()) {
    const migration = migrationKey(file)
    for (const part of file.dynamic) {
      if (part.attribute === 'dependencies' || part.attribute === 'run_before' || part.attribute === 'replaces') {
        unknowns.push({ app: file.app, migration, path: file.path, line: part.line, what: part.attribute, reason: part.reason })
      }
    }
    for (const dependency of file.dependencies) {
      if (dependency.kind === 'dynamic') {
        unknowns.push({ app: file.app, migration, path: file.path, line: dependency.line, what: 'dependencies', reason: `${dependency.source}: ${dependency.reason}` })
      }
    }
  }
  return unknowns
}

/**
 * Apps with several leaves, split in two. A leaf is certain when nothing that
 * cannot be read may join it: no migration of the app whose dependencies are
 * unknown and that is not already before it (depending on it would be a
 * cycle), no unknown `run_before` of the leaf itself, no squash whose
 * `replaces` is unknown, no unreadable module that is not before it. Two
 * certain leaves are a conflict Django's loader finds too (on those leaves);
 * fewer leave the app unsettled, for Django's loader to settle.
 */
export function settleConflicts(
  graph: MigrationGraph,
  unknowns: readonly GraphUnknown[] = graphUnknowns(graph)
): { settled: Map<string, MigrationKey[]>; unsettled: UnsettledLeaves[] } {
  const settled = new Map<string, MigrationKey[]>()
  const unsettled: UnsettledLeaves[] = []
  for (const [app, leaves] of conflictingApps(graph)) {
    const lineages = new Map(leaves.map((leaf) => [leaf, ancestors(graph, leaf)]))
    const before = (key: MigrationKey, leaf: MigrationKey): boolean => key === leaf || lineages.get(leaf)!.has(key)
    const mayJoin = (unknown: GraphUnknown, leaf: MigrationKey): boolean => {
      if (unknown.migration === null || unknown.what === 'replaces') return true
      if (unknown.what === 'module') {
        // A module that cannot be read, but that the leaf (or a migration before it) depends on, is older than the leaf.
        const key = unknown.migration
        return ![...graph.nodes.values()].some((node) => before(node.key, leaf) && node.file.dependencies.some((d) => d.kind === 'migration' && migrationKey(d) === key))
      }
      const key = graph.replacedBy.get(unknown.migration) ?? unknown.migration
      if (!graph.nodes.has(key)) return true
      // run_before of the leaf itself gives it a child; unknown dependencies of a migration not before the leaf may name it.
      return unknown.what === 'run_before' ? key === leaf : !before(key, leaf)
    }
    const own = unknowns.filter((unknown) => unknown.app === app)
    const certain = leaves.filter((leaf) => !own.some((unknown) => mayJoin(unknown, leaf)))
    if (certain.length >= 2) settled.set(app, certain)
    else unsettled.push({ app, leaves, unknowns: own.filter((unknown) => leaves.some((leaf) => mayJoin(unknown, leaf))) })
  }
  return { settled, unsettled }
}

export function detectConflicts(
  merged: MigrationGraph,
  sides: SideSets,
  baseGraph: MigrationGraph | null,
  unknowns: readonly GraphUnknown[] = graphUnknowns(merged)
): Conflict[] {
  const baseConflicts = baseGraph ? conflictingApps(baseGraph) : new Map<string, MigrationKey[]>()
  const conflicts: Conflict[] = []
  for (const [app, leafKeys] of settleConflicts(merged, unknowns).settled) {
    const leaves = leafKeys.map((key) => {
      const node = merged.nodes.get(key)!
      return { key, name: node.name, path: node.file.path, side: sideOf(key, sides) }
    })
    const commonAncestor = newestCommonAncestor(merged, app, leafKeys)
    const before = commonAncestor === null ? new Set<MigrationKey>() : new Set([commonAncestor, ...ancestors(merged, commonAncestor)])
    // Each leaf's plan walks the whole history: once per leaf, for both sides.
    const plans = new Map(leaves.map((leaf) => [leaf.key, forwardsPlan(merged, leaf.key)] as const))
    const branchOf = (side: 'main' | 'pr'): MigrationKey[] => {
      const reach = new Set<MigrationKey>()
      for (const leaf of leaves) {
        if (leaf.side !== side) continue
        for (const key of plans.get(leaf.key)!) reach.add(key)
      }
      const ordered = new Set<MigrationKey>()
      for (const leaf of leaves) {
        for (const key of plans.get(leaf.key)!) {
          if (reach.has(key) && !before.has(key) && merged.nodes.get(key)!.app === app) ordered.add(key)
        }
      }
      return [...ordered]
    }
    const branches = { main: branchOf('main'), pr: branchOf('pr') }
    const overlap = findOverlap(merged, branches.main, branches.pr)
    const preexisting = sameLeaves(baseConflicts.get(app), leafKeys)
    const needsHumanReview = overlap.models.length > 0 || overlap.opaque.length > 0
    conflicts.push({
      app,
      leaves,
      commonAncestor,
      branches,
      overlap,
      needsHumanReview,
      reason: reviewReason(overlap, branches),
      preexisting
    })
  }
  return conflicts.sort((a, b) => (a.app < b.app ? -1 : 1))
}

function sameLeaves(a: MigrationKey[] | undefined, b: MigrationKey[]): boolean {
  return a !== undefined && a.length === b.length && a.every((key) => b.includes(key))
}

function newestCommonAncestor(graph: MigrationGraph, app: string, leaves: MigrationKey[]): MigrationKey | null {
  const lineages = leaves.map((leaf) => new Set([leaf, ...ancestors(graph, leaf)]))
  const common = [...lineages[0]!].filter(
    (key) => graph.nodes.get(key)?.app === app && lineages.every((lineage) => lineage.has(key))
  )
  // The newest is the one that no other common ancestor depends on: one walk
  // from all of them at once (asking each one's ancestors is quadratic on a long history).
  const below = new Set<MigrationKey>()
  const stack = common.flatMap((key) => [...(graph.nodes.get(key)?.parents ?? [])])
  while (stack.length > 0) {
    const key = stack.pop()!
    if (below.has(key)) continue
    below.add(key)
    stack.push(...(graph.nodes.get(key)?.parents ?? []))
  }
  const newest = common.filter((key) => !below.has(key))
  return newest.sort(compareKeys).pop() ?? null
}

/** What each operation acts on: a model, a field of it, or something unreadable. */
function touched(operation: Operation): { model: string | null; fields: string[]; opaque: boolean } {
  if (OPAQUE_OPERATIONS.has(operation.type) || operation.type === '<dynamic>') return { model: null, fields: [], opaque: true }
  if (operation.type === 'SeparateDatabaseAndState') {
    const inner = [...(operation.databaseOperations ?? []), ...(operation.stateOperations ?? [])].map(touched)
    return {
      model: inner.find((t) => t.model !== null)?.model ?? null,
      fields: inner.flatMap((t) => t.fields),
      opaque: inner.some((t) => t.opaque)
    }
  }
  const model = operationModel(operation)
  const fields = ['name', 'old_name', 'new_name']
    .map((argumentName) =>
      ['AddField', 'RemoveField', 'AlterField', 'RenameField'].includes(operation.type)
        ? stringArgument(operation, argumentName)
        : null
    )
    .filter((name): name is string => name !== null)
    .map((field) => `${model}.${field.toLowerCase()}`)
  if (operation.type === 'RenameModel') {
    const names = [stringArgument(operation, 'old_name'), stringArgument(operation, 'new_name')]
    return { model: names[0]?.toLowerCase() ?? null, fields: [], opaque: false }
  }
  return { model, fields, opaque: false }
}

function findOverlap(graph: MigrationGraph, main: MigrationKey[], pr: MigrationKey[]): Overlap {
  const collect = (keys: MigrationKey[]) => {
    const models = new Set<string>()
    const fields = new Set<string>()
    const opaque: MigrationKey[] = []
    for (const key of keys) {
      for (const operation of graph.nodes.get(key)!.file.operations) {
        const what = touched(operation)
        if (what.opaque && !opaque.includes(key)) opaque.push(key)
        if (what.model) models.add(what.model)
        for (const field of what.fields) fields.add(field)
        if (operation.type === 'RenameModel') {
          const renamed = stringArgument(operation, 'new_name')
          if (renamed) models.add(renamed.toLowerCase())
        }
      }
    }
    return { models, fields, opaque }
  }
  const a = collect(main)
  const b = collect(pr)
  return {
    models: [...a.models].filter((model) => b.models.has(model)).sort(),
    fields: [...a.fields].filter((field) => b.fields.has(field)).sort(),
    opaque: [...a.opaque, ...b.opaque]
  }
}

function reviewReason(overlap: Overlap, branches: Conflict['branches']): string {
  if (overlap.fields.length > 0) {
    return `both branches change the same field${overlap.fields.length > 1 ? 's' : ''} (${overlap.fields.join(', ')}): the order decides the result, look before applying the fix`
  }
  if (overlap.models.length > 0) {
    return `both branches change the model${overlap.models.length > 1 ? 's' : ''} ${overlap.models.join(', ')}: check that the order does not matter before applying the fix`
  }
  if (overlap.opaque.length > 0) {
    return `${overlap.opaque.join(', ')} run${overlap.opaque.length === 1 ? 's' : ''} code (RunPython/RunSQL) whose effect cannot be read: check that the order does not matter`
  }
  if (branches.main.length === 0 || branches.pr.length === 0) return 'the leaves share no history in this app'
  return 'the branches touch different models, so their order does not matter'
}
