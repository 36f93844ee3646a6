// Data snapshots of a seeded database, and what compareData finds after
// the kinds of change a migration (or its reverse) makes.
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compareData, SNAPSHOT_ROW_CAP, takeSnapshot, type DataSnapshot, type TableComparison } from '../../src/rehearsal/snapshot.js'
import { readCatalog } from '../../src/seed/catalog.js'
import { seedDatabase } from '../../src/seed/seed.js'
import { startTestPostgres, type TestPostgres } from '../support/postgres.js'
import { djangoShopDatabase } from '../seed/django-shop.js'

const ROWS = 30

let pgt: TestPostgres
let template: string

beforeAll(async () => {
  pgt = await startTestPostgres()
  // One seeded database, copied for each test.
  template = await djangoShopDatabase(pgt.server, 'snapshot_template')
  const client = await pgt.client(template)
  await seedDatabase(client, await readCatalog(client), { rowsPerTable: ROWS, seed: 3 })
  await client.end()
})
afterAll(() => pgt?.cleanup())

/** A copy of the seeded database, with its snapshot taken. */
async function seededCopy(label: string): Promise<{ client: pg.Client; before: DataSnapshot }> {
  const client = await pgt.client(await pgt.server.createDatabase({ template, label }))
  return { client, before: await takeSnapshot(client) }
}

const tableOf = (comparison: ReturnType<typeof compareData>, name: string): TableComparison => comparison.tables.find((table) => table.table === name)!

describe('takeSnapshot', () => {
  it('records per table its primary key, row count, column checksums and rows keyed by primary key', async () => {
    const { before } = await seededCopy('shape')
    expect(before.tables.has('django_migrations')).toBe(false)
    const book = before.tables.get('shop_book')!
    expect(book.primaryKey).toEqual(['id'])
    expect(book.rowCount).toBe(ROWS)
    expect(book.columns.find((column) => column.name === 'title')).toMatchObject({ dataType: 'character varying(200)', nonNull: ROWS, checksum: expect.stringMatching(/^[0-9a-f]{32}$/) })
    expect(book.columns.find((column) => column.name === 'subtitle')!.nonNull).toBeLessThan(ROWS)
    expect(book.rows!.size).toBe(ROWS)
    expect(book.rows!.get('["1"]')![1]).toBe('item1')
  })
})

