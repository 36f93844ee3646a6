// The static half of the review: no Python, no database. Indexes the base,
// the head, their merge base and their merge result from git objects, parses
// the merge result, and finds what will break the migration graph once the
// PR merges.
import { buildConflictFix } from '../graph/conflict-fix.js'
import type { MigrationModule, UnsettledLeaves } from '../model/graph.js'
import { detectConflicts, graphUnknowns, settleConflicts, sideOf } from '../graph/conflicts.js'
import { compareKeys, conflictingApps, forwardsPlan, leafNodes } from '../graph/graph.js'
import { duplicateNumbers } from '../graph/numbering.js'
import { parseMigration } from '../graph/parse.js'
import { migrationKey, MigrationParseError, type MigrationFile, type MigrationKey } from '../model/migration.js'
import { changedFiles } from '../git/changes.js'
import { ShallowHistoryError } from '../git/errors.js'
import { mergeTrees } from '../git/merge.js'
import type { CommitSha, StaticReview, TreeMigrations } from '../model/static-review.js'
import type { GitRepository } from '../git/repository.js'
import { BlobStore } from '../git/trees.js'
import { migrationModuleRef } from '../graph/discover.js'
import { WARNING_GRAPH_PROBLEM_KINDS, type EditedMigration, type GraphProblemReport } from '../model/report.js'
import type { FileChange } from '../git/changes.js'
import { findMigrationModulesSetting, hiddenMigrationProblems } from './hidden-migrations.js'
import { HistoryScope } from './history-scope.js'
import { hiddenModules, indexTree, loadTreeMigrations, ParseCache, type TreeReadOptions } from './tree-migrations.js'

export interface StaticReviewOptions extends Omit<TreeReadOptions, 'swappable'> {
  base: string
  head: string
  /** Commits the refs already resolved to (saves a git call). */
  resolved?: { base: CommitSha; head: CommitSha }
  /** May still be on its way (read from the settings files in parallel). */
  swappable: Record<string, string> | Promise<Record<string, string>>
}

