// The live catalog of one schema as plain data: tables, their columns with the
// type facts a value generator needs, keys, unique indexes, foreign keys and
// check constraints. A handful of catalog queries for the whole schema (not
// one per table), so that reading 200 tables stays in the milliseconds.
import type pg from 'pg'

/** What a value generator needs to know about a type (after domains are unwrapped). */
export interface ColumnType {
  /** `pg_type.typname` of the base type: `int4`, `varchar`, `numeric`, `timestamptz`, `_int4` for an array. */
  baseType: string
  /** `pg_type.typcategory`: N numeric, S string, B boolean, D date/time, T timespan, E enum, A array, I network, U user-defined, R range, G geometric, V bit string. */
  category: string
  /** varchar(n) / char(n) / bit(n): n; null when unlimited (or an array: see `element`). */
  maxLength: number | null
  /** numeric(p, s): p and s; null when unconstrained. */
  numericPrecision: number | null
  numericScale: number | null
  /** An enum's labels in their sort order. */
  enumLabels: string[] | null
  /** For an array: its element type (the type modifier, e.g. varchar(20), applies there). */
  element?: ColumnType | null
}

export interface CatalogColumn extends ColumnType {
  name: string
  /** 1-based position (`attnum`; dropped columns leave gaps). */
  position: number
  /** `format_type`: `character varying(100)`, `integer[]`, `numeric(10,2)`, a domain's name. */
  dataType: string
  element: ColumnType | null
  /** The domain the column is declared with, if any. */
  domain: string | null
  nullable: boolean
  hasDefault: boolean
  /** The default expression (`pg_get_expr`), e.g. `nextval('shop_book_id_seq'::regclass)`. */
  default: string | null
  identity: 'always' | 'by-default' | null
  /** A stored generated column: never inserted. */
  generated: boolean
  /** The sequence behind a serial or identity column (or a `nextval(...)` default), schema-qualified. */
  sequence: string | null
}

export interface UniqueKey {
  /** The index's name. */
  name: string
  /** The name of the unique constraint behind the index, when there is one. */
  constraint: string | null
  /** The plain key columns; an expression index lists only the plain ones here. */
  columns: string[]
  /** An index over expressions (e.g. `upper(name)`). */
  expression: boolean
  /** For an expression index: every column its expressions (and predicate) use. */
  expressionColumns: string[]
  /** A partial index (`WHERE ...`). */
  partial: boolean
  predicate: string | null
  /** `NULLS NOT DISTINCT` (Postgres 15+): two NULLs collide. */
  nullsNotDistinct: boolean
}

export interface ForeignKey {
  name: string
  columns: string[]
  referencedSchema: string
  referencedTable: string
  referencedColumns: string[]
  deferrable: boolean
  initiallyDeferred: boolean
}

export interface CheckConstraint {
  name: string
  /** `pg_get_constraintdef`, e.g. `CHECK ((pages >= 0))`. */
  definition: string
  /** The columns it involves. */
  columns: string[]
}

export interface CatalogTable {
  schema: string
  name: string
  /** A partitioned table is seeded through its parent; partitions are not listed. */
  kind: 'table' | 'partitioned'
  columns: CatalogColumn[]
  /** Primary key columns in key order; null when the table has none. */
  primaryKey: string[] | null
  primaryKeyName: string | null
  /** Unique constraints and unique indexes, except the primary key's. */
  uniques: UniqueKey[]
  foreignKeys: ForeignKey[]
  checks: CheckConstraint[]
}

export interface Catalog {
  schema: string
  /** Sorted by name. */
  tables: CatalogTable[]
}

