// The report a fork's review run uploaded is untrusted data: anyone can open
// a pull request that writes it. Before the privileged comment stage renders
// it, it is checked against the report's JSON Schema (generated from the
// types in src/model/report.ts, the one source of the contract), with limits
// on its size; anything else is refused, not coerced.
import { Ajv } from 'ajv'
import schema from '../../schema/report.v1.schema.json' with { type: 'json' }
import { SCHEMA_VERSION, type Report } from '../model/report.js'

export const MAX_REPORT_BYTES = 10 * 1024 * 1024
/** The most items any list of a report may hold. */
const MAX_ITEMS = 10_000

export class UntrustedReportError extends Error {
  constructor(message: string) {
    super(`the report artifact is not usable: ${message}`)
    this.name = 'UntrustedReportError'
  }
}

let validate: ReturnType<Ajv['compile']> | null = null

function validator(): ReturnType<Ajv['compile']> {
  validate ??= new Ajv({ allErrors: false, strict: false }).compile(schema)
  return validate
}

export function readUntrustedReport(text: string): Report {
  if (Buffer.byteLength(text) > MAX_REPORT_BYTES) throw new UntrustedReportError(`it is larger than ${MAX_REPORT_BYTES / 1024 / 1024} MiB`)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new UntrustedReportError('it is not JSON')
  }
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion
  if (version !== SCHEMA_VERSION) {
    throw new UntrustedReportError(`report.schemaVersion should be ${SCHEMA_VERSION} (this version of the action reads schema ${SCHEMA_VERSION})`)
  }
  const check = validator()
  if (!check(value)) {
    const error = check.errors![0]!
    const path = `report${error.instancePath.replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.')}`
    throw new UntrustedReportError(`${path} ${error.message ?? 'does not match the schema'}`)
  }
  const tooLong = longList(value, 'report')
  if (tooLong) throw new UntrustedReportError(`${tooLong} should be a list of at most ${MAX_ITEMS} items`)
  const number = (value as Report).pullRequest?.number
  if (number !== undefined && !(Number.isInteger(number) && number > 0)) throw new UntrustedReportError('report.pullRequest.number should be a positive whole number')
  return value as Report
}

/** The path of a list longer than MAX_ITEMS, if any. */
function longList(value: unknown, path: string): string | null {
  if (Array.isArray(value)) {
    if (value.length > MAX_ITEMS) return path
    for (const [i, item] of value.entries()) {
      const found = longList(item, `${path}[${i}]`)
      if (found) return found
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const found = longList(item, `${path}.${key}`)
      if (found) return found
    }
  }
  return null
}
