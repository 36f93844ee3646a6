// A throwaway cluster from the server binaries on this machine: initdb into a
// temp dir, then `postgres` in the foreground as our child (pg_ctl start would
// daemonize it), listening on a Unix socket in that dir and on 127.0.0.1.
// As root, initdb and postgres run as the `postgres` OS user.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises'
import { statSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import type { Logger } from '../lifecycle/logger.js'
import { memoryDir } from '../lifecycle/memory-dir.js'
import type { ResourceStack } from '../lifecycle/resources.js'
import { DatabaseAdmin, DatabaseNamer, LogTail, OwnedResources, serverHandle } from './admin.js'
import { findServerBinaries, type ServerBinaries } from './binaries.js'
import { PostgresUnavailableError, type PostgresServer } from './types.js'
import type { ConnectionParams, Environment } from '../model/options.js'

/** A local server also tells where it lives, for tests and diagnostics. */
export interface LocalPostgresServer extends PostgresServer {
  readonly kind: 'local'
  /** The postmaster's process id. */
  readonly pid: number
  /** The temp dir: data dir, Unix socket; removed by close(). */
  readonly dir: string
  readonly binDir: string
  /** The last lines the server wrote. */
  serverLog(): string
}

export interface LocalPostgresOptions {
  /** Folder with initdb and postgres; searched for when unset. */
  binDir?: string | undefined
  /** The entry's environment: PATH for the binaries, TMPDIR, and the base of initdb's and postgres's own. */
  env: Environment
  /** Extra server settings, passed as `-c name=value`. */
  settings?: Record<string, string>
  /** How long to wait for the server to accept connections, in ms. */
  startTimeoutMs?: number
  /**
   * Where to make the temp dir. Default: /dev/shm when it is a tmpfs with room
   * (and TMPDIR is not set), which makes initdb and template copies 2-4x faster;
   * else os.tmpdir(), or /tmp when that path is too long for a Unix socket.
   */
  baseDir?: string
}

/** The durability settings a throwaway server does not need. */
export const FAST_SETTINGS: Readonly<Record<string, string>> = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off'
}

const SUPERUSER = 'postgres'

interface OsUser {
  name: string
  uid: number
  gid: number
}

/** Longest Unix socket path (sun_path minus the NUL): 107 on Linux, 103 on macOS and BSDs. */
const SOCKET_PATH_MAX = process.platform === 'linux' ? 107 : 103
/** `<dir>/.s.PGSQL.<port>` with a 5-digit port. */
const SOCKET_SUFFIX_LENGTH = '/.s.PGSQL.65535'.length
/** `dmr-<run id>-pg-` plus mkdtemp's 6 random characters. */
const TEMP_NAME_LENGTH = '/dmr-xxxxxxxx-pg-XXXXXX'.length

/** The uid/gid of a user from /etc/passwd, else from `id`; null when there is no such user. */
export async function lookupOsUser(name: string): Promise<OsUser | null> {
  try {
    for (const line of (await readFile('/etc/passwd', 'utf8')).split('\n')) {
      const fields = line.split(':')
      if (fields[0] === name && fields.length >= 4) return { name, uid: Number(fields[2]), gid: Number(fields[3]) }
    }
  } catch {
    // no /etc/passwd: ask id
  }
  const id = (flag: string): Promise<number | null> =>
    new Promise((done) =>
      execFile('id', [flag, name], { timeout: 3000 }, (error, stdout) => done(error ? null : Number(stdout.trim())))
    )
  const [uid, gid] = await Promise.all([id('-u'), id('-g')])
  return uid === null || gid === null || Number.isNaN(uid) || Number.isNaN(gid) ? null : { name, uid, gid }
}

/** Whether every folder from / down to `dir` lets other users through (o+x). */
function traversableByOthers(dir: string): boolean {
  let current = resolve(dir)
  for (;;) {
    try {
      if ((statSync(current).mode & 0o001) === 0) return false
    } catch {
      return false
    }
    const parent = dirname(current)
    if (parent === current) return true
    current = parent
  }
}

/**
 * A base for the temp dir: `explicit`, else /dev/shm (see LocalPostgresOptions.baseDir)
 * unless TMPDIR is set, else os.tmpdir(); /tmp when the socket path would be too
 * long there, or when, as root, `postgres` could not reach it.
 */
