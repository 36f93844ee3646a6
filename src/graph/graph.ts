// The migration graph of one tree, built the way Django's MigrationLoader
// builds it without a database (django/db/migrations/loader.py, build_graph):
// nodes, internal then external dependencies, run_before, squash replacement,
// then consistency and cycle checks. Where Django stops at the first error,
// this collects every problem, each with the file and line to fix.
import { migrationKey, type MigrationFile, type MigrationKey } from '../model/migration.js'
import type { AppInfo, GraphNode, GraphOptions, GraphProblem, MigrationGraph } from '../model/graph.js'

export const DEFAULT_SWAPPABLE: Record<string, string> = { AUTH_USER_MODEL: 'auth.User' }

interface Edge {
  parent: MigrationKey
  child: MigrationKey
  /** The migration whose declaration made the edge, and where. */
  declaredBy: MigrationKey
  line: number
}

/** A node while the graph is built: a dummy stands for a dependency not on disk, as in Django. */
interface BuildNode {
  key: MigrationKey
  file: MigrationFile | null
  parents: Set<MigrationKey>
  children: Set<MigrationKey>
  /** For a dummy: the declaration that referenced it. */
  declaredAt?: Edge
}

export function buildGraph(
  migrations: readonly MigrationFile[],
  apps: ReadonlyMap<string, AppInfo>,
  options: GraphOptions = { swappable: DEFAULT_SWAPPABLE }
): MigrationGraph {
  const files = new Map<MigrationKey, MigrationFile>()
  // Django iterates disk migrations app by app, modules in name order.
  const ordered = [...migrations].sort((a, b) => compareKeys(migrationKey(a), migrationKey(b)))
  for (const file of ordered) files.set(migrationKey(file), file)

  const nodes = new Map<MigrationKey, BuildNode>()
  for (const [key, file] of files) nodes.set(key, { key, file, parents: new Set(), children: new Set() })
  const edges: Edge[] = []
  const addEdge = (edge: Edge): void => {
    for (const end of [edge.parent, edge.child]) {
      if (!nodes.has(end)) nodes.set(end, { key: end, file: null, parents: new Set(), children: new Set(), declaredAt: edge })
    }
    edges.push(edge)
    nodes.get(edge.child)!.parents.add(edge.parent)
    nodes.get(edge.parent)!.children.add(edge.child)
  }
  const problems: GraphProblem[] = []
  const externalDependencies: MigrationGraph['externalDependencies'] = []

  const dependencyKeys = (file: MigrationFile): Array<{ app: string; name: string; line: number }> => {
    const keys: Array<{ app: string; name: string; line: number }> = []
    for (const dependency of file.dependencies) {
      if (dependency.kind === 'migration') keys.push(dependency)
      else if (dependency.kind === 'swappable') {
        const value = options.swappable[dependency.setting]
        // An unknown setting cannot be resolved statically: left out, like a dynamic entry.
        if (value !== undefined) keys.push({ app: value.split('.')[0]!, name: '__first__', line: dependency.line })
      }
    }
    return keys
  }

  // Internal (same app) dependencies first, so that __first__ finds the right root.
  for (const [key, file] of files) {
    for (const parent of dependencyKeys(file)) {
      if (parent.app === file.app && parent.name !== '__first__') {
        addEdge({ parent: migrationKey(parent), child: key, declaredBy: key, line: parent.line })
      }
    }
  }

  // Django's root_nodes/leaf_nodes while building: dummies count, as they do there.
  const rootsOrLeaves = (app: string, which: 'root' | 'leaf'): MigrationKey[] =>
    [...nodes.values()]
      .filter(
        (node) =>
          appOf(node.key) === app &&
          [...(which === 'root' ? node.parents : node.children)].every((other) => appOf(other) !== app)
      )
      .map((node) => node.key)
      .sort(compareKeys)

  // Django's check_key: resolves __first__/__latest__; null means "no edge".
  const checkKey = (ref: { app: string; name: string; line: number }, from: MigrationFile): MigrationKey | null => {
    const key = migrationKey(ref)
    const app = apps.get(ref.app)
    if (app === undefined) {
      // Not an app of this tree: an installed package or django.contrib.
      externalDependencies.push({ migration: migrationKey(from), dependency: key, line: ref.line })
      return null
    }
    if ((ref.name !== '__first__' && ref.name !== '__latest__') || nodes.has(key)) return key
    if (ref.app === from.app || !app.migrated) return null
    const found = rootsOrLeaves(ref.app, ref.name === '__first__' ? 'root' : 'leaf')[0]
    if (found === undefined) {
      problems.push({
        kind: 'app-without-migrations',
        message: `${migrationKey(from)} depends on ${key}, but the app '${ref.app}' has no migrations`,
        path: from.path,
        line: ref.line,
        app: ref.app
      })
      return null
    }
    return found
  }

  for (const [key, file] of files) {
    for (const parent of dependencyKeys(file)) {
      if (parent.app === file.app) continue
      const resolved = checkKey(parent, file)
      if (resolved !== null) addEdge({ parent: resolved, child: key, declaredBy: key, line: parent.line })
    }
    for (const child of file.runBefore) {
      const resolved = checkKey(child, file)
      if (resolved !== null) addEdge({ parent: key, child: resolved, declaredBy: key, line: child.line })
    }
  }

  const replacedBy = replaceSquashed(files, nodes, problems)

  // Django's validate_consistency: a dummy left now is a dependency on nothing.
  for (const node of nodes.values()) {
    if (node.file !== null) continue
    const edge = node.declaredAt!
    const declaring = files.get(edge.declaredBy)!
    problems.push({
      kind: 'missing-dependency',
      message:
        node.key === edge.parent
          ? `${edge.declaredBy} depends on ${node.key}, which does not exist`
          : `${edge.declaredBy} declares run_before ${node.key}, which does not exist`,
      path: declaring.path,
      line: edge.line,
      migration: edge.declaredBy,
      missing: node.key
    })
  }

  const graphNodes = new Map<MigrationKey, GraphNode>()
  for (const node of nodes.values()) {
    if (node.file === null) continue
    const real = (keys: Set<MigrationKey>): Set<MigrationKey> =>
      new Set([...keys].filter((key) => nodes.get(key)?.file != null))
    graphNodes.set(node.key, {
      key: node.key,
      app: node.file.app,
      name: node.file.name,
      file: node.file,
      parents: real(node.parents),
      children: real(node.children)
    })
  }

  const cycle = findCycle(graphNodes)
  if (cycle !== null) {
    const first = files.get(cycle[0]!)!
    const closing = edges.find((edge) => edge.child === cycle[0] && edge.parent === cycle[cycle.length - 1])
    problems.push({
      kind: 'cycle',
      message: `circular dependency: ${[...cycle, cycle[0]].join(' -> ')}`,
      path: first.path,
      line: closing?.line ?? first.line,
      cycle
    })
  }

  return { nodes: graphNodes, files, apps: new Map(apps), replacedBy, externalDependencies, problems }
}

