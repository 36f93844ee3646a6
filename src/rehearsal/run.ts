// The state one rehearsal works on, and the few operations every phase
// needs: the Python processes (started again when one dies), connections to
// the run's databases, copies of a database, the time left, and timings.
import pg from 'pg'
import { DjangoProcess } from '../django/bridge.js'
import type { Logger } from '../lifecycle/logger.js'
import type { ResourceStack } from '../lifecycle/resources.js'
import type { RehearsalPhase } from '../model/evidence.js'
import type { HelperMethod, HelperMethods } from '../model/helper.js'
import type { MigrationKey } from '../model/migration.js'
import type { Options } from '../model/options.js'
import type { BaseCacheInfo, Basis, RehearsalInfo, TableSizes, TemplateInfo } from '../model/report.js'
import type { StaticReview } from '../model/static-review.js'
import type { PostgresServer } from '../postgres/types.js'
import type { StartedServer } from './server.js'

export type Role = 'base' | 'new'

export interface PhaseContext {
  server: PostgresServer
  /** The database the new migrations run on, once it exists. */
  database?: string
}

export interface RehearsalInput {
  review: StaticReview
  /** The PR's migrations (those the static review found and those only Django's loader found), in apply order. */
  added: readonly MigrationKey[]
  /** What each of them depends on, directly or not (a failed one stops its dependents). */
  ancestors: ReadonlyMap<MigrationKey, ReadonlySet<MigrationKey>>
  /** Migrations with `atomic = False`: a failure can leave part of them applied. */
  nonAtomic: ReadonlySet<MigrationKey>
  /** Folders holding the base branch's code and the new code. */
  checkouts: { base: string; new: string }
  /** One process per code version, started by the pipeline (they need no database until now). */
  python: Record<Role, DjangoProcess>
  options: Options
  logger: Logger
  resources: ResourceStack
  /** Production's table sizes (`table-stats`): the rehearsal measures this runner's speeds to scale to them. */
  tableSizes?: TableSizes
  /**
   * The base branch's migrations as Django's loader sees them (the project's
   * and installed packages'), each with the id of its content (null when it
   * cannot be read): part of the base-schema cache's key, and what a template
   * database must have applied.
   */
  baseMigrations?: ReadonlyArray<readonly [MigrationKey, string | null]>
  /** The server, when the pipeline started it beside Django's view (else the rehearsal starts one). */
  server?: Promise<StartedServer>
  /** Called as each phase starts: progress for the log, and a seam for tests (holding a lock). */
  onPhase?: (phase: RehearsalPhase, context: PhaseContext) => Promise<void> | void
}

/** The rehearsal ran past its limit: what is left is not rehearsed. */
export class RehearsalTimeout extends Error {
  constructor(limitMs: number) {
    super(`the rehearsal ran past its limit (timeout ${Math.round(limitMs / 1000)} s)`)
    this.name = 'RehearsalTimeout'
  }
}

/** The rehearsal cannot go on at all (the base does not migrate, the server is gone). */
export class RehearsalFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'RehearsalFailure'
  }
}

export class Run {
  readonly input: RehearsalInput
  readonly options: Options
  readonly logger: Logger
  readonly server: PostgresServer
  readonly timings: Record<string, number> = {}
  readonly notes: string[] = []
  readonly context: PhaseContext
  /** The databases of the run: the seeded base, the one the new migrations run on, and an untouched copy of the base. */
  readonly db = { base: '', run: '', oldSchema: '' }
  /** The data the facts rest on before any repair. */
  basis: Basis = 'adversarial-seed'
  /** Where the base came from, when the base-schema cache was asked for. */
  baseCache: BaseCacheInfo | undefined
  /** The team's snapshot the databases were copied from. */
  template: TemplateInfo | undefined
  private readonly deadline: number
  private readonly python: Record<Role, DjangoProcess>
  private readonly pythonDatabase: Record<Role, string | null> = { base: null, new: null }
  private readonly clients = new Map<string, pg.Client>()

  constructor(input: RehearsalInput, server: PostgresServer, started: number) {
    this.input = input
    this.options = input.options
    this.logger = input.logger
    this.server = server
    this.context = { server }
    this.deadline = started + input.options.timeoutMs
    this.python = { ...input.python }
    input.resources.defer('database clients', () => this.closeClients())
  }

  /** What the report says about where the base came from (base-schema cache, template database). */
  baseInfo(): Pick<RehearsalInfo, 'baseCache' | 'template'> {
    return { ...(this.baseCache ? { baseCache: this.baseCache } : {}), ...(this.template ? { template: this.template } : {}) }
  }

