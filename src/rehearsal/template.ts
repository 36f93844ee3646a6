// The base database as a copy of the team's snapshot (template-database): a
// restored, anonymised copy of production on a staging server. The template
// is only ever the source of CREATE DATABASE … TEMPLATE; the run never
// connects to it, so it cannot write to it. The copy must be at the base
// branch's migrations: behind, it is migrated forward on the copy only when
// `template-migrate` asks for it; ahead or diverged, the run refuses, naming
// the migrations that differ. The team's seed-sql and seed-command run on the
// copy; synthetic rows (when asked for) only fill tables the snapshot leaves empty.
import type { SeedResult } from '../model/evidence.js'
import type { ModelInfo } from '../model/helper.js'
import type { MigrationKey } from '../model/migration.js'
import type { TemplateInfo } from '../model/report.js'
import { TemplateDatabaseError } from '../postgres/types.js'
import { readCatalog } from '../seed/catalog.js'
import { seedDatabase } from '../seed/seed.js'
import { formatSeconds, hintsOf, runTeamSeed, type BaseState } from './base.js'
import { RehearsalFailure, type Run } from './run.js'

/** The template's django_migrations and the base branch's graph disagree; nothing was run on the copy. */
export class TemplateMigrationsError extends RehearsalFailure {
  /** The base branch's migrations the template has not applied (migrating the copy forward applies them). */
  readonly missing: MigrationKey[]
  /** Migrations the template records that the base branch does not have (migrating forward cannot undo them). */
  readonly extra: MigrationKey[]
  constructor(message: string, missing: MigrationKey[], extra: MigrationKey[]) {
    super(message)
    this.name = 'TemplateMigrationsError'
    this.missing = missing
    this.extra = extra
  }
}

/**
 * Every row of a table the snapshot (or the team's seed) filled is the
 * team's: the set answers yes for any key, so a repair of such a table is
 * never put down to the seeder's made-up rows.
 */
class EveryRow extends Set<string> {
  override has(): boolean {
    return true
  }
}

/** Tables with more rows than this many times sample-rows are counted from the planner's statistics. */
const EXACT_COUNT_FACTOR = 20

