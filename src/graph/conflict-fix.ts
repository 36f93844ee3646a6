// The fix for a conflict, as a patch the author can apply: the PR's
// migrations of the app renamed to follow main's newest migration, and every
// dependency on them (or on the old fork point) rewritten. A chain of several
// PR migrations is renumbered in order. The patched tree is checked by
// building its graph again: the fix is offered only if it leaves one leaf.
import type { Conflict, ConflictFix, MigrationGraph } from '../model/graph.js'
import { buildGraph, leafNodes } from './graph.js'
import { gitPatch, type FileEdit } from './unified-diff.js'
import { migrationKey, parseMigrationKey, type MigrationFile, type MigrationKey } from '../model/migration.js'

export interface FixInputs {
  merged: MigrationGraph
  /** Migration keys the PR adds (not on the base branch). */
  prAdded: ReadonlySet<MigrationKey>
  /** Text of a file of the merged tree. */
  readText: (path: string) => string
  /** Parses migration source, for the check of the patched tree. */
  parse: (source: string, path: string) => MigrationFile
  swappable: Record<string, string>
}

export function buildConflictFix(conflict: Conflict, inputs: FixInputs): ConflictFix {
  const mergeCommand = `python manage.py makemigrations --merge ${conflict.app}`
  const unavailable = (reason: string): ConflictFix => ({ renames: [], rewrites: [], patch: null, unavailable: reason, mergeCommand })

  const prLeaves = conflict.leaves.filter((leaf) => leaf.side === 'pr')
  const otherLeaves = conflict.leaves.filter((leaf) => leaf.side !== 'pr')
  if (prLeaves.length === 0) return unavailable('the pull request adds none of these leaves; the base branch has the conflict itself')
  if (otherLeaves.length === 0) return unavailable(`the pull request itself leaves ${prLeaves.length} leaves in '${conflict.app}': add a merge migration`)
  if (otherLeaves.length > 1) return unavailable(`the base branch itself has ${otherLeaves.length} leaves in '${conflict.app}'`)
  const chain = conflict.branches.pr
  if (chain.length === 0 || chain.some((key) => !inputs.prAdded.has(key))) {
    return unavailable('the migrations after the common ancestor are not all new in the pull request')
  }

  const { merged } = inputs
  const target = otherLeaves[0]!.key
  const inChain = new Set(chain)
  const renamed = new Map<MigrationKey, MigrationKey>()
  const taken = new Set([...merged.files.keys()].filter((key) => !inChain.has(key)))
  let next = Math.max(0, ...[...taken].filter((key) => key.startsWith(`${conflict.app}.`)).map(numberOf)) + 1
  for (const key of chain) {
    const { app, name } = parseMigrationKey(key)
    const match = /^(\d+)_(.*)$/.exec(name)
    let newName = name
    if (match !== null) {
      do newName = `${String(next++).padStart(4, '0')}_${match[2]}`
      while (taken.has(`${app}.${newName}`))
    }
    taken.add(`${app}.${newName}`)
    if (newName !== name) renamed.set(key, `${app}.${newName}`)
  }

  // The chain's first migrations follow the target instead of the old fork point.
  const edits = new Map<string, { file: MigrationFile; text: string; newPath: string }>()
  const rewrites: ConflictFix['rewrites'] = []
  const editOf = (file: MigrationFile) => {
    if (!edits.has(file.path)) {
      const newKey = renamed.get(migrationKey(file))
      const newPath = newKey ? file.path.replace(/[^/]+\.py$/, `${parseMigrationKey(newKey).name}.py`) : file.path
      edits.set(file.path, { file, text: inputs.readText(file.path), newPath })
    }
    return edits.get(file.path)!
  }
  for (const key of chain) {
    const file = merged.files.get(key)!
    const edit = editOf(file)
    const sameApp = file.dependencies.filter(
      (dependency) => dependency.kind === 'migration' && dependency.app === conflict.app && dependency.name !== '__first__'
    )
    const outside = sameApp.filter((dependency) => dependency.kind === 'migration' && !inChain.has(migrationKey(dependency)))
    if (sameApp.length > 0 && outside.length === sameApp.length) {
      for (const dependency of outside) {
        if (dependency.kind !== 'migration') continue
        const from = migrationKey(dependency)
        const replaced = replaceReference(edit.text, dependency.app, dependency.name, parseMigrationKey(target).name)
        if (replaced === edit.text) return unavailable(`could not find the dependency on ${from} in ${file.path}`)
        edit.text = replaced
        rewrites.push({ path: edit.newPath, from, to: target })
      }
    } else if (sameApp.length === 0) {
      const inserted = insertDependency(edit.text, target)
      if (inserted === null) return unavailable(`could not add a dependency on ${target} to ${file.path}`)
      edit.text = inserted
      rewrites.push({ path: edit.newPath, from: '(none)', to: target })
    }
  }

  // Every new file that names a renamed migration (the chain itself, or other apps) follows the rename.
  for (const key of inputs.prAdded) {
    const file = merged.files.get(key)
    if (file === undefined) continue
    const refs = [...file.dependencies.flatMap((d) => (d.kind === 'migration' ? [d] : [])), ...file.runBefore, ...file.replaces]
    for (const ref of refs) {
      const to = renamed.get(migrationKey(ref))
      if (to === undefined) continue
      const edit = editOf(file)
      const replaced = replaceReference(edit.text, ref.app, ref.name, parseMigrationKey(to).name)
      if (replaced !== edit.text) {
        edit.text = replaced
        rewrites.push({ path: edit.newPath, from: migrationKey(ref), to })
      }
    }
  }

  const fileEdits: FileEdit[] = [...edits.values()]
    .map(({ file, text, newPath }) => ({ oldPath: file.path, newPath, oldText: inputs.readText(file.path), newText: text }))
    .sort((a, b) => (a.oldPath < b.oldPath ? -1 : 1))
  const renames = chain
    .filter((key) => renamed.has(key))
    .map((key) => {
      const edit = edits.get(merged.files.get(key)!.path)!
      return { from: key, to: renamed.get(key)!, fromPath: edit.file.path, toPath: edit.newPath }
    })

  const check = checkPatchedTree(conflict.app, inputs, edits)
  if (check !== null) return unavailable(check)
  return { renames, rewrites, patch: gitPatch(fileEdits), unavailable: null, mergeCommand }
}

