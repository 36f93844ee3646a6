// Which files of a tree are Django migration modules, and which apps they
// belong to: an app is a folder holding `migrations/`, its label the folder's
// name (Django's default AppConfig.label).
import type { AppInfo, Discovery, MigrationModule, TreeFile } from '../model/graph.js'
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
  for (const file of inScope) {
    const ref = migrationModuleRef(file.path)
    const directory = file.path.replace(/\/?migrations\/[^/]+$/, '')
    if (ref === null && !file.path.endsWith('/migrations/__init__.py')) continue
    const label = directory.split('/').pop()!
    if (!directoriesByLabel.has(label)) directoriesByLabel.set(label, new Set())
    directoriesByLabel.get(label)!.add(directory)
    if (ref !== null) candidates.push({ ...ref, path: file.path, blob: file.blob, directory })
  }

  const apps = new Map<string, AppInfo>()
  const duplicateLabels: Discovery['duplicateLabels'] = []
  for (const [label, directories] of directoriesByLabel) {
    const sorted = [...directories].sort()
    if (sorted.length > 1) duplicateLabels.push({ label, directories: sorted })
    // The first folder in path order owns the label; the report names the others.
    apps.set(label, { label, directory: sorted[0]!, migrated: packages.has(sorted[0]!) })
  }
  const modules = candidates
    .filter((module) => apps.get(module.app)?.directory === module.directory && apps.get(module.app)?.migrated)
    .map(({ directory: _directory, ...module }) => module)
    .sort((a, b) => (a.app === b.app ? (a.name < b.name ? -1 : 1) : a.app < b.app ? -1 : 1))
  return { apps, modules, duplicateLabels }
}
