// The migrations of one git tree: found by path (an index, cheap), then, for
// the trees that need it, read from git objects, parsed and put in a graph.
// A blob already parsed for another tree is not parsed again.
import { discoverMigrations, migrationModuleRef } from '../graph/discover.js'
import type { Discovery, MigrationModule } from '../model/graph.js'
import { readMigrationHeader } from '../graph/header.js'
import { buildGraph } from '../graph/graph.js'
import { parseMigration } from '../graph/parse.js'
import { migrationKey, MigrationParseError, type MigrationFile } from '../model/migration.js'
import { listTree, type BlobStore } from '../git/trees.js'
import type { GitRepository } from '../git/repository.js'
import type { ObjectId, TreeIndex, TreeMigrations } from '../model/static-review.js'

export interface TreeReadOptions {
  projectRoot: string
  exclude: readonly string[]
  swappable: Record<string, string>
}

/** Parsed files keyed by blob and path: base, head and merge share almost all of them. */
export class ParseCache {
  private readonly results = new Map<string, MigrationFile | MigrationParseError>()
  /** Files parsed in full, and files of which only the header was read. */
  parsed = 0
  headers = 0

  /**
   * `header`: read only what the graph needs, when the file is in the plain
   * form makemigrations writes (else it is parsed in full anyway).
   */
  parse(source: string, blob: ObjectId, path: string, mode: 'full' | 'header' = 'full'): MigrationFile | MigrationParseError {
    if (mode === 'header') {
      const key = `${blob}\0${path}\0header`
      const known = this.results.get(key) ?? this.results.get(`${blob}\0${path}`)
      if (known !== undefined) return known
      const ref = migrationModuleRef(path)
      const header = ref === null ? null : readMigrationHeader(source, path, ref)
      if (header !== null) {
        this.headers++
        this.results.set(key, header)
        return header
      }
    }
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

/** One `ls-tree`: the migration files of a tree, found by their paths. */
export async function indexTree(repo: GitRepository, treeish: ObjectId, options: Pick<TreeReadOptions, 'projectRoot' | 'exclude'>): Promise<TreeIndex> {
  const entries = await listTree(repo, treeish)
  return indexOf(treeish, discoverMigrations(entries, { projectRoot: options.projectRoot, exclude: options.exclude }))
}

/** Reads (one batched `cat-file` for the blobs not yet known), parses and builds the graph. */
export async function loadTreeMigrations(
  index: TreeIndex,
  blobs: BlobStore,
  cache: ParseCache,
  options: TreeReadOptions,
  headerOnly: (module: MigrationModule) => boolean = () => false
): Promise<TreeMigrations> {
  await blobs.load(index.discovery.modules.map((module) => module.blob))
  return migrationsOf(index, (blob) => blobs.text(blob), cache, options, headerOnly)
}

function indexOf(tree: ObjectId, discovery: Discovery): TreeIndex {
  return {
    tree,
    discovery,
    keys: new Set(discovery.modules.map(migrationKey)),
    blobs: new Map(discovery.modules.map((module) => [module.path, module.blob]))
  }
}

/** The same from files already in memory (tests, benchmarks): blob ids are the paths. */
export function migrationsFromFiles(files: ReadonlyMap<string, string>, options: TreeReadOptions): TreeMigrations {
  const entries = [...files.keys()].map((path) => ({ path, blob: path }))
  const discovery = discoverMigrations(entries, { projectRoot: options.projectRoot, exclude: options.exclude })
  return migrationsOf(indexOf('(files)', discovery), (path) => files.get(path)!, new ParseCache(), options)
}

function migrationsOf(
  index: TreeIndex,
  text: (blob: ObjectId) => string,
  cache: ParseCache,
  options: TreeReadOptions,
  headerOnly: (module: MigrationModule) => boolean = () => false
): TreeMigrations {
  const files: MigrationFile[] = []
  const parseErrors: MigrationParseError[] = []
  for (const module of index.discovery.modules) {
    const result = cache.parse(text(module.blob), module.blob, module.path, headerOnly(module) ? 'header' : 'full')
    if (result instanceof MigrationParseError) parseErrors.push(result)
    else files.push(result)
  }
  const graph = buildGraph(files, index.discovery.apps, { swappable: options.swappable })
  // A dependency on a file that does not parse is explained by the parse error.
  const unparsed = new Set(index.discovery.modules.filter((m) => parseErrors.some((e) => e.path === m.path)).map(migrationKey))
  graph.problems = graph.problems.filter((problem) => !(problem.kind === 'missing-dependency' && unparsed.has(problem.missing)))
  return { ...index, files, parseErrors, graph }
}
