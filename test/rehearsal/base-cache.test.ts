// The base-schema cache on real git, Django and Postgres: a hit restores the
// base instead of migrating and seeding and gives the same report as a miss;
// anything that decides the base misses; an entry that cannot be trusted is
// ignored with a warning, never used.
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Logger } from '../../src/lifecycle/logger.js'
import type { Report } from '../../src/model/report.js'
import { baseCacheKey, CACHE_FORMAT, type BaseCacheKeyInputs } from '../../src/rehearsal/base-cache.js'
import { djangoVenv } from '../support/python-envs.js'
import { BOOK_INITIAL, BOOK_MODEL, rehearseScenario, type Scenario } from '../support/rehearsal.js'

const dirs: string[] = []
const cacheDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'dmr-cache-test-'))
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

/** The team's seed holds a duplicate title: a unique constraint then fails on the team's rows, not only on made-up ones. */
const UNIQUE_TITLES: Scenario = {
  prModel: `${BOOK_MODEL.replace('title = models.CharField(max_length=100)', 'title = models.CharField(max_length=100, unique=True)')}    stock = models.IntegerField(default=0)\n`,
  pr: [
    { name: '0002_title_unique', operations: ['migrations.AlterField(model_name="book", name="title", field=models.CharField(max_length=100, unique=True))'] },
    { name: '0003_book_stock', operations: ['migrations.AddField(model_name="book", name="stock", field=models.IntegerField(default=0))'] }
  ],
  prFiles: { 'seed/books.sql': "INSERT INTO shop_book (title, note, pages) VALUES ('Dune', NULL, 412), ('Dune', 'again', 10);\n" }
}
const SEEDED = { seedSql: 'seed/books.sql' }

function capture(): Logger & { warnings: string[]; lines: string[] } {
  const warnings: string[] = []
  const lines: string[] = []
  return { warnings, lines, info: (m) => lines.push(m), warning: (m) => warnings.push(m), debug: () => {} }
}

/** What a reader of the report acts on, without what differs run to run (durations, database names). */
function essence(report: Report): unknown {
  const ms = (text: string): string => text.replace(/\d+(\.\d+)? ?(ms|s)\b/g, '<t>').replace(/dmr_[a-z0-9]+_\w+/g, '<db>')
  return {
    verdict: report.verdict,
    deployOrder: report.deployOrder,
    seededRows: report.rehearsal.seededRows,
    migrations: report.migrations.map((migration) => ({
      key: `${migration.app}.${migration.name}`,
      verdict: migration.verdict,
      rehearsal: { ...migration.rehearsal, repairs: migration.rehearsal.repairs.map((repair) => ({ ...repair, cause: ms(repair.cause) })) },
      findings: migration.findings.map((finding) => ({ ...finding, message: ms(finding.message), proof: finding.proof?.map(ms) })),
      facts: [migration.appliesOnSeededData.value, migration.backwardCompatible.value, migration.forwardCompatible.value, migration.reversible.value, migration.dataLoss.value],
      losses: migration.dataLoss.losses,
      failures: migration.backwardCompatible.failures,
      locks: migration.locks,
      statements: migration.statements.map((statement) => statement.sql),
      reverseStatements: migration.reverseStatements.map((statement) => statement.sql)
    }))
  }
}

