// What every provider shares: the run's database names (a unique prefix per
// run), creating, copying and dropping those databases through one admin
// connection, reading the server version, and releasing what was created
// both through close() and through the run's ResourceStack.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { Logger } from '../lifecycle/logger.js'
import type { ResourceStack } from '../lifecycle/resources.js'
import type { Leftover } from '../lifecycle/run-journal.js'
import { dumpDatabase, findDumpTools, restoreDatabase } from './dump.js'
import { TemplateDatabaseError, type PostgresServer } from './types.js'
import type { ConnectionParams, Environment, PostgresProviderKind } from '../model/options.js'

/** Postgres truncates identifiers to 63 bytes; names stay below that. */
const MAX_IDENTIFIER_BYTES = 63

/** `"name"` with embedded quotes doubled: safe for any identifier. */
export function quoteIdentifier(name: string): string {
  if (name.length === 0) throw new Error('an SQL identifier cannot be empty')
  if (name.includes('\0')) throw new Error('an SQL identifier cannot contain a NUL character')
  return `"${name.replaceAll('"', '""')}"`
}

/** A fresh prefix such as `dmr_k3x9q2_`: lower case, so it never needs quoting. */
export function newRunPrefix(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'
  const bytes = randomBytes(8)
  let id = ''
  for (const byte of bytes) id += alphabet[byte % alphabet.length]
  return `dmr_${id}_`
}

/** Hands out unique database names under one run prefix: `dmr_<id>_<label>[_<n>]`. */
export class DatabaseNamer {
  readonly prefix: string
  private readonly used = new Map<string, number>()

  constructor(prefix: string = newRunPrefix()) {
    this.prefix = prefix
  }

  next(label = 'db'): string {
    let slug = label
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_')
      .replace(/_+/g, '_')
      .replace(/^_|_$/g, '')
    if (slug === '') slug = 'db'
    const room = MAX_IDENTIFIER_BYTES - this.prefix.length - 5 // leaves space for `_9999`
    slug = slug.slice(0, room).replace(/_$/, '')
    const count = (this.used.get(slug) ?? 0) + 1
    this.used.set(slug, count)
    return count === 1 ? `${this.prefix}${slug}` : `${this.prefix}${slug}_${count}`
  }

  owns(name: string): boolean {
    return name.startsWith(this.prefix)
  }
}

export interface ServerVersion {
  /** `SHOW server_version`, e.g. `15.20 (Debian 15.20-0+deb12u1)`. */
  version: string
  /** `server_version_num`, e.g. 150020. */
  number: number
}

/** Where the admin connection goes, for messages: never includes a password. */
export function describeEndpoint(params: ConnectionParams): string {
  return params.host.startsWith('/') ? `${params.host} (socket), port ${params.port}` : `${params.host}:${params.port}`
}

/** Runs `release` at most once; later calls get the first call's promise. */
export function once(release: () => Promise<void> | void): () => Promise<void> {
  let running: Promise<void> | null = null
  return () => {
    running ??= Promise.resolve().then(release)
    return running
  }
}

/**
 * What one server created, released newest first by close(). Each step is also
 * registered on the run's ResourceStack the moment it exists, so a run that
 * fails or is interrupted still releases it; a step runs at most once.
 */
export class OwnedResources {
  private readonly steps: Array<{ description: string; release: () => Promise<void> }> = []
  private readonly resources: ResourceStack
  private readonly logger: Logger

  constructor(resources: ResourceStack, logger: Logger) {
    this.resources = resources
    this.logger = logger
  }

  /** Registers `release` for something that now exists (and how a later run removes it, when it would outlive a killed one). */
  async add(description: string, release: () => Promise<void> | void, leftover?: Leftover): Promise<void> {
    const step = { description, release: once(release) }
    this.steps.push(step)
    try {
      this.resources.defer(description, step.release, leftover)
    } catch (error) {
      // The run is already cleaning up (e.g. SIGINT during start): undo at once.
      await this.releaseAll()
      throw error
    }
  }

  /** Releases everything registered so far, newest first; never throws. */
  async releaseAll(): Promise<void> {
    for (const step of [...this.steps].reverse()) {
      try {
        await step.release()
      } catch (error) {
        this.logger.warning(`could not release ${step.description}: ${(error as Error).message}`)
      }
    }
  }
}

/** Keeps the last lines a process wrote, for error messages. */
export class LogTail {
  static readonly KEPT = 200
  private readonly lines: string[] = []
  private partial = ''

