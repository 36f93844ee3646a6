// Seeding a real Postgres 15 with adversarial rows: on a schema Django's own
// migrate created, and on hand-written SQL for what Django does not write.
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readCatalog, type Catalog } from '../../src/seed/catalog.js'
import { seedDatabase } from '../../src/seed/seed.js'
import type { SeedResult } from '../../src/model/evidence.js'
import { startTestPostgres, type TestPostgres } from '../support/postgres.js'
import { djangoShopDatabase, SHOP_TABLES } from './django-shop.js'

const ROWS = 30

let pgt: TestPostgres

beforeAll(async () => {
  pgt = await startTestPostgres()
})
afterAll(() => pgt?.cleanup())

/** A copy of the shop database Django migrated, and a client on it. */
async function shopDatabase(label: string): Promise<pg.Client> {
  return pgt.client(await djangoShopDatabase(pgt.server, label))
}

/** A fresh database with `ddl` applied, and a client on it. */
async function databaseWith(ddl: string, label: string): Promise<pg.Client> {
  const client = await pgt.client(await pgt.server.createDatabase({ label }))
  await client.query(ddl)
  return client
}

async function count(client: pg.Client, sql: string): Promise<number> {
  const result = await client.query<{ n: string }>(sql)
  return Number(result.rows[0]!.n)
}

/** Every row of every table, as text, in a stable order. */
async function dump(client: pg.Client, tables: readonly string[]): Promise<string> {
  const parts: string[] = []
  for (const table of tables) {
    const result = await client.query(`SELECT t::text AS row FROM "${table}" AS t ORDER BY 1`)
    parts.push(`${table}\n${result.rows.map((row: { row: string }) => row.row).join('\n')}`)
  }
  return parts.join('\n\n')
}

