// One migration, the way a deploy and a rollback meet it, on the data the
// migrations before it left:
//   1. apply it; when it fails on the seeded rows, repair just the rows that
//      made it fail and apply it again, so every later question is answered;
//   2. the base code (still serving during the deploy) probes the tables it
//      touched: SELECT, INSERT, UPDATE, and a write-then-read of every field;
//   3. what its forward run dropped (columns, tables and their values);
//   4. on a copy of the database: reverse it, compare data and schema with
//      the state before it, apply it again. The copy keeps the run's own
//      database at "applied", whatever the reverse does.
import type { HelperError, HelperRun } from '../model/helper.js'
import type { MigrationEvidence, Repair } from '../model/evidence.js'
import type { MigrationKey } from '../model/migration.js'
import type { ProbeFailure } from '../model/report.js'
import { readCatalog } from '../seed/catalog.js'
import { underContention, type Watched } from './contention.js'
import { attributeFailures, lossEntries, touchedTables } from './attribution.js'
import type { BaseState } from './base.js'
import { headline, newFailures, roundTripFailures, unansweredProbes } from './probe-evidence.js'
import { executeRepair, fallbackRepairs, planRepair, type RepairPlan } from './repair.js'
import { RehearsalTimeout, type Run } from './run.js'
import { diffSchemas, takeSchema, type SchemaSnapshot } from './schema.js'
import { compareData, restrictSnapshot, takeSnapshot, type DataSnapshot } from './snapshot.js'

/** The database's state just before a migration: what its facts are compared with. */
export interface Before {
  data: DataSnapshot
  schema: SchemaSnapshot
}

export interface CycleState {
  base: BaseState
  /** The base schema's tables and `table.column`s: only their data is production data. */
  baseData: ReadonlySet<string>
  /** `model:probe` the old code's failures were already blamed on an earlier migration for. */
  blamedOld: Set<string>
}

/** Repairs tried for one migration at most, before it counts as failing on any data. */
const MAX_REPAIRS = 4

export function splitKey(key: MigrationKey): [string, string] {
  const dot = key.indexOf('.')
  return [key.slice(0, dot), key.slice(dot + 1)]
}

/** Runs one migration's cycle; returns the state before the next one. */
export async function rehearseMigration(run: Run, entry: MigrationEvidence, before: Before, state: CycleState): Promise<Before> {
  const current = await applyWithRepairs(run, entry, before, state.base)
  if (entry.status !== 'applied') {
    entry.oldCode.reason = 'it did not apply'
    entry.reverseSkipped = 'not reversed: it did not apply'
    entry.reapplySkipped = 'not re-applied: it did not apply'
    entry.dataLossSkipped = 'it did not apply'
    return current
  }
  const statements = entry.forward!.statements
  await probeOldCode(run, entry, statements, state)

  const client = await run.client(run.db.run)
  const after: Before = { data: await takeSnapshot(client, { sampleRows: run.options.sampleRows }), schema: await takeSchema(client) }
  const forward = compareData(current.data, after.data)
  entry.dataLoss.push(...lossEntries(forward, 'forward', statements, { base: state.baseData }))
  await reverseOnCopy(run, entry, current, after, state)
  if (entry.reverse?.error) {
    // No way back: what the forward run changed stays changed.
    const dropped = new Set(entry.dataLoss.map((loss) => `${loss.table}.${loss.column ?? ''}`))
    const changed = lossEntries(forward, 'forward', statements, { base: state.baseData, permanent: true }).filter((loss) => !dropped.has(`${loss.table}.${loss.column ?? ''}`))
    entry.dataLoss.push(...changed)
    entry.dataLossMeasured = true
    delete entry.dataLossSkipped
  }
  return after
}