export function tempBase(asOtherUser: boolean, explicit: string | undefined, env: Environment): string {
  const base = explicit ?? (env.TMPDIR ? null : memoryDir()) ?? env.TMPDIR ?? tmpdir()
  const fits = base.length + TEMP_NAME_LENGTH + SOCKET_SUFFIX_LENGTH <= SOCKET_PATH_MAX
  if (fits && (!asOtherUser || traversableByOthers(base))) return base
  return '/tmp'
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.unref()
    server.on('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => done(port))
    })
  })
}

interface RunAs {
  uid?: number
  gid?: number
}

function childEnv(base: Environment, home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, HOME: home, LC_ALL: 'C' }
  // Settings meant for clients or another cluster must not steer this one.
  for (const key of ['PGDATA', 'PGPORT', 'PGHOST', 'PGUSER', 'PGDATABASE', 'PGOPTIONS', 'PGSYSCONFDIR']) delete env[key]
  return env
}

/** Runs initdb; rejects with its output when it fails. */
function runInitdb(binaries: ServerBinaries, dataDir: string, cwd: string, runAs: RunAs, env: Environment): Promise<void> {
  const args = ['-D', dataDir, '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C', '-U', SUPERUSER]
  return new Promise((done, fail) => {
    const child = spawn(binaries.initdb, args, { cwd, env: childEnv(env, cwd), stdio: ['ignore', 'pipe', 'pipe'], ...runAs })
    const log = new LogTail()
    log.attach(child.stdout, child.stderr)
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
    child.on('error', (error) => {
      clearTimeout(timer)
      const hint =
        runAs.uid !== undefined && (error as NodeJS.ErrnoException).code === 'EACCES'
          ? ' (it runs as the postgres OS user, which needs read and execute access to it and to every folder above it)'
          : ''
      fail(new Error(`could not run ${binaries.initdb}: ${error.message}${hint}`))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) done()
      else fail(new Error(`initdb failed (${signal ?? `exit code ${code}`}):\n${log.text()}`))
    })
  })
}

/** A running postgres child: its exit, its log, and how to stop it. */
class ServerProcess {
  readonly child: ChildProcess
  readonly log = new LogTail()
  readonly exited: Promise<void>
  exitDescription: string | null = null
  stopping = false
  /** Called when the server exits without being asked to. */
  onUnexpectedExit: (() => void) | null = null
  private readonly killOnExit = (): void => {
    // The Node process is going away without close(): do not leave a server behind.
    if (this.exitDescription === null) this.child.kill('SIGQUIT')
  }

  constructor(binaries: ServerBinaries, args: string[], cwd: string, runAs: RunAs, env: Environment) {
    // Its own process group: a terminal's Ctrl-C reaches only us, and the run's
    // cleanup stops the server in order (a child still, so it is reaped).
    this.child = spawn(binaries.postgres, args, {
      cwd,
      env: childEnv(env, cwd),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      ...runAs
    })
    this.log.attach(this.child.stdout, this.child.stderr)
    this.exited = new Promise((done) => {
      this.child.on('error', (error) => {
        this.exitDescription ??= `could not be started: ${error.message}`
        done()
      })
      this.child.on('exit', (code, signal) => {
        this.exitDescription = signal ? `was stopped by ${signal}` : `exited with code ${code}`
        process.off('exit', this.killOnExit)
        if (!this.stopping) this.onUnexpectedExit?.()
        done()
      })
    })
    process.on('exit', this.killOnExit)
  }

  get running(): boolean {
    return this.exitDescription === null && this.child.pid !== undefined
  }

  /** SIGINT (fast shutdown), then SIGQUIT (immediate), then SIGKILL; resolves once the process is gone. */
  async stop(): Promise<void> {
    this.stopping = true
    const steps: Array<[NodeJS.Signals, number]> = [
      ['SIGINT', 20_000],
      ['SIGQUIT', 5_000],
      ['SIGKILL', 5_000]
    ]
    for (const [signal, waitMs] of steps) {
      if (!this.running) break
      this.child.kill(signal)
      let timer: NodeJS.Timeout | undefined
      await Promise.race([this.exited, new Promise((done) => (timer = setTimeout(done, waitMs)))])
      clearTimeout(timer)
    }
    process.off('exit', this.killOnExit)
  }
}

async function waitUntilReady(server: ServerProcess, dataDir: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs
  // postmaster.pid's 8th line says `ready` once the server accepts connections (what pg_ctl -w checks).
  const pidFile = join(dataDir, 'postmaster.pid')
  while (performance.now() < deadline) {
    if (!server.running) {
      throw new Error(`postgres ${server.exitDescription ?? 'stopped'} before accepting connections:\n${server.log.text()}`)
    }
    try {
      const lines = (await readFile(pidFile, 'utf8')).split('\n')
      if (lines[7]?.trim() === 'ready') return
    } catch {
      // not written yet
    }
    await new Promise((done) => setTimeout(done, 10))
  }
  throw new Error(`postgres did not accept connections within ${timeoutMs} ms:\n${server.log.text()}`)
}