export async function baseFromTemplate(run: Run): Promise<{ models: ModelInfo[]; seed: SeedResult | null; userRows: BaseState['userRows'] }> {
  const { options } = run
  const template = options.templateDatabase!
  run.basis = 'template-database'
  const info: TemplateInfo = { database: template, copyMs: 0, bytes: 0, tables: [] }
  run.template = info
  await run.phase('copy-template', async () => {
    const started = performance.now()
    run.db.base = await run.server.copyTemplate(template, { label: 'base' })
    info.copyMs = Math.round(performance.now() - started)
  })
  run.context.database = undefined
  const client = await run.client(run.db.base)
  await refuseForeignOwners(client, template)
  info.bytes = Number((await client.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes')).rows[0]!.bytes)
  run.logger.info(`base: copied the template database ${template} (${formatBytes(info.bytes)}) in ${formatSeconds(info.copyMs)}`)

  await run.use('base', run.db.base)
  const plan = await run.call('base', 'plan', {})
  const known = new Set((run.input.baseMigrations ?? []).map(([key]) => key))
  const apps = new Set([...known].map((key) => key.slice(0, key.indexOf('.'))))
  // Rows for apps the base branch no longer has (an app removed long ago) are left alone, as `migrate` leaves them.
  const extra = plan.applied.filter((key) => !known.has(key) && apps.has(key.slice(0, key.indexOf('.'))))
  const missing = plan.plan
  if (extra.length > 0 || (missing.length > 0 && !options.templateMigrate)) throw mismatch(template, missing, extra, plan.applied.length)
  if (missing.length > 0) {
    await run.phase('migrate-base', async () => {
      try {
        const migrated = await run.call('base', 'migrateToLeaves', {}, 600_000)
        info.migratedForward = migrated.applied
        run.logger.info(`base: migrated the copy of ${template} forward to the base branch (${migrated.applied.length} migrations, ${formatSeconds(migrated.ms)})`)
      } catch (error) {
        throw new RehearsalFailure(`the copy of the template database '${template}' could not be migrated forward to the base branch: ${(error as Error).message}`, { cause: error })
      }
    })
  }

  const models = await run.call('base', 'models', {})
  let userRows: BaseState['userRows'] = null
  const seed = await run.phase('seed', async (): Promise<SeedResult | null> => {
    await runTeamSeed(run, client)
    const catalog = await readCatalog(client)
    const counts = await rowCounts(client, catalog.tables.map((table) => table.name), options.sampleRows)
    const filled = new Set(counts.filter((count) => count.rows > 0).map((count) => count.table))
    userRows = new Map([...filled].map((table) => [table, new EveryRow()] as const))
    if (!options.syntheticSeed) {
      info.tables = counts
      return null
    }
    const seeded = await seedDatabase(client, catalog, { rowsPerTable: options.seedRows, hints: hintsOf(models), excludeTables: [...filled] })
    run.logger.info(`base: seeded ${seeded.totalRows} synthetic rows into ${seeded.tables.filter((table) => table.rows > 0).length} tables the snapshot leaves empty`)
    info.tables = await rowCounts(client, catalog.tables.map((table) => table.name), options.sampleRows)
    return seeded
  })
  return { models, seed, userRows }
}

/**
 * The copy's tables keep their owners: a login that neither owns them (nor is a
 * member of their owner) nor is a superuser cannot run the PR's ALTER TABLEs.
 */
async function refuseForeignOwners(client: Awaited<ReturnType<Run['client']>>, template: string): Promise<void> {
  const { rows } = await client.query<{ me: string; foreign: string; owner: string | null }>(
    `SELECT current_user AS me, count(*)::text AS foreign, min(pg_get_userbyid(c.relowner)) AS owner
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
        AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
        AND NOT pg_has_role(current_user, c.relowner, 'USAGE')
        AND NOT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false)`
  )
  const row = rows[0]!
  if (Number(row.foreign) === 0) return
  throw new TemplateDatabaseError(
    'privilege',
    `${row.foreign} table(s) and sequence(s) of the template database '${template}' belong to ${row.owner}, and the role ${row.me} is neither that role (nor a member of it) nor a superuser, so the pull request's migrations could not alter them on the copy: restore the snapshot as ${row.me} (pg_restore --no-owner --role=${row.me}), or make ${row.me} the owner of its tables`
  )
}

/** Why the run refuses the template: which migrations differ, and whether migrating the copy forward fixes it. */
function mismatch(template: string, missing: MigrationKey[], extra: MigrationKey[], applied: number): TemplateMigrationsError {
  const list = (keys: readonly string[]): string => `${keys.slice(0, 10).join(', ')}${keys.length > 10 ? ` and ${keys.length - 10} more` : ''}`
  const parts: string[] = []
  if (applied === 0) parts.push(`the template database '${template}' has no Django migrations recorded (no django_migrations rows): is it the snapshot of this project?`)
  else if (missing.length > 0) parts.push(`the template database '${template}' is behind the base branch: it lacks ${missing.length} of its migrations (${list(missing)})`)
  if (extra.length > 0) {
    parts.push(
      `${parts.length > 0 ? 'and it' : `the template database '${template}'`} records ${extra.length} migration(s) the base branch does not have (${list(extra)}): it is ahead of the base branch or from another branch. Migrating the copy forward would not fix that; restore a snapshot taken at the base branch's migrations`
    )
  } else {
    parts.push("migrating the copy forward with the base branch's code would fix this: set template-migrate: true (--template-migrate true) to do that on the copy (the template is not touched), or restore a newer snapshot")
  }
  return new TemplateMigrationsError(parts.join('; '), missing, extra)
}

/** Rows per table: counted, or estimated from the planner's statistics for tables far past sample-rows. */
async function rowCounts(client: Awaited<ReturnType<Run['client']>>, tables: readonly string[], sampleRows: number): Promise<TemplateInfo['tables']> {
  const { rows } = await client.query<{ table: string; estimate: string }>(
    "SELECT c.relname AS table, c.reltuples::bigint::text AS estimate FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname = ANY($1)",
    [tables]
  )
  const counts: TemplateInfo['tables'] = []
  for (const row of rows.sort((a, b) => (a.table < b.table ? -1 : 1))) {
    const estimate = Number(row.estimate)
    if (estimate > sampleRows * EXACT_COUNT_FACTOR) {
      counts.push({ table: row.table, rows: estimate, estimated: true })
      continue
    }
    const counted = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${row.table.replace(/"/g, '""')}"`)
    counts.push({ table: row.table, rows: Number(counted.rows[0]!.n) })
  }
  return counts
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`
}
