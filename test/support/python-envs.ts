// The Django virtualenvs made by scripts/bootstrap.mjs: one per supported series
// (index.json, oldest to newest), and extras for particular tests (extras.json:
// a series plus a third-party package, keyed like '5.2-zdm').
import { existsSync, readFileSync } from 'node:fs'
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

/** The extra virtualenvs, which djangoVenvs() leaves out. */
export function extraVenvs(): DjangoVenv[] {
  const file = join(ROOT, '.cache', 'venvs', 'extras.json')
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DjangoVenv[]) : []
}

/** A supported series ('5.2') or an extra ('5.2-zdm'). */
export function djangoVenv(series: string): DjangoVenv {
  const venv = [...djangoVenvs(), ...extraVenvs()].find((entry) => entry.series === series)
  if (venv === undefined) throw new Error(`no virtualenv for Django ${series}; run npm test (its bootstrap makes them)`)
  return venv
}

/** The newest Django series we support, for tests that need one (never an extra: they are not in index.json). */
export function newestDjango(): DjangoVenv {
  return djangoVenvs().at(-1)!
}

export const REPO_ROOT = ROOT
