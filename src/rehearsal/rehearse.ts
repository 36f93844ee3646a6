// The dynamic half of the review, on one throwaway server:
//   1. base code: migrate a fresh database to the base branch's leaves, seed it
//      (the team's seed, then adversarial rows), and probe it (the controls);
//   2. new code: ask Django what `migrate` would run now, and run each of those
//      migrations through its cycle (cycle.ts): apply (repairing the rows it
//      fails on), probe with the old code, reverse and re-apply on a copy;
//      a migration whose dependency failed, or that the time limit cut off,
//      is marked not rehearsed, and the others go on;
//   3. new code against an untouched copy of the base (deploy-code-first).
// "New code" is the merge result when git can merge the PR cleanly (what main
// will run), else the PR's head. Every fact comes out tied to its migration
// and operation; the verdicts only judge.
import type { MigrationEvidence, RehearsalEvidence } from '../model/evidence.js'
import type { MigrationPlan } from '../model/helper.js'
import type { MigrationKey } from '../model/migration.js'
import type { ProductionSizes } from '../model/report.js'
import { attributeFailures, namedIn, namesColumn, touchedTables } from './attribution.js'
import { prepareBase, type BaseState } from './base.js'
import { rehearseMigration, splitKey, type Before, type CycleState } from './cycle.js'
import { newFailures, passingProbes, unansweredProbes } from './probe-evidence.js'
import { RehearsalTimeout, Run, type RehearsalInput } from './run.js'
import { takeSchema } from './schema.js'
import { startServer } from './server.js'
import { takeSnapshot } from './snapshot.js'
import { measureThroughput } from './throughput.js'

export { RehearsalFailure, type PhaseContext, type RehearsalInput } from './run.js'

export async function rehearse(input: RehearsalInput): Promise<RehearsalEvidence> {
  const started = Date.now()
  const { options } = input
  const { server, ms } = await (input.server ?? startServer(options, input.resources, input.logger))
  const run = new Run(input, server, started)
  run.timings.postgres = ms

  const evidence = new Map<MigrationKey, MigrationEvidence>(input.added.map((key) => [key, emptyEvidence(key)]))
  const base = await prepareBase(run)
  const baseClient = await run.client(run.db.base)
  let before: Before = await run.phase('snapshot', async () => ({ data: await takeSnapshot(baseClient, { sampleRows: options.sampleRows }), schema: await takeSchema(baseClient) }))
  const baseTables = new Set(before.schema.tables.keys())

  run.db.run = await run.copy(run.db.base, 'run')
  run.db.oldSchema = await run.copy(run.db.base, 'oldschema')
  run.context.database = run.db.run
  await Promise.all([run.use('new', run.db.run), run.use('base', run.db.run)])

  const order = planned(await run.call('new', 'plan', {}), input.added, evidence)
  const baseData = new Set([...before.data.tables.values()].flatMap((table) => [table.table, ...table.columns.map((column) => `${table.table}.${column.name}`)]))
  const state: CycleState = { base, baseData, blamedOld: new Set() }
  await run.phase('forward', async () => {
    const failed = new Set<MigrationKey>()
    for (const [position, key] of order.entries()) {
      const entry = evidence.get(key) ?? emptyEvidence(key)
      evidence.set(key, entry)
      const blocker = [...(input.ancestors.get(key) ?? [])].find((ancestor) => failed.has(ancestor))
      if (blocker !== undefined) {
        notRehearsed(entry, `it depends on ${blocker}, which did not apply`)
        failed.add(key)
        continue
      }
      try {
        run.logger.info(`${key}: running (${position + 1} of ${order.length})`)
        before = await rehearseMigration(run, entry, before, state)
        run.logger.info(`${key}: ${outcomeOf(entry)}`)
      } catch (error) {
        if (!(error instanceof RehearsalTimeout)) throw error
        run.notes.push(error.message)
        for (const rest of order.slice(position)) {
          const cut = evidence.get(rest) ?? emptyEvidence(rest)
          if (cut.status === 'not-rehearsed' || rest === key) notRehearsed(cut, `${error.message} before it could run`)
          evidence.set(rest, cut)
        }
        break
      }
      if (entry.status !== 'applied') failed.add(key)
    }
  })

  await run.phase('rollback', () => rollBackPullRequest(run, order, evidence).catch((error: unknown) => {
    if (error instanceof RehearsalTimeout) run.notes.push(error.message)
    else run.notes.push(`rolling back the whole pull request could not be rehearsed: ${(error as Error).message}`)
  }))
  await run.phase('new-code-probes', () => probeNewCodeOnOldSchema(run, evidence, base).catch((error: unknown) => {
    run.notes.push(`the new code's probes on the old schema could not run: ${(error as Error).message}`)
  }))
  // Production's sizes: this runner's speeds, which the estimates scale from.
  const sizes =
    input.tableSizes === undefined
      ? undefined
      : await run.phase('throughput', () => measureThroughput(run)).then(
          (throughput): ProductionSizes => ({ source: options.tableStats ?? '', tables: input.tableSizes!.size, throughput, maxLockHoldMs: options.maxLockHoldMs }),
          (error: unknown) => {
            run.notes.push(`table-stats was given, but this runner's speed could not be measured, so every time is for the seeded rows: ${(error as Error).message}`)
            return undefined
          }
        )
  await input.onPhase?.('done', run.context)

  const prKeys = new Set(input.added)
  const ours = [...evidence.values()].filter((entry) => prKeys.has(entry.key))
  const extra = [...evidence.keys()].filter((key) => !prKeys.has(key))
  if (extra.length > 0) run.notes.push(`Django also ran ${extra.join(', ')}, which this pull request does not add`)
  return {
    info: {
      status: 'ran',
      provider: server.kind,
      postgresVersion: server.version,
      djangoVersion: run.info('new').django,
      pythonVersion: run.info('new').python,
      timings: run.timings,
      seededRows: base.seed?.totalRows ?? 0,
      migrationsPlanned: ours.filter((entry) => entry.status !== 'recorded-applied' && entry.status !== 'replaced').length,
      migrationsRehearsed: ours.filter((entry) => entry.status === 'applied' || entry.status === 'failed').length,
      ...(run.notes.length > 0 ? { notes: [...new Set(run.notes)] } : {}),
      ...run.baseInfo(),
      ...(sizes ? { sizes } : {})
    },
    migrations: evidence,
    seed: base.seed,
    inconclusiveModels: base.inconclusiveModels,
    baseTables: [...baseTables]
  }
}