function numberOf(key: MigrationKey): number {
  const match = /^(\d+)_/.exec(parseMigrationKey(key).name)
  return match ? Number(match[1]) : 0
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Rewrites `('app', 'old')` (any quotes, spacing, line breaks) to `('app', 'new')`. */
function replaceReference(text: string, app: string, oldName: string, newName: string): string {
  const pattern = new RegExp(`(["'])${escapeRegExp(app)}\\1(\\s*,\\s*)(["'])${escapeRegExp(oldName)}\\3`, 'g')
  return text.replace(pattern, (_match, q1: string, between: string, q2: string) => `${q1}${app}${q1}${between}${q2}${newName}${q2}`)
}

/** Adds `('app', 'name')` to a `dependencies = [...]` list that has no entry of this app. */
function insertDependency(text: string, target: MigrationKey): string | null {
  const { app, name } = parseMigrationKey(target)
  const match = /(\n([ \t]*)dependencies\s*(?::[^=\n]+)?=\s*\[)([ \t]*\]?)/.exec(text)
  if (match === null) return null
  const indent = match[2]!
  const closesAtOnce = match[3]!.trim() === ']'
  const entry = `\n${indent}    ("${app}", "${name}"),`
  const at = match.index + match[1]!.length
  return closesAtOnce ? `${text.slice(0, at)}${entry}\n${indent}]${text.slice(at + match[3]!.length)}` : `${text.slice(0, at)}${entry}${text.slice(at)}`
}

/** Builds the graph of the patched tree; null when the app is down to one leaf, else why not. */
function checkPatchedTree(
  app: string,
  inputs: FixInputs,
  edits: Map<string, { file: MigrationFile; text: string; newPath: string }>
): string | null {
  const files: MigrationFile[] = []
  for (const file of inputs.merged.files.values()) {
    const edit = edits.get(file.path)
    if (edit === undefined) {
      files.push(file)
      continue
    }
    try {
      files.push(inputs.parse(edit.text, edit.newPath))
    } catch (error) {
      return `the patched ${edit.newPath} does not parse: ${(error as Error).message}`
    }
  }
  const graph = buildGraph(files, inputs.merged.apps, { swappable: inputs.swappable })
  const leaves = leafNodes(graph, app)
  if (graph.problems.length > inputs.merged.problems.length) return `the patched tree has a new problem: ${graph.problems.at(-1)!.message}`
  if (leaves.length !== 1) return `the renamed migrations still leave ${leaves.length} leaves in '${app}'`
  return null
}