describe('seeding the shop schema Django migrated', () => {
  let client: pg.Client
  let catalog: Catalog
  let result: SeedResult

  beforeAll(async () => {
    client = await shopDatabase('shop')
    catalog = await readCatalog(client)
    result = await seedDatabase(client, catalog, { rowsPerTable: ROWS, seed: 7 })
  })

  it("gives every table its rows and leaves django_migrations (Django's own row) alone", async () => {
    expect(result.tables.map((table) => table.table)).toEqual(SHOP_TABLES)
    for (const table of result.tables) {
      expect(table.skipped, table.table).toBeUndefined()
      expect(table.rows, table.table).toBe(ROWS)
      expect(await count(client, `SELECT count(*) AS n FROM "${table.table}"`), table.table).toBe(ROWS)
    }
    expect(result.totalRows).toBe(ROWS * SHOP_TABLES.length)
    expect(await count(client, `SELECT count(*) AS n FROM django_migrations WHERE app = 'shop'`)).toBe(1)
    expect(await count(client, 'SELECT count(*) AS n FROM django_migrations')).toBe(1)
  })

  it('puts NULLs in every nullable column', async () => {
    for (const table of catalog.tables.filter((t) => t.name !== 'django_migrations')) {
      for (const column of table.columns.filter((c) => c.nullable)) {
        const nulls = await count(client, `SELECT count(*) AS n FROM "${table.name}" WHERE "${column.name}" IS NULL`)
        expect(nulls, `${table.name}.${column.name}`).toBeGreaterThan(0)
        const values = await count(client, `SELECT count("${column.name}") AS n FROM "${table.name}"`)
        expect(values, `${table.name}.${column.name} has values too`).toBeGreaterThan(0)
      }
    }
  })

  it('fills strings to their full max length, with multi-byte characters', async () => {
    for (const [table, column, length] of [
      ['shop_book', 'title', 200],
      ['shop_book', 'subtitle', 50],
      ['shop_book', 'isbn', 13],
      ['shop_author', 'email', 254],
      ['shop_country', 'code', 2],
      ['shop_review', 'reviewer', 30]
    ] as const) {
      expect(await count(client, `SELECT max(char_length("${column}")) AS n FROM "${table}"`), `${table}.${column}`).toBe(length)
    }
    // UTF-8 safe: some titles take more bytes than characters (emoji, CJK), and quotes and backslashes survive.
    expect(await count(client, `SELECT count(*) AS n FROM shop_book WHERE octet_length(title) > char_length(title)`)).toBeGreaterThan(0)
    expect(
      await count(client, `SELECT count(*) AS n FROM shop_book WHERE strpos(title, '''') > 0 AND strpos(title, chr(92)) > 0 AND strpos(title, '😀') > 0`)
    ).toBeGreaterThan(0)
    expect(await count(client, `SELECT count(*) AS n FROM shop_book WHERE title = ''`)).toBeGreaterThan(0)
  })

  it('repeats values on purpose in columns that are not unique', async () => {
    for (const [table, column] of [
      ['shop_book', 'title'],
      ['shop_book', 'pages'],
      ['shop_book', 'price'],
      ['shop_book', 'author_id'],
      ['shop_review', 'body']
    ] as const) {
      const distinct = await count(client, `SELECT count(DISTINCT "${column}") AS n FROM "${table}"`)
      const values = await count(client, `SELECT count("${column}") AS n FROM "${table}"`)
      expect(distinct, `${table}.${column}`).toBeLessThan(values)
    }
  })

  it('reaches the boundaries of numeric types', async () => {
    const rows = await client.query<{ sales_max: string; sales_min: string; price_max: string; price_min: string; pages_max: number; pages_min: number }>(
      `SELECT max(sales)::text AS sales_max, min(sales)::text AS sales_min, max(price)::text AS price_max, min(price)::text AS price_min,
              max(pages) AS pages_max, min(pages) AS pages_min FROM shop_book`
    )
    expect(rows.rows[0]).toEqual({
      sales_max: '9223372036854775807',
      sales_min: '-9223372036854775808',
      price_max: '999999.99',
      price_min: '-999999.99',
      pages_max: 2147483647,
      // CHECK ("pages" >= 0): the negative boundaries are clamped to the bound.
      pages_min: 0
    })
  })

  it('keeps unique columns and unique pairs distinct', async () => {
    const distinctCounts: Array<[string, string]> = [
      ['shop_book', 'isbn'],
      ['shop_book', 'uid'],
      ['shop_author', 'email'],
      ['shop_author', 'upper(name)'],
      ['shop_country', 'code'],
      ['shop_profile', 'author_id'],
      ['shop_book_readers', '(book_id, author_id)'],
      ['shop_review', '(book_id, reviewer)']
    ]
    for (const [table, expression] of distinctCounts) {
      expect(await count(client, `SELECT count(DISTINCT ${expression}) AS n FROM "${table}"`), `${table} ${expression}`).toBe(ROWS)
    }
    // The through table's pairs are spread over both sides, not all on one row.
    expect(await count(client, 'SELECT count(DISTINCT author_id) AS n FROM shop_book_readers')).toBeGreaterThan(1)
  })

  it('satisfies CHECK constraints and still inserts every row', async () => {
    expect(await count(client, 'SELECT count(*) AS n FROM shop_review WHERE score BETWEEN 1 AND 5 AND body <> \'\'')).toBe(ROWS)
    expect(await count(client, 'SELECT count(*) AS n FROM shop_sale WHERE ends > starts AND percent > 0 AND percent <= 100')).toBe(ROWS)
    expect(await count(client, 'SELECT count(*) AS n FROM shop_book WHERE pages >= 0 AND (rating IS NULL OR rating >= 0)')).toBe(ROWS)
    // A check the seeder cannot read (char_length) is met by retrying rows with conservative values.
    expect(await count(client, 'SELECT count(*) AS n FROM shop_coupon WHERE char_length(code) <= 3')).toBe(ROWS)
    const checks = await client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_constraint WHERE contype = 'c' AND convalidated`)
    expect(Number(checks.rows[0]!.n)).toBeGreaterThanOrEqual(6)
  })

  it('inserts in foreign-key order: a chain of three tables, a self-reference and a one-to-one', async () => {
    // country <- author <- book: every reference points at an existing row.
    expect(await count(client, 'SELECT count(*) AS n FROM shop_author a JOIN shop_country c ON c.id = a.country_id')).toBe(ROWS)
    expect(await count(client, 'SELECT count(*) AS n FROM shop_book b JOIN shop_author a ON a.id = b.author_id')).toBe(ROWS)
    // The self-references point at other rows of the same table (and some are NULL).
    expect(await count(client, 'SELECT count(*) AS n FROM shop_genre g JOIN shop_genre p ON p.id = g.parent_id WHERE p.id <> g.id')).toBeGreaterThan(ROWS / 2)
    expect(await count(client, 'SELECT count(*) AS n FROM shop_book b JOIN shop_book s ON s.id = b.series_id')).toBeGreaterThan(ROWS / 2)
    // One profile per author.
    expect(await count(client, 'SELECT count(DISTINCT author_id) AS n FROM shop_profile')).toBe(ROWS)
  })

  it('moves sequences past the ids, so that an INSERT without an id works', async () => {
    const country = await client.query<{ id: number }>(`INSERT INTO shop_country (code, name) VALUES ('zz', 'Zed') RETURNING id`)
    expect(country.rows[0]!.id).toBeGreaterThan(ROWS)
    const author = await client.query<{ id: string }>(
      `INSERT INTO shop_author (name, email, country_id) VALUES ('New', 'new@example.com', $1) RETURNING id`,
      [country.rows[0]!.id]
    )
    expect(Number(author.rows[0]!.id)).toBeGreaterThan(ROWS)
  })
})

describe('seeding edge cases', () => {
  it('skips a table no row can satisfy, with the reason, and seeds the others', async () => {
    const client = await databaseWith(
      `CREATE TABLE "app_ok" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "name" varchar(20) NOT NULL);
       CREATE TABLE "app_never" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "flag" integer NOT NULL CONSTRAINT "never_ok" CHECK (false));
       CREATE TABLE "app_child" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "never_id" bigint NOT NULL REFERENCES "app_never" ("id") DEFERRABLE INITIALLY DEFERRED);
       CREATE TABLE "app_after" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "ok_id" bigint NOT NULL REFERENCES "app_ok" ("id") DEFERRABLE INITIALLY DEFERRED);`,
      'skip'
    )
    const result = await seedDatabase(client, await readCatalog(client), { rowsPerTable: ROWS })
    const byName = new Map(result.tables.map((table) => [table.table, table]))
    expect(byName.get('app_never')).toMatchObject({ rows: 0, skipped: expect.stringContaining('never_ok') })
    expect(byName.get('app_child')).toMatchObject({ rows: 0, skipped: 'references app_never, which has no rows' })
    expect(byName.get('app_ok')).toMatchObject({ table: 'app_ok', rows: ROWS })
    expect(byName.get('app_after')).toMatchObject({ table: 'app_after', rows: ROWS })
    expect(result.totalRows).toBe(2 * ROWS)
    expect(await count(client, 'SELECT count(*) AS n FROM app_after')).toBe(ROWS)
  })

  it('gives the same rows for the same seed, and other rows for another seed', async () => {
    const tables = SHOP_TABLES
    const a = await shopDatabase('same_a')
    const b = await shopDatabase('same_b')
    const c = await shopDatabase('other')
    await seedDatabase(a, await readCatalog(a), { rowsPerTable: ROWS, seed: 42 })
    await seedDatabase(b, await readCatalog(b), { rowsPerTable: ROWS, seed: 42 })
    await seedDatabase(c, await readCatalog(c), { rowsPerTable: ROWS, seed: 43 })
    const first = await dump(a, tables)
    expect(await dump(b, tables)).toBe(first)
    expect(await dump(c, tables)).not.toBe(first)
  })

  it('seeds past rows a data migration inserted with explicit ids, and keeps the sequence ahead', async () => {
    const client = await databaseWith(
      `CREATE TABLE "app_tag" ("id" serial NOT NULL PRIMARY KEY, "name" varchar(20) NOT NULL UNIQUE);
       INSERT INTO "app_tag" ("id", "name") VALUES (1, 'item1'), (5, 'item2'), (40, 'item3');`,
      'existing'
    )
    const result = await seedDatabase(client, await readCatalog(client), { rowsPerTable: ROWS })
    expect(result.tables).toMatchObject([{ table: 'app_tag', rows: ROWS }])
    expect(await count(client, 'SELECT count(*) AS n FROM app_tag')).toBe(ROWS + 3)
    const inserted = await client.query<{ id: number }>(`INSERT INTO app_tag (name) VALUES ('after') RETURNING id`)
    expect(inserted.rows[0]!.id).toBeGreaterThan(await count(client, "SELECT max(id) AS n FROM app_tag WHERE name <> 'after'"))
  })

  it('seeds a cycle of foreign keys: nullable ones set afterwards, NOT NULL ones through deferred constraints', async () => {
    const client = await databaseWith(
      `CREATE TABLE "org_company" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "name" varchar(50) NOT NULL, "ceo_id" bigint NULL);
       CREATE TABLE "org_person" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "company_id" bigint NOT NULL);
       ALTER TABLE "org_company" ADD CONSTRAINT "org_company_ceo_id_fk" FOREIGN KEY ("ceo_id") REFERENCES "org_person" ("id") DEFERRABLE INITIALLY DEFERRED;
       ALTER TABLE "org_person" ADD CONSTRAINT "org_person_company_id_fk" FOREIGN KEY ("company_id") REFERENCES "org_company" ("id") DEFERRABLE INITIALLY DEFERRED;
       CREATE TABLE "ring_a" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "b_id" bigint NOT NULL);
       CREATE TABLE "ring_b" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "a_id" bigint NOT NULL);
       ALTER TABLE "ring_a" ADD CONSTRAINT "ring_a_b_id_fk" FOREIGN KEY ("b_id") REFERENCES "ring_b" ("id") DEFERRABLE INITIALLY DEFERRED;
       ALTER TABLE "ring_b" ADD CONSTRAINT "ring_b_a_id_fk" FOREIGN KEY ("a_id") REFERENCES "ring_a" ("id") DEFERRABLE INITIALLY DEFERRED;`,
      'cycle'
    )
    const result = await seedDatabase(client, await readCatalog(client), { rowsPerTable: ROWS })
    expect(result.tables.every((table) => table.rows === ROWS && !table.skipped)).toBe(true)
    expect(await count(client, 'SELECT count(*) AS n FROM org_company c JOIN org_person p ON p.id = c.ceo_id')).toBeGreaterThan(ROWS / 2)
    expect(await count(client, 'SELECT count(*) AS n FROM org_person p JOIN org_company c ON c.id = p.company_id')).toBe(ROWS)
    expect(await count(client, 'SELECT count(*) AS n FROM ring_a a JOIN ring_b b ON b.id = a.b_id')).toBe(ROWS)
    expect(await count(client, 'SELECT count(*) AS n FROM ring_b b JOIN ring_a a ON a.id = b.a_id')).toBe(ROWS)
  })

  it('covers enums, identity ALWAYS, generated columns, arrays and other types', async () => {
    const client = await databaseWith(
      `CREATE TYPE "mood" AS ENUM ('sad', 'ok', 'happy', 'it''s complicated');
       CREATE DOMAIN "positive_int" AS integer CHECK (VALUE > 0);
       CREATE TABLE "misc_thing" (
         "id" integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         "mood" mood NOT NULL,
         "doubled" integer GENERATED ALWAYS AS ("qty" * 2) STORED,
         "qty" positive_int NOT NULL,
         "labels" varchar(5)[] NOT NULL,
         "span" int4range NULL,
         "during" tstzrange NULL,
         "code" char(3) NOT NULL UNIQUE,
         "ratio" real NOT NULL,
         "net" cidr NULL,
         "mac" macaddr NULL,
         "doc" json NULL,
         "born" timestamp NULL,
         "alarm" timetz NULL,
         "flag" boolean NULL UNIQUE
       );`,
      'misc'
    )
    const result = await seedDatabase(client, await readCatalog(client), { rowsPerTable: ROWS })
    expect(result.tables).toMatchObject([{ table: 'misc_thing', rows: ROWS }])
    const moods = await client.query<{ mood: string }>('SELECT DISTINCT mood::text AS mood FROM misc_thing ORDER BY 1')
    expect(moods.rows.map((row) => row.mood)).toEqual(['happy', "it's complicated", 'ok', 'sad'])
    expect(await count(client, 'SELECT count(*) AS n FROM misc_thing WHERE doubled = qty * 2 AND qty > 0')).toBe(ROWS)
    expect(await count(client, 'SELECT max(char_length(l)) AS n FROM misc_thing, unnest(labels) AS l')).toBe(5)
    expect(await count(client, 'SELECT count(DISTINCT flag) AS n FROM misc_thing')).toBe(2)
    const next = await client.query<{ id: number }>(`INSERT INTO misc_thing (mood, qty, labels, code, ratio) VALUES ('ok', 1, '{}', 'zzz', 1) RETURNING id`)
    expect(next.rows[0]!.id).toBeGreaterThan(ROWS)
  })

  it('never touches an excluded table', async () => {
    const client = await databaseWith(
      `CREATE TABLE "keep_me" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "v" integer NOT NULL);
       CREATE TABLE "fill_me" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "v" integer NOT NULL);`,
      'exclude'
    )
    const result = await seedDatabase(client, await readCatalog(client), { rowsPerTable: 5, excludeTables: ['keep_me'] })
    expect(result.tables).toMatchObject([{ table: 'fill_me', rows: 5 }])
    expect(await count(client, 'SELECT count(*) AS n FROM keep_me')).toBe(0)
  })
})