/** Applies the migration; after a failure on data, repairs the offending rows and tries again. */
async function applyWithRepairs(run: Run, entry: MigrationEvidence, before: Before, base: BaseState): Promise<Before> {
  const [app, name] = splitKey(entry.key)
  // A backend of its own (django-pg-zero-downtime-migrations) may commit statement by statement even in an atomic migration.
  const nonAtomic = run.input.nonAtomic.has(entry.key) || run.info('new').engine !== 'django.db.backends.postgresql'
  const tried = new Set<string>()
  let current = before
  entry.firstBasis = run.basis
  entry.basis = run.basis
  for (let attempt = 0; ; attempt++) {
    // A non-atomic migration that fails midway leaves part of itself behind: keep the state before it.
    const checkpoint = nonAtomic ? await run.copy(run.db.run, 'checkpoint') : null
    let result: HelperRun
    try {
      const watched = await underContentionIfAsked(run, run.db.run, base, () => run.call('new', 'apply', { app, name }, run.migrationBudget()))
      result = watched.result
      entry.contention = watched.contention
      entry.lockWaits = watched.lockWaits
    } catch (error) {
      if (checkpoint) await run.drop(checkpoint)
      if (error instanceof RehearsalTimeout) throw error
      await endOtherSessions(run)
      entry.status = 'failed'
      entry.forward = failedRun(error as Error)
      entry.firstRun ??= entry.forward
      return current
    }
    entry.firstRun ??= result
    entry.forward = result
    if (result.error === null) {
      if (checkpoint) await run.drop(checkpoint)
      entry.status = 'applied'
      return current
    }
    if (checkpoint) {
      if (result.statements.some((statement) => !statement.error)) await run.restore(checkpoint)
      else await run.drop(checkpoint)
    }
    if (attempt >= MAX_REPAIRS || !failedOnData(result)) {
      entry.status = 'failed'
      return current
    }
    const repair = await repairRows(run, result, tried, base).catch((error: unknown) => {
      entry.notes.push(`repairing the rows it failed on did not work: ${(error as Error).message}`)
      return null
    })
    if (repair === null) {
      entry.status = 'failed'
      return current
    }
    entry.repairs.push(repair)
    // On the team's snapshot the repaired rows are still its rows: the facts rest on its data.
    entry.basis = run.basis === 'template-database' ? 'template-database' : 'conforming-seed'
    const client = await run.client(run.db.run)
    current = { data: await takeSnapshot(client, { sampleRows: run.options.sampleRows }), schema: current.schema }
  }
}

/** A failure that comes from the rows: a data or integrity error, or the data migration's own code raising. */
function failedOnData(run: HelperRun): boolean {
  const error = run.error!
  if (error.sqlstate !== null) return /^2[23]/.test(error.sqlstate)
  const operation = error.operationIndex === null ? undefined : run.operations[error.operationIndex]
  return operation === 'RunPython' && error.exception !== 'IrreversibleError'
}

/** The first repair that works: the one the error names, then the touched tables' ordinary rows, then empty tables. */
async function repairRows(run: Run, failed: HelperRun, tried: Set<string>, base: BaseState): Promise<Repair | null> {
  const error = failed.error!
  const client = await run.client(run.db.run)
  const catalog = await readCatalog(client)
  const names = new Set(catalog.tables.map((table) => table.name))
  const touched = touchedTables(failed.statements, names)
  const targeted = planRepair(error)
  if (targeted?.table) touched.add(targeted.table)
  const ordinary = new Map(
    (base.seed?.tables ?? [])
      .filter((table) => table.primaryKey && table.ordinaryKeys && names.has(table.table))
      .map((table) => [table.table, { primaryKey: table.primaryKey!, keys: table.ordinaryKeys! }] as const)
  )
  const plans = [targeted, ...fallbackRepairs([...touched].sort(), ordinary)].filter((plan): plan is RepairPlan => plan !== null)
  for (const plan of plans) {
    const id = `${plan.kind}:${plan.tables.join(',')}:${plan.columns.join(',')}`
    if (tried.has(id)) continue
    tried.add(id)
    const primaryKey = catalog.tables.find((table) => table.name === plan.table)?.primaryKey ?? null
    const outcome = await executeRepair(client, plan, primaryKey)
    if (outcome.rows === null) continue
    return {
      cause: error,
      kind: plan.kind,
      table: plan.table,
      tables: plan.tables,
      columns: plan.columns,
      rows: outcome.rows,
      sql: outcome.sql,
      productionCheck: plan.productionCheck,
      offendingRows: outcome.offendingRows,
      tableRows: outcome.tableRows,
      syntheticOnly: syntheticOnly(run, base, plan, outcome.offendingKeys)
    }
  }
  return null
}

/** Whether the rows a repair changed all came from the seeder, not from the team's own seed. */
function syntheticOnly(run: Run, base: BaseState, plan: RepairPlan, keys: string[][] | null): boolean {
  if (!run.options.syntheticSeed) return false
  if (base.userRows === null) return true
  if (keys === null || plan.table === null) return false
  const team = base.userRows.get(plan.table)
  return team === undefined || keys.every((key) => !team.has(JSON.stringify(key)))
}