describe('compareData', () => {
  it('finds nothing when nothing changed', async () => {
    const { client, before } = await seededCopy('unchanged')
    const comparison = compareData(before, await takeSnapshot(client))
    expect(comparison).toMatchObject({ complete: true, rowsLost: 0, valuesChanged: 0 })
    for (const table of comparison.tables) {
      expect(table).toMatchObject({ vanished: false, rowsLost: 0, complete: true })
      expect(table.columns.filter((column) => column.vanished || column.valuesChanged > 0 || column.checksumChanged)).toEqual([])
    }
  })

  it("finds a dropped column's non-NULL values", async () => {
    const { client, before } = await seededCopy('drop_column')
    const nonNull = before.tables.get('shop_book')!.columns.find((column) => column.name === 'subtitle')!.nonNull
    await client.query('ALTER TABLE shop_book DROP COLUMN subtitle')
    const comparison = compareData(before, await takeSnapshot(client))
    const book = tableOf(comparison, 'shop_book')
    expect(book.columns.filter((column) => column.vanished)).toEqual([
      expect.objectContaining({ column: 'subtitle', vanished: true, nonNullBefore: nonNull, typeBefore: 'character varying(50)', typeAfter: null })
    ])
    expect(nonNull).toBeGreaterThan(0)
    expect(book.rowsLost).toBe(0)
    expect(comparison.valuesChanged).toBe(nonNull)
  })

  it('finds deleted rows by primary key', async () => {
    const { client, before } = await seededCopy('delete_rows')
    await client.query('DELETE FROM shop_review WHERE id IN (2, 5, 7)')
    const review = tableOf(compareData(before, await takeSnapshot(client)), 'shop_review')
    expect(review).toMatchObject({ rowsBefore: ROWS, rowsAfter: ROWS - 3, rowsLost: 3, lostKeys: [['2'], ['5'], ['7']], complete: true })
  })

  it('finds values an UPDATE changed or set to NULL, not NULLs that stayed NULL', async () => {
    const { client, before } = await seededCopy('update')
    await client.query(`UPDATE shop_book SET title = 'changed' WHERE id <= 4`)
    // subtitle: all rows NULL now; only the rows that had a value count.
    await client.query('UPDATE shop_book SET subtitle = NULL')
    const book = tableOf(compareData(before, await takeSnapshot(client)), 'shop_book')
    const title = book.columns.find((column) => column.column === 'title')!
    expect(title.valuesChanged).toBe(4)
    expect(title.examples[0]).toEqual({ key: ['1'], before: 'item1', after: 'changed' })
    const subtitle = book.columns.find((column) => column.column === 'subtitle')!
    expect(subtitle.valuesChanged).toBe(before.tables.get('shop_book')!.columns.find((column) => column.name === 'subtitle')!.nonNull)
    expect(book.columns.filter((column) => column.valuesChanged > 0).map((column) => column.column)).toEqual(['title', 'subtitle'])
  })

  it('finds a table that vanished, with its rows', async () => {
    const { client, before } = await seededCopy('drop_table')
    await client.query('DROP TABLE shop_coupon')
    const comparison = compareData(before, await takeSnapshot(client))
    expect(tableOf(comparison, 'shop_coupon')).toMatchObject({ vanished: true, rowsBefore: ROWS, rowsLost: ROWS })
  })

  it('follows a renamed column and a renamed table instead of calling them lost', async () => {
    const { client, before } = await seededCopy('rename')
    await client.query('ALTER TABLE shop_book RENAME COLUMN subtitle TO tagline; ALTER TABLE shop_coupon RENAME TO shop_voucher')
    const comparison = compareData(before, await takeSnapshot(client))
    expect(tableOf(comparison, 'shop_book').columns.find((column) => column.column === 'subtitle')).toMatchObject({ vanished: false, renamedTo: 'tagline', valuesChanged: 0 })
    expect(tableOf(comparison, 'shop_coupon')).toMatchObject({ vanished: false, renamedTo: 'shop_voucher', rowsLost: 0, complete: true })
    expect(comparison).toMatchObject({ rowsLost: 0, valuesChanged: 0 })
  })

  it('compares a table without a primary key by counts and checksums only, and says so', async () => {
    const { client } = await seededCopy('no_pk')
    await client.query('CREATE TABLE shop_log (message text, level integer); INSERT INTO shop_log SELECT g::text, g FROM generate_series(1, 10) g')
    const before = await takeSnapshot(client)
    await client.query('UPDATE shop_log SET message = NULL WHERE level = 3; DELETE FROM shop_log WHERE level = 4')
    const log = tableOf(compareData(before, await takeSnapshot(client)), 'shop_log')
    expect(log).toMatchObject({ complete: false, rowsLost: 1, reason: expect.stringContaining('no primary key') })
    expect(log.columns.find((column) => column.column === 'message')).toMatchObject({ checksumChanged: true, valuesChanged: 0 })
  })

  it(`reads all of a table up to ${SNAPSHOT_ROW_CAP} rows, and samples a larger one by primary-key hash, the same rows in every snapshot`, async () => {
    const { client } = await seededCopy('sampled')
    await client.query('CREATE TABLE shop_big (id integer PRIMARY KEY, v text, note text); INSERT INTO shop_big SELECT g, g::text, NULL FROM generate_series(1, 20000) g')
    const sampleRows = 1000
    const before = await takeSnapshot(client, { sampleRows })
    const big = before.tables.get('shop_big')!
    expect(big).toMatchObject({ rowCount: 20000, rowsOmitted: 'sampled', sample: { bits: 5 } })
    // 1 in 32 rows: about 625, never the whole table.
    expect(big.rows!.size).toBeGreaterThan(400)
    expect(big.rows!.size).toBeLessThan(900)
    expect(big.columns.find((column) => column.name === 'v')!.nonNull).toBe(20000)
    // The same sample twice; half of its values changed, and 1,000 rows gone.
    await client.query("UPDATE shop_big SET v = 'x' WHERE id % 2 = 0; DELETE FROM shop_big WHERE id > 19000")
    const after = await takeSnapshot(client, { sampleRows })
    expect([...after.tables.get('shop_big')!.rows!.keys()].every((key) => big.rows!.has(key))).toBe(true)
    const table = tableOf(compareData(before, after), 'shop_big')
    expect(table).toMatchObject({ complete: false, rowsBefore: 20000, rowsAfter: 19000, reason: expect.stringContaining('a sample of them (sample-rows) was compared row by row') })
    expect(table.rowsLost).toBe(1000)
    const sampledEven = [...big.rows!.keys()].filter((key) => Number(JSON.parse(key)[0]) % 2 === 0 && Number(JSON.parse(key)[0]) <= 19000).length
    expect(table.columns.find((column) => column.column === 'v')).toMatchObject({ valuesChanged: sampledEven, checksumChanged: true })
    expect(table.columns.find((column) => column.column === 'note')).toMatchObject({ valuesChanged: 0 })
    // A table within the sample size is still read whole.
    expect(before.tables.get('shop_book')).toMatchObject({ sample: { bits: 0 } })
    expect(before.tables.get('shop_book')!.rowsOmitted).toBeUndefined()
  })
})
