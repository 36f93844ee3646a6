// The repository's own settings for the review, in `.django-migration-review.json`
// at the root (or the file named by the `config` input): rules switched off or
// re-graded, migrations or apps left out, findings ignored with a reason.
import type { Severity } from '../model/report.js'
import { UsageError } from './options.js'
import type { RepoConfig } from '../model/options.js'

export const CONFIG_FILE = '.django-migration-review.json'
export const EMPTY_CONFIG: RepoConfig = { rules: {}, exclude: { apps: [], migrations: [] }, ignore: [] }

const LEVELS = new Set(['off', 'info', 'warning', 'unsafe', 'error'])

export function parseRepoConfig(text: string, path: string): RepoConfig {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON: ${(error as Error).message}`)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError(`${path} must hold a JSON object`)
  const object = raw as Record<string, unknown>
  const known = new Set(['$schema', 'rules', 'exclude', 'ignore'])
  for (const key of Object.keys(object)) if (!known.has(key)) throw new UsageError(`${path}: unknown key "${key}" (expected rules, exclude, ignore)`)

  const rules: RepoConfig['rules'] = {}
  for (const [rule, level] of Object.entries((object.rules ?? {}) as Record<string, unknown>)) {
    if (typeof level !== 'string' || !LEVELS.has(level)) throw new UsageError(`${path}: rules.${rule} must be one of off, info, warning, unsafe, error`)
    rules[rule] = level as Severity | 'off'
  }
  const exclude = (object.exclude ?? {}) as Record<string, unknown>
  const strings = (value: unknown, name: string): string[] => {
    if (value === undefined) return []
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw new UsageError(`${path}: ${name} must be a list of strings`)
    return value as string[]
  }
  const ignore = (object.ignore ?? []) as unknown
  if (!Array.isArray(ignore)) throw new UsageError(`${path}: ignore must be a list`)
  const ignores = ignore.map((entry, index) => {
    const item = entry as Record<string, unknown>
    for (const field of ['rule', 'migration', 'reason']) {
      if (typeof item[field] !== 'string' || (item[field] as string).trim() === '') {
        throw new UsageError(`${path}: ignore[${index}] needs "${field}" (an ignore without a reason is not accepted)`)
      }
    }
    return { rule: item.rule as string, migration: item.migration as string, reason: item.reason as string }
  })
  return {
    rules,
    exclude: { apps: strings(exclude.apps, 'exclude.apps'), migrations: strings(exclude.migrations, 'exclude.migrations') },
    ignore: ignores
  }
}
