// The dynamic half of the review, in this order, on one server:
//   1. base code: migrate a fresh database to the base branch's leaves;
//   2. seed it (the user's seed, then adversarial rows), snapshot data and schema;
//   3. new code: apply each new migration, one at a time, tracing every statement;
//      after each, the base code probes the tables it touched (old code, new schema);
//   4. new code against a copy of the base database (deploy-code-first);
//   5. reverse exactly the new migrations, newest first, then compare with the snapshot;
//   6. apply them again;
//   7. ask the new code for model changes no migration covers.
// "New code" is the merge result when git can merge the PR cleanly (what main
// will run), else the PR's head.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'
import type { Options } from '../model/options.js'
import { DjangoProcess } from '../django/bridge.js'
import type { HelperRun, MigrateToLeaves, ModelInfo, ModelProbe } from '../model/helper.js'
import { findSettingsModule } from '../django/settings-module.js'
import { migrationKey, type MigrationKey } from '../model/migration.js'
import type { Logger } from '../lifecycle/logger.js'
import type { ResourceStack } from '../lifecycle/resources.js'
import { startPostgres } from '../postgres/auto.js'
import type { PostgresServer } from '../postgres/types.js'
import type { DataLossEntry, ProbeFailure } from '../model/report.js'
import type { StaticReview } from '../model/static-review.js'
import { readCatalog } from '../seed/catalog.js'
import { seedDatabase } from '../seed/seed.js'
import type { MigrationEvidence, RehearsalEvidence, RehearsalPhase, SeedResult } from '../model/evidence.js'
import { newFailures, passingProbes } from './probe-evidence.js'
import { diffSchemas, takeSchema } from './schema.js'
import { compareData, takeSnapshot } from './snapshot.js'
import { namesColumn, touchedTables } from './touched.js'
import { runSeedCommand } from './user-seed.js'

export interface PhaseContext {
  server: PostgresServer
  /** The database the new migrations run on, once it exists. */
  database?: string
}

export interface RehearsalInput {
  review: StaticReview
  /** Folders holding the base branch's code and the new code (the merge result, or the head when it does not merge). */
  checkouts: { base: string; new: string }
  options: Options
  logger: Logger
  resources: ResourceStack
  /** Called as each phase starts: progress for the log, and a seam for tests (holding a lock). */
  onPhase?: (phase: RehearsalPhase, context: PhaseContext) => Promise<void> | void
}