/**
 * Squashed migrations stand in for the ones they replace. Without a database
 * nothing is applied, so Django always uses the squash (remove_replaced_nodes),
 * resolving squashes of squashes first (Django >= 6.0).
 */
function replaceSquashed(
  files: Map<MigrationKey, MigrationFile>,
  nodes: Map<MigrationKey, BuildNode>,
  problems: GraphProblem[]
): Map<MigrationKey, MigrationKey> {
  const replacedBy = new Map<MigrationKey, MigrationKey>()
  const progress = new Map<MigrationKey, boolean>()
  const replacements = [...files.values()].filter((file) => file.replaces.length > 0)
  const isReplacement = new Set(replacements.map((file) => migrationKey(file)))

  const replace = (file: MigrationFile): void => {
    const key = migrationKey(file)
    const state = progress.get(key)
    if (state === true) return
    if (state === false) {
      problems.push({
        kind: 'squash-cycle',
        message: `cyclical squash replacement found, starting at ${key}`,
        path: file.path,
        line: file.replaces[0]?.line ?? file.line,
        migration: key
      })
      return
    }
    progress.set(key, false)
    for (const inner of file.replaces) {
      const innerKey = migrationKey(inner)
      if (isReplacement.has(innerKey)) replace(files.get(innerKey)!)
    }
    removeReplacedNodes(nodes, key, file.replaces.map(migrationKey), replacedBy)
    progress.set(key, true)
  }
  for (const file of replacements) replace(file)
  return replacedBy
}

/**
 * Django's MigrationGraph.remove_replaced_nodes: the replaced nodes (dummies
 * included, which is how a dependency on a deleted original reaches the
 * squash) leave the graph, and their edges move to the squash.
 */
