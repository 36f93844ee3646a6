// The base database: migrated by the base branch's code, seeded (the team's
// seed, then adversarial rows shaped by the models' choices and defaults),
// and the base code's own probes on it, which every later probe is compared
// with (a probe that fails on its own schema says nothing about a migration).
// Or, instead of migrating and seeding: restored from the base-schema cache
// (base-restore.ts), or copied from the team's snapshot (template.ts).
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DjangoBridgeError } from '../django/errors.js'
import type { FieldHint, ModelInfo, ModelProbe } from '../model/helper.js'
import type { SeedResult } from '../model/evidence.js'
import { readCatalog } from '../seed/catalog.js'
import { seedDatabase } from '../seed/seed.js'
import { passingProbes, roundTripControl, type RoundTripControl } from './probe-evidence.js'
import { RehearsalFailure, type Run } from './run.js'
import { openBaseCache, restoreBase, saveBase } from './base-restore.js'
import { baseFromTemplate } from './template.js'
import { runSeedCommand } from './user-seed.js'

export interface BaseState {
  models: ModelInfo[]
  tables: Set<string>
  seed: SeedResult | null
  /** Keys (as JSON) of the rows the team's seed wrote, per table; null when it wrote none. */
  userRows: Map<string, Set<string>> | null
  /** `model:probe` of the base code's probes that pass on the base schema. */
  passingProbes: Set<string>
  /** The base code's probes on the base schema, the control for every later probe of the base code. */
  controlProbes: ModelProbe[]
  /** The base code's write-then-read on its own schema. */
  roundTrips: RoundTripControl
  /** Models whose probes failed even on their own schema. */
  inconclusiveModels: string[]
}

const USER_ROWS_CAP = 10_000

export async function prepareBase(run: Run): Promise<BaseState> {
  const { options } = run
  const hasUserSeed = Boolean(options.seedSql || options.seedCommand)
  if (options.templateDatabase !== undefined) {
    const fromTemplate = await baseFromTemplate(run)
    return finishBase(run, fromTemplate.models, fromTemplate.seed, fromTemplate.userRows)
  }
  run.basis = options.syntheticSeed ? 'adversarial-seed' : hasUserSeed ? 'user-seed' : 'conforming-seed'
  const cache = options.cacheDir === undefined ? null : await openBaseCache(run)
  const restored = cache === null ? null : await restoreBase(run, cache)
  if (restored !== null) return finishBase(run, null, restored.seed, restored.userRows)

  run.db.base = await run.server.createDatabase({ label: 'base' })
  run.context.database = undefined
  await run.use('base', run.db.base)
  const migrated = await run.phase('migrate-base', async () => {
    try {
      const result = await run.call('base', 'migrateToLeaves', {}, 600_000)
      run.logger.info(`base: migrated a fresh database with the base branch's code (${result.applied.length} migrations, ${formatSeconds(result.ms)})`)
      return result.applied.length
    } catch (error) {
      throw new RehearsalFailure(baseMigrateMessage(error, run), { cause: error })
    }
  })

  const models = await run.call('base', 'models', {})
  const client = await run.client(run.db.base)
  let userRows: BaseState['userRows'] = null
  const seed = await run.phase('seed', async (): Promise<SeedResult | null> => {
    await runTeamSeed(run, client)
    const catalog = await readCatalog(client)
    if (hasUserSeed && options.syntheticSeed) userRows = await rowsOf(client, catalog.tables)
    if (!options.syntheticSeed) return null
    const seeded = await seedDatabase(client, catalog, { rowsPerTable: options.seedRows, hints: hintsOf(models) })
    run.logger.info(`base: seeded ${seeded.totalRows} rows into ${seeded.tables.filter((table) => table.rows > 0).length} tables`)
    return seeded
  })
  if (cache !== null) await saveBase(run, cache, { migrated, seed, userRows })
  return finishBase(run, models, seed, userRows)
}

