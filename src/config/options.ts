// One validated description of a run, whether it came from the Action's
// inputs or the CLI's flags. Every input has a flag of the same name.
import { resolve } from 'node:path'
import type { FailOn, Options, PostgresChoice } from '../model/options.js'

export type OutputFormat = 'text' | 'json' | 'markdown'

export const DEFAULTS = {
  repo: '.',
  base: 'origin/main',
  head: 'HEAD',
  projectRoot: '',
  failOn: 'unsafe',
  rehearsal: true,
  postgres: 'auto',
  postgresImage: 'postgres:17-alpine',
  python: 'python3',
  seedRows: 30,
  syntheticSeed: true,
  templateMigrate: false,
  sampleRows: 5000,
  maxLockHoldMs: 1_000,
  contention: true,
  lockTimeoutMs: 2_000,
  statementTimeoutMs: 60_000,
  timeoutMs: 15 * 60_000
} as const satisfies Partial<Options>

/** Bad input: exit status 2 and a message naming the input or flag to fix. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export const FAIL_ON_VALUES: readonly FailOn[] = ['error', 'unsafe', 'warning', 'never']
export const POSTGRES_VALUES: readonly PostgresChoice[] = ['auto', 'container', 'local', 'url']

export function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw new UsageError(`${name} must be one of ${allowed.join(', ')}; got '${value}'`)
}

export function positiveInteger(name: string, value: string): number {
  const number = Number(value)
  if (!Number.isInteger(number) || number < 0) throw new UsageError(`${name} must be a whole number; got '${value}'`)
  return number
}

export function booleanValue(name: string, value: string): boolean {
  if (/^(true|yes|1|on)$/i.test(value)) return true
  if (/^(false|no|0|off)$/i.test(value)) return false
  throw new UsageError(`${name} must be true or false; got '${value}'`)
}

/** `NAME=app.Model` pairs, e.g. `AUTH_USER_MODEL=accounts.User`. */
export function swappableSettings(name: string, values: readonly string[]): Record<string, string> {
  const settings: Record<string, string> = {}
  for (const value of values) {
    const match = /^([A-Z_][A-Z0-9_]*)=([\w]+\.[\w]+)$/.exec(value.trim())
    if (match === null) throw new UsageError(`${name} takes SETTING=app.Model (e.g. AUTH_USER_MODEL=accounts.User); got '${value}'`)
    settings[match[1]!] = match[2]!
  }
  return settings
}

/** Cross-field checks shared by both front ends. */
export function validate(options: Options): Options {
  if (options.postgres === 'url' && !options.databaseUrl) {
    throw new UsageError('postgres: url needs database-url (postgres://user:password@host:port/database)')
  }
  if (options.databaseUrl && !/^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    throw new UsageError('database-url must start with postgres:// or postgresql://')
  }
  if (options.templateDatabase !== undefined) {
    if (!options.databaseUrl || options.postgres !== 'url') {
      throw new UsageError(
        `template-database needs database-url, the server that holds '${options.templateDatabase}' (postgres: ${options.postgres} makes a server of its own, which has no such database)`
      )
    }
    if (Buffer.byteLength(options.templateDatabase) > 63 || options.templateDatabase.includes('\0')) {
      throw new UsageError(`template-database must be a database name of at most 63 bytes; got '${options.templateDatabase}'`)
    }
  } else if (options.templateMigrate) {
    throw new UsageError('template-migrate needs template-database')
  }
  if (options.sampleRows < 1) throw new UsageError('sample-rows must be at least 1')
  // A path to an interpreter is the user's, from where they ran us: the helpers start in checkouts elsewhere.
  options.python = interpreterPath(options.python)
  if (options.basePython !== undefined) options.basePython = interpreterPath(options.basePython)
  return options
}

/** `.venv/bin/python` becomes absolute (from the working directory); a bare name (`python3`) is looked up on PATH. */
export function interpreterPath(python: string): string {
  return python.includes('/') || python.includes('\\') ? resolve(python) : python
}

/** Synthetic rows: on by default, off by default on a team's snapshot (template-database), where they only fill the tables it leaves empty. */
export function syntheticSeedDefault(templateDatabase: string | undefined): boolean {
  return templateDatabase === undefined ? DEFAULTS.syntheticSeed : false
}