function removeReplacedNodes(
  nodes: Map<MigrationKey, BuildNode>,
  replacement: MigrationKey,
  replacedKeys: MigrationKey[],
  replacedBy: Map<MigrationKey, MigrationKey>
): void {
  const replaced = new Set(replacedKeys)
  const squash = nodes.get(replacement)
  if (squash === undefined) return
  for (const key of replaced) {
    const node = nodes.get(key)
    if (node === undefined) continue
    nodes.delete(key)
    replacedBy.set(key, replacement)
    for (const child of node.children) {
      const childNode = nodes.get(child)
      childNode?.parents.delete(key)
      // No edge from the squash to a migration it replaces itself.
      if (!replaced.has(child)) {
        squash.children.add(child)
        childNode?.parents.add(replacement)
      }
    }
    for (const parent of node.parents) {
      const parentNode = nodes.get(parent)
      parentNode?.children.delete(key)
      if (!replaced.has(parent)) {
        squash.parents.add(parent)
        parentNode?.children.add(replacement)
      }
    }
  }
}

/** Django's ensure_not_cyclic (GvR's algorithm): the first cycle found, or null. */
function findCycle(nodes: Map<MigrationKey, GraphNode>): MigrationKey[] | null {
  const todo = new Set([...nodes.keys()].sort(compareKeys))
  while (todo.size > 0) {
    const start = todo.values().next().value as MigrationKey
    todo.delete(start)
    const stack = [start]
    const onStack = new Set(stack)
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!
      let descended = false
      for (const child of [...nodes.get(top)!.children].sort(compareKeys)) {
        if (onStack.has(child)) return stack.slice(stack.indexOf(child))
        if (todo.has(child)) {
          stack.push(child)
          onStack.add(child)
          todo.delete(child)
          descended = true
          break
        }
      }
      if (!descended) onStack.delete(stack.pop()!)
    }
  }
  return null
}

export function appOf(key: MigrationKey): string {
  return key.slice(0, key.indexOf('.'))
}

/** Orders keys the way Django sorts its (app, name) tuples. */
export function compareKeys(a: MigrationKey, b: MigrationKey): number {
  const appA = appOf(a)
  const appB = appOf(b)
  if (appA !== appB) return appA < appB ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

/** Nodes of `app` (or of every app) with no child in their own app: Django's leaf_nodes. */
export function leafNodes(graph: MigrationGraph, app?: string): MigrationKey[] {
  return [...graph.nodes.values()]
    .filter((node) => (app === undefined || node.app === app) && [...node.children].every((c) => appOf(c) !== node.app))
    .map((node) => node.key)
    .sort(compareKeys)
}


/** Apps with more than one leaf, and their leaves: Django's detect_conflicts. */
export function conflictingApps(graph: MigrationGraph): Map<string, MigrationKey[]> {
  const byApp = new Map<string, MigrationKey[]>()
  for (const leaf of leafNodes(graph)) {
    const app = appOf(leaf)
    byApp.set(app, [...(byApp.get(app) ?? []), leaf])
  }
  return new Map([...byApp].filter(([, leaves]) => leaves.length > 1))
}

/** Every node `key` depends on, directly or not (not including itself). */
export function ancestors(graph: MigrationGraph, key: MigrationKey): Set<MigrationKey> {
  return walk(graph, key, (node) => node.parents)
}


function walk(graph: MigrationGraph, key: MigrationKey, next: (node: GraphNode) => Set<MigrationKey>): Set<MigrationKey> {
  const seen = new Set<MigrationKey>()
  const stack = [key]
  while (stack.length > 0) {
    const node = graph.nodes.get(stack.pop()!)
    if (node === undefined) continue
    for (const other of next(node)) {
      if (!seen.has(other)) {
        seen.add(other)
        stack.push(other)
      }
    }
  }
  return seen
}

/** Django's forwards_plan: the nodes to apply, dependencies first, ending with `target`. */
export function forwardsPlan(graph: MigrationGraph, target: MigrationKey): MigrationKey[] {
  const visited: MigrationKey[] = []
  const done = new Set<MigrationKey>()
  const stack: Array<[MigrationKey, boolean]> = [[target, false]]
  while (stack.length > 0) {
    const [key, processed] = stack.pop()!
    if (done.has(key)) continue
    if (processed) {
      done.add(key)
      visited.push(key)
    } else {
      stack.push([key, true])
      const parents = [...(graph.nodes.get(key)?.parents ?? [])].sort(compareKeys)
      for (const parent of parents) stack.push([parent, false])
    }
  }
  return visited
}

