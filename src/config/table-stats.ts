// Production's table sizes, from the JSON file the read-only query in
// docs/table-stats.md writes: `{"<table>": {"rows": n, "bytes": n,
// "indexBytes": n}}`. A bad file is a usage error naming the file and the
// entry to fix: the rehearsal never starts on sizes it cannot trust.
import { readFileSync } from 'node:fs'
import type { TableSize, TableSizes } from '../model/report.js'
import { UsageError } from './options.js'

export function readTableStats(path: string): TableSizes {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new UsageError(`table-stats: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`table-stats: ${path} is not JSON (${(error as Error).message}); write it with the query in docs/table-stats.md`)
  }
  return tableSizes(parsed, path)
}

export function tableSizes(parsed: unknown, source: string): TableSizes {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`table-stats: ${source} must hold one object of tables, {"<table>": {"rows": …, "bytes": …, "indexBytes": …}}`)
  }
  const sizes = new Map<string, TableSize>()
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    const entry = (value ?? {}) as Record<string, unknown>
    const rows = count(entry.rows)
    const bytes = count(entry.bytes)
    const indexBytes = entry.indexBytes === undefined ? 0 : count(entry.indexBytes)
    if (rows === null || bytes === null || indexBytes === null) {
      throw new UsageError(`table-stats: ${source}: "${name}" needs whole numbers "rows" and "bytes" (and "indexBytes"); got ${JSON.stringify(value)}`)
    }
    // A schema-qualified name (public.shop_book) is the table the migrations name.
    sizes.set(name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name, { rows, bytes, indexBytes })
  }
  return sizes
}

function count(value: unknown): number | null {
  // psql prints bigint as a number; a string of digits is accepted too.
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
  return typeof number === 'number' && Number.isFinite(number) && number >= 0 ? Math.round(number) : null
}