const DDL = /^\s*(ALTER|CREATE|DROP|COMMENT)\b/i

/** One line of progress about a migration's cycle. */
function outcomeOf(entry: MigrationEvidence): string {
  const ms = (run: MigrationEvidence['forward']) => (run ? `${Math.round(run.ms)} ms` : '')
  if (entry.status === 'failed') return `does not apply: ${entry.forward?.error?.message.split('\n')[0] ?? 'failed'}`
  const repaired = entry.repairs.length > 0 ? `failed on the seeded rows, repaired ${entry.repairs.map((r) => `${r.rows} (${r.kind})`).join(', ')}, then ` : ''
  const back = entry.reverse === null ? '' : entry.reverse.error ? '; the reverse fails' : `; reversed in ${ms(entry.reverse)}${entry.reapply?.error ? ', does not re-apply' : ', re-applied'}`
  return `${repaired}applied in ${ms(entry.forward)}${back}`
}

function emptyEvidence(key: MigrationKey): MigrationEvidence {
  return {
    key,
    status: 'not-rehearsed',
    reason: 'the rehearsal did not reach it',
    firstRun: null,
    firstBasis: 'adversarial-seed',
    repairs: [],
    forward: null,
    basis: 'adversarial-seed',
    oldCode: { probed: false, failures: [], masked: [], unanswered: [] },
    newCode: { probed: false, failures: [], broken: [], unanswered: [] },
    reverse: null,
    rollback: null,
    reapply: null,
    dataLoss: [],
    dataLossMeasured: false,
    schemaDrift: [],
    contention: null,
    reverseContention: null,
    lockWaits: [],
    notes: []
  }
}

function notRehearsed(entry: MigrationEvidence, reason: string): void {
  entry.status = 'not-rehearsed'
  entry.reason = reason
}

/**
 * What `migrate` would run, in Django's order; the PR's migrations Django
 * would not run are marked with why (a squash recorded as applied, one Django
 * replaces by the migrations it squashes, one its loader does not see).
 */
