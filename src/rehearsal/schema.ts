// The schema of one Postgres schema as plain data (tables, columns, indexes,
// constraints) and the differences between two such snapshots, as short
// sentences. Used for the round trip: the base schema against the schema
// after the PR's migrations were applied and reversed.
import type pg from 'pg'

const IGNORED_TABLES = new Set(['django_migrations'])

export interface ColumnSchema {
  name: string
  /** 1-based position among the table's live columns. */
  position: number
  /** `format_type`, e.g. `character varying(100)`. */
  type: string
  nullable: boolean
  /** The default expression; identity and generated columns say so here. */
  default: string | null
}

export interface IndexSchema {
  name: string
  /** `pg_get_indexdef`. */
  definition: string
  /** The definition without the index's name: what a renamed but identical index shares. */
  shape: string
}

export interface ConstraintSchema {
  name: string
  type: 'primary key' | 'unique' | 'foreign key' | 'check' | 'exclusion' | 'trigger' | 'other'
  /** `pg_get_constraintdef`. */
  definition: string
}

export interface TableSchema {
  name: string
  columns: ColumnSchema[]
  /** Indexes that do not back a constraint (those are listed as constraints). */
  indexes: IndexSchema[]
  constraints: ConstraintSchema[]
}

export interface SchemaSnapshot {
  schema: string
  /** By table name; django_migrations left out. */
  tables: Map<string, TableSchema>
}

export type SchemaDifferenceKind =
  | 'table-missing'
  | 'table-added'
  | 'column-missing'
  | 'column-added'
  | 'column-type'
  | 'column-nullability'
  | 'column-default'
  | 'index-missing'
  | 'index-added'
  | 'index-changed'
  | 'constraint-missing'
  | 'constraint-added'
  | 'constraint-changed'

export interface SchemaDifference {
  kind: SchemaDifferenceKind
  table: string
  /** The column, index or constraint. */
  name?: string
  before?: string
  after?: string
  /** One short sentence, e.g. `column shop_book.note is NOT NULL now; it was nullable`. */
  message: string
}

const CONSTRAINT_TYPES: Record<string, ConstraintSchema['type']> = {
  p: 'primary key',
  u: 'unique',
  f: 'foreign key',
  c: 'check',
  x: 'exclusion',
  t: 'trigger'
}

