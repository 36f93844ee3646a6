// Django is the judge of what exists. With the project's Python at hand, its
// own loader says which migrations the base and the new code have (through
// MIGRATION_MODULES, AppConfig.label, sourceless modules and symlinks), and
// its autodetector which model changes no migration covers. The static
// review's view is compared with it: a migration only Django sees is reviewed
// from the source Django imported, and every difference is reported.
import { createHash } from 'node:crypto'
import { DjangoBridgeError } from '../django/errors.js'
import { DjangoProcess } from '../django/bridge.js'
import { findSettingsModule } from '../django/settings-module.js'
import type { GitRepository } from '../git/repository.js'
import { parseMigration } from '../graph/parse.js'
import type { Logger } from '../lifecycle/logger.js'
import type { ResourceStack } from '../lifecycle/resources.js'
import type { DjangoView } from '../model/django-view.js'
import type { DiskMigration, DiskMigrations } from '../model/helper.js'
import { migrationKey, MigrationParseError, type MigrationFile, type MigrationKey } from '../model/migration.js'
import type { Options } from '../model/options.js'
import type { GraphProblemReport } from '../model/report.js'
import type { StaticReview } from '../model/static-review.js'
import { untrackedModuleFile, type Checkouts } from './checkouts.js'

export interface PythonProcesses {
  base: DjangoProcess
  new: DjangoProcess
}

// The processes start before any database exists: the loader and the
// autodetector need none; the rehearsal points them at its server later.
const NOT_CONNECTED = { host: '127.0.0.1', port: 9, user: 'django_migration_review', password: undefined, database: 'not_connected' }

/** One process per code version; an error names the input that fixes it. */
export async function startPython(
  repo: GitRepository,
  options: Options,
  checkouts: Checkouts,
  resources: ResourceStack,
  logger: Logger
): Promise<PythonProcesses> {
  const projectDir = (dir: string): string => (options.projectRoot ? `${dir}/${options.projectRoot}` : dir)
  const settingsModule = await findSettingsModule(projectDir(checkouts.new), options.settings)
  // Both stop side by side at the end (each takes Python's interpreter teardown, about 0.1 s).
  const started: DjangoProcess[] = []
  resources.defer('python processes', async () => {
    await Promise.all(started.map((process) => process.close()))
  })
  const start = async (role: 'base' | 'new'): Promise<DjangoProcess> => {
    try {
      const process = await DjangoProcess.start({
        python: role === 'base' ? (options.basePython ?? options.python) : options.python,
        env: options.env,
        projectDir: projectDir(checkouts[role]),
        settingsModule,
        database: NOT_CONNECTED,
        lockTimeoutMs: options.lockTimeoutMs,
        statementTimeoutMs: options.statementTimeoutMs,
        label: role,
        logger
      })
      started.push(process)
      if (process.pid !== undefined) {
        const untrack = resources.track(`${role} python (pid ${process.pid})`, { kind: 'process', pid: process.pid, command: 'dmr_helper' })
        void process.closed.then(untrack)
      }
      return process
    } catch (error) {
      throw explainStart(error, role, repo, options, checkouts)
    }
  }
  const [base, next] = await Promise.allSettled([start('base'), start('new')])
  if (next.status === 'rejected') throw next.reason
  if (base.status === 'rejected') throw baseStartHint(base.reason, options)
  return { base: base.value, new: next.value }
}

/** The new code starts and the base code does not: most often, the pull request changes the requirements. */
function baseStartHint(error: unknown, options: Options): unknown {
  if (!(error instanceof DjangoBridgeError) || options.basePython !== undefined || error.message.includes('include-paths')) return error
  return new DjangoBridgeError(
    error.kind,
    `the base branch's code does not start with ${options.python}, while the new code does: ${error.message}. ` +
      "If this pull request changes the requirements (a Django upgrade), set base-python (--base-python) to an interpreter with the base branch's requirements",
    { cause: error }
  )
}

/** A settings import that failed on a module CI writes but git does not have: say which input brings it. */
function explainStart(error: unknown, role: 'base' | 'new', repo: GitRepository, options: Options, checkouts: Checkouts): unknown {
  if (!(error instanceof DjangoBridgeError) || error.kind !== 'settings' || !error.missingModule) return error
  const file = untrackedModuleFile(repo, options.projectRoot, checkouts[role], error.missingModule)
  if (file === null) return error
  return new DjangoBridgeError(
    'settings',
    `${error.detail}. ${file} is in your working tree but not in git (untracked or gitignored), so the code under review does not have it: set include-paths (--include-paths ${file}) to copy it in`,
    { cause: error }
  )
}

export interface DjangoVerdictInput {
  processes: PythonProcesses
  review: StaticReview
  checkouts: Checkouts
  projectRoot: string
}

export interface DjangoAnswer {
  view: DjangoView
  /** The PR's migrations as Django names them (AppConfig.label), with those only Django found, in the static order. */
  added: MigrationFile[]
  /** Apps whose conflicting leaves Django's loader confirms; null when it did not say. */
  conflictingApps: Set<string> | null
  /** Direct dependencies Django evaluated, per migration (non-literal ones included). */
  dependencies: Map<MigrationKey, MigrationKey[]>
  /** The source Django imported for the migrations only it found (for inline ignores). */
  sources: Map<MigrationKey, string>
  /** Paths (in the repository) of the migration modules Django imported. */
  imported: Set<string>
  /** Every migration of the base branch's graph (installed packages' too), with the git blob id of the source Django read (null: unreadable). */
  baseMigrations: Array<readonly [MigrationKey, string | null]>
}