  /** Follows a process's stdout and stderr (or any text streams). */
  attach(...streams: Array<NodeJS.ReadableStream | null | undefined>): void {
    for (const stream of streams) {
      stream?.setEncoding('utf8')
      stream?.on('data', (chunk: string | Buffer) => this.write(chunk.toString()))
    }
  }

  write(chunk: string): void {
    const parts = (this.partial + chunk).split('\n')
    this.partial = parts.pop() ?? ''
    this.lines.push(...parts.filter((line) => line.trim() !== ''))
    if (this.lines.length > LogTail.KEPT) this.lines.splice(0, this.lines.length - LogTail.KEPT)
  }

  text(last = 20): string {
    return [...this.lines, this.partial].filter((line) => line.trim() !== '').slice(-last).join('\n')
  }
}

export interface DatabaseAdminOptions {
  /** How long to wait for the first connection, in ms. */
  connectTimeoutMs?: number
  logger: Logger
  namer?: DatabaseNamer
}

/**
 * One admin connection (to the maintenance database in `params`) that creates,
 * copies and drops the run's databases. It only ever copies or drops databases
 * whose name it handed out itself.
 */
export class DatabaseAdmin {
  readonly namer: DatabaseNamer
  private readonly pool: pg.Pool
  private readonly logger: Logger
  private readonly created = new Set<string>()
  private serverVersionNumber = 0
  private closed = false

  private constructor(pool: pg.Pool, namer: DatabaseNamer, logger: Logger) {
    this.pool = pool
    this.namer = namer
    this.logger = logger
  }

  /** Connects once to check that the server answers; rejects with the driver's error otherwise. */
  static async connect(params: ConnectionParams, options: DatabaseAdminOptions): Promise<DatabaseAdmin> {
    const pool = new pg.Pool({
      ...params,
      max: 1,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      idleTimeoutMillis: 30_000,
      allowExitOnIdle: true,
      application_name: 'django-migration-review'
    })
    // An idle admin connection that the server closes must not crash the process.
    pool.on('error', (error) => options.logger.debug(`admin connection closed by the server: ${error.message}`))
    const admin = new DatabaseAdmin(pool, options.namer ?? new DatabaseNamer(), options.logger)
    try {
      admin.serverVersionNumber = (await admin.serverVersion()).number
    } catch (error) {
      await pool.end().catch(() => {})
      throw error
    }
    return admin
  }

  async serverVersion(): Promise<ServerVersion> {
    const { rows } = await this.pool.query<{ version: string; number: string }>(
      "SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS number"
    )
    const row = rows[0]!
    return { version: row.version, number: Number(row.number) }
  }

  /** Whether the connected role may run CREATE DATABASE (CREATEDB or superuser). */
  async roleCanCreateDatabases(): Promise<{ role: string; allowed: boolean }> {
    const { rows } = await this.pool.query<{ role: string; allowed: boolean }>(
      'SELECT current_user AS role, (rolsuper OR rolcreatedb) AS allowed FROM pg_roles WHERE rolname = current_user'
    )
    const row = rows[0]
    return { role: row?.role ?? 'unknown', allowed: row?.allowed ?? false }
  }

  /** Names of the databases this run created and has not dropped yet. */
  get databases(): string[] {
    return [...this.created]
  }

  owns(name: string): boolean {
    return this.created.has(name)
  }

  async createDatabase(options: { template?: string; label?: string } = {}): Promise<string> {
    this.assertOpen()
    const { template } = options
    if (template !== undefined && !this.created.has(template)) {
      throw new Error(
        `cannot copy "${template}": only databases this run created can be templates (${this.describeOwned()})`
      )
    }
    const name = this.namer.next(options.label ?? template?.slice(this.namer.prefix.length) ?? 'db')
    const sql = `CREATE DATABASE ${quoteIdentifier(name)}${template ? ` TEMPLATE ${quoteIdentifier(template)}` : ''}`
    const started = performance.now()
    if (template === undefined) {
      await this.pool.query(sql)
    } else {
      // Postgres waits 5 s and then refuses while anyone else is connected to the
      // template: close those sessions first, and once more if one slipped in.
      for (let attempt = 1; ; attempt++) {
        await this.terminateSessions(template)
        try {
          await this.pool.query(sql)
          break
        } catch (error) {
          if ((error as { code?: string }).code !== '55006' || attempt >= 3) throw error
          this.logger.debug(`template ${template} was busy; closing its sessions again`)
        }
      }
    }
    this.created.add(name)
    const ms = Math.round(performance.now() - started)
    this.logger.debug(template ? `created database ${name} from ${template} in ${ms} ms` : `created database ${name} in ${ms} ms`)
    return name
  }

