// The migrations of one git tree: found by path (an index, cheap), then, for
// the trees that need it, read from git objects, parsed and put in a graph.
// A blob already parsed for another tree is not parsed again.
import { discoverMigrations, migrationModuleRef, resolveLink } from '../graph/discover.js'
import type { Discovery, GraphUnknown, MigrationModule, ResolvedLink, TreeFile } from '../model/graph.js'
import { readMigrationHeader } from '../graph/header.js'
import { buildGraph } from '../graph/graph.js'
import { parseMigration } from '../graph/parse.js'
import { migrationKey, MigrationParseError, type MigrationFile, type MigrationKey } from '../model/migration.js'
import { BlobStore, listTree } from '../git/trees.js'
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

/**
 * One `ls-tree`: the migration files of a tree, found by their paths. A
 * symlinked migration is followed to the file it ends at in the tree (one
 * `cat-file` for the link targets, only when there are links).
 */
export async function indexTree(repo: GitRepository, treeish: ObjectId, options: Pick<TreeReadOptions, 'projectRoot' | 'exclude'>): Promise<TreeIndex> {
  const entries = await listTree(repo, treeish)
  const discovery = discoverMigrations(entries, { projectRoot: options.projectRoot, exclude: options.exclude })
  if (discovery.links.length === 0) return indexOf(treeish, discovery, [])
  const targets = new BlobStore(repo)
  const symlinks = entries.filter((entry) => entry.mode === '120000')
  await targets.load(symlinks.map((entry) => entry.blob))
  return indexOf(treeish, discovery, followLinks(discovery, entries, (blob) => targets.text(blob)))
}

/** Resolves the links; a module link that ends at a file of the tree joins the modules, read from that file. */
function followLinks(discovery: Discovery, entries: readonly TreeFile[], targetOf: (blob: ObjectId) => string): ResolvedLink[] {
  const byPath = new Map(entries.map((entry) => [entry.path, entry]))
  const links = discovery.links.map((link) => resolveLink(link, byPath, targetOf))
  for (const link of links) {
    if (link.name === null || link.status !== 'inside') continue
    discovery.modules.push({ app: link.app, name: link.name, path: link.path, blob: byPath.get(link.resolvedPath!)!.blob, linkedFrom: link.path })
  }
  discovery.modules.sort((a, b) => (a.app === b.app ? (a.name < b.name ? -1 : 1) : a.app < b.app ? -1 : 1))
  return links
}

/** Reads (one batched `cat-file` for the blobs not yet known), parses and builds the graph. */
export async function loadTreeMigrations(
  index: TreeIndex,
  blobs: BlobStore,
  cache: ParseCache,
  options: TreeReadOptions,
  headerOnly: (module: MigrationModule) => boolean = () => false
): Promise<TreeMigrations> {
  await blobs.load(index.discovery.modules)
  return migrationsOf(index, (blob) => blobs.text(blob), cache, options, headerOnly)
}

function indexOf(tree: ObjectId, discovery: Discovery, links: ResolvedLink[]): TreeIndex {
  return {
    tree,
    discovery,
    keys: new Set(discovery.modules.map(migrationKey)),
    blobs: new Map(discovery.modules.map((module) => [module.path, module.blob])),
    links
  }
}

/**
 * The same from files already in memory (tests, benchmarks): blob ids are the
 * paths. A value `{ symlink: target }` is a symlink.
 */
export function migrationsFromFiles(files: ReadonlyMap<string, string | { symlink: string }>, options: TreeReadOptions): TreeMigrations {
  const entries = [...files].map(([path, content]) => ({ path, blob: path, mode: typeof content === 'string' ? '100644' : '120000' }))
  const text = (path: string): string => {
    const content = files.get(path)!
    return typeof content === 'string' ? content : content.symlink
  }
  const discovery = discoverMigrations(entries, { projectRoot: options.projectRoot, exclude: options.exclude })
  const links = discovery.links.length > 0 ? followLinks(discovery, entries, text) : []
  return migrationsOf(indexOf('(files)', discovery, links), text, new ParseCache(), options)
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
  // A dependency on a file that does not parse is explained by the parse error; one on a
  // module Django imports that cannot be read here (a .pyc, a symlink out of the tree) exists for Django.
  const unparsed = new Set(index.discovery.modules.filter((m) => parseErrors.some((e) => e.path === m.path)).map(migrationKey))
  for (const key of hiddenModules(index).keys()) unparsed.add(key)
  graph.problems = graph.problems.filter((problem) => !(problem.kind === 'missing-dependency' && unparsed.has(problem.missing)))
  return { ...index, files, parseErrors, graph }
}

/**
 * Migrations Django imports that cannot be read here, by key: compiled
 * modules without source, and symlinked modules that do not end at a file of
 * the tree. Each with the unknown it leaves in the graph.
 */
export function hiddenModules(index: TreeIndex): Map<MigrationKey, GraphUnknown> {
  const hidden = new Map<MigrationKey, GraphUnknown>()
  for (const module of index.discovery.sourceless) {
    const key = migrationKey(module)
    hidden.set(key, { app: module.app, migration: key, path: module.path, line: 1, what: 'module', reason: `${module.path} is compiled Python with no source beside it` })
  }
  for (const link of index.links) {
    if (link.name === null || link.status === 'inside') continue
    const key = migrationKey({ app: link.app, name: link.name })
    const where = link.status === 'outside' ? 'outside the repository' : 'to nothing in the tree'
    hidden.set(key, { app: link.app, migration: key, path: link.path, line: 1, what: 'module', reason: `${link.path} is a symlink ${where} (${link.target})` })
  }
  return hidden
}