describe('the base-schema cache', () => {
  it('restores the base on a hit, instead of migrating and seeding, and the report is the same as on the miss', async () => {
    const dir = cacheDir()
    const miss = (await rehearseScenario(UNIQUE_TITLES, { ...SEEDED, cacheDir: dir })).report
    expect(miss.rehearsal.status, miss.rehearsal.reason).toBe('ran')
    expect(miss.rehearsal.baseCache).toMatchObject({ status: 'miss', key: expect.stringMatching(/^dmr-base-[0-9a-f]{32}$/), saved: true })
    expect(miss.rehearsal.timings).toHaveProperty('migrate-base')
    expect(miss.rehearsal.timings).toHaveProperty('save-base')
    expect(readdirSync(dir)).toEqual([miss.rehearsal.baseCache!.key])

    const hit = (await rehearseScenario(UNIQUE_TITLES, { ...SEEDED, cacheDir: dir })).report
    expect(hit.rehearsal.baseCache).toMatchObject({ status: 'hit', key: miss.rehearsal.baseCache!.key })
    expect(hit.rehearsal.timings).toHaveProperty('restore-base')
    expect(hit.rehearsal.timings).not.toHaveProperty('migrate-base')
    expect(hit.rehearsal.timings).not.toHaveProperty('seed')
    expect(essence(hit)).toEqual(essence(miss))
    // The team's duplicate is still the team's after the restore: the unique constraint's failure is certain.
    const unique = hit.migrations[0]!
    expect(unique.rehearsal.repairs[0]).toMatchObject({ kind: 'unique', syntheticOnly: false })
    expect(unique.findings.find((finding) => finding.rule === 'add-unique')).toMatchObject({ severity: 'unsafe' })
    expect(hit.migrations[1]!.backwardCompatible.value).toBe(false)
  })

  it('misses when one base migration file changes, when Django changes, and when the seed inputs change', async () => {
    const dir = cacheDir()
    const plain: Scenario = { pr: [{ name: '0002_book_isbn', operations: ['migrations.AddField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True))'] }], prModel: `${BOOK_MODEL}    isbn = models.CharField(max_length=13, null=True)\n` }
    const first = (await rehearseScenario(plain, { cacheDir: dir })).report
    expect(first.rehearsal.baseCache).toMatchObject({ status: 'miss', saved: true })
    const key = first.rehearsal.baseCache!.key
    expect((await rehearseScenario(plain, { cacheDir: dir })).report.rehearsal.baseCache).toMatchObject({ status: 'hit', key })

    // One base migration file: a comment is enough.
    const edited = (await rehearseScenario({ ...plain, baseInitial: `${BOOK_INITIAL}# edited\n` }, { cacheDir: dir })).report
    expect(edited.rehearsal.baseCache).toMatchObject({ status: 'miss', saved: true })
    expect(edited.rehearsal.baseCache!.key).not.toBe(key)

    // Another Django (and Python) runs the base's migrations.
    const django = (await rehearseScenario(plain, { cacheDir: dir, python: djangoVenv('5.2').python })).report
    expect(django.rehearsal.status, django.rehearsal.reason).toBe('ran')
    expect(django.rehearsal.baseCache).toMatchObject({ status: 'miss' })
    expect(django.rehearsal.baseCache!.key).not.toBe(key)

    // The seed inputs: rows per table.
    const rows = (await rehearseScenario(plain, { cacheDir: dir, seedRows: 13 })).report
    expect(rows.rehearsal.baseCache).toMatchObject({ status: 'miss' })
    expect(rows.rehearsal.baseCache!.key).not.toBe(key)
    expect(new Set([key, edited.rehearsal.baseCache!.key, django.rehearsal.baseCache!.key, rows.rehearsal.baseCache!.key]).size).toBe(4)
  })

  it('ignores a truncated entry with a warning, migrates from zero, and replaces it', async () => {
    const dir = cacheDir()
    const plain: Scenario = { pr: [{ name: '0002_noop', operations: ['migrations.RunSQL("SELECT 1", migrations.RunSQL.noop)'] }] }
    const saved = (await rehearseScenario(plain, { cacheDir: dir })).report
    const key = saved.rehearsal.baseCache!.key!
    const archive = join(dir, key, 'base.dump')
    truncateSync(archive, Math.floor(readFileSync(archive).length / 2))

    const log = capture()
    const after = (await rehearseScenario(plain, { cacheDir: dir }, {}, log)).report
    expect(after.rehearsal.status, after.rehearsal.reason).toBe('ran')
    expect(after.rehearsal.baseCache).toMatchObject({ status: 'miss', key, saved: true, reason: expect.stringContaining('truncated') })
    expect(log.warnings.join('\n')).toMatch(/base-schema cache: the entry .* is ignored: its archive has \d+ bytes, \d+ were written \(truncated or replaced\); migrating the base from zero/)
    expect(after.rehearsal.timings).toHaveProperty('migrate-base')
    expect(essence(after)).toEqual(essence(saved))
    expect((await rehearseScenario(plain, { cacheDir: dir })).report.rehearsal.baseCache).toMatchObject({ status: 'hit', key })
  })

  it('ignores a corrupt entry and a foreign one (written for another key), with a warning each', async () => {
    const dir = cacheDir()
    const plain: Scenario = { pr: [{ name: '0002_noop', operations: ['migrations.RunSQL("SELECT 1", migrations.RunSQL.noop)'] }] }
    const key = (await rehearseScenario(plain, { cacheDir: dir })).report.rehearsal.baseCache!.key!
    const archive = join(dir, key, 'base.dump')
    const bytes = readFileSync(archive)
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff
    writeFileSync(archive, bytes)
    const corrupt = capture()
    const first = (await rehearseScenario(plain, { cacheDir: dir }, {}, corrupt)).report
    expect(first.rehearsal.baseCache).toMatchObject({ status: 'miss', reason: expect.stringContaining('(corrupt)') })
    expect(corrupt.warnings.join('\n')).toContain('is ignored')

    const entry = join(dir, key, 'entry.json')
    const record = JSON.parse(readFileSync(entry, 'utf8')) as { key: string }
    writeFileSync(entry, JSON.stringify({ ...record, key: 'dmr-base-00000000000000000000000000000000' }))
    const foreign = capture()
    const second = (await rehearseScenario(plain, { cacheDir: dir }, {}, foreign)).report
    expect(second.rehearsal.baseCache).toMatchObject({ status: 'miss', reason: expect.stringContaining('(a foreign entry)') })
    expect(foreign.warnings.join('\n')).toContain('is ignored')
  })
})