  /** `server_version_num` of the server, read when the admin connected. */
  get versionNumber(): number {
    return this.serverVersionNumber
  }

  /**
   * A new database of this run copied from `template`, a database it did not
   * create and never writes to: nobody may be connected to it (PostgreSQL
   * copies files), and its sessions are never ended for us — the run refuses.
   */
  async copyTemplate(template: string, options: { label?: string } = {}): Promise<string> {
    this.assertOpen()
    if (this.created.has(template)) return this.createDatabase({ template, ...options })
    // PostgreSQL's own rule: a database not marked as a template is copied only by a superuser or (a member of) its owner.
    const { rows } = await this.pool.query<{ is_template: boolean; owner: string; me: string; may_copy: boolean }>(
      `SELECT d.datistemplate AS is_template, pg_get_userbyid(d.datdba) AS owner, current_user AS me,
              d.datistemplate OR pg_has_role(current_user, d.datdba, 'USAGE')
                OR coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) AS may_copy
         FROM pg_database d WHERE d.datname = $1`,
      [template]
    )
    const row = rows[0]
    if (row === undefined) {
      throw new TemplateDatabaseError('missing', `the template database '${template}' does not exist on this server; restore your snapshot into it first (createdb ${template} && pg_restore -d ${template} snapshot.dump)`)
    }
    if (!row.may_copy) {
      throw new TemplateDatabaseError(
        'privilege',
        `the role ${row.me} may not copy the template database '${template}': PostgreSQL lets only its owner (${row.owner}) or a superuser copy a database that is not marked as a template; mark it once with ALTER DATABASE ${quoteIdentifier(template)} IS_TEMPLATE true (as ${row.owner}), which also keeps it from being dropped`
      )
    }
    await this.refuseIfBusy(template)
    const name = this.namer.next(options.label ?? 'template')
    const started = performance.now()
    try {
      await this.pool.query(`CREATE DATABASE ${quoteIdentifier(name)} TEMPLATE ${quoteIdentifier(template)}`)
    } catch (error) {
      const code = (error as { code?: string }).code
      if (code === '55006') await this.refuseIfBusy(template, error)
      if (code === '42501') {
        throw new TemplateDatabaseError('privilege', `the role ${row.me} may not copy the template database '${template}': ${(error as Error).message}`, { cause: error })
      }
      throw error
    }
    this.created.add(name)
    this.logger.debug(`created database ${name} from the template ${template} in ${Math.round(performance.now() - started)} ms`)
    return name
  }

  /** Refuses when anyone is connected to the template (PostgreSQL copies a database only when nobody is). */
  private async refuseIfBusy(template: string, cause?: unknown): Promise<void> {
    const { rows } = await this.pool.query<{ usename: string | null; application_name: string | null; client_addr: string | null; backend_type: string | null }>(
      'SELECT usename, application_name, client_addr::text AS client_addr, backend_type FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [template]
    )
    if (rows.length === 0 && cause === undefined) return
    const sessions = rows
      .slice(0, 5)
      .map((session) => `${session.usename ?? 'a role'}${session.application_name ? ` (${session.application_name})` : ''}${session.client_addr ? ` from ${session.client_addr}` : ''}`)
      .join(', ')
    throw new TemplateDatabaseError(
      'busy',
      `the template database '${template}' has ${rows.length > 0 ? `${rows.length} other connection(s): ${sessions}${rows.length > 5 ? ', …' : ''}` : 'had another connection while it was copied'}. PostgreSQL copies a template only while nobody is connected to it, and the review never ends other sessions: point applications and tools at another database, or keep a copy of the snapshot for the review alone`,
      cause === undefined ? undefined : { cause }
    )
  }

  async dropDatabase(name: string): Promise<void> {
    this.assertOpen()
    if (!this.created.has(name)) {
      throw new Error(`refusing to drop "${name}": this run did not create it (${this.describeOwned()})`)
    }
    await this.drop(name)
    this.created.delete(name)
  }

  /** Drops every database this run still owns; reports the first failure after trying all. */
  async dropAll(): Promise<void> {
    let first: unknown = null
    for (const name of [...this.created].reverse()) {
      try {
        await this.drop(name, { ifExists: true })
        this.created.delete(name)
      } catch (error) {
        first ??= error
        this.logger.warning(`could not drop database ${name}: ${(error as Error).message}`)
      }
    }
    if (first) throw first
  }