const portTaken = (log: string): boolean => /could not bind|Address already in use/i.test(log)

/**
 * Starts a throwaway cluster. Everything it creates is registered on
 * `resources` as soon as it exists; when the start fails halfway it removes
 * what it created before rejecting.
 */
export async function startLocalPostgres(
  options: LocalPostgresOptions,
  resources: ResourceStack,
  logger: Logger
): Promise<LocalPostgresServer> {
  const binaries = await findServerBinaries(options.binDir, options.env)
  if (!binaries) {
    throw new PostgresUnavailableError(
      'No PostgreSQL server binaries (initdb, postgres) were found on this machine; install them (e.g. apt-get install postgresql), set the binary folder, or use postgres: container or database-url.'
    )
  }

  let runAs: RunAs = {}
  let osUser: OsUser | null = null
  if (process.getuid?.() === 0) {
    osUser = await lookupOsUser(SUPERUSER)
    if (!osUser) {
      throw new PostgresUnavailableError(
        'Running as root, the local provider needs a `postgres` OS user to run initdb and the server as (initdb refuses root), and there is none; create one, or use postgres: container or database-url.'
      )
    }
    runAs = { uid: osUser.uid, gid: osUser.gid }
  }

  const owned = new OwnedResources(resources, logger)
  try {
    const started = performance.now()
    const dir = await mkdtemp(join(tempBase(osUser !== null, options.baseDir, options.env), `dmr-${resources.runId}-pg-`))
    await owned.add(`temp dir ${dir}`, () => rm(dir, { recursive: true, force: true, maxRetries: 3 }), { kind: 'folder', path: dir })
    if (osUser) await chown(dir, osUser.uid, osUser.gid)
    const dataDir = join(dir, 'data')

    await runInitdb(binaries, dataDir, dir, runAs, options.env)
    const initdbMs = Math.round(performance.now() - started)

    const settings = { ...FAST_SETTINGS, ...options.settings }
    let server: ServerProcess | null = null
    let port = 0
    const ready = performance.now()
    for (let attempt = 1; ; attempt++) {
      port = await freePort()
      const args = ['-D', dataDir, '-p', String(port), '-k', dir, '-h', '127.0.0.1']
      for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`)
      const candidate = new ServerProcess(binaries, args, dir, runAs, options.env)
      server = candidate
      await owned.add(
        `postgres server (pid ${candidate.child.pid ?? 'none'}, port ${port})`,
        () => candidate.stop(),
        candidate.child.pid === undefined ? undefined : { kind: 'postgres', pid: candidate.child.pid, dataDir }
      )
      try {
        await waitUntilReady(candidate, dataDir, options.startTimeoutMs ?? 60_000)
        break
      } catch (error) {
        // Another process took the port between our check and the bind: try another one.
        if (attempt >= 3 || candidate.running || !portTaken(candidate.log.text())) throw error
        logger.debug(`port ${port} was taken; retrying`)
      }
    }
    const startMs = Math.round(performance.now() - ready)
    const running = server

    const connection = (database: string): ConnectionParams => ({
      host: dir,
      port,
      user: SUPERUSER,
      password: undefined,
      database
    })
    const admin = await DatabaseAdmin.connect(connection('postgres'), { logger, namer: new DatabaseNamer(`dmr_${resources.runId}_`) })
    // The cluster is thrown away whole: no need to drop its databases first.
    await owned.add('admin connection', () => admin.close({ dropDatabases: false }))
    const { version } = await admin.serverVersion()
    const description = `local PostgreSQL ${version} from ${binaries.binDir} (port ${port}, socket dir ${dir}${osUser ? ', as OS user postgres' : ''})`
    logger.info(`Started ${description}: initdb ${initdbMs} ms, start ${startMs} ms`)
    running.onUnexpectedExit = () =>
      logger.warning(`The local postgres server ${running.exitDescription}:\n${running.log.text()}`)

    return {
      ...serverHandle('local', { version, description, connection, env: options.env, binDirs: [binaries.binDir] }, admin, owned),
      pid: running.child.pid!,
      dir,
      binDir: binaries.binDir,
      serverLog: () => running.log.text(LogTail.KEPT)
    }
  } catch (error) {
    await owned.releaseAll()
    throw error
  }
}