export async function reviewStatically(repo: GitRepository, options: StaticReviewOptions): Promise<StaticReview> {
  const timings: Record<string, number> = {}
  let mark = performance.now()
  const lap = (name: string): void => {
    const now = performance.now()
    timings[name] = Math.round((timings[name] ?? 0) + now - mark)
    mark = now
  }
  const [baseSha, headSha] = options.resolved
    ? [options.resolved.base, options.resolved.head]
    : (await repo.resolveRefs([options.base, options.head])).map((ref) => ref.commit)
  // Independent git calls run side by side, in as few rounds as the data allows.
  // The merge result shares almost every file with the base: its blobs are
  // fetched as soon as the base's tree is listed, while the rest goes on.
  const blobs = new BlobStore(repo)
  const baseIndex = indexTree(repo, baseSha!, options)
  const baseBlobs = baseIndex.then((index) => blobs.load(index.discovery.modules))
  baseBlobs.catch(() => {})
  const [mergeBase, merge, base, head] = await Promise.all([
    repo.mergeBase(baseSha!, headSha!),
    mergeTrees(repo, baseSha!, headSha!).catch((error: unknown) => error as Error),
    baseIndex,
    indexTree(repo, headSha!, options)
  ])
  if (mergeBase === null) throw new ShallowHistoryError(options.base, options.head)
  if (merge instanceof Error) throw merge
  const [fork, changes, mergedIndex, swappable, migrationModules] = await Promise.all([
    indexTree(repo, mergeBase, options),
    changedFiles(repo, mergeBase, headSha!),
    indexTree(repo, merge.tree, options),
    options.swappable,
    findMigrationModulesSetting(repo, merge.tree, options.projectRoot),
    baseBlobs
  ])
  const treeOptions = { ...options, swappable }
  lap('gitMs')
  const cache = new ParseCache()
  const sides = { base: base.keys, head: head.keys, mergeBase: fork.keys }
  const prAdded = new Set([...head.keys].filter((key) => !fork.keys.has(key)))
  // Files both sides left as they were at the fork, in apps the PR does not
  // touch, matter only to the graph: read their header, not every operation.
  const prApps = new Set([...prAdded].map((key) => key.slice(0, key.indexOf('.'))))
  for (const change of changes) {
    const ref = migrationModuleRef(change.status === 'renamed' ? change.previousPath : change.path)
    if (ref) prApps.add(ref.app)
  }
  // In the PR's apps too, an unchanged file is read in full only when it names
  // a model and field the changed files' operations name (history-scope.ts).
  const same = (module: MigrationModule): boolean => fork.blobs.get(module.path) === module.blob
  await blobs.load(mergedIndex.discovery.modules)
  const changedInPrApps = mergedIndex.discovery.modules.filter((module) => prApps.has(module.app) && !same(module))
  const scope = HistoryScope.of(
    changedInPrApps.map((module) => cache.parse(blobs.text(module.blob), module.blob, module.path, 'full')).filter((file): file is MigrationFile => !(file instanceof MigrationParseError))
  )
  const unchanged = (module: MigrationModule): boolean => same(module) && (!prApps.has(module.app) || !scope.mentions(module.app, blobs.text(module.blob)))
  let merged = await loadTreeMigrations(mergedIndex, blobs, cache, treeOptions, unchanged)
  for (let round = 0; round < 5 && scope.widen(merged.files.filter((file) => prApps.has(file.app))); round++) {
    merged = await loadTreeMigrations(mergedIndex, blobs, cache, treeOptions, unchanged)
  }
  lap('parseMs')

  // What cannot be read without Python: an app whose leaves one of these may join is not called a conflict.
  const unknowns = conflictingApps(merged.graph).size > 0 ? [...graphUnknowns(merged.graph), ...hiddenModules(merged).values()] : []
  const { settled, unsettled } = settleConflicts(merged.graph, unknowns)
  // The base branch's own graph matters only to tell whether a conflict was already there.
  const baseGraph = settled.size > 0 ? (await loadTreeMigrations(base, blobs, cache, treeOptions, () => true)).graph : null
  const linked = new Set(merged.links.map((link) => link.path))
  const conflicts = detectConflicts(merged.graph, sides, baseGraph, unknowns).map((conflict) => {
    const fix = buildConflictFix(conflict, {
      merged: merged.graph,
      prAdded,
      readText: (path) => blobs.text(merged.blobs.get(path)!),
      parse: parseMigration,
      swappable
    })
    // A patch would write a symlinked migration as a plain file.
    const link = [...fix.renames.map((rename) => rename.fromPath), ...fix.rewrites.map((rewrite) => rewrite.path)].find((path) => linked.has(path))
    if (link === undefined) return { ...conflict, fix }
    return { ...conflict, fix: { ...fix, renames: [], rewrites: [], patch: null, unavailable: `${link} is a symlink: rename or edit its target by hand` } }
  })

  const edited = editedMigrations(changes, fork.keys, merged)

  const problems: GraphProblemReport[] = []
  {
    const label = 'merge' as const
    const tree = merged
    for (const error of tree.parseErrors) {
      const conflicted = merge.conflictedPaths.includes(error.path)
      problems.push({
        kind: conflicted ? 'merge-conflict' : 'syntax-error',
        message: conflicted
          ? `git cannot merge ${error.path} by itself: the PR and the base branch both change it`
          : error.message,
        path: error.path,
        line: error.line,
        column: error.column,
        tree: label
      })
    }
    for (const problem of tree.graph.problems) {
      problems.push({ kind: problem.kind, message: problem.message, path: problem.path, line: problem.line, tree: label })
    }
    for (const duplicate of tree.discovery.duplicateLabels) {
      problems.push({
        kind: 'duplicate-app-label',
        message: `the folders ${duplicate.directories.join(' and ')} would both be app '${duplicate.label}'; only ${duplicate.directories[0]} was read (set project-root or exclude)`,
        path: duplicate.directories[1]!,
        line: 1,
        tree: label
      })
    }
    const changed = new Set(changes.flatMap((change) => (change.status === 'deleted' ? [] : [change.path])))
    // Only where the PR is involved: an app the base branch cannot settle either is not this PR's to hear about on every review.
    const involved = (app: UnsettledLeaves): boolean =>
      app.leaves.some((leaf) => prAdded.has(leaf)) || app.unknowns.some((unknown) => changed.has(unknown.path) || (unknown.migration !== null && prAdded.has(unknown.migration)))
    for (const app of unsettled) if (involved(app)) problems.push(unsettledProblem(app))
    problems.push(...hiddenMigrationProblems(merged, base, changed, migrationModules))
  }
  for (const problem of problems) problem.severity ??= WARNING_GRAPH_PROBLEM_KINDS.includes(problem.kind) ? 'warning' : 'error'

  // A PR migration missing from the merge result (git could not merge it) is read from the head.
  const missing = [...prAdded].filter((key) => !merged.graph.files.has(key))
  const headFiles = missing.length > 0 ? (await loadTreeMigrations(head, blobs, cache, treeOptions)).graph.files : new Map<MigrationKey, MigrationFile>()
  const added = addedInApplyOrder(merged, headFiles, prAdded)
  const sources = new Map<MigrationKey, string>()
  for (const file of added) {
    const blob = merged.blobs.get(file.path) ?? head.blobs.get(file.path)
    if (blob) sources.set(migrationKey(file), blobs.text(blob))
  }

  return {
    base: { ref: options.base, sha: baseSha! },
    head: { ref: options.head, sha: headSha! },
    mergeBase,
    merge,
    trees: { merge: merged },
    keys: sides,
    added,
    conflicts,
    edited,
    duplicates: duplicateNumbers(merged.graph.files, (key) => sideOf(key, sides) === 'pr'),
    problems,
    sources,
    timings: (lap('analysisMs'), timings),
    parsedFiles: cache.parsed,
    headerOnlyFiles: cache.headers
  }
}

