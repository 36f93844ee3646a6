// One validated description of a run, whichever front end it came from, and
// the repository's own settings for the review. Plain values: config builds
// them, every other part reads them.
import type { Severity } from './report.js'

export type OutputFormat = 'text' | 'json' | 'markdown'

/** The verdict at which the run fails (the required check goes red). */
export type FailOn = 'error' | 'unsafe' | 'warning' | 'never'

export type PostgresProviderKind = 'container' | 'local' | 'url'
export type PostgresChoice = PostgresProviderKind | 'auto'

/** What a client needs to connect; `host` may be a Unix socket directory. */
export interface ConnectionParams {
  host: string
  port: number
  user: string
  password: string | undefined
  database: string
}

/**
 * The environment the entry received (the process's, or a test's): the programs
 * a run starts (git, Python, initdb and postgres, pg_dump) get it, with the
 * variables each needs set or removed. Only the entries read process.env.
 */
export type Environment = Readonly<Record<string, string | undefined>>

export interface Options {
  /** The environment for the programs the run starts. */
  env: Environment
  /** Folder of the git checkout. */
  repo: string
  base: string
  head: string
  /** The Django project's folder inside the repository ('' for the root). */
  projectRoot: string
  /** Folders (relative to the repository) whose migrations are not reviewed. */
  exclude: string[]
  /** Values of swappable settings; AUTH_USER_MODEL is read from settings files when not given. */
  swappable: Record<string, string>
  failOn: FailOn
  /** Whether to run the rehearsal (needs Python, Django and Postgres). */
  rehearsal: boolean
  postgres: PostgresChoice
  databaseUrl: string | undefined
  postgresImage: string
  postgresBin: string | undefined
  python: string
  /** The interpreter for the base branch's code and migrations, when the PR changes the environment (a Django upgrade); `python` when unset. */
  basePython: string | undefined
  /** Files and folders (relative to the repository) copied from the workspace into both code versions: gitignored settings, generated files. */
  includePaths: string[]
  /** `DJANGO_SETTINGS_MODULE`; found from manage.py when unset. */
  settings: string | undefined
  /** Rows the seeder inserts per table. */
  seedRows: number
  /** A SQL file (path in the repository) run on the base schema before the synthetic rows. */
  seedSql: string | undefined
  /** A command run in the base checkout before the synthetic rows (e.g. `python manage.py loaddata x`). */
  seedCommand: string | undefined
  /** Insert the synthetic rows; with a template database only into the tables the snapshot leaves empty. */
  syntheticSeed: boolean
  /**
   * A folder keeping the base database after it was migrated and seeded (a
   * pg_dump archive per cache key): a later run with the same key restores it
   * instead of migrating from zero.
   */
  cacheDir: string | undefined
  /**
   * A database on the `database-url` server (a restored snapshot) that every
   * database of the rehearsal is copied from with CREATE DATABASE … TEMPLATE;
   * never written, renamed or dropped.
   */
  templateDatabase: string | undefined
  /** With a template that lacks some of the base branch's migrations: migrate the copy forward to the base branch's leaves. */
  templateMigrate: boolean
  /** Rows per table read when the rehearsal compares data (before and after a migration, a round trip); larger tables are sampled. */
  sampleRows: number
  /**
   * A JSON file of production's table sizes (`{"<table>": {"rows", "bytes", "indexBytes"}}`, the
   * read-only query in docs/table-stats.md): rewrites, scans and lock holds get estimates for them.
   */
  tableStats: string | undefined
  /**
   * How long the running code may wait behind a migration's lock: a blocking lock estimated to be
   * held longer on production's sizes, or a query of the running code that waited longer beside the
   * rehearsal, is a finding.
   */
  maxLockHoldMs: number
  /** Play the running code's queries beside each migration and record how long they wait. */
  contention: boolean
  lockTimeoutMs: number
  statementTimeoutMs: number
  /** Limit for the whole rehearsal. */
  timeoutMs: number
}

export interface RepoConfig {
  rules: Record<string, Severity | 'off'>
  exclude: { apps: string[]; migrations: string[] }
  ignore: Array<{ rule: string; migration: string; reason: string }>
}
