// pg_dump and pg_restore, for the base-schema cache: a database of the run
// written to a custom-format archive, and a new database of the run restored
// from one. The client binaries must be able to read the server (pg_dump
// refuses a server of a newer major version), so the server's own binaries
// (the local provider's) come first, then the machine's, newest first. The
// connection goes through the environment (PGPASSWORD), never the command line.
import { execFile, spawn } from 'node:child_process'
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import type { ConnectionParams, Environment } from '../model/options.js'
import { LogTail } from './admin.js'
import { wellKnownBinDirs } from './binaries.js'

export interface DumpTools {
  pgDump: string
  pgRestore: string
  /** Major version of the tools, e.g. 15. */
  major: number
  /** The environment they run in (the entry's, less its PG* settings). */
  env: Environment
}

/** No pg_dump/pg_restore here can read this server, or one of them failed. */
export class DumpError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'DumpError'
  }
}

const exe = process.platform === 'win32' ? '.exe' : ''

function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function majorOf(dir: string, env: Environment): Promise<number | null> {
  return new Promise((resolve) => {
    execFile(join(dir, `pg_dump${exe}`), ['--version'], { timeout: 5000, env }, (error, stdout) => {
      // `pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)`, `pg_dump (PostgreSQL) 9.6.24`
      const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(stdout ?? '')
      if (error || !match) return resolve(null)
      const major = Number(match[1])
      resolve(major < 10 ? major + Number(match[2] ?? 0) / 10 : major)
    })
  })
}

/** The major version in `server_version_num` (150020 → 15, 90624 → 9.6). */
export function serverMajor(versionNumber: number): number {
  return versionNumber >= 100000 ? Math.floor(versionNumber / 10000) : Math.floor(versionNumber / 10000) + Math.floor((versionNumber % 10000) / 100) / 10
}

const found = new Map<string, Promise<DumpTools | null>>()

/**
 * pg_dump and pg_restore of the server's major version or newer: in `preferred`
 * folders first (the local server's own), then PATH, then the usual places
 * (/usr/lib/postgresql/<n>/bin, Homebrew, Postgres.app), newest first there.
 */
export function findDumpTools(serverVersionNumber: number, preferred: readonly string[], env: Environment): Promise<DumpTools> {
  const needed = serverMajor(serverVersionNumber)
  const id = `${needed}|${preferred.join(delimiter)}|${env.PATH ?? ''}`
  let search = found.get(id)
  if (!search) {
    search = searchDumpTools(needed, preferred, env)
    found.set(id, search)
  }
  return search.then((tools) => {
    if (tools) return tools
    throw new DumpError(
      `no pg_dump and pg_restore of PostgreSQL ${needed} or newer were found on this machine (pg_dump cannot read a newer server); install the client binaries of that version (e.g. postgresql-client-${Math.floor(needed)}) or put them on PATH`
    )
  })
}

async function searchDumpTools(needed: number, preferred: readonly string[], env: Environment): Promise<DumpTools | null> {
  const dirs = [...preferred, ...(env.PATH ?? '').split(delimiter).filter(Boolean), ...wellKnownBinDirs().map((entry) => entry.dir)]
  const seen = new Set<string>()
  for (const dir of dirs) {
    if (seen.has(dir)) continue
    seen.add(dir)
    const pgDump = join(dir, `pg_dump${exe}`)
    const pgRestore = join(dir, `pg_restore${exe}`)
    if (!executable(pgDump) || !executable(pgRestore)) continue
    const major = await majorOf(dir, env)
    if (major !== null && major >= needed) return { pgDump, pgRestore, major, env }
  }
  return null
}

/** The environment a client binary connects with: only ours, not the caller's PG* settings. */
function clientEnv(params: ConnectionParams, base: Environment): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base }
  for (const key of Object.keys(env)) if (key.startsWith('PG')) delete env[key]
  env.PGHOST = params.host
  env.PGPORT = String(params.port)
  env.PGUSER = params.user
  env.PGDATABASE = params.database
  env.PGAPPNAME = 'django-migration-review'
  env.PGCONNECT_TIMEOUT = '10'
  if (params.password !== undefined) env.PGPASSWORD = params.password
  return env
}

function runClient(binary: string, args: string[], params: ConnectionParams, env: Environment, timeoutMs: number): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(binary, args, { env: clientEnv(params, env), stdio: ['ignore', 'pipe', 'pipe'] })
    const log = new LogTail()
    log.attach(child.stdout, child.stderr)
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      fail(new DumpError(`could not run ${binary}: ${error.message}`, { cause: error }))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) return done()
      const why = signal === 'SIGKILL' ? `did not finish within ${Math.round(timeoutMs / 1000)} s` : `failed (${signal ?? `exit code ${code}`})`
      fail(new DumpError(`${binary.split('/').pop()} ${why}: ${log.text(10)}`))
    })
  })
}

/** Writes the database (schema and rows, django_migrations included) to `file` as a custom-format archive. */
export function dumpDatabase(tools: DumpTools, params: ConnectionParams, file: string, timeoutMs = 600_000): Promise<void> {
  return runClient(tools.pgDump, ['--format=custom', '--no-owner', '--no-privileges', '--compress=1', `--file=${file}`], params, tools.env, timeoutMs)
}

/** Restores an archive into the (empty) database of `params`, in one transaction: all of it or nothing. */
export function restoreDatabase(tools: DumpTools, params: ConnectionParams, file: string, timeoutMs = 600_000): Promise<void> {
  return runClient(
    tools.pgRestore,
    ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${params.database}`, file],
    params,
    tools.env,
    timeoutMs
  )
}
