// Which files of a tree are Django migration modules, and which apps they
// belong to: an app is a folder holding `migrations/`, its label the folder's
// name (Django's default AppConfig.label).
import type { AppInfo, Discovery, MigrationLink, MigrationModule, ResolvedLink, SourcelessModule, TreeFile } from '../model/graph.js'
import { migrationRefFromPath } from './parse.js'
import type { MigrationRef } from '../model/migration.js'

export interface DiscoveryOptions {
  /** Only files under this folder count (a monorepo's Django project); '' for the whole tree. */
  projectRoot: string
  /** Folder prefixes to leave out (vendored packages, virtualenvs). */
  exclude?: readonly string[]
}

// Folders that hold installed packages, never the project's own apps.
const NEVER_APPS = /(^|\/)(site-packages|dist-packages|node_modules|\.venv|venv|\.tox|\.git)\//

/**
 * The migration a path names, or null: Django imports the top-level modules
 * of a `migrations` package and skips names starting with `_` or `~`.
 */
export function migrationModuleRef(path: string): MigrationRef | null {
  return migrationRefFromPath(path)
}

export function normalizeRoot(root: string): string {
  const trimmed = root.replace(/\\/g, '/').replace(/^\.\/?/, '').replace(/\/+$/, '')
  return trimmed === '.' ? '' : trimmed
}

const SYMLINK = '120000'

export function discoverMigrations(files: readonly TreeFile[], options: DiscoveryOptions): Discovery {
  const root = normalizeRoot(options.projectRoot)
  const prefix = root === '' ? '' : `${root}/`
  const excluded = (options.exclude ?? []).map((folder) => `${normalizeRoot(folder)}/`)
  const inScope = files.filter(
    (file) =>
      file.path.startsWith(prefix) &&
      !NEVER_APPS.test(file.path.slice(prefix.length)) &&
      !excluded.some((folder) => file.path.startsWith(folder))
  )

  // Django reads a migrations folder only when it is a package.
  const packages = new Set<string>()
  for (const file of inScope) {
    if (file.path.endsWith('/migrations/__init__.py')) packages.add(file.path.slice(0, -'/migrations/__init__.py'.length))
  }

  const directoriesByLabel = new Map<string, Set<string>>()
  const candidates: Array<MigrationModule & { directory: string }> = []
  const linkCandidates: Array<MigrationLink & { directory: string }> = []
  const compiled: Array<SourcelessModule & { directory: string }> = []
  for (const file of inScope) {
    const link = file.mode === SYMLINK
    if (link && file.path.endsWith('/migrations')) {
      // A symlinked migrations folder: its files are not in the tree listing.
      const directory = file.path.slice(0, -'/migrations'.length)
      linkCandidates.push({ path: file.path, blob: file.blob, app: directory.split('/').pop()!, name: null, directory })
      continue
    }
    if (file.path.endsWith('.pyc')) {
      const ref = migrationModuleRef(`${file.path.slice(0, -'.pyc'.length)}.py`)
      if (ref !== null) compiled.push({ ...ref, path: file.path, blob: file.blob, directory: file.path.replace(/\/?migrations\/[^/]+$/, '') })
      continue
    }
    const ref = migrationModuleRef(file.path)
    const directory = file.path.replace(/\/?migrations\/[^/]+$/, '')
    if (ref === null && !file.path.endsWith('/migrations/__init__.py')) continue
    const label = directory.split('/').pop()!
    if (!directoriesByLabel.has(label)) directoriesByLabel.set(label, new Set())
    directoriesByLabel.get(label)!.add(directory)
    if (ref === null) continue
    if (link) linkCandidates.push({ path: file.path, blob: file.blob, app: ref.app, name: ref.name, directory })
    else candidates.push({ ...ref, path: file.path, blob: file.blob, directory })
  }

  const apps = new Map<string, AppInfo>()
  const duplicateLabels: Discovery['duplicateLabels'] = []
  for (const [label, directories] of directoriesByLabel) {
    const sorted = [...directories].sort()
    if (sorted.length > 1) duplicateLabels.push({ label, directories: sorted })
    // The first folder in path order owns the label; the report names the others.
    apps.set(label, { label, directory: sorted[0]!, migrated: packages.has(sorted[0]!) })
  }
  const owned = (module: { app: string; directory: string }): boolean => apps.get(module.app)?.directory === module.directory && apps.get(module.app)?.migrated === true
  const modules = candidates
    .filter(owned)
    .map(({ directory: _directory, ...module }) => module)
    .sort(compareModules)
  const links = linkCandidates
    .filter((link) => link.name === null || owned(link))
    .map(({ directory: _directory, ...link }) => link)
    .sort((a, b) => (a.path < b.path ? -1 : 1))
  // Python prefers the source: a .pyc beside its .py (or a symlink of that name) is never imported.
  const sources = new Set([...candidates, ...linkCandidates].map((module) => `${module.directory}\0${module.name}`))
  const sourceless = compiled
    .filter((module) => owned(module) && !sources.has(`${module.directory}\0${module.name}`))
    .map(({ directory: _directory, ...module }) => module)
    .sort(compareModules)
  return { apps, modules, duplicateLabels, links, sourceless }
}

function compareModules(a: { app: string; name: string }, b: { app: string; name: string }): number {
  return a.app === b.app ? (a.name < b.name ? -1 : 1) : a.app < b.app ? -1 : 1
}

/**
 * Where a symlink ends inside the tree. `entries` maps every path of the
 * tree to its entry, `targetOf` reads a link's target; a link to a link is
 * followed (a few levels, as the OS does). A migrations folder link ends at a
 * folder, a module link at a file.
 */
export function resolveLink(link: MigrationLink, entries: ReadonlyMap<string, TreeFile>, targetOf: (blob: string) => string): ResolvedLink {
  const target = targetOf(link.blob)
  const result = (status: ResolvedLink['status'], resolvedPath: string | null = null): ResolvedLink => ({ ...link, target, status, resolvedPath })
  let path = link.path
  let text = target
  for (let hops = 0; hops < 8; hops++) {
    if (text.startsWith('/') || /^[A-Za-z]:[\\/]/.test(text)) return result('outside')
    const parts = path.split('/').slice(0, -1)
    for (const part of text.replace(/\/+$/, '').split('/')) {
      if (part === '' || part === '.') continue
      if (part === '..') {
        if (parts.length === 0) return result('outside')
        parts.pop()
      } else parts.push(part)
    }
    path = parts.join('/')
    const entry = entries.get(path)
    if (entry === undefined) {
      if (link.name !== null) return result('missing')
      const folder = `${path}/`
      return [...entries.keys()].some((key) => key.startsWith(folder)) ? result('inside', path) : result('missing')
    }
    if (entry.mode !== SYMLINK) return link.name === null ? result('missing') : result('inside', path)
    text = targetOf(entry.blob)
  }
  return result('missing')
}
