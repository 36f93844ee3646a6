// The base-schema cache in the rehearsal: the key from what decides the base
// database, a restore instead of migrating and seeding on a hit, a save after
// a miss. The cache never decides a fact: an entry that cannot be trusted, a
// restore that fails or a save that fails is a warning, and the run migrates
// from zero as it would without a cache.
import { readFile, stat } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import type { SeedResult } from '../model/evidence.js'
import type { BaseCacheInfo } from '../model/report.js'
import { TOOL_VERSION } from '../model/version.js'
import { serverMajor } from '../postgres/dump.js'
import { BaseCache, baseCacheKey, CACHE_FORMAT, sha256, type BaseCacheKeyInputs } from './base-cache.js'
import { formatSeconds, readSeedSql, type BaseState } from './base.js'
import type { Run } from './run.js'

export interface OpenCache {
  cache: BaseCache
  key: string
  inputs: BaseCacheKeyInputs
}

/** The cache and this run's key; null (with the reason in the report) when no key can be made. */
export async function openBaseCache(run: Run): Promise<OpenCache | null> {
  const dir = resolve(run.options.cacheDir!)
  try {
    const [unavailable, inputs] = await Promise.all([run.server.dumpUnavailable(), keyInputs(run)])
    if (unavailable !== null) throw new Error(unavailable)
    const key = baseCacheKey(inputs)
    return { cache: new BaseCache(dir), key, inputs }
  } catch (error) {
    const reason = `the base-schema cache is not used: ${(error as Error).message}`
    run.logger.warning(reason)
    run.baseCache = { status: 'unavailable', key: null, reason }
    return null
  }
}

/** Everything that decides the base database (see BaseCacheKeyInputs). */
export async function keyInputs(run: Run): Promise<BaseCacheKeyInputs> {
  const { options, input } = run
  const migrations = input.baseMigrations
  if (migrations === undefined || migrations.length === 0) throw new Error("Django's loader did not say which migrations the base branch has")
  const unreadable = migrations.find(([, id]) => id === null)
  if (unreadable) throw new Error(`the source of ${unreadable[0]} cannot be read, so a change to it would go unnoticed`)
  const info = run.info('base')
  const seedSql = options.seedSql ? sha256(await readSeedSql(options.seedSql, [input.checkouts.base, input.checkouts.new])) : null
  return {
    format: CACHE_FORMAT,
    tool: TOOL_VERSION,
    migrations: migrations.map(([key, id]) => [key, id!] as const),
    django: info.django,
    python: info.python,
    engine: info.engine,
    postgresMajor: serverMajor(run.server.versionNumber),
    settingsModule: run.processOptions('base').settingsModule,
    seed: {
      rows: options.syntheticSeed ? options.seedRows : 0,
      synthetic: options.syntheticSeed,
      sql: seedSql,
      command: options.seedCommand ?? null,
      commandFiles: options.seedCommand ? await filesNamedBy(options.seedCommand, [run.processOptions('base').projectDir, input.checkouts.base]) : []
    }
  }
}

/**
 * Files of the base checkout a seed command names (`loaddata fixtures/books.json`),
 * with their SHA-256: a fixture that changes misses the cache. Files the
 * command reads without naming them are not seen.
 */
async function filesNamedBy(command: string, dirs: readonly string[]): Promise<Array<readonly [string, string]>> {
  const files: Array<readonly [string, string]> = []
  for (const raw of command.split(/\s+/)) {
    const token = raw.replace(/^['"]|['"]$/g, '')
    if (token === '' || token.startsWith('-') || isAbsolute(token) || token.split('/').includes('..')) continue
    for (const dir of dirs) {
      const path = join(dir, token)
      const found = await stat(path).catch(() => null)
      if (!found?.isFile()) continue
      files.push([token, sha256(await readFile(path))])
      break
    }
  }
  return files
}

/** On a hit, the base database restored from the cache, with the seed it was saved with; null to migrate from zero. */
export async function restoreBase(run: Run, open: OpenCache): Promise<{ seed: SeedResult | null; userRows: BaseState['userRows'] } | null> {
  const { cache, key } = open
  const lookup = await cache.lookup(key)
  if (!lookup.found) {
    if (lookup.ignored) run.logger.warning(`base-schema cache: ${lookup.reason}; migrating the base from zero`)
    else run.logger.info(`base-schema cache: ${lookup.reason}; migrating the base from zero`)
    run.baseCache = { status: 'miss', key, reason: lookup.reason }
    return null
  }
  const { record, archive } = lookup
  try {
    return await run.phase('restore-base', async () => {
      const started = performance.now()
      run.db.base = await run.server.restoreDatabase(archive, { label: 'base' })
      run.context.database = undefined
      const ms = Math.round(performance.now() - started)
      run.baseCache = { status: 'hit', key, ms, bytes: record.archive.bytes }
      run.logger.info(`base: restored from the base-schema cache (${key}: ${record.migrated} migrations, ${record.seed?.totalRows ?? 0} seeded rows, in ${formatSeconds(ms)})`)
      const userRows = record.userRows === null ? null : new Map(record.userRows.map(([table, keys]) => [table, new Set(keys)] as const))
      return { seed: record.seed, userRows }
    })
  } catch (error) {
    const reason = `restoring the entry ${key} failed: ${(error as Error).message}`
    run.logger.warning(`base-schema cache: ${reason}; migrating the base from zero`)
    run.baseCache = { status: 'miss', key, reason }
    return null
  }
}

/** After a miss: the migrated and seeded base written to the cache under this run's key. */
export async function saveBase(run: Run, open: OpenCache, made: { migrated: number; seed: SeedResult | null; userRows: BaseState['userRows'] }): Promise<void> {
  const info: BaseCacheInfo = run.baseCache ?? { status: 'miss', key: open.key }
  run.baseCache = info
  await run.phase('save-base', async () => {
    const started = performance.now()
    try {
      // pg_dump opens a session of its own on the base: ours are closed first, as for a copy.
      const { bytes } = await open.cache.save(open.key, (archive) => run.server.dumpDatabase(run.db.base, archive), {
        inputs: open.inputs,
        postgresVersion: run.server.version,
        migrated: made.migrated,
        seed: made.seed,
        userRows: made.userRows === null ? null : [...made.userRows].map(([table, keys]) => [table, [...keys]])
      })
      info.saved = true
      info.ms = Math.round(performance.now() - started)
      info.bytes = bytes
      run.logger.info(`base-schema cache: saved the base as ${open.key} (${Math.round(bytes / 1024)} KiB, ${formatSeconds(info.ms)})`)
    } catch (error) {
      info.saved = false
      info.reason = `${info.reason ? `${info.reason}; ` : ''}saving it failed: ${(error as Error).message}`
      run.logger.warning(`base-schema cache: the base could not be saved: ${(error as Error).message}`)
    }
  })
}
