// The report a fork's review run uploaded is untrusted data: anyone can open
// a pull request that writes it. Before the privileged comment stage renders
// it, check its size and that every field the renderers read has the type
// they expect; anything else is refused, not coerced.
import { SCHEMA_VERSION, type Report } from '../model/report.js'

export const MAX_REPORT_BYTES = 10 * 1024 * 1024

export class UntrustedReportError extends Error {
  constructor(message: string) {
    super(`the report artifact is not usable: ${message}`)
    this.name = 'UntrustedReportError'
  }
}

type Check = (value: unknown, path: string) => void

const fail = (path: string, expected: string): never => {
  throw new UntrustedReportError(`${path} should be ${expected}`)
}
const string: Check = (v, p) => void (typeof v === 'string' || fail(p, 'a string'))
const number: Check = (v, p) => void ((typeof v === 'number' && Number.isFinite(v)) || fail(p, 'a number'))
const boolean: Check = (v, p) => void (typeof v === 'boolean' || fail(p, 'true or false'))
const nullable = (check: Check): Check => (v, p) => (v === null ? undefined : check(v, p))
const optional = (check: Check): Check => (v, p) => (v === undefined ? undefined : check(v, p))
const oneOf = (...values: string[]): Check => (v, p) => void (values.includes(v as string) || fail(p, `one of ${values.join(', ')}`))
const sha: Check = (v, p) => void ((typeof v === 'string' && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(v)) || fail(p, 'a commit SHA'))
const list = (check: Check, max = 10_000): Check => (v, p) => {
  if (!Array.isArray(v)) fail(p, 'a list')
  if ((v as unknown[]).length > max) fail(p, `a list of at most ${max} items`)
  ;(v as unknown[]).forEach((item, i) => check(item, `${p}[${i}]`))
}
const object = (shape: Record<string, Check>): Check => (v, p) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(p, 'an object')
  for (const [key, check] of Object.entries(shape)) check((v as Record<string, unknown>)[key], `${p}.${key}`)
}

const verdict = oneOf('safe', 'warning', 'unsafe', 'error')
const severity = oneOf('info', 'warning', 'unsafe', 'error')
const deployOrder = nullable(oneOf('migrate-first', 'deploy-first', 'multi-step'))
const established = (extra: Record<string, Check> = {}): Check => object({ value: nullable(boolean), reason: optional(string), ...extra })
const lock = object({ relation: string, mode: string })
const errorInfo = optional(object({ message: string, exception: string, sqlstate: nullable(string), statement: nullable(string) }))
const statement = object({ sql: string, ms: number, locks: list(lock), rewrite: list(string), operationIndex: nullable(number), line: nullable(number), error: errorInfo })
const finding = object({
  rule: string,
  severity,
  message: string,
  line: nullable(number),
  evidence: oneOf('static', 'rehearsal'),
  safeAlternative: optional(string),
  proof: optional(list(string)),
  deployOrder: optional(deployOrder),
  ignored: optional(object({ reason: string, source: oneOf('inline', 'config') }))
})
const failure = object({ model: string, table: string, probe: oneOf('select', 'insert', 'update'), message: string, sqlstate: nullable(string) })
const loss = object({ table: string, column: nullable(string), rowsLost: number, valuesChanged: number, when: oneOf('forward', 'round-trip') })

const REPORT: Check = object({
  schemaVersion: (v, p) => void (v === SCHEMA_VERSION || fail(p, `${SCHEMA_VERSION} (this version of the action reads schema ${SCHEMA_VERSION})`)),
  tool: object({ name: string, version: string }),
  base: object({ ref: string, sha }),
  head: object({ ref: string, sha }),
  pullRequest: nullable(object({ number: (v, p) => void ((Number.isInteger(v) && (v as number) > 0) || fail(p, 'a positive whole number')) })),
  verdict,
  summary: string,
  deployOrder: optional(deployOrder),
  conflicts: list(
    object({
      app: string,
      leaves: list(object({ name: string, path: string, side: oneOf('main', 'pr', 'both') })),
      commonAncestor: nullable(string),
      branches: object({ main: list(string), pr: list(string) }),
      needsHumanReview: boolean,
      reason: string,
      preexisting: boolean,
      fix: object({ renames: list(object({ from: string, to: string, fromPath: string, toPath: string })), patch: nullable(string), unavailable: nullable(string), mergeCommand: string })
    })
  ),
  editedMigrations: list(object({ path: string, change: oneOf('modified', 'deleted', 'renamed'), message: string })),
  graphProblems: list(object({ kind: string, message: string, path: string, line: number })),
  migrations: list(
    object({
      app: string,
      name: string,
      path: string,
      verdict,
      deployOrder,
      atomic: boolean,
      findings: list(finding),
      appliesOnSeededData: established({ error: errorInfo }),
      backwardCompatible: established({ failures: optional(list(failure)) }),
      forwardCompatible: established({ failures: optional(list(failure)) }),
      reversible: established({ error: errorInfo }),
      dataLoss: established({ losses: optional(list(loss)) }),
      locks: list(lock),
      rewrites: list(string),
      statements: list(statement),
      reverseStatements: list(statement)
    })
  ),
  rehearsal: object({ status: oneOf('ran', 'skipped', 'failed'), reason: optional(string), postgresVersion: optional(string), djangoVersion: optional(string), seededRows: optional(number) }),
  missingMigrations: object({ value: nullable(boolean), reason: optional(string), changes: optional(list(object({ app: string, operations: list(string) }))) })
})

export function readUntrustedReport(text: string): Report {
  if (Buffer.byteLength(text) > MAX_REPORT_BYTES) throw new UntrustedReportError(`it is larger than ${MAX_REPORT_BYTES / 1024 / 1024} MiB`)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new UntrustedReportError('it is not JSON')
  }
  REPORT(value, 'report')
  return value as Report
}
