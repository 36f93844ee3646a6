// Finds a folder holding PostgreSQL's server binaries (initdb and postgres).
import { execFile } from 'node:child_process'
import { accessSync, constants, readdirSync, realpathSync, statSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { PostgresUnavailableError } from './types.js'
import type { Environment } from '../model/options.js'

export interface ServerBinaries {
  /** The folder, with symlinks resolved. */
  binDir: string
  initdb: string
  postgres: string
  /** How it was found, for logs: `binDir`, `pg_config`, `PATH`, or the folder searched. */
  source: string
}

const exe = process.platform === 'win32' ? '.exe' : ''

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The binaries in `dir`, or null when `initdb` or `postgres` is missing there. */
export function serverBinariesIn(dir: string, source: string): ServerBinaries | null {
  const initdb = join(dir, `initdb${exe}`)
  if (!isExecutableFile(initdb)) return null
  // initdb finds postgres next to its real path, so resolve symlinks (e.g. /usr/local/bin/initdb).
  let binDir = dir
  try {
    binDir = dirname(realpathSync(initdb))
  } catch {
    // keep dir
  }
  const postgres = join(binDir, `postgres${exe}`)
  if (!isExecutableFile(postgres)) return null
  return { binDir, initdb: join(binDir, `initdb${exe}`), postgres, source }
}

/** Numeric-aware descending sort: `17` before `9.6`, `postgresql@16` before `postgresql@9.6`. */
function newestFirst(names: string[]): string[] {
  const key = (name: string): number[] => (name.match(/\d+/g) ?? []).map(Number)
  return [...names].sort((a, b) => {
    const ka = key(a)
    const kb = key(b)
    for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
      const d = (kb[i] ?? -1) - (ka[i] ?? -1)
      if (d !== 0) return d
    }
    return a < b ? -1 : a > b ? 1 : 0
  })
}

function subdirs(dir: string, pattern: RegExp): string[] {
  try {
    return newestFirst(readdirSync(dir).filter((name) => pattern.test(name)))
  } catch {
    return []
  }
}

function pgConfigBinDir(env: Environment): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('pg_config', ['--bindir'], { timeout: 3000, env }, (error, stdout) => {
      resolve(error ? null : stdout.trim() || null)
    })
  })
}

/** Folders that commonly hold the server binaries, newest version first. */
export function wellKnownBinDirs(): Array<{ dir: string; source: string }> {
  const found: Array<{ dir: string; source: string }> = []
  for (const version of subdirs('/usr/lib/postgresql', /^\d+(\.\d+)?$/)) {
    found.push({ dir: `/usr/lib/postgresql/${version}/bin`, source: '/usr/lib/postgresql' })
  }
  for (const prefix of ['/opt/homebrew/opt', '/usr/local/opt']) {
    for (const name of subdirs(prefix, /^postgresql(@\d+(\.\d+)?)?$/)) {
      found.push({ dir: `${prefix}/${name}/bin`, source: prefix })
    }
  }
  const app = '/Applications/Postgres.app/Contents/Versions'
  found.push({ dir: `${app}/latest/bin`, source: 'Postgres.app' })
  for (const version of subdirs(app, /^\d+(\.\d+)?$/)) found.push({ dir: `${app}/${version}/bin`, source: 'Postgres.app' })
  return found
}

/**
 * Finds the server binaries: an explicit `binDir` (an error when it lacks them),
 * else `pg_config --bindir`, `initdb` on PATH, /usr/lib/postgresql/<newest>/bin,
 * Homebrew's postgresql@* and Postgres.app. Null when none is found.
 */
export async function findServerBinaries(binDir: string | undefined, env: Environment): Promise<ServerBinaries | null> {
  if (binDir !== undefined && binDir !== '') {
    const explicit = serverBinariesIn(binDir, 'binDir')
    if (explicit) return explicit
    const missing = isExecutableFile(join(binDir, `initdb${exe}`)) ? 'postgres' : 'initdb'
    throw new PostgresUnavailableError(
      `The Postgres binary folder ${binDir} has no executable ${missing}; point it at the folder holding initdb and postgres (e.g. /usr/lib/postgresql/15/bin, which \`pg_config --bindir\` prints), or leave it unset to search the usual places.`
    )
  }
  const fromPgConfig = await pgConfigBinDir(env)
  if (fromPgConfig) {
    const found = serverBinariesIn(fromPgConfig, 'pg_config')
    if (found) return found
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    const found = serverBinariesIn(dir, 'PATH')
    if (found) return found
  }
  for (const { dir, source } of wellKnownBinDirs()) {
    const found = serverBinariesIn(dir, source)
    if (found) return found
  }
  return null
}
