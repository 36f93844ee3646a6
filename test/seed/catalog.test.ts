// Reading the live catalog of a schema Django's migrate created (plus what
// other tools leave in a database) into plain data.
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findTable, readCatalog, type Catalog, type CatalogTable } from '../../src/seed/catalog.js'
import { startTestPostgres, type TestPostgres } from '../support/postgres.js'
import { djangoShopDatabase } from './django-shop.js'

let pgt: TestPostgres
let client: pg.Client
let catalog: Catalog

const table = (name: string): CatalogTable => {
  const found = findTable(catalog, name)
  if (!found) throw new Error(`no table ${name}`)
  return found
}
const column = (tableName: string, name: string) => table(tableName).columns.find((c) => c.name === name)!

beforeAll(async () => {
  pgt = await startTestPostgres()
  client = await pgt.client(await djangoShopDatabase(pgt.server, 'catalog'))
  // Beside Django's tables: what a project created before Django 4.1 (serial ids) and hand-written SQL leave.
  await client.query(`
    CREATE TABLE "legacy_tag" ("id" serial NOT NULL PRIMARY KEY, "name" varchar(20) NOT NULL);
    CREATE TYPE "mood" AS ENUM ('sad', 'happy');
    CREATE DOMAIN "short_code" AS varchar(4) NOT NULL;
    CREATE TABLE "misc_item" (
      "id" integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      "mood" mood NULL,
      "code" short_code,
      "qty" integer NOT NULL,
      "total" integer GENERATED ALWAYS AS ("qty" * 10) STORED,
      "created" timestamp with time zone NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX "misc_item_code_nulls" ON "misc_item" ("code") NULLS NOT DISTINCT;
    CREATE VIEW "shop_book_view" AS SELECT id, title FROM shop_book;
    CREATE SCHEMA "other";
    CREATE TABLE "other"."elsewhere" ("id" serial PRIMARY KEY);`)
  catalog = await readCatalog(client)
})
afterAll(() => pgt?.cleanup())

describe('readCatalog', () => {
  it('lists the tables of the schema, sorted, without views or other schemas', () => {
    expect(catalog.schema).toBe('public')
    expect(catalog.tables.map((t) => t.name)).toEqual([
      'django_migrations',
      'legacy_tag',
      'misc_item',
      'shop_author',
      'shop_book',
      'shop_book_readers',
      'shop_country',
      'shop_coupon',
      'shop_genre',
      'shop_note',
      'shop_profile',
      'shop_review',
      'shop_sale'
    ])
  })

  it('gives columns in order with their types, lengths, precision and array element', () => {
    const book = table('shop_book')
    expect(book.columns.map((c) => c.name).slice(0, 5)).toEqual(['id', 'title', 'subtitle', 'pages', 'rating'])
    expect(column('shop_book', 'title')).toMatchObject({ dataType: 'character varying(200)', baseType: 'varchar', category: 'S', maxLength: 200, nullable: false })
    expect(column('shop_book', 'subtitle')).toMatchObject({ maxLength: 50, nullable: true })
    expect(column('shop_book', 'price')).toMatchObject({ dataType: 'numeric(8,2)', baseType: 'numeric', numericPrecision: 8, numericScale: 2 })
    expect(column('shop_book', 'tags')).toMatchObject({
      dataType: 'character varying(20)[]',
      category: 'A',
      element: { baseType: 'varchar', category: 'S', maxLength: 20 }
    })
    expect(column('shop_book', 'published')).toMatchObject({ baseType: 'timestamptz', category: 'D' })
    expect(column('shop_book', 'metadata')).toMatchObject({ baseType: 'jsonb' })
  })

  it('tells identity, serial, generated, default, domain and enum columns apart', () => {
    expect(column('shop_book', 'id')).toMatchObject({ identity: 'by-default', hasDefault: true, sequence: 'public.shop_book_id_seq' })
    expect(column('shop_country', 'id')).toMatchObject({ dataType: 'integer', identity: 'by-default', sequence: 'public.shop_country_id_seq' })
    expect(column('legacy_tag', 'id')).toMatchObject({ identity: null, hasDefault: true, sequence: 'public.legacy_tag_id_seq', default: "nextval('legacy_tag_id_seq'::regclass)" })
    expect(column('misc_item', 'id')).toMatchObject({ identity: 'always' })
    expect(column('misc_item', 'total')).toMatchObject({ generated: true })
    expect(column('misc_item', 'created')).toMatchObject({ hasDefault: true, default: 'now()', sequence: null })
    expect(column('misc_item', 'code')).toMatchObject({ domain: 'short_code', baseType: 'varchar', maxLength: 4, nullable: false })
    expect(column('misc_item', 'mood')).toMatchObject({ category: 'E', enumLabels: ['sad', 'happy'] })
  })

  it('reads primary keys, unique constraints and unique indexes (partial, expression, nulls not distinct)', () => {
    expect(table('shop_book').primaryKey).toEqual(['id'])
    expect(table('shop_book').uniques.map((u) => [u.name, u.columns, u.constraint])).toEqual([
      ['shop_book_isbn_key', ['isbn'], 'shop_book_isbn_key'],
      ['shop_book_uid_key', ['uid'], 'shop_book_uid_key']
    ])
    expect(table('shop_book_readers').uniques[0]).toMatchObject({ columns: ['book_id', 'author_id'], partial: false, expression: false })
    expect(table('shop_review').uniques.find((u) => u.name === 'one_featured_review_per_book')).toMatchObject({
      columns: ['book_id'],
      partial: true,
      predicate: 'featured',
      constraint: null
    })
    expect(table('shop_author').uniques.find((u) => u.name === 'shop_author_name_upper_uniq')).toMatchObject({
      columns: [],
      expression: true,
      expressionColumns: ['name']
    })
    expect(table('misc_item').uniques[0]).toMatchObject({ columns: ['code'], nullsNotDistinct: true })
  })

  it('reads foreign keys with their referenced table and deferrability', () => {
    expect(table('shop_book').foreignKeys.map((fk) => [fk.columns, fk.referencedTable, fk.referencedColumns, fk.deferrable, fk.initiallyDeferred])).toEqual([
      [['author_id'], 'shop_author', ['id'], true, true],
      [['genre_id'], 'shop_genre', ['id'], true, true],
      [['series_id'], 'shop_book', ['id'], true, true]
    ])
  })

  it('reads check constraints with their definition and columns', () => {
    expect(table('shop_sale').checks).toEqual([
      { name: 'sale_ends_after_start', definition: 'CHECK ((ends > starts))', columns: ['ends', 'starts'] },
      { name: 'sale_percent_range', definition: 'CHECK (((percent > (0)::numeric) AND (percent <= (100)::numeric)))', columns: ['percent'] }
    ])
    expect(table('shop_book').checks.map((check) => check.definition)).toEqual(['CHECK ((pages >= 0))', 'CHECK ((rating >= 0))'])
  })
})
