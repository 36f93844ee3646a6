// One validated description of a run, whether it came from the Action's
// inputs or the CLI's flags. Every input has a flag of the same name.
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
  return options
}
