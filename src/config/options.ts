// One validated description of a run, whether it came from the Action's
// inputs or the CLI's flags. Every input has a flag of the same name.
import type { PostgresChoice } from '../postgres/types.js'
import type { FailOn } from '../verdict/severity.js'

export type OutputFormat = 'text' | 'json' | 'markdown'

export interface Options {
  /** Folder of the git checkout. */
  repo: string
  base: string
  head: string
  /** The Django project's folder inside the repository ('' for the root). */
  projectRoot: string
  /** Folders (relative to the repository) whose migrations are not reviewed. */
  exclude: string[]
  /** Values of swappable settings; AUTH_USER_MODEL is read from settings files when not given. */
  swappable: Record<string, string>
  failOn: FailOn
  /** Whether to run the rehearsal (needs Python, Django and Postgres). */
  rehearsal: boolean
  postgres: PostgresChoice
  databaseUrl: string | undefined
  postgresImage: string
  postgresBin: string | undefined
  python: string
  /** `DJANGO_SETTINGS_MODULE`; found from manage.py when unset. */
  settings: string | undefined
  /** Rows the seeder inserts per table. */
  seedRows: number
  /** A SQL file (path in the repository) run on the base schema before the synthetic rows. */
  seedSql: string | undefined
  /** A command run in the base checkout before the synthetic rows (e.g. `python manage.py loaddata x`). */
  seedCommand: string | undefined
  /** Skip the synthetic rows (use only the user's seed). */
  syntheticSeed: boolean
  lockTimeoutMs: number
  statementTimeoutMs: number
  /** Limit for the whole rehearsal. */
  timeoutMs: number
}

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
