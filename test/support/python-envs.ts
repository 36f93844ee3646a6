// The Django virtualenvs made by scripts/bootstrap.mjs (one per supported series).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface DjangoVenv {
  series: string
  python: string
  django: string
}

const ROOT = join(import.meta.dirname, '..', '..')

export function djangoVenvs(): DjangoVenv[] {
  return JSON.parse(readFileSync(join(ROOT, '.cache', 'venvs', 'index.json'), 'utf8')) as DjangoVenv[]
}

export function djangoVenv(series: string): DjangoVenv {
  const venv = djangoVenvs().find((entry) => entry.series === series)
  if (venv === undefined) throw new Error(`no virtualenv for Django ${series}; run npm test (its bootstrap makes them)`)
  return venv
}

/** The newest Django series we support, for tests that need one. */
export function newestDjango(): DjangoVenv {
  return djangoVenvs().at(-1)!
}

export const REPO_ROOT = ROOT