/** The base code against the schema this migration left: probes that passed before and fail now. */
async function probeOldCode(run: Run, entry: MigrationEvidence, statements: HelperRun['statements'], state: CycleState): Promise<void> {
  const touched = touchedTables(statements, state.base.tables)
  entry.oldCode.probed = true
  if (touched.size === 0) return
  try {
    await run.use('base', run.db.run)
    const tables = [...touched].sort()
    const results = await run.call('base', 'probe', { tables })
    const probes = newFailures(results, state.base.passingProbes)
    entry.oldCode.unanswered = unansweredProbes(results, state.base.controlProbes, touched)
    const trips = roundTripFailures(await run.call('base', 'roundTrip', { tables }), state.base.roundTrips)
    const all = [...probes, ...trips]
    const fresh = all.filter((failure) => !state.blamedOld.has(failureId(failure)))
    entry.oldCode.masked = all.filter((failure) => state.blamedOld.has(failureId(failure))).map(failureId)
    fresh.forEach((failure) => state.blamedOld.add(failureId(failure)))
    entry.oldCode.failures = attributeFailures(fresh, statements)
  } catch (error) {
    if (error instanceof RehearsalTimeout) throw error
    entry.oldCode.probed = false
    entry.oldCode.reason = `the base code's probes could not run: ${(error as Error).message}`
    entry.notes.push(entry.oldCode.reason)
  }
}

export const failureId = (failure: ProbeFailure): string => `${failure.model}:${failure.probe}`

/** Reverse, compare with the state before, apply again: on a copy, so the run's database stays applied. */
async function reverseOnCopy(run: Run, entry: MigrationEvidence, before: Before, after: Before, state: CycleState): Promise<void> {
  const [app, name] = splitKey(entry.key)
  const copy = await run.copy(run.db.run, 'reverse')
  try {
    await run.use('new', copy)
    // A rollback comes after the new code has run: it has written what its models allow (a longer value, a bigger number).
    const written = touchedTables(entry.forward!.statements, new Set(after.data.tables.keys()))
    if (written.size > 0) {
      const outcomes = await run.call('new', 'writeRows', { tables: [...written].sort() })
      for (const outcome of outcomes.filter((row) => row.ok === false)) entry.notes.push(`the new code could not write a ${outcome.model} before the reverse: ${headline(outcome.message ?? 'failed')}`)
    }
    const watched = await underContentionIfAsked(run, copy, state.base, () => run.call('new', 'unapply', { app, name }, run.migrationBudget()))
    entry.reverse = watched.result
    entry.reverseContention = watched.contention
    entry.lockWaits.push(...watched.lockWaits)
    if (entry.reverse.error !== null) {
      entry.reapplySkipped = 'not re-applied: the reverse failed'
      entry.dataLossSkipped = 'the reverse failed, so the round trip could not be compared'
      return
    }
    const client = await run.client(copy)
    const both = [...entry.forward!.statements, ...entry.reverse.statements]
    const tables = touchedTables(both, new Set([...before.data.tables.keys(), ...after.data.tables.keys()]))
    const restored = await takeSnapshot(client, { only: tables, sampleRows: run.options.sampleRows })
    entry.dataLoss.push(...lossEntries(compareData(restrictSnapshot(before.data, tables), restored), 'round-trip', both, { base: state.baseData }))
    entry.dataLossMeasured = true
    // A column dropped and added back is the data-loss finding's story; its new position alone breaks nothing.
    entry.schemaDrift = diffSchemas(before.schema, await takeSchema(client)).filter(
      (difference) => !(difference.kind === 'column-added' && String(difference.before ?? '').startsWith('position'))
    )
    entry.reapply = await run.call('new', 'apply', { app, name }, run.migrationBudget())
  } catch (error) {
    if (error instanceof RehearsalTimeout) throw error
    const reason = `the reverse could not be rehearsed: ${(error as Error).message}`
    entry.reverseSkipped ??= reason
    entry.reapplySkipped ??= reason
    entry.dataLossSkipped ??= reason
    entry.notes.push(reason)
  } finally {
    await run.use('new', run.db.run)
    await run.drop(copy)
  }
}

/** A run the helper could not report on (its process was stopped), as a failed run. */
function failedRun(error: Error): HelperRun {
  const failure: HelperError = { exception: error.name, message: error.message, sqlstate: null, statement: null, operationIndex: null }
  return { statements: [], droppedStatements: 0, error: failure, ms: 0, atomic: true, operations: [], commitMs: null, endMs: 0 }
}

/** Ends what a stopped process left running on the run's database (a statement still holding locks). */
async function endOtherSessions(run: Run): Promise<void> {
  const client = await run.client(run.db.run)
  await client
    .query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')
    .catch(() => {})
  await run.closePythonConnections().catch(() => {})
}

/** The running code's queries beside a run of the migration, unless `contention: false`. */
async function underContentionIfAsked<T>(run: Run, database: string, base: BaseState, work: () => Promise<T>): Promise<Watched<T>> {
  if (!run.options.contention) return { result: await work(), contention: null, lockWaits: [] }
  return underContention(run, database, base.tables, work)
}