export async function rehearse(input: RehearsalInput): Promise<RehearsalEvidence> {
  const { review, options, logger, resources } = input
  const timings: Record<string, number> = {}
  const deadline = Date.now() + options.timeoutMs
  const remaining = (cap: number): number => {
    const left = deadline - Date.now()
    if (left <= 0) throw new Error(`the rehearsal ran past its limit (timeout ${Math.round(options.timeoutMs / 1000)} s)`)
    return Math.min(cap, left)
  }
  const phase = async <T>(name: RehearsalPhase, context: PhaseContext | null, work: () => Promise<T>): Promise<T> => {
    if (context) await input.onPhase?.(name, context)
    logger.info(`rehearsal: ${name}`)
    const started = performance.now()
    try {
      return await work()
    } finally {
      timings[name] = Math.round((timings[name] ?? 0) + performance.now() - started)
    }
  }

  const { base: baseDir, new: newDir } = input.checkouts
  const projectDir = (dir: string): string => (options.projectRoot ? join(dir, options.projectRoot) : dir)
  const settingsModule = await findSettingsModule(projectDir(newDir), options.settings)

  const server = await phase('postgres', null, () =>
    startPostgres(
      { choice: options.postgres, image: options.postgresImage, databaseUrl: options.databaseUrl, binDir: options.postgresBin },
      resources,
      logger
    )
  )
  resources.defer('postgres server', () => server.close())
  const context: PhaseContext = { server }

  const clients: pg.Client[] = []
  resources.defer('database clients', () => Promise.all(clients.splice(0).map((client) => client.end().catch(() => {}))).then(() => {}))
  const connect = async (database: string): Promise<pg.Client> => {
    const client = new pg.Client(server.connection(database))
    client.on('error', () => {})
    await client.connect()
    clients.push(client)
    return client
  }
  const disconnect = async (client: pg.Client): Promise<void> => {
    clients.splice(clients.indexOf(client), 1)
    await client.end()
  }

  const djangoOptions = (dir: string, database: string, label: string) => ({
    python: options.python,
    projectDir: projectDir(dir),
    settingsModule,
    database: server.connection(database),
    lockTimeoutMs: options.lockTimeoutMs,
    statementTimeoutMs: options.statementTimeoutMs,
    label,
    logger
  })

  // 1. The base code migrates a fresh database to its leaves.
  const baseDb = await server.createDatabase({ label: 'base' })
  const base = await DjangoProcess.start(djangoOptions(baseDir, baseDb, 'base'))
  resources.defer('base python', () => base.close())
  await phase('migrate-base', context, () => base.call<MigrateToLeaves>('migrateToLeaves', {}, remaining(600_000)))

  // 2. Seed and snapshot.
  const baseClient = await connect(baseDb)
  const seed = await phase('seed', context, async (): Promise<SeedResult | null> => {
    if (options.seedSql) await baseClient.query(await readSeedSql(options.seedSql, [baseDir, newDir]))
    if (options.seedCommand) {
      await runSeedCommand(options.seedCommand, djangoOptions(baseDir, baseDb, 'seed'), remaining(600_000), logger)
    }
    if (!options.syntheticSeed) return null
    return seedDatabase(baseClient, await readCatalog(baseClient), { rowsPerTable: options.seedRows })
  })
  const [dataBefore, schemaBefore] = await phase('snapshot', context, async () => [await takeSnapshot(baseClient), await takeSchema(baseClient)] as const)
  await disconnect(baseClient)

  // The base code's view of its own schema: what its probes do when nothing changed.
  const baseModels = await base.call<ModelInfo[]>('models')
  const baseTables = new Set(baseModels.map((model) => model.table))
  const baseControl = await base.call<ModelProbe[]>('probe', {}, remaining(300_000))
  const basePassing = passingProbes(baseControl)

  // Copies of the seeded base: one for the new migrations, one for new code on the old schema.
  await base.call('closeConnections')
  const runDb = await server.createDatabase({ template: baseDb, label: 'run' })
  const oldSchemaDb = await server.createDatabase({ template: baseDb, label: 'oldschema' })
  context.database = runDb
  await base.call('useDatabase', { database: runDb })

  const newCode = await DjangoProcess.start(djangoOptions(newDir, runDb, 'new'))
  resources.defer('new python', () => newCode.close())

  const evidence = new Map<MigrationKey, MigrationEvidence>()
  for (const file of review.added) {
    evidence.set(migrationKey(file), {
      key: migrationKey(file),
      forward: null,
      oldCodeFailures: [],
      oldCodeProbed: false,
      newCodeFailures: [],
      newCodeProbed: false,
      reverse: null,
      reapply: null,
      dataLoss: [],
      dataLossMeasured: false
    })
  }
  const ordered = review.added.map(migrationKey)

  // 3. Forward, one migration at a time; the old code probes what each touched.
  const blamedOld = new Set<string>()
  await phase('forward', context, async () => {
    let failed: MigrationKey | null = null
    for (const key of ordered) {
      const entry = evidence.get(key)!
      if (failed !== null) {
        entry.forwardSkipped = `not applied: ${failed} failed before it`
        continue
      }
      const [app, name] = splitKey(key)
      entry.forward = await newCode.call<HelperRun>('apply', { app, name }, remaining(options.statementTimeoutMs * 10 + 60_000))
      if (entry.forward.error) {
        failed = key
        continue
      }
      const touched = touchedTables(entry.forward.statements, baseTables)
      if (touched.size > 0) {
        const results = await base.call<ModelProbe[]>('probe', { tables: [...touched] }, remaining(300_000))
        entry.oldCodeFailures = newFailures(results, basePassing).filter((failure) => !blamedOld.has(failureId(failure)))
        entry.oldCodeFailures.forEach((failure) => blamedOld.add(failureId(failure)))
      }
      entry.oldCodeProbed = true
    }
  })
  const appliedKeys = ordered.filter((key) => evidence.get(key)!.forward?.error === null)

  // Anything else the old code trips over after all of them: blame the last migration that touched the table.
  await phase('old-code-probes', context, async () => {
    const results = await base.call<ModelProbe[]>('probe', {}, remaining(300_000))
    for (const failure of newFailures(results, basePassing)) {
      if (blamedOld.has(failureId(failure))) continue
      const owner = [...appliedKeys].reverse().find((key) => touchedTables(evidence.get(key)!.forward!.statements, baseTables).has(failure.table))
      const entry = evidence.get(owner ?? appliedKeys.at(-1) ?? ordered[0]!)!
      entry.oldCodeFailures.push(failure)
      blamedOld.add(failureId(failure))
    }
  })

  // 4. New code on the old schema: probes that pass on the new schema and fail on the old.
  await phase('new-code-probes', context, async () => {
    const newModels = await newCode.call<ModelInfo[]>('models')
    const newTables = new Set(newModels.map((model) => model.table))
    const control = passingProbes(await newCode.call<ModelProbe[]>('probe', {}, remaining(300_000)))
    await newCode.call('useDatabase', { database: oldSchemaDb })
    const failures = newFailures(await newCode.call<ModelProbe[]>('probe', {}, remaining(300_000)), control)
    await newCode.call('useDatabase', { database: runDb })
    for (const key of appliedKeys) evidence.get(key)!.newCodeProbed = true
    for (const failure of failures) {
      const touching = appliedKeys.filter((key) => touchedTables(evidence.get(key)!.forward!.statements, newTables).has(failure.table))
      // "column shop_book.stock does not exist": the migration that named that column.
      const names = namedIn(failure.message).filter((name) => name !== failure.table)
      const named = touching.filter((key) => names.some((name) => namesColumn(evidence.get(key)!.forward!.statements, failure.table, name)))
      const owners = named.length > 0 ? named : touching.length > 0 ? touching : appliedKeys.slice(-1)
      for (const owner of owners) evidence.get(owner)!.newCodeFailures.push(failure)
    }
  })

  // Data the forward run dropped (columns and tables that are gone), before anything is reversed.
  const runClient = await connect(runDb)
  const forwardComparison = compareData(dataBefore, await takeSnapshot(runClient))
  attributeLoss(forwardComparison, 'forward', appliedKeys, evidence, (key) => evidence.get(key)!.forward!.statements)

  // 5. Reverse exactly the new migrations, newest first. A failed atomic
  // migration left nothing behind; a failed non-atomic one may have.
  const partial = ordered.find((key) => {
    const forward = evidence.get(key)!.forward
    return forward?.error && !forward.atomic && forward.statements.some((statement) => !statement.error)
  })
  let reversedAll = partial === undefined
  await phase('reverse', context, async () => {
    let failed: MigrationKey | null = null
    for (const key of [...appliedKeys].reverse()) {
      const entry = evidence.get(key)!
      if (failed !== null) {
        entry.reverseSkipped = `not reversed: reversing ${failed} failed first`
        continue
      }
      const [app, name] = splitKey(key)
      entry.reverse = await newCode.call<HelperRun>('unapply', { app, name }, remaining(options.statementTimeoutMs * 10 + 60_000))
      if (entry.reverse.error) failed = key
    }
    if (failed !== null) reversedAll = false
    for (const key of ordered) if (!appliedKeys.includes(key)) evidence.get(key)!.reverseSkipped = 'not reversed: it was not applied'
  })

  // The round trip against the snapshot: rows gone, values changed, schema differences.
  let schemaDifferences: RehearsalEvidence['schemaDifferences'] = []
  if (reversedAll) {
    const roundTrip = compareData(dataBefore, await takeSnapshot(runClient))
    attributeLoss(roundTrip, 'round-trip', appliedKeys, evidence, (key) => [
      ...evidence.get(key)!.forward!.statements,
      ...(evidence.get(key)!.reverse?.statements ?? [])
    ])
    schemaDifferences = diffSchemas(schemaBefore, await takeSchema(runClient)).map((difference) => ({
      ...difference,
      owner: ownerOf(appliedKeys, (key) => [...evidence.get(key)!.forward!.statements, ...(evidence.get(key)!.reverse?.statements ?? [])], difference.table, difference.name ?? null)
    }))
    for (const key of appliedKeys) evidence.get(key)!.dataLossMeasured = true
  } else {
    for (const key of ordered) evidence.get(key)!.dataLossSkipped = 'the reverse did not complete, so the round trip could not be compared'
  }
  await disconnect(runClient)

  // 6. Apply them again: a forward that only works once is a finding.
  await phase('reapply', context, async () => {
    let failed: MigrationKey | null = null
    for (const key of ordered) {
      const entry = evidence.get(key)!
      if (!reversedAll) {
        entry.reapplySkipped = 'not re-applied: the reverse did not complete'
        continue
      }
      if (entry.forward?.error !== null || failed !== null) {
        entry.reapplySkipped = failed ? `not re-applied: ${failed} failed before it` : 'not re-applied: it did not apply the first time'
        continue
      }
      const [app, name] = splitKey(key)
      entry.reapply = await newCode.call<HelperRun>('apply', { app, name }, remaining(options.statementTimeoutMs * 10 + 60_000))
      if (entry.reapply.error) failed = key
    }
  })

  // 7. Model changes without a migration, in the new code.
  let missingMigrations: RehearsalEvidence['missingMigrations'] = null
  let missingMigrationsReason: string | undefined
  await phase('missing-migrations', context, async () => {
    try {
      missingMigrations = await newCode.call('missingMigrations', { projectDir: projectDir(newDir) }, remaining(120_000))
    } catch (error) {
      missingMigrationsReason = `the autodetector failed: ${(error as Error).message}`
    }
  })
  await input.onPhase?.('done', context)

  return {
    info: {
      status: 'ran',
      provider: server.kind,
      postgresVersion: server.version,
      djangoVersion: newCode.info.django,
      pythonVersion: newCode.info.python,
      timings,
      seededRows: seed?.totalRows ?? 0
    },
    migrations: evidence,
    schemaDifferences,
    missingMigrations,
    ...(missingMigrationsReason ? { missingMigrationsReason } : {}),
    seed,
    inconclusiveModels: baseControl
      .filter((probe) => probe.select.ok === false || probe.insert.ok === false || probe.update.ok === false)
      .map((probe) => probe.model)
  }
}