describe('the cache key', () => {
  const inputs: BaseCacheKeyInputs = {
    format: CACHE_FORMAT,
    tool: '0.1.0',
    migrations: [['shop.0001_initial', 'a'.repeat(40)], ['auth.0001_initial', 'b'.repeat(40)]],
    django: '5.2.19',
    python: '3.12.3',
    engine: 'django.db.backends.postgresql',
    postgresMajor: 17,
    settingsModule: 'project.settings',
    seed: { rows: 30, synthetic: true, sql: null, command: null, commandFiles: [] }
  }
  const key = baseCacheKey(inputs)

  it('does not depend on the order migrations are listed in', () => {
    expect(baseCacheKey({ ...inputs, migrations: [...inputs.migrations].reverse() })).toBe(key)
  })

  it('changes with every input that decides the base database', () => {
    const variants: BaseCacheKeyInputs[] = [
      { ...inputs, migrations: [['shop.0001_initial', 'c'.repeat(40)], inputs.migrations[1]!] },
      { ...inputs, migrations: [...inputs.migrations, ['shop.0002_more', 'd'.repeat(40)]] },
      { ...inputs, django: '6.1.3' },
      { ...inputs, python: '3.13.1' },
      { ...inputs, engine: 'django_zero_downtime_migrations.backends.postgres' },
      { ...inputs, postgresMajor: 16 },
      { ...inputs, settingsModule: 'project.settings_ci' },
      { ...inputs, tool: '0.2.0' },
      { ...inputs, seed: { ...inputs.seed, rows: 31 } },
      { ...inputs, seed: { ...inputs.seed, synthetic: false } },
      { ...inputs, seed: { ...inputs.seed, sql: 'e'.repeat(64) } },
      { ...inputs, seed: { ...inputs.seed, command: 'python manage.py loaddata books' } },
      { ...inputs, seed: { ...inputs.seed, command: 'python manage.py loaddata books.json', commandFiles: [['books.json', 'f'.repeat(64)]] } }
    ]
    const keys = variants.map(baseCacheKey)
    expect(new Set([key, ...keys]).size).toBe(variants.length + 1)
  })
})