/** `"name"` with embedded quotes doubled: safe for any identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** `"schema"."table"`. */
export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`
}

export function findTable(catalog: Catalog, name: string): CatalogTable | undefined {
  return catalog.tables.find((table) => table.name === name)
}

interface TypeRow {
  oid: number
  typname: string
  typtype: string
  typcategory: string
  typelem: number
  typbasetype: number
  typtypmod: number
  typnotnull: boolean
}

interface ResolvedType extends ColumnType {
  element: ColumnType | null
  domain: string | null
  domainNotNull: boolean
}

const VARHDRSZ = 4

function typmodFacts(typname: string, typmod: number): Pick<ColumnType, 'maxLength' | 'numericPrecision' | 'numericScale'> {
  const facts = { maxLength: null as number | null, numericPrecision: null as number | null, numericScale: null as number | null }
  if (typmod < 0) return facts
  if (typname === 'varchar' || typname === 'bpchar') facts.maxLength = typmod - VARHDRSZ
  else if (typname === 'bit' || typname === 'varbit') facts.maxLength = typmod
  else if (typname === 'numeric') {
    const value = typmod - VARHDRSZ
    facts.numericPrecision = (value >> 16) & 0xffff
    // Postgres 15 allows a negative scale: an 11-bit signed field.
    facts.numericScale = ((value & 0x7ff) ^ 1024) - 1024
  }
  return facts
}

function typeResolver(types: Map<number, TypeRow>, enums: Map<number, string[]>) {
  const resolve = (oid: number, typmod: number, depth = 0): ResolvedType => {
    let row = types.get(oid)
    let domain: string | null = null
    let domainNotNull = false
    while (row && row.typtype === 'd' && depth++ < 20) {
      domain ??= row.typname
      domainNotNull ||= row.typnotnull
      if (typmod < 0) typmod = row.typtypmod
      row = types.get(row.typbasetype)
    }
    if (!row) {
      return { baseType: 'unknown', category: 'X', maxLength: null, numericPrecision: null, numericScale: null, enumLabels: null, element: null, domain, domainNotNull }
    }
    if (row.typcategory === 'A' && row.typelem !== 0) {
      const element = resolve(row.typelem, typmod, depth + 1)
      return {
        baseType: row.typname,
        category: 'A',
        maxLength: null,
        numericPrecision: null,
        numericScale: null,
        enumLabels: null,
        element: {
          baseType: element.baseType,
          category: element.category,
          maxLength: element.maxLength,
          numericPrecision: element.numericPrecision,
          numericScale: element.numericScale,
          enumLabels: element.enumLabels
        },
        domain,
        domainNotNull
      }
    }
    return {
      baseType: row.typname,
      category: row.typcategory,
      ...typmodFacts(row.typname, typmod),
      enumLabels: row.typtype === 'e' ? (enums.get(row.oid) ?? []) : null,
      element: null,
      domain,
      domainNotNull
    }
  }
  return resolve
}

/** The sequence named in a `nextval('...'::regclass)` default. */
function sequenceOfDefault(expression: string | null): string | null {
  const match = expression?.match(/^nextval\('((?:[^']|'')+)'::regclass\)$/)
  return match ? match[1]!.replaceAll("''", "'") : null
}

/** Reads the tables (not views) of `schema` with everything the seeder and the snapshot need. */
export async function readCatalog(client: pg.ClientBase, schema = 'public'): Promise<Catalog> {
  const tableRows = (
    await client.query<{ oid: number; relname: string; relkind: string }>(
      `SELECT c.oid::int AS oid, c.relname, c.relkind
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        ORDER BY c.relname`,
      [schema]
    )
  ).rows
  const typeRows = (
    await client.query<TypeRow>(
      `SELECT oid::int AS oid, typname, typtype, typcategory, typelem::int AS typelem,
              typbasetype::int AS typbasetype, typtypmod, typnotnull
         FROM pg_type WHERE typtype IN ('b', 'd', 'e', 'r', 'm', 'c', 'p')`
    )
  ).rows
  const enumRows = (
    await client.query<{ typid: number; label: string }>(
      `SELECT enumtypid::int AS typid, enumlabel AS label FROM pg_enum ORDER BY enumtypid, enumsortorder`
    )
  ).rows
  const columnRows = (
    await client.query<{
      relid: number
      attnum: number
      attname: string
      data_type: string
      atttypid: number
      atttypmod: number
      attnotnull: boolean
      atthasdef: boolean
      attidentity: string
      attgenerated: string
      default_expr: string | null
      sequence: string | null
    }>(
      `SELECT a.attrelid::int AS relid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS data_type,
              a.atttypid::int AS atttypid, a.atttypmod, a.attnotnull, a.atthasdef, a.attidentity, a.attgenerated,
              pg_get_expr(d.adbin, d.adrelid) AS default_expr,
              CASE WHEN a.attidentity <> '' OR d.adbin IS NOT NULL
                   THEN pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) END AS sequence
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum`,
      [schema]
    )
  ).rows
  const constraintRows = (
    await client.query<{
      relid: number
      conname: string
      contype: string
      conkey: number[] | null
      confkey: number[] | null
      ref_schema: string | null
      ref_table: string | null
      ref_relid: number
      condeferrable: boolean
      condeferred: boolean
      definition: string
    }>(
      `SELECT con.conrelid::int AS relid, con.conname, con.contype, con.conkey::int[] AS conkey,
              con.confkey::int[] AS confkey, fn.nspname AS ref_schema, fc.relname AS ref_table,
              con.confrelid::int AS ref_relid, con.condeferrable, con.condeferred,
              pg_get_constraintdef(con.oid) AS definition
         FROM pg_constraint con
         JOIN pg_class c ON c.oid = con.conrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_class fc ON fc.oid = con.confrelid
         LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND con.contype IN ('p', 'f', 'c')
        ORDER BY con.conrelid, con.conname`,
      [schema]
    )
  ).rows
  const indexRows = (
    await client.query<{
      relid: number
      name: string
      keys: number[]
      nkeys: number
      partial: boolean
      predicate: string | null
      expression: boolean
      constraint_name: string | null
      nulls_not_distinct: boolean | null
      depends_on: number[] | null
    }>(
      // indnullsnotdistinct exists from Postgres 15 on: read through to_jsonb so older servers answer too.
      `SELECT i.indrelid::int AS relid, ic.relname AS name, i.indkey::int2[]::int[] AS keys,
              i.indnkeyatts AS nkeys, i.indpred IS NOT NULL AS partial,
              pg_get_expr(i.indpred, i.indrelid) AS predicate, i.indexprs IS NOT NULL AS expression,
              con.conname AS constraint_name,
              (to_jsonb(i) ->> 'indnullsnotdistinct')::boolean AS nulls_not_distinct,
              (SELECT array_agg(DISTINCT dep.refobjsubid::int) FROM pg_depend dep
                WHERE dep.classid = 'pg_class'::regclass AND dep.objid = i.indexrelid
                  AND dep.refclassid = 'pg_class'::regclass AND dep.refobjid = i.indrelid
                  AND dep.refobjsubid > 0) AS depends_on
         FROM pg_index i
         JOIN pg_class ic ON ic.oid = i.indexrelid
         JOIN pg_class c ON c.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype = 'u'
        WHERE n.nspname = $1 AND i.indisunique AND NOT i.indisprimary AND i.indisvalid
        ORDER BY i.indrelid, ic.relname`,
      [schema]
    )
  ).rows

  const types = new Map(typeRows.map((row) => [row.oid, row]))
  const enums = new Map<number, string[]>()
  for (const row of enumRows) {
    const labels = enums.get(row.typid) ?? []
    labels.push(row.label)
    enums.set(row.typid, labels)
  }
  const resolve = typeResolver(types, enums)

  const byOid = new Map<number, CatalogTable>()
  const attnames = new Map<number, Map<number, string>>()
  for (const row of tableRows) {
    byOid.set(row.oid, {
      schema,
      name: row.relname,
      kind: row.relkind === 'p' ? 'partitioned' : 'table',
      columns: [],
      primaryKey: null,
      primaryKeyName: null,
      uniques: [],
      foreignKeys: [],
      checks: []
    })
    attnames.set(row.oid, new Map())
  }
  for (const row of columnRows) {
    const table = byOid.get(row.relid)
    if (!table) continue
    attnames.get(row.relid)!.set(row.attnum, row.attname)
    const type = resolve(row.atttypid, row.atttypmod)
    table.columns.push({
      name: row.attname,
      position: row.attnum,
      dataType: row.data_type,
      baseType: type.baseType,
      category: type.category,
      maxLength: type.maxLength,
      numericPrecision: type.numericPrecision,
      numericScale: type.numericScale,
      enumLabels: type.enumLabels,
      element: type.element,
      domain: type.domain,
      nullable: !row.attnotnull && !type.domainNotNull,
      hasDefault: row.atthasdef || row.attidentity !== '',
      default: row.default_expr,
      identity: row.attidentity === 'a' ? 'always' : row.attidentity === 'd' ? 'by-default' : null,
      generated: row.attgenerated === 's',
      sequence: row.sequence ?? sequenceOfDefault(row.default_expr)
    })
  }
  const names = (relid: number, keys: readonly number[] | null): string[] => {
    const map = attnames.get(relid)
    return (keys ?? []).filter((key) => key > 0).map((key) => map?.get(key) ?? `#${key}`)
  }
  for (const row of constraintRows) {
    const table = byOid.get(row.relid)
    if (!table) continue
    if (row.contype === 'p') {
      table.primaryKey = names(row.relid, row.conkey)
      table.primaryKeyName = row.conname
    } else if (row.contype === 'c') {
      table.checks.push({ name: row.conname, definition: row.definition, columns: names(row.relid, row.conkey) })
    } else if (row.contype === 'f' && row.ref_table) {
      const refNames = attnames.get(row.ref_relid)
      table.foreignKeys.push({
        name: row.conname,
        columns: names(row.relid, row.conkey),
        referencedSchema: row.ref_schema ?? schema,
        referencedTable: row.ref_table,
        // A table in another schema is not in `attnames`: ask for its column names then.
        referencedColumns: refNames ? names(row.ref_relid, row.confkey) : (row.confkey ?? []).map((key) => `#${key}`),
        deferrable: row.condeferrable,
        initiallyDeferred: row.condeferred
      })
    }
  }
  const foreign = [...byOid.values()].flatMap((table) => table.foreignKeys).filter((fk) => fk.referencedColumns.some((c) => c.startsWith('#')))
  if (foreign.length > 0) {
    for (const fk of foreign) {
      const result = await client.query<{ attnum: number; attname: string }>(
        `SELECT a.attnum, a.attname FROM pg_attribute a
          WHERE a.attrelid = to_regclass($1) AND a.attnum > 0`,
        [qualifiedName(fk.referencedSchema, fk.referencedTable)]
      )
      const map = new Map(result.rows.map((row) => [`#${row.attnum}`, row.attname]))
      fk.referencedColumns = fk.referencedColumns.map((column) => map.get(column) ?? column)
    }
  }
  for (const row of indexRows) {
    const table = byOid.get(row.relid)
    if (!table) continue
    const keys = row.keys.slice(0, row.nkeys)
    const plain = names(row.relid, keys)
    table.uniques.push({
      name: row.name,
      constraint: row.constraint_name,
      columns: plain,
      expression: row.expression,
      expressionColumns: row.expression ? names(row.relid, [...(row.depends_on ?? [])].sort((a, b) => a - b)) : [],
      partial: row.partial,
      predicate: row.predicate,
      nullsNotDistinct: row.nulls_not_distinct === true
    })
  }
  return { schema, tables: [...byOid.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) }
}
