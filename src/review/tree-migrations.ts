// The migrations of one git tree, parsed and put in a graph. Files are read
// from git objects; a blob already parsed for another tree is not parsed again.
import { discoverMigrations, type Discovery } from '../graph/discover.js'
import { buildGraph, type MigrationGraph } from '../graph/graph.js'
import { parseMigration } from '../graph/parse.js'
import { MigrationParseError, migrationKey, type MigrationFile, type MigrationKey } from '../graph/types.js'
import { BlobStore, listTree } from '../git/trees.js'
import type { GitRepository, ObjectId } from '../git/repository.js'

export interface TreeMigrations {
  tree: ObjectId
  discovery: Discovery
  files: MigrationFile[]
  parseErrors: MigrationParseError[]
  graph: MigrationGraph
  /** Migration keys present in the tree, parsed or not. */
  keys: Set<MigrationKey>
  /** Blob id of each migration file, by path. */
  blobs: Map<string, ObjectId>
}

export interface TreeReadOptions {
  projectRoot: string
  exclude: readonly string[]
  swappable: Record<string, string>
}

/** Parsed files keyed by blob and path: base, head and merge share almost all of them. */
export class ParseCache {
  private readonly results = new Map<string, MigrationFile | MigrationParseError>()
  parsed = 0

  parse(source: string, blob: ObjectId, path: string): MigrationFile | MigrationParseError {
    const key = `${blob}\0${path}`
    const known = this.results.get(key)
    if (known !== undefined) return known
    this.parsed++
    let result: MigrationFile | MigrationParseError
    try {
      result = parseMigration(source, path)
    } catch (error) {
      if (!(error instanceof MigrationParseError)) throw error
      result = error
    }
    this.results.set(key, result)
    return result
  }
}

export async function readTreeMigrations(
  repo: GitRepository,
  tree: ObjectId,
  blobs: BlobStore,
  cache: ParseCache,
  options: TreeReadOptions
): Promise<TreeMigrations> {
  const entries = await listTree(repo, tree)
  const discovery = discoverMigrations(entries, { projectRoot: options.projectRoot, exclude: options.exclude })
  await blobs.load(discovery.modules.map((module) => module.blob))
  return migrationsOf(tree, discovery, (blob) => blobs.text(blob), cache, options)
}

/** The same from files already in memory (tests, benchmarks): blob ids are the paths. */
export function migrationsFromFiles(files: ReadonlyMap<string, string>, options: TreeReadOptions): TreeMigrations {
  const entries = [...files.keys()].map((path) => ({ path, blob: path }))
  const discovery = discoverMigrations(entries, { projectRoot: options.projectRoot, exclude: options.exclude })
  return migrationsOf('(files)', discovery, (path) => files.get(path)!, new ParseCache(), options)
}

function migrationsOf(
  tree: ObjectId,
  discovery: Discovery,
  text: (blob: ObjectId) => string,
  cache: ParseCache,
  options: TreeReadOptions
): TreeMigrations {
  const files: MigrationFile[] = []
  const parseErrors: MigrationParseError[] = []
  for (const module of discovery.modules) {
    const result = cache.parse(text(module.blob), module.blob, module.path)
    if (result instanceof MigrationParseError) parseErrors.push(result)
    else files.push(result)
  }
  const graph = buildGraph(files, discovery.apps, { swappable: options.swappable })
  // A dependency on a file that does not parse is explained by the parse error.
  const unparsed = new Set(discovery.modules.filter((m) => parseErrors.some((e) => e.path === m.path)).map(migrationKey))
  graph.problems = graph.problems.filter((problem) => !(problem.kind === 'missing-dependency' && unparsed.has(problem.missing)))
  return {
    tree,
    discovery,
    files,
    parseErrors,
    graph,
    keys: new Set(discovery.modules.map(migrationKey)),
    blobs: new Map(discovery.modules.map((module) => [module.path, module.blob]))
  }
}
