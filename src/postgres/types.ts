// One interface over the three ways to get a throwaway Postgres: a container
import type { ConnectionParams, Environment, PostgresChoice, PostgresProviderKind } from '../model/options.js'
// (testcontainers), the server binaries on this machine, or a server the
// workflow already runs (a URL).

export interface PostgresOptions {
  choice: PostgresChoice
  /** The entry's environment: PATH to find the binaries, TMPDIR, and the base of the servers' and clients' own. */
  env: Environment
  /** Image for `container`, e.g. `postgres:17-alpine`. */
  image: string
  /** Server for `url`: `postgres://user:pass@host:port/db`. */
  databaseUrl: string | undefined
  /** Folder with `initdb` and `postgres` for `local`; found on the machine when unset. */
  binDir: string | undefined
}

export interface PostgresServer extends AsyncDisposable {
  readonly kind: PostgresProviderKind
  /** `SHOW server_version`, e.g. `15.20 (Debian 15.20-0+deb12u1)`. */
  readonly version: string
  /** One line for logs and the report: where this server comes from. */
  readonly description: string
  /** Connection to a database on this server. */
  connection(database: string): ConnectionParams
  /**
   * Creates a database that belongs to this run (its name carries the run's
   * unique prefix), optionally as a copy of `template`, which must be one of
   * this run's databases (other sessions on it are closed first).
   */
  createDatabase(options?: { template?: string; label?: string }): Promise<string>
  /**
   * Creates a database of this run as a copy of a database it did not create
   * (the team's template): refuses, with TemplateDatabaseError, when the
   * template does not exist, someone is connected to it, or the role may not
   * copy it. The template is only ever read by CREATE DATABASE.
   */
  copyTemplate(template: string, options?: { label?: string }): Promise<string>
  /** Why this server's databases cannot be dumped and restored here (no pg_dump that can read it); null when they can. */
  dumpUnavailable(): Promise<string | null>
  /** Writes one of this run's databases to `file` as a pg_dump archive; rejects with DumpError when no pg_dump here can read the server. */
  dumpDatabase(database: string, file: string): Promise<void>
  /** Creates a database of this run and restores a pg_dump archive into it (dropped again when the restore fails). */
  restoreDatabase(file: string, options?: { label?: string }): Promise<string>
  /** `server_version_num`, e.g. 150020. */
  readonly versionNumber: number
  /** Drops a database this run created; refuses any other. */
  dropDatabase(name: string): Promise<void>
  /** Drops every database this run created and stops what it started. Idempotent. */
  close(): Promise<void>
}

/** No way to get a Postgres: the message says which input to set. */
export class PostgresUnavailableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PostgresUnavailableError'
  }
}

export type TemplateProblem = 'missing' | 'busy' | 'privilege'

/** The template database cannot be copied; the message says what to do. Nothing was changed on the server. */
export class TemplateDatabaseError extends Error {
  readonly problem: TemplateProblem
  constructor(problem: TemplateProblem, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'TemplateDatabaseError'
    this.problem = problem
  }
}