  /** Milliseconds left, at most `cap`; throws RehearsalTimeout when none are. */
  remaining(cap: number): number {
    const left = this.deadline - Date.now()
    if (left <= 0) throw new RehearsalTimeout(this.options.timeoutMs)
    return Math.min(cap, left)
  }

  /** Budget for running one migration: its statements may each take statement_timeout. */
  migrationBudget(): number {
    return this.remaining(this.options.statementTimeoutMs * 10 + 60_000)
  }

  async phase<T>(name: RehearsalPhase, work: () => Promise<T>): Promise<T> {
    await this.input.onPhase?.(name, this.context)
    const timed = async (): Promise<T> => {
      const started = performance.now()
      try {
        return await work()
      } finally {
        this.timings[name] = Math.round((this.timings[name] ?? 0) + performance.now() - started)
      }
    }
    if (this.logger.group) return this.logger.group(`Rehearsal: ${name}`, timed)
    this.logger.info(`rehearsal: ${name}`)
    return timed()
  }

  /** A request to one of the Python processes; a process that died is started again first. */
  async call<M extends HelperMethod>(role: Role, method: M, params: HelperMethods[M]['params'], cap = 300_000): Promise<HelperMethods[M]['result']> {
    const process = await this.process(role)
    return process.call(method, params, this.remaining(cap))
  }

  /** Points a process at one of the run's databases. */
  async use(role: Role, database: string): Promise<void> {
    const process = await this.process(role)
    if (this.pythonDatabase[role] === database) return
    await process.call('connect', { database: this.server.connection(database) }, this.remaining(30_000))
    this.pythonDatabase[role] = database
  }

  info(role: Role): DjangoProcess['info'] {
    return this.python[role].info
  }

  /** The process's options with the database it is pointed at (for a seed command run beside it). */
  processOptions(role: Role): DjangoProcess['options'] {
    const database = this.pythonDatabase[role]
    return { ...this.python[role].options, ...(database ? { database: this.server.connection(database) } : {}) }
  }

  private async process(role: Role): Promise<DjangoProcess> {
    const current = this.python[role]
    if (current.running) return current
    this.notes.push(`the ${role} code's Python process ended and was started again`)
    const fresh = await DjangoProcess.start(current.options)
    this.input.resources.defer(
      `${role} python (restarted)`,
      () => fresh.close(),
      fresh.pid === undefined ? undefined : { kind: 'process', pid: fresh.pid, command: 'dmr_helper' }
    )
    this.python[role] = fresh
    const database = this.pythonDatabase[role]
    this.pythonDatabase[role] = null
    if (database) await this.use(role, database)
    return fresh
  }

  /** A connection of ours to one of the run's databases. */
  async client(database: string): Promise<pg.Client> {
    const known = this.clients.get(database)
    if (known) return known
    const client = new pg.Client(this.server.connection(database))
    client.on('error', () => {})
    await client.connect()
    this.clients.set(database, client)
    return client
  }

  async closeClient(database: string): Promise<void> {
    const client = this.clients.get(database)
    if (!client) return
    this.clients.delete(database)
    await client.end().catch(() => {})
  }

  private async closeClients(): Promise<void> {
    await Promise.all([...this.clients.keys()].map((database) => this.closeClient(database)))
  }

  /** Closes the Python processes' connections (Django opens a new one at its next query). */
  async closePythonConnections(): Promise<void> {
    await Promise.all((['base', 'new'] as const).map((role) => (this.python[role].running ? this.python[role].call('closeConnections', {}, 30_000) : null)))
  }

  /** A copy of one of the run's databases; every session on it is closed first (Postgres requires it). */
  async copy(database: string, label: string): Promise<string> {
    await this.closePythonConnections()
    await this.closeClient(database)
    return this.server.createDatabase({ template: database, label })
  }

  /** Goes back to a copy taken earlier: it becomes the run's database, and the current one is dropped. */
  async restore(checkpoint: string): Promise<void> {
    const abandoned = this.db.run
    this.db.run = checkpoint
    this.context.database = checkpoint
    for (const role of ['base', 'new'] as const) if (this.pythonDatabase[role] === abandoned) await this.use(role, checkpoint)
    await this.drop(abandoned)
  }

  async drop(database: string): Promise<void> {
    await this.closeClient(database)
    for (const role of ['base', 'new'] as const) {
      if (this.pythonDatabase[role] === database) {
        await this.python[role].call('closeConnections', {}, 30_000).catch(() => {})
        this.pythonDatabase[role] = null
      }
    }
    await this.server.dropDatabase(database)
  }
}