/** Reads tables (not views), columns, indexes and constraints of `schema`. */
export async function takeSchema(client: pg.ClientBase, schema = 'public'): Promise<SchemaSnapshot> {
  const tableRows = (
    await client.query<{ oid: number; name: string }>(
      `SELECT c.oid::int AS oid, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
      [schema]
    )
  ).rows
  const columnRows = (
    await client.query<{ relid: number; name: string; type: string; notnull: boolean; default: string | null; identity: string; generated: string }>(
      `SELECT a.attrelid::int AS relid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
              pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity AS identity, a.attgenerated AS generated
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum`,
      [schema]
    )
  ).rows
  const indexRows = (
    await client.query<{ relid: number; name: string; definition: string; shape: string }>(
      `SELECT i.indrelid::int AS relid, ic.relname AS name, pg_get_indexdef(i.indexrelid) AS definition,
              replace(pg_get_indexdef(i.indexrelid), 'INDEX ' || quote_ident(ic.relname) || ' ON ', 'INDEX ON ') AS shape
         FROM pg_index i
         JOIN pg_class ic ON ic.oid = i.indexrelid
         JOIN pg_class c ON c.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1
          AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x'))
        ORDER BY ic.relname`,
      [schema]
    )
  ).rows
  const constraintRows = (
    await client.query<{ relid: number; name: string; type: string; definition: string }>(
      `SELECT con.conrelid::int AS relid, con.conname AS name, con.contype AS type, pg_get_constraintdef(con.oid) AS definition
         FROM pg_constraint con
         JOIN pg_class c ON c.oid = con.conrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND con.contype <> 'n'
        ORDER BY con.conname`,
      [schema]
    )
  ).rows

  const byOid = new Map<number, TableSchema>()
  for (const row of tableRows) {
    if (IGNORED_TABLES.has(row.name)) continue
    byOid.set(row.oid, { name: row.name, columns: [], indexes: [], constraints: [] })
  }
  for (const row of columnRows) {
    const table = byOid.get(row.relid)
    if (!table) continue
    let defaultText = row.default
    if (row.identity === 'a') defaultText = 'generated always as identity'
    else if (row.identity === 'd') defaultText = 'generated by default as identity'
    else if (row.generated === 's') defaultText = `generated always as (${row.default ?? ''}) stored`
    table.columns.push({ name: row.name, position: table.columns.length + 1, type: row.type, nullable: !row.notnull, default: defaultText })
  }
  for (const row of indexRows) byOid.get(row.relid)?.indexes.push({ name: row.name, definition: row.definition, shape: row.shape })
  for (const row of constraintRows) {
    byOid.get(row.relid)?.constraints.push({ name: row.name, type: CONSTRAINT_TYPES[row.type] ?? 'other', definition: row.definition })
  }
  return { schema, tables: new Map([...byOid.values()].map((table) => [table.name, table])) }
}

/** Names present in `after` only / `before` only, after pairing those whose shape is identical (a renamed hash name). */
function pairByShape<T extends { name: string }>(before: readonly T[], after: readonly T[], shape: (item: T) => string) {
  const afterNames = new Set(after.map((item) => item.name))
  const beforeNames = new Set(before.map((item) => item.name))
  const missing = before.filter((item) => !afterNames.has(item.name))
  const added = after.filter((item) => !beforeNames.has(item.name))
  const unmatchedAdded = [...added]
  const unmatchedMissing: T[] = []
  for (const item of missing) {
    const twin = unmatchedAdded.findIndex((candidate) => shape(candidate) === shape(item))
    if (twin >= 0) unmatchedAdded.splice(twin, 1)
    else unmatchedMissing.push(item)
  }
  return { missing: unmatchedMissing, added: unmatchedAdded }
}

/**
 * Columns of `after` that moved out of their order: dropped and added again
 * (their old values are gone). A re-added column goes to the end, so this
 * finds the shortest tail of the shared columns (in `after` order) whose
 * removal leaves both orders equal.
 */
function readdedColumns(before: readonly ColumnSchema[], after: readonly ColumnSchema[]): Set<string> {
  const afterNames = new Set(after.map((column) => column.name))
  const beforeNames = new Set(before.map((column) => column.name))
  const a = before.map((column) => column.name).filter((name) => afterNames.has(name))
  const b = after.map((column) => column.name).filter((name) => beforeNames.has(name))
  for (let k = 0; k <= b.length; k++) {
    const tail = new Set(b.slice(b.length - k))
    const restA = a.filter((name) => !tail.has(name))
    const restB = b.slice(0, b.length - k)
    if (restA.every((name, i) => name === restB[i])) return tail
  }
  return new Set()
}

function describeDefault(value: string | null): string {
  return value === null ? 'no default' : `default ${value}`
}

/** What differs between two schema snapshots (django_migrations ignored), table by table. */
export function diffSchemas(before: SchemaSnapshot, after: SchemaSnapshot): SchemaDifference[] {
  const differences: SchemaDifference[] = []
  const names = [...new Set([...before.tables.keys(), ...after.tables.keys()])].sort()
  for (const tableName of names) {
    if (IGNORED_TABLES.has(tableName)) continue
    const old = before.tables.get(tableName)
    const now = after.tables.get(tableName)
    if (!now) {
      differences.push({ kind: 'table-missing', table: tableName, message: `table ${tableName} no longer exists` })
      continue
    }
    if (!old) {
      differences.push({ kind: 'table-added', table: tableName, message: `table ${tableName} is new` })
      continue
    }
    const oldColumns = new Map(old.columns.map((column) => [column.name, column]))
    const newColumns = new Map(now.columns.map((column) => [column.name, column]))
    const moved = readdedColumns(old.columns, now.columns)
    for (const column of old.columns) {
      if (!newColumns.has(column.name)) {
        differences.push({ kind: 'column-missing', table: tableName, name: column.name, before: column.type, message: `column ${tableName}.${column.name} no longer exists` })
      }
    }
    for (const column of now.columns) {
      const label = `column ${tableName}.${column.name}`
      const was = oldColumns.get(column.name)
      if (!was) {
        differences.push({ kind: 'column-added', table: tableName, name: column.name, after: column.type, message: `${label} is new` })
        continue
      }
      if (moved.has(column.name)) {
        differences.push({
          kind: 'column-added',
          table: tableName,
          name: column.name,
          before: `position ${was.position}`,
          after: `position ${column.position}`,
          message: `${label} was dropped and added again (it moved from position ${was.position} to ${column.position})`
        })
      }
      if (was.type !== column.type) {
        differences.push({ kind: 'column-type', table: tableName, name: column.name, before: was.type, after: column.type, message: `${label} is ${column.type} now; it was ${was.type}` })
      }
      if (was.nullable !== column.nullable) {
        differences.push({
          kind: 'column-nullability',
          table: tableName,
          name: column.name,
          before: was.nullable ? 'NULL' : 'NOT NULL',
          after: column.nullable ? 'NULL' : 'NOT NULL',
          message: column.nullable ? `${label} is nullable now; it was NOT NULL` : `${label} is NOT NULL now; it was nullable`
        })
      }
      if (was.default !== column.default) {
        const difference: SchemaDifference = {
          kind: 'column-default',
          table: tableName,
          name: column.name,
          message: `${label} has ${describeDefault(column.default)} now; it had ${describeDefault(was.default)}`
        }
        if (was.default !== null) difference.before = was.default
        if (column.default !== null) difference.after = column.default
        differences.push(difference)
      }
    }

    const oldIndexes = new Map(old.indexes.map((index) => [index.name, index]))
    for (const index of now.indexes) {
      const was = oldIndexes.get(index.name)
      if (was && was.shape !== index.shape) {
        differences.push({
          kind: 'index-changed',
          table: tableName,
          name: index.name,
          before: was.definition,
          after: index.definition,
          message: `index ${index.name} on ${tableName} is defined differently: ${index.definition}; it was ${was.definition}`
        })
      }
    }
    const indexes = pairByShape(old.indexes, now.indexes, (index) => index.shape)
    for (const index of indexes.missing) {
      differences.push({ kind: 'index-missing', table: tableName, name: index.name, before: index.definition, message: `index ${index.name} on ${tableName} no longer exists (${index.definition})` })
    }
    for (const index of indexes.added) {
      differences.push({ kind: 'index-added', table: tableName, name: index.name, after: index.definition, message: `index ${index.name} on ${tableName} is new (${index.definition})` })
    }

    const oldConstraints = new Map(old.constraints.map((constraint) => [constraint.name, constraint]))
    for (const constraint of now.constraints) {
      const was = oldConstraints.get(constraint.name)
      if (was && (was.definition !== constraint.definition || was.type !== constraint.type)) {
        differences.push({
          kind: 'constraint-changed',
          table: tableName,
          name: constraint.name,
          before: was.definition,
          after: constraint.definition,
          message: `${constraint.type} constraint ${constraint.name} on ${tableName} is ${constraint.definition} now; it was ${was.definition}`
        })
      }
    }
    const constraints = pairByShape(old.constraints, now.constraints, (constraint) => `${constraint.type}\0${constraint.definition}`)
    for (const constraint of constraints.missing) {
      differences.push({
        kind: 'constraint-missing',
        table: tableName,
        name: constraint.name,
        before: constraint.definition,
        message: `${constraint.type} constraint ${constraint.name} on ${tableName} no longer exists (${constraint.definition})`
      })
    }
    for (const constraint of constraints.added) {
      differences.push({
        kind: 'constraint-added',
        table: tableName,
        name: constraint.name,
        after: constraint.definition,
        message: `${constraint.type} constraint ${constraint.name} on ${tableName} is new (${constraint.definition})`
      })
    }
  }
  return differences
}