/** The team's own seed (seed-sql, then seed-command) on the base database. */
export async function runTeamSeed(run: Run, client: Awaited<ReturnType<Run['client']>>): Promise<void> {
  const { options } = run
  if (options.seedSql) await client.query(await readSeedSql(options.seedSql, [run.input.checkouts.base, run.input.checkouts.new]))
  if (options.seedCommand) await runSeedCommand(options.seedCommand, run.processOptions('base'), run.remaining(600_000), run.logger)
}

/** The base code's models and its probes on the base database: the controls every later probe is compared with. */
async function finishBase(run: Run, known: ModelInfo[] | null, seed: SeedResult | null, userRows: BaseState['userRows']): Promise<BaseState> {
  await run.use('base', run.db.base)
  const models = known ?? (await run.call('base', 'models', {}))
  const [probes, roundTrips] = [await run.call('base', 'probe', {}), await run.call('base', 'roundTrip', {})]
  return {
    models,
    tables: new Set(models.map((model) => model.table)),
    seed,
    userRows,
    passingProbes: passingProbes(probes),
    controlProbes: probes,
    roundTrips: roundTripControl(roundTrips),
    inconclusiveModels: probes.filter((probe) => probe.select.ok === false || probe.insert.ok === false || probe.update.ok === false).map((probe) => probe.model)
  }
}

export function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}

/** Hints per table and column, from the base code's models. */
export function hintsOf(models: readonly ModelInfo[]): Map<string, Map<string, FieldHint>> {
  const hints = new Map<string, Map<string, FieldHint>>()
  for (const model of models) {
    for (const field of model.fields) {
      if (!hints.has(model.table)) hints.set(model.table, new Map())
      hints.get(model.table)!.set(field.column, field)
    }
  }
  return hints
}

/** The primary keys of the rows the team's seed wrote. */
export async function rowsOf(client: Awaited<ReturnType<Run['client']>>, tables: ReadonlyArray<{ name: string; primaryKey: string[] | null }>): Promise<Map<string, Set<string>>> {
  const rows = new Map<string, Set<string>>()
  for (const table of tables) {
    if (!table.primaryKey || table.primaryKey.length === 0) continue
    const result = await client.query<string[]>({
      text: `SELECT ${table.primaryKey.map((column) => `"${column.replace(/"/g, '""')}"::text`).join(', ')} FROM "${table.name.replace(/"/g, '""')}" LIMIT ${USER_ROWS_CAP}`,
      rowMode: 'array'
    })
    if (result.rows.length > 0) rows.set(table.name, new Set(result.rows.map((key) => JSON.stringify(key))))
  }
  return rows
}

/** Why the base did not migrate, with the input that fixes the usual cause. */
function baseMigrateMessage(error: unknown, run: Run): string {
  const message = (error as Error).message
  const apiError = error instanceof DjangoBridgeError && /^(TypeError|AttributeError|ImportError|ModuleNotFoundError)$/.test(error.exception ?? '')
  const sameInterpreter = run.input.python.base.options.python === run.input.python.new.options.python
  if (apiError && sameInterpreter) {
    return (
      `${message}. The base branch's migrations ran with ${run.info('base').python ? `Django ${run.info('base').django}` : 'the new code\'s Django'}: ` +
      'if this pull request upgrades Django, the base may use an API the new version removed; set base-python (--base-python) ' +
      "to an interpreter with the base branch's requirements"
    )
  }
  return message
}

/** The seed SQL file from the base checkout, or from the PR's when the PR adds it. */
export async function readSeedSql(path: string, checkouts: string[]): Promise<string> {
  for (const dir of checkouts) {
    try {
      return await readFile(join(dir, path), 'utf8')
    } catch {
      // try the next checkout
    }
  }
  throw new RehearsalFailure(`the seed-sql file '${path}' is neither in the base branch nor in the pull request (the path is relative to the repository root)`)
}