  /**
   * Drops the databases a run that is gone left on this server: those named with its own prefix
   * (`dmr_<its run id>_`), which its journal names. Returns their names.
   */
  async dropDeadRunDatabases(prefix: string): Promise<string[]> {
    this.assertOpen()
    if (!/^dmr_[a-z0-9]{8}_$/.test(prefix) || prefix === this.namer.prefix) throw new Error(`refusing to drop databases named ${prefix}*: not another run's prefix`)
    const { rows } = await this.pool.query<{ datname: string }>('SELECT datname FROM pg_database WHERE left(datname, length($1)) = $1 ORDER BY 1', [prefix])
    const dropped: string[] = []
    for (const { datname } of rows) {
      try {
        // Its process is gone, and its sessions with it.
        await this.drop(datname, { ifExists: true, endSessions: false })
        dropped.push(datname)
      } catch (error) {
        this.logger.warning(`could not drop database ${datname} that an earlier run left: ${(error as Error).message}`)
      }
    }
    return dropped
  }

  /** Closes the admin connection; with `dropDatabases`, drops the run's databases first. */
  async close(options: { dropDatabases: boolean }): Promise<void> {
    if (this.closed) return
    try {
      if (options.dropDatabases) await this.dropAll()
    } finally {
      this.closed = true
      await this.pool.end().catch(() => {})
    }
  }

  private async drop(name: string, options: { ifExists?: boolean; endSessions?: boolean } = {}): Promise<void> {
    const ifExists = options.ifExists ? 'IF EXISTS ' : ''
    if (this.serverVersionNumber >= 130000) {
      await this.pool.query(`DROP DATABASE ${ifExists}${quoteIdentifier(name)} WITH (FORCE)`)
    } else {
      if (options.endSessions !== false) await this.terminateSessions(name)
      await this.pool.query(`DROP DATABASE ${ifExists}${quoteIdentifier(name)}`)
    }
  }

  /** Ends other sessions on one of this run's databases. */
  private async terminateSessions(name: string): Promise<void> {
    if (!this.created.has(name)) throw new Error(`refusing to close sessions on "${name}": this run did not create it`)
    // From PG 14 on, pg_terminate_backend can wait (up to 5 s) until the session is gone.
    const terminate = this.serverVersionNumber >= 140000 ? 'pg_terminate_backend(pid, 5000)' : 'pg_terminate_backend(pid)'
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(${terminate}) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [name]
    )
    const count = Number(rows[0]?.n ?? 0)
    if (count > 0) this.logger.debug(`closed ${count} session(s) on ${name}`)
  }

  private describeOwned(): string {
    return this.created.size === 0 ? 'it has created none' : `its databases: ${[...this.created].join(', ')}`
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('this Postgres server was already closed')
  }
}

/**
 * The PostgresServer every provider returns: databases through the admin
 * connection, and close() releasing what the provider owns, newest first.
 */
export function serverHandle<Kind extends PostgresProviderKind>(
  kind: Kind,
  details: { version: string; description: string; connection: (database: string) => ConnectionParams; env: Environment; binDirs?: readonly string[] },
  admin: DatabaseAdmin,
  owned: OwnedResources
): PostgresServer & { kind: Kind } {
  const close = (): Promise<void> => owned.releaseAll()
  const { binDirs = [], env, ...shown } = details
  const tools = () => findDumpTools(admin.versionNumber, binDirs, env)
  return {
    kind,
    ...shown,
    versionNumber: admin.versionNumber,
    createDatabase: (options) => admin.createDatabase(options),
    copyTemplate: (template, options) => admin.copyTemplate(template, options),
    dropDatabase: (name) => admin.dropDatabase(name),
    dumpUnavailable: () => tools().then(
      () => null,
      (error: unknown) => (error as Error).message
    ),
    async dumpDatabase(database, file) {
      if (!admin.owns(database)) throw new Error(`refusing to dump "${database}": this run did not create it`)
      await dumpDatabase(await tools(), details.connection(database), file)
    },
    async restoreDatabase(file, options = {}) {
      const found = await tools()
      const name = await admin.createDatabase({ label: options.label ?? 'restored' })
      try {
        await restoreDatabase(found, details.connection(name), file)
      } catch (error) {
        await admin.dropDatabase(name).catch(() => {})
        throw error
      }
      return name
    },
    close,
    [Symbol.asyncDispose]: close
  }
}