/** The seed SQL file from the base checkout, or from the PR's when the PR adds it. */
async function readSeedSql(path: string, checkouts: string[]): Promise<string> {
  for (const dir of checkouts) {
    try {
      return await readFile(join(dir, path), 'utf8')
    } catch {
      // try the next checkout
    }
  }
  throw new Error(`the seed-sql file '${path}' is neither in the base branch nor in the pull request (the path is relative to the repository root)`)
}

function splitKey(key: MigrationKey): [string, string] {
  const dot = key.indexOf('.')
  return [key.slice(0, dot), key.slice(dot + 1)]
}

const failureId = (failure: ProbeFailure): string => `${failure.model}:${failure.probe}`

/** Identifiers a database error names: `column "stock" ...`, `column shop_book.stock ...`. */
function namedIn(message: string): string[] {
  const names = new Set<string>()
  for (const match of message.matchAll(/"([^"]+)"|\b\w+\.(\w+)\b/g)) names.add(match[1] ?? match[2]!)
  return [...names]
}

/** The newest of `keys` whose statements named the column of the table, else the table. */
function ownerOf(
  keys: readonly MigrationKey[],
  statementsOf: (key: MigrationKey) => Parameters<typeof touchedTables>[0],
  table: string,
  column: string | null
): MigrationKey | null {
  return (
    [...keys].reverse().find((key) => column !== null && namesColumn(statementsOf(key), table, column)) ??
    [...keys].reverse().find((key) => touchedTables(statementsOf(key), new Set([table])).size > 0) ??
    null
  )
}

