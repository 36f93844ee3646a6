// A small Django project on a real git history, reviewed with the rehearsal
// on a real Postgres: base has `shop.Book`, the PR adds migrations.
import { DEFAULTS } from '../../src/config/options.js'
import type { Options } from '../../src/model/options.js'
import { silentLogger, type Logger } from '../../src/lifecycle/logger.js'
import type { Report } from '../../src/model/report.js'
import { runReview, type ReviewHooks } from '../../src/review/run-review.js'
import { appFiles, migrationSource, projectFiles } from './django-project.js'
import type { FileTree } from './git-repo.js'
import { newestDjango } from './python-envs.js'
import { forkedRepo } from './scenarios.js'

export const BOOK_INITIAL = migrationSource({
  initial: true,
  operations: [
    `migrations.CreateModel(name="Book", fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("title", models.CharField(max_length=100)),
            ("note", models.CharField(max_length=50, null=True)),
            ("pages", models.IntegerField(default=0)),
        ])`
  ]
})

export const BOOK_MODEL = `
class Book(models.Model):
    title = models.CharField(max_length=100)
    note = models.CharField(max_length=50, null=True)
    pages = models.IntegerField(default=0)
`

export interface Scenario {
  /** Fields of Book in the PR's models.py (Python source lines), replacing BOOK_MODEL. */
  prModel?: string
  /** The PR's migrations after 0001_initial, in order: name → operations (and optional preamble). */
  pr: Array<{ name: string; operations: string[]; preamble?: string; atomic?: boolean }>
  /** Extra files on the PR branch. */
  prFiles?: FileTree
  /** The folder the Django project sits in (a monorepo), '' for the root. */
  root?: string
  /** More apps on the base branch, installed after `shop`. */
  apps?: Array<{ name: string; migrations: Record<string, string>; models: string }>
  /** Book's first migration on the base branch (default: BOOK_INITIAL), and its model. */
  baseInitial?: string
  baseModel?: string
  /** More migrations of `shop` on the base branch, after 0001_initial (the PR's then follow the last of them). */
  baseMigrations?: Record<string, string>
  /** Python appended to the project's settings (both branches), e.g. another database ENGINE. */
  settings?: string
}

export interface ScenarioRun {
  report: Report
  repoDir: string
}

/** The options of a review with the rehearsal on a throwaway local Postgres and the newest Django, main against feature. */
export function reviewOptions(repoDir: string, options: Partial<Options> = {}): Options {
  return {
    env: process.env,
    repo: repoDir,
    base: 'main',
    head: 'feature',
    projectRoot: '',
    exclude: [],
    swappable: {},
    failOn: 'unsafe',
    rehearsal: true,
    postgres: 'local',
    databaseUrl: undefined,
    postgresImage: DEFAULTS.postgresImage,
    postgresBin: undefined,
    python: newestDjango().python,
    basePython: undefined,
    includePaths: [],
    settings: undefined,
    seedRows: 12,
    seedSql: undefined,
    seedCommand: undefined,
    syntheticSeed: true,
    cacheDir: undefined,
    templateDatabase: undefined,
    templateMigrate: false,
    sampleRows: 5000,
    tableStats: undefined,
    maxLockHoldMs: 1000,
    contention: true,
    lockTimeoutMs: 1000,
    statementTimeoutMs: 20_000,
    timeoutMs: 120_000,
    ...options
  }
}

export async function rehearseScenario(scenario: Scenario, options: Partial<Options> = {}, hooks: ReviewHooks = {}, logger: Logger = silentLogger): Promise<ScenarioRun> {
  const extra = scenario.apps ?? []
  const base: FileTree = {
    ...projectFiles(['shop', ...extra.map((app) => app.name)], scenario.settings ? { settings: scenario.settings } : {}),
    ...appFiles('shop', { '0001_initial': scenario.baseInitial ?? BOOK_INITIAL, ...(scenario.baseMigrations ?? {}) }, scenario.baseModel ?? BOOK_MODEL),
    ...Object.assign({}, ...extra.map((app) => appFiles(app.name, app.migrations, app.models)))
  }
  const pr: FileTree = { 'shop/models.py': `from django.db import models
${scenario.prModel ?? scenario.baseModel ?? BOOK_MODEL}`, ...(scenario.prFiles ?? {}) }
  let previous = Object.keys(scenario.baseMigrations ?? {}).at(-1) ?? '0001_initial'
  for (const migration of scenario.pr) {
    pr[`shop/migrations/${migration.name}.py`] = migrationSource({
      dependencies: [['shop', previous]],
      operations: migration.operations,
      ...(migration.preamble ? { preamble: migration.preamble } : {}),
      ...(migration.atomic === false ? { atomic: false } : {})
    })
    previous = migration.name
  }
  const prefix = (tree: FileTree): FileTree =>
    scenario.root ? Object.fromEntries(Object.entries(tree).map(([path, content]) => [`${scenario.root}/${path}`, content])) : tree
  const repo = forkedRepo({ base: { ...prefix(base), 'README.md': 'a monorepo\n' }, pr: [prefix(pr)] })
  try {
    const report = await runReview(reviewOptions(repo.dir, { projectRoot: scenario.root ?? '', ...options }), logger, hooks)
    return { report, repoDir: repo.dir }
  } finally {
    repo.cleanup()
  }
}