/** The PR's migrations in the order Django would apply them after the merge. */
function addedInApplyOrder(merged: TreeMigrations, headFiles: ReadonlyMap<MigrationKey, MigrationFile>, prAdded: Set<MigrationKey>): MigrationFile[] {
  const order: MigrationKey[] = []
  const seen = new Set<MigrationKey>()
  for (const leaf of leafNodes(merged.graph)) {
    for (const key of forwardsPlan(merged.graph, leaf)) {
      if (!seen.has(key)) {
        seen.add(key)
        order.push(key)
      }
    }
  }
  const position = new Map(order.map((key, index) => [key, index]))
  const files = [...prAdded].map((key) => merged.graph.files.get(key) ?? headFiles.get(key)).filter((f) => f !== undefined)
  return files.sort((a, b) => {
    const pa = position.get(migrationKey(a)) ?? Number.MAX_SAFE_INTEGER
    const pb = position.get(migrationKey(b)) ?? Number.MAX_SAFE_INTEGER
    return pa !== pb ? pa - pb : compareKeys(migrationKey(a), migrationKey(b))
  })
}

/**
 * Migrations of the base branch that the PR modifies, deletes or renames. A
 * deleted migration that a squash in the merge result replaces is a
 * deletion the squash covers, even when git pairs it with the added squash
 * as a rename: the PR did not rename it.
 */
function editedMigrations(changes: readonly FileChange[], forkKeys: ReadonlySet<MigrationKey>, merged: TreeMigrations): EditedMigration[] {
  const squashOf = (key: MigrationKey): MigrationFile | undefined =>
    merged.graph.files.get(merged.graph.replacedBy.get(key) ?? '') ??
    [...merged.graph.files.values()].find((file) => file.replaces.some((replaced) => migrationKey(replaced) === key))
  const edited: EditedMigration[] = []
  for (const change of changes) {
    const path = change.status === 'renamed' ? change.previousPath : change.path
    const ref = migrationModuleRef(path)
    if (ref === null || change.status === 'added' || !forkKeys.has(migrationKey(ref))) continue
    const key = migrationKey(ref)
    if (change.status === 'modified') {
      edited.push({
        ...ref,
        path,
        change: 'modified',
        severity: 'warning',
        message: `${key} exists on the base branch and this PR edits it: databases that already applied it will not see the change; add a new migration instead`
      })
      continue
    }
    // git pairs a deleted migration with a new file of similar content: a squash is not a rename.
    const newRef = change.status === 'renamed' ? migrationModuleRef(change.path) : null
    const newFile = newRef === null ? undefined : merged.graph.files.get(migrationKey(newRef))
    const renamed = change.status === 'renamed' && (newFile === undefined || newFile.replaces.length === 0)
    if (renamed) {
      edited.push({
        ...ref,
        path,
        change: 'renamed',
        newPath: change.path,
        severity: 'unsafe',
        message: `${key} exists on the base branch and this PR renames it to ${change.path}: Django will see a new migration and apply it again on databases that applied the old name`
      })
      continue
    }
    const squash = squashOf(key)
    if (squash === undefined) {
      edited.push({
        ...ref,
        path,
        change: 'deleted',
        severity: 'unsafe',
        message: `${key} exists on the base branch and this PR deletes it: databases that applied it keep its changes, and migrations that depend on it break`
      })
      continue
    }
    const squashKey = migrationKey(squash)
    edited.push({
      ...ref,
      path,
      change: 'deleted',
      replacedBy: squashKey,
      severity: 'warning',
      message:
        `${key} exists on the base branch and this PR deletes it, but the squash ${squashKey} (${squash.path}) replaces it, so Django loads the squash in its place. ` +
        `That is safe for databases that applied all the migrations the squash replaces, or none of them; on one that stopped part-way \`migrate\` fails, ` +
        `so delete the replaced migrations only once every database has migrated past them`
    })
  }
  return edited
}

/** An app with several leaves that a migration Django's loader reads, but this review cannot, may join. */
function unsettledProblem(app: UnsettledLeaves): GraphProblemReport {
  const [first] = app.unknowns
  const why = app.unknowns
    .slice(0, 3)
    .map((unknown) => (unknown.what === 'module' ? unknown.reason : `the ${unknown.what} of ${unknown.migration} (${unknown.path}:${unknown.line}): ${unknown.reason}`))
    .join('; ')
  const more = app.unknowns.length > 3 ? `; and ${app.unknowns.length - 3} more` : ''
  return {
    kind: 'dynamic-dependencies',
    severity: 'warning',
    message:
      `app '${app.app}' has ${app.leaves.length} leaves (${app.leaves.join(', ')}) as far as its files can be read, but not all of its graph can be read without Python: ${why}${more}. ` +
      `Django's loader (with Python) settles whether they conflict, as the rehearsal does; this is not reported as a conflict, and no fix is offered`,
    path: first!.path,
    line: first!.line,
    tree: 'merge'
  }
}