/** Puts each loss on the migration whose statements named the table (and column), newest first. */
function attributeLoss(
  comparison: ReturnType<typeof compareData>,
  when: DataLossEntry['when'],
  keys: readonly MigrationKey[],
  evidence: Map<MigrationKey, MigrationEvidence>,
  statementsOf: (key: MigrationKey) => Parameters<typeof touchedTables>[0]
): void {
  for (const loss of lossEntries(comparison, when)) {
    const owner = ownerOf(keys, statementsOf, loss.table, loss.column)
    if (owner === null) continue
    evidence.get(owner)!.dataLoss.push(loss)
  }
}

/** The comparison as report entries: per table and column, what is gone or changed. */
function lossEntries(comparison: ReturnType<typeof compareData>, when: DataLossEntry['when']): DataLossEntry[] {
  const entries: DataLossEntry[] = []
  for (const table of comparison.tables) {
    if (table.vanished) {
      if (table.rowsBefore > 0) entries.push({ table: table.table, column: null, rowsLost: table.rowsBefore, valuesChanged: 0, when })
      continue
    }
    if (when === 'round-trip' && table.rowsLost > 0) {
      entries.push({ table: table.table, column: null, rowsLost: table.rowsLost, valuesChanged: 0, when })
    }
    for (const column of table.columns) {
      const changed = column.vanished ? column.nonNullBefore : when === 'round-trip' ? column.valuesChanged : 0
      if (changed > 0) entries.push({ table: table.table, column: column.column, rowsLost: 0, valuesChanged: changed, when })
    }
  }
  return entries
}
