// The migration graph and what the static review finds in it: plain data
// handed from the graph part to the rules, the rehearsal and the verdicts.
import type { MigrationFile, MigrationKey, MigrationRef } from './migration.js'

export interface GraphNode {
  key: MigrationKey
  app: string
  name: string
  file: MigrationFile
  parents: Set<MigrationKey>
  children: Set<MigrationKey>
}

export type GraphProblem =
  | {
      kind: 'missing-dependency'
      message: string
      path: string
      line: number
      migration: MigrationKey
      missing: MigrationKey
    }
  | { kind: 'cycle'; message: string; path: string; line: number; cycle: MigrationKey[] }
  | { kind: 'app-without-migrations'; message: string; path: string; line: number; app: string }
  | { kind: 'squash-cycle'; message: string; path: string; line: number; migration: MigrationKey }

/**
 * A part of an app's graph that cannot be read without Python: a migration's
 * `dependencies`, `run_before` or `replaces` (or an item of them) that is
 * computed at run time, or a module Django imports that has no readable
 * source here (a compiled `.pyc`, a symlink that cannot be followed).
 */
export interface GraphUnknown {
  app: string
  /** The migration, when there is one to name. */
  migration: MigrationKey | null
  path: string
  line: number
  what: 'dependencies' | 'run_before' | 'replaces' | 'module'
  reason: string
}

/**
 * An app that has several leaves only as far as its files can be read: one of
 * the unknowns may well join them. Django's loader settles it; the static
 * review does not call it a conflict.
 */
export interface UnsettledLeaves {
  app: string
  leaves: MigrationKey[]
  unknowns: GraphUnknown[]
}

/** An app found in the tree, migrated or not. */
export interface AppInfo {
  label: string
  /** Folder of the app, e.g. `shop` or `src/apps/shop`. */
  directory: string
  /** Django loads migrations only from a package: `migrations/__init__.py` must exist. */
  migrated: boolean
}

export interface GraphOptions {
  /** Values of swappable settings, e.g. `{ AUTH_USER_MODEL: 'accounts.User' }`. */
  swappable: Record<string, string>
}

export interface MigrationGraph {
  /** The usable nodes: squashes stand in for the migrations they replace. */
  nodes: Map<MigrationKey, GraphNode>
  /** Every migration file of the tree, replaced ones included. */
  files: Map<MigrationKey, MigrationFile>
  apps: Map<string, AppInfo>
  /** A replaced migration and the squash that replaced it. */
  replacedBy: Map<MigrationKey, MigrationKey>
  /** Dependencies on apps that are not in the tree (installed packages, contrib). */
  externalDependencies: Array<{ migration: MigrationKey; dependency: MigrationKey; line: number }>
  problems: GraphProblem[]
}

export interface TreeFile {
  path: string
  blob: string
  /** git's file mode: `100644`, `100755`, or `120000` for a symlink (whose blob is the target path). */
  mode?: string
}

export interface MigrationModule extends MigrationRef {
  path: string
  blob: string
  /** For a module that is a symlink: the link's path (`path` is then still the link, `blob` the target's content). */
  linkedFrom?: string
}

/**
 * A symlink where Django imports migrations: a migration module
 * (`shop/migrations/0003_x.py -> ../../common/0003_x.py`), or a whole
 * `migrations` folder. Django follows it; reading files by name does not.
 */
export interface MigrationLink {
  path: string
  /** The link's own blob: its target path. */
  blob: string
  app: string
  /** The migration's name, or null for a symlinked `migrations` folder. */
  name: string | null
}

/** A link with its target read and resolved inside the tree. */
export interface ResolvedLink extends MigrationLink {
  /** The target as written in the link. */
  target: string
  /** `inside`: a file of the tree (read through the link); `outside`: absolute, or leaving the repository; `missing`: nothing (or a folder) there. */
  status: 'inside' | 'outside' | 'missing'
  /** For `inside`: the path of the file it ends at. */
  resolvedPath: string | null
}

/** `migrations/0003_x.pyc` with no `0003_x.py` beside it: Django imports the compiled module, which has no source to read. */
export interface SourcelessModule extends MigrationRef {
  path: string
  blob: string
}

export interface Discovery {
  apps: Map<string, AppInfo>
  modules: MigrationModule[]
  /** Two folders that would give Django the same app label. */
  duplicateLabels: Array<{ label: string; directories: string[] }>
  /** Symlinked migration modules and `migrations` folders (not in `modules` until resolved). */
  links: MigrationLink[]
  sourceless: SourcelessModule[]
}

/** Where a migration comes from: the base branch since the fork, the PR, or both (older than the fork). */
export type Side = 'main' | 'pr' | 'both'

export interface SideSets {
  /** Migration keys in the base branch's tree. */
  base: ReadonlySet<MigrationKey>
  /** Migration keys in the PR head's tree. */
  head: ReadonlySet<MigrationKey>
  /** Migration keys at the merge base (the fork point). */
  mergeBase: ReadonlySet<MigrationKey>
}

export interface ConflictLeaf {
  key: MigrationKey
  name: string
  path: string
  side: Side
}

export interface Overlap {
  /** Models (lowercased) that migrations on both sides act on. */
  models: string[]
  /** Fields (`model.field`) that migrations on both sides act on. */
  fields: string[]
  /** RunPython / RunSQL on either side: what they touch cannot be read. */
  opaque: MigrationKey[]
}

export interface Conflict {
  app: string
  leaves: ConflictLeaf[]
  /** The newest migration of the app that every leaf depends on; null when the leaves share none. */
  commonAncestor: MigrationKey | null
  /** The migrations of the app after the common ancestor, per side, in apply order. */
  branches: Record<'main' | 'pr', MigrationKey[]>
  overlap: Overlap
  /** The order of the two branches may matter: a person should look before taking the fix. */
  needsHumanReview: boolean
  /** Why it does or does not need a look, in one sentence. */
  reason: string
  /** The base branch already had these leaves: the PR did not cause this. */
  preexisting: boolean
}

export interface ConflictFix {
  /** The PR's migrations under their new names, in apply order. */
  renames: Array<{ from: MigrationKey; to: MigrationKey; fromPath: string; toPath: string }>
  /** Dependencies rewritten, per file (new path). */
  rewrites: Array<{ path: string; from: MigrationKey; to: MigrationKey }>
  /** A git patch (`git apply`), or null when no safe rename exists; then `unavailable` says why. */
  patch: string | null
  unavailable: string | null
  /** The other way out: a merge migration made by Django. */
  mergeCommand: string
}
