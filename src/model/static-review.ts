// The static review's result: what the git trees hold and what the graph of
// the merge result says, read without Python or a database. The pipeline
// hands it on to the rules, the rehearsal and the verdicts.
import type { Conflict, ConflictFix, Discovery, MigrationGraph, ResolvedLink } from './graph.js'
import type { MigrationFile, MigrationKey, MigrationParseError } from './migration.js'
import type { DuplicateNumber, EditedMigration, GraphProblemReport, RefInfo } from './report.js'

/** A full object name: 40 hex digits (SHA-1) or 64 (SHA-256). */
export type ObjectId = string
export type CommitSha = ObjectId

export interface MergeResult {
  /** The merged tree; conflicted files hold conflict markers in it. */
  tree: ObjectId
  clean: boolean
  /** Paths git could not merge by itself. */
  conflictedPaths: string[]
}

/** A tree's migration files, found by path: no file read yet. */
export interface TreeIndex {
  tree: ObjectId
  discovery: Discovery
  /** Migration keys present in the tree, parsed or not. */
  keys: Set<MigrationKey>
  /** Blob id of each migration file, by path (for a symlinked one: its target's content). */
  blobs: Map<string, ObjectId>
  /** Symlinked migration modules and folders, resolved in the tree; those ending at a file are in `discovery.modules`. */
  links: ResolvedLink[]
}

/** A tree's migrations parsed and put in a graph. */
export interface TreeMigrations extends TreeIndex {
  files: MigrationFile[]
  parseErrors: MigrationParseError[]
  graph: MigrationGraph
}

export interface StaticReview {
  base: RefInfo
  head: RefInfo
  mergeBase: CommitSha
  merge: MergeResult
  /** The merge result, parsed into its graph (what main will have). */
  trees: { merge: TreeMigrations }
  /** Migration keys of each tree. */
  keys: { base: ReadonlySet<MigrationKey>; head: ReadonlySet<MigrationKey>; mergeBase: ReadonlySet<MigrationKey> }
  /** The migrations the PR adds, in the order Django applies them on the merge result. */
  added: MigrationFile[]
  conflicts: Array<Conflict & { fix: ConflictFix }>
  edited: EditedMigration[]
  duplicates: DuplicateNumber[]
  problems: GraphProblemReport[]
  /** Source text of each added migration (for inline ignores). */
  sources: Map<MigrationKey, string>
  /** Milliseconds: git work, reading and parsing the merge result, the analysis. */
  timings: Record<string, number>
  /** Distinct migration files parsed in full (each blob once). */
  parsedFiles: number
  /** Files of which only the graph-relevant header was read. */
  headerOnlyFiles: number
}