export async function askDjango(input: DjangoVerdictInput): Promise<DjangoAnswer> {
  const { processes, review, projectRoot } = input
  const projectDir = (dir: string): string => (projectRoot ? `${dir}/${projectRoot}` : dir)
  const [merged, base, missing] = await Promise.all([
    processes.new.call('diskMigrations', { projectDir: projectDir(input.checkouts.new) }),
    processes.base.call('diskMigrations', { projectDir: projectDir(input.checkouts.base) }),
    processes.new.call('missingMigrations', { projectDir: projectDir(input.checkouts.new) }).then(
      (changes) => ({ changes, reason: undefined }),
      (error: unknown) => ({ changes: null, reason: `the autodetector failed: ${(error as Error).message}` })
    )
  ])
  const repoPath = (file: string): string => (projectRoot ? `${projectRoot}/${file}` : file)
  const problems: GraphProblemReport[] = []
  if (merged.graphError) {
    problems.push({ kind: 'django-loader-error', message: `Django's loader cannot load the migrations: ${merged.graphError.exception}: ${merged.graphError.message}`, path: projectRoot || '.', line: 1, tree: 'merge' })
  }
  const ours = (entry: DiskMigration): boolean => entry.inProject === true && entry.file !== undefined
  const baseKeys = new Set(base.migrations.filter(ours).map((entry) => `${entry.app}.${entry.name}`))
  const byPath = new Map(merged.migrations.filter(ours).map((entry) => [repoPath(entry.file!), entry]))

  // The static review's migrations, under the names Django gives them.
  const staticAdded = new Set(review.added.map(migrationKey))
  const added: MigrationFile[] = review.added.map((file) => {
    const seen = byPath.get(file.path)
    return seen && (seen.app !== file.app || seen.name !== file.name) ? { ...file, app: seen.app, name: seen.name } : file
  })
  const known = new Set([...added.map(migrationKey), ...staticAdded])
  for (const file of review.added) {
    if (!byPath.has(file.path)) {
      problems.push({
        kind: 'static-only-migration',
        severity: 'warning',
        message: `${migrationKey(file)} is a migration file, but Django's loader does not import it (is its app in INSTALLED_APPS, or is another module its migrations package?): \`migrate\` will not run it`,
        path: file.path,
        line: 1,
        tree: 'merge'
      })
    }
  }
  for (const entry of merged.migrations.filter(ours)) {
    const key = `${entry.app}.${entry.name}`
    const path = repoPath(entry.file!)
    if (entry.symlink && !entry.targetInProject) {
      problems.push({ kind: 'symlink-outside-repository', message: `${path} is a symlink to a file outside the repository: \`migrate\` would import code that is not under review`, path, line: 1, tree: 'merge' })
    }
    if (baseKeys.has(key) || known.has(key)) continue
    const how = entry.symlink ? 'a symlink' : entry.sourceless ? 'a sourceless .pyc module' : `module ${entry.module} (MIGRATION_MODULES or AppConfig.label)`
    problems.push({
      kind: 'django-only-migration',
      severity: 'warning',
      message: `Django's loader imports ${key} from ${how}, which the file review did not find; it is reviewed from the source Django imported`,
      path,
      line: 1,
      tree: 'merge'
    })
    const file = hiddenMigration(entry, path)
    if (file instanceof MigrationParseError) problems.push({ kind: 'syntax-error', message: file.message, path, line: file.line, tree: 'merge' })
    else if (file !== null) added.push(file)
  }
  const conflictingApps = merged.graphError ? null : new Set(Object.keys(merged.conflicts))
  const sources = new Map<MigrationKey, string>()
  for (const file of added) {
    if (file.discoveredBy !== 'django') continue
    const source = merged.migrations.find((entry) => entry.app === file.app && entry.name === file.name)?.source
    if (source) sources.set(migrationKey(file), source)
  }
  return {
    view: {
      status: 'ran',
      djangoVersion: processes.new.info.django,
      hidden: added.filter((file) => file.discoveredBy === 'django'),
      problems,
      missingMigrations: missing.changes,
      ...(missing.reason ? { missingMigrationsReason: missing.reason } : {})
    },
    added,
    conflictingApps,
    dependencies: dependenciesOf(merged),
    sources,
    imported: new Set(byPath.keys()),
    baseMigrations: base.migrations.map((entry) => [`${entry.app}.${entry.name}`, entry.source === null ? null : blobId(entry.source)] as const)
  }
}

/** The id git gives a blob of this content: the same for a migration of the repository and one of an installed package. */
function blobId(text: string): string {
  const bytes = Buffer.from(text, 'utf8')
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex')
}

/** A migration only Django found, parsed from the source it imported, under Django's name for it. */
function hiddenMigration(entry: DiskMigration, path: string): MigrationFile | MigrationParseError | null {
  if (entry.source === null) return null
  // The parser reads the name from the path; Django's module may live anywhere (MIGRATION_MODULES).
  const nominal = `${entry.app}/migrations/${entry.name}.py`
  try {
    return { ...parseMigration(entry.source, nominal), path, discoveredBy: 'django' }
  } catch (error) {
    if (error instanceof MigrationParseError) return new MigrationParseError(path, error.line, error.column, error.message.slice(nominal.length + 1).replace(/^\d+:\d+: /, ''))
    throw error
  }
}

function dependenciesOf(view: DiskMigrations): Map<MigrationKey, MigrationKey[]> {
  return new Map(view.migrations.map((entry) => [`${entry.app}.${entry.name}`, entry.dependencies.map(([app, name]) => `${app}.${name}`)]))
}