function planned(plan: MigrationPlan, added: readonly MigrationKey[], evidence: Map<MigrationKey, MigrationEvidence>): MigrationKey[] {
  const inPlan = new Set(plan.plan)
  const applied = new Set(plan.applied)
  for (const key of added) {
    if (inPlan.has(key)) continue
    const entry = evidence.get(key)!
    const squash = plan.replacements[key]
    if (applied.has(key)) {
      entry.status = 'recorded-applied'
      entry.reason = squash
        ? `Django records it as applied without running it: the migrations it replaces (${squash.replaces.join(', ')}) are applied`
        : 'Django records it as applied already'
    } else if (squash && !squash.inGraph) {
      entry.status = 'replaced'
      entry.reason = `Django does not use this squash on a database where some of the migrations it replaces are applied: it runs the others (${squash.replaces.filter((k) => !applied.has(k)).join(', ') || 'none left'}) instead`
    } else {
      notRehearsed(entry, "Django would not run it: its loader does not see it in the new code's migration graph (is its app in INSTALLED_APPS?)")
    }
  }
  return plan.plan
}

/**
 * `migrate <app> <previous>` after the deploy: every migration of the PR
 * reversed, newest first, once all of them ran (a reverse can fail on what a
 * later migration did). On a copy; stops at the first that fails.
 */
async function rollBackPullRequest(run: Run, order: readonly MigrationKey[], evidence: Map<MigrationKey, MigrationEvidence>): Promise<void> {
  const applied = order.filter((key) => evidence.get(key)?.status === 'applied')
  if (applied.length < 2) return
  const copy = await run.copy(run.db.run, 'rollback')
  try {
    await run.use('new', copy)
    let stopped: MigrationKey | null = null
    for (const key of [...applied].reverse()) {
      const entry = evidence.get(key)!
      if (stopped !== null) {
        entry.rollbackSkipped = `not reached: rolling back the pull request stopped at ${stopped}`
        continue
      }
      const [app, name] = splitKey(key)
      entry.rollback = await run.call('new', 'unapply', { app, name }, run.migrationBudget())
      if (entry.rollback.error) stopped = key
    }
  } finally {
    await run.use('new', run.db.run)
    await run.drop(copy)
  }
}

/** New code on the old schema (deploy-code-first): probes that pass on the new schema and fail on the old, blamed on the migration behind them. */
async function probeNewCodeOnOldSchema(run: Run, evidence: Map<MigrationKey, MigrationEvidence>, base: BaseState): Promise<void> {
  const applied = [...evidence.values()].filter((entry) => entry.status === 'applied')
  if (applied.length === 0) return
  await run.use('new', run.db.run)
  const newModels = await run.call('new', 'models', {})
  const newTables = new Set(newModels.map((model) => model.table))
  const onNewSchema = await run.call('new', 'probe', {})
  const control = passingProbes(onNewSchema)
  // The new code failing on its own schema where the base code worked on its own: the PR's models and migrations disagree.
  for (const failure of newFailures(onNewSchema, base.passingProbes)) {
    const touching = applied.filter((entry) => touchedTables(entry.forward!.statements, newTables).has(failure.table))
    const app = failure.model.split('.')[0]
    const owner = touching.at(-1) ?? applied.filter((entry) => entry.key.startsWith(`${app}.`)).at(-1) ?? applied.at(-1)!
    owner.newCode.broken.push(...attributeFailures([failure], owner.forward!.statements))
  }
  await run.use('new', run.db.oldSchema)
  const onOldSchema = await run.call('new', 'probe', {})
  const failures = newFailures(onOldSchema, control)
  await run.use('new', run.db.run)
  for (const entry of applied) {
    entry.newCode.probed = true
    entry.newCode.unanswered = unansweredProbes(onOldSchema, onNewSchema, touchedTables(entry.forward!.statements, newTables))
  }
  for (const failure of failures) {
    const statementsOf = (entry: MigrationEvidence) => entry.forward!.statements
    const touching = applied.filter((entry) => touchedTables(statementsOf(entry), newTables).has(failure.table))
    // "column shop_book.stock does not exist": the migration whose schema change named that column
    // (a data migration's UPDATE names every column of the model, too).
    const names = namedIn(failure.message).filter((name) => name !== failure.table)
    const naming = (entry: MigrationEvidence, ddl: boolean) =>
      names.some((name) => namesColumn(statementsOf(entry).filter((statement) => DDL.test(statement.sql) === ddl), failure.table, name))
    const byDdl = touching.filter((entry) => naming(entry, true))
    const named = byDdl.length > 0 ? byDdl : touching.filter((entry) => naming(entry, false))
    const owners = named.length > 0 ? named : touching.length > 0 ? touching : applied.slice(-1)
    for (const owner of owners) owner.newCode.failures.push(...attributeFailures([failure], statementsOf(owner)))
  }
}
