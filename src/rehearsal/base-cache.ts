// The base-schema cache: the base database, once migrated from zero by the
// base branch's code and seeded, kept in `cache-dir` as a pg_dump archive,
// keyed by a hash of everything that decides it. A later run with the same
// key restores the archive instead of migrating and seeding (on netbox, most
// of a rehearsal). An entry is trusted only when its own record names the
// key asked for and the archive's size and SHA-256 match that record; any
// other entry (truncated, corrupt, written for another key) is ignored with a
// warning and replaced.
//
//   <cache-dir>/<key>/entry.json   the record: key, what went into it, the archive's checksum, the seed
//   <cache-dir>/<key>/base.dump    pg_dump --format=custom of the base database
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { SeedResult } from '../model/evidence.js'
import type { MigrationKey } from '../model/migration.js'

/** Bumped whenever what an entry holds, or how the seeder fills a database, changes meaning. */
export const CACHE_FORMAT = 1
/** Entries kept in the folder; older ones are removed when a new one is saved. */
export const CACHE_ENTRIES_KEPT = 3
const ENTRY = 'entry.json'
const ARCHIVE = 'base.dump'
const KEY_PATTERN = /^dmr-base-[0-9a-f]{32}$/

/** Everything that decides the base database; the key is a hash of it. */
export interface BaseCacheKeyInputs {
  format: number
  /** The tool's version: its seeder decides the rows. */
  tool: string
  /** Every migration of the base branch Django's loader sees (the project's and installed packages'), with the id of its content. */
  migrations: ReadonlyArray<readonly [MigrationKey, string]>
  django: string
  python: string
  /** The database ENGINE: a backend of its own may run migrations differently. */
  engine: string
  postgresMajor: number
  settingsModule: string
  seed: {
    rows: number
    synthetic: boolean
    /** SHA-256 of the seed-sql file's content. */
    sql: string | null
    command: string | null
    /** Files of the base checkout the seed command names, with their SHA-256. */
    commandFiles: ReadonlyArray<readonly [string, string]>
  }
}

/** What an entry records besides the archive. */
export interface BaseCacheRecord {
  format: number
  key: string
  inputs: BaseCacheKeyInputs
  archive: { bytes: number; sha256: string }
  postgresVersion: string
  /** Migrations applied to the base. */
  migrated: number
  seed: SeedResult | null
  /** Primary keys (as JSON) of the rows the team's seed wrote, per table: they stay the team's after a restore. */
  userRows: Array<[string, string[]]> | null
  createdAt: string
}

export type CacheLookup =
  | { found: true; record: BaseCacheRecord; archive: string }
  | { found: false; reason: string; /** Whether the entry was there but could not be trusted (warn). */ ignored: boolean }

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/** `dmr-base-` and 32 hex digits of the SHA-256 of the inputs, in a fixed order (sorted lists). */
export function baseCacheKey(inputs: BaseCacheKeyInputs): string {
  const byFirst = (a: readonly [string, string], b: readonly [string, string]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)
  const { seed } = inputs
  const canonical = JSON.stringify([
    inputs.format,
    inputs.tool,
    inputs.django,
    inputs.python,
    inputs.engine,
    inputs.postgresMajor,
    inputs.settingsModule,
    [seed.rows, seed.synthetic, seed.sql, seed.command, [...seed.commandFiles].sort(byFirst)],
    [...inputs.migrations].sort(byFirst)
  ])
  return `dmr-base-${sha256(canonical).slice(0, 32)}`
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

export class BaseCache {
  readonly dir: string

  constructor(dir: string) {
    this.dir = dir
  }

  /** The entry for `key`, verified; or why there is none to use. */
  async lookup(key: string): Promise<CacheLookup> {
    const folder = join(this.dir, key)
    let text: string
    try {
      text = await readFile(join(folder, ENTRY), 'utf8')
    } catch {
      return { found: false, reason: `no entry for ${key} in ${this.dir}`, ignored: false }
    }
    const ignored = (reason: string): CacheLookup => ({ found: false, reason: `the entry ${folder} is ignored: ${reason}`, ignored: true })
    let record: BaseCacheRecord
    try {
      record = JSON.parse(text) as BaseCacheRecord
    } catch (error) {
      return ignored(`its ${ENTRY} is not valid JSON (${(error as Error).message})`)
    }
    if (typeof record !== 'object' || record === null) return ignored(`its ${ENTRY} is not a record`)
    if (record.format !== CACHE_FORMAT) return ignored(`it was written in format ${String(record.format)}, this version reads format ${CACHE_FORMAT}`)
    if (record.key !== key) return ignored(`it records the key ${String(record.key)}, not ${key} (a foreign entry)`)
    if (typeof record.archive?.sha256 !== 'string' || typeof record.archive.bytes !== 'number') return ignored('it records no checksum for its archive')
    const archive = join(folder, ARCHIVE)
    let size: number
    try {
      size = (await stat(archive)).size
    } catch {
      return ignored(`its archive ${ARCHIVE} is missing`)
    }
    if (size !== record.archive.bytes) return ignored(`its archive has ${size} bytes, ${record.archive.bytes} were written (truncated or replaced)`)
    const actual = await fileSha256(archive)
    if (actual !== record.archive.sha256) return ignored(`its archive's SHA-256 is ${actual.slice(0, 12)}…, ${record.archive.sha256.slice(0, 12)}… was written (corrupt)`)
    return { found: true, record, archive }
  }

  /**
   * Saves an entry: `write` puts the archive at the path it is given; the
   * entry appears under its key only once complete (a folder renamed into
   * place), so a reader never sees half of one. Older entries beyond
   * CACHE_ENTRIES_KEPT are removed.
   */
  async save(key: string, write: (archive: string) => Promise<void>, record: Omit<BaseCacheRecord, 'archive' | 'key' | 'format' | 'createdAt'>): Promise<{ bytes: number }> {
    await mkdir(this.dir, { recursive: true })
    const staging = join(this.dir, `.tmp-${key}-${randomBytes(4).toString('hex')}`)
    await mkdir(staging)
    try {
      const archive = join(staging, ARCHIVE)
      await write(archive)
      const bytes = (await stat(archive)).size
      const full: BaseCacheRecord = { format: CACHE_FORMAT, key, ...record, archive: { bytes, sha256: await fileSha256(archive) }, createdAt: new Date().toISOString() }
      await writeFile(join(staging, ENTRY), `${JSON.stringify(full)}\n`)
      const target = join(this.dir, key)
      await rm(target, { recursive: true, force: true })
      await rename(staging, target)
      await this.prune(key)
      return { bytes }
    } finally {
      await rm(staging, { recursive: true, force: true })
    }
  }

  /** Removes entries (and leftover staging folders) beyond the newest CACHE_ENTRIES_KEPT; never `keep`. */
  private async prune(keep: string): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[])
    const entries: Array<{ name: string; at: number }> = []
    for (const name of names) {
      if (name.startsWith('.tmp-dmr-base-')) {
        const at = (await stat(join(this.dir, name)).catch(() => null))?.mtimeMs ?? 0
        if (Date.now() - at > 24 * 3600_000) await rm(join(this.dir, name), { recursive: true, force: true })
        continue
      }
      if (!KEY_PATTERN.test(name) || name === keep) continue
      entries.push({ name, at: (await stat(join(this.dir, name, ENTRY)).catch(() => null))?.mtimeMs ?? 0 })
    }
    entries.sort((a, b) => b.at - a.at)
    for (const old of entries.slice(CACHE_ENTRIES_KEPT - 1)) await rm(join(this.dir, old.name), { recursive: true, force: true })
  }
}
