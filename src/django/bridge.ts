// One long-lived Python process per code version, running the helper shipped
// in dist/python with the user's interpreter and project. JSON lines in and
// out; a request that outlives its timeout kills the whole process group
// (RunPython may have started children of its own).
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { Logger } from '../lifecycle/logger.js'
import type { HelperErrorAnswer, HelperMethod, HelperMethods } from '../model/helper.js'
import type { ConnectionParams, Environment } from '../model/options.js'
import { DjangoBridgeError, explainStartError, requestError } from './errors.js'

export interface DjangoProcessOptions {
  python: string
  /** The entry's environment, which the project's settings may read (DATABASE_URL and the like are set over it). */
  env: Environment
  /** The Django project's folder in a checkout: the process's working directory. */
  projectDir: string
  settingsModule: string
  database: ConnectionParams
  lockTimeoutMs: number
  statementTimeoutMs: number
  startTimeoutMs?: number
  /** A name for logs: `base` or `new`. */
  label: string
  logger: Logger
}

export interface DjangoInfo {
  django: string
  python: string
  executable: string
  vendor: string
  engine: string
}

interface Pending {
  resolve: (value: unknown) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
  method: string
}

const STDERR_KEEP = 8_000

/** The folder holding the `dmr_helper` package: dist/python when bundled, python/ in the source tree. */
export function helperDirectory(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  for (const candidate of [join(here, 'python'), join(here, '..', '..', 'python')]) {
    if (existsSync(join(candidate, 'dmr_helper', '__main__.py'))) return candidate
  }
  throw new Error(`the Python helper is missing next to ${here}; rebuild dist/ (npm run build)`)
}

export function databaseUrl(params: ConnectionParams): string {
  const auth = `${encodeURIComponent(params.user)}${params.password ? `:${encodeURIComponent(params.password)}` : ''}`
  const host = params.host.startsWith('/') ? `?host=${encodeURIComponent(params.host)}` : ''
  const hostPart = params.host.startsWith('/') ? 'localhost' : params.host
  return `postgres://${auth}@${hostPart}:${params.port}/${encodeURIComponent(params.database)}${host}`
}

/**
 * The environment the project's Python runs with: our helper and the project
 * on the path, the settings shim in front of the project's settings, and the
 * throwaway database (also as DATABASE_URL, for settings that read it).
 */
export function djangoEnvironment(
  options: Pick<DjangoProcessOptions, 'env' | 'projectDir' | 'settingsModule' | 'database' | 'lockTimeoutMs' | 'statementTimeoutMs'>
): NodeJS.ProcessEnv {
  return {
    ...options.env,
    PYTHONPATH: [helperDirectory(), options.projectDir, options.env.PYTHONPATH].filter(Boolean).join(delimiter),
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONUNBUFFERED: '1',
    DJANGO_SETTINGS_MODULE: 'dmr_helper.settings_shim',
    DMR_USER_SETTINGS: options.settingsModule,
    DMR_DATABASE: JSON.stringify(options.database),
    DMR_LOCK_TIMEOUT_MS: String(options.lockTimeoutMs),
    DMR_STATEMENT_TIMEOUT_MS: String(options.statementTimeoutMs),
    // Every libpq connection the project's code opens (a second connection in a RunPython, psycopg
    // used directly) gets the timeouts too, not only Django's: a wait on a lock ends at lock_timeout.
    PGOPTIONS: [options.env.PGOPTIONS, `-c lock_timeout=${options.lockTimeoutMs}`, `-c statement_timeout=${options.statementTimeoutMs}`].filter(Boolean).join(' '),
    DATABASE_URL: databaseUrl(options.database)
  }
}

export class DjangoProcess implements AsyncDisposable {
  readonly info: DjangoInfo
  readonly label: string
  /** How it was started: a process that died can be started again the same way. */
  readonly options: DjangoProcessOptions
  private readonly child: ChildProcess
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private exited = false
  private readonly logger: Logger
  private readonly stderrTailOf: () => string

  /** Settles once the process has exited (closed, crashed or killed). */
  readonly closed: Promise<void>

  private constructor(child: ChildProcess, info: DjangoInfo, options: DjangoProcessOptions, logger: Logger, stderrTail: () => string) {
    this.child = child
    this.closed = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()))
    this.info = info
    this.options = options
    this.label = options.label
    this.logger = logger
    this.stderrTailOf = stderrTail
  }

  static async start(options: DjangoProcessOptions): Promise<DjangoProcess> {
    const env = djangoEnvironment(options)
    const child = spawn(options.python, ['-m', 'dmr_helper'], {
      cwd: options.projectDir,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so a timeout can kill everything it started.
      detached: true
    })
    let stderrTail = ''
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_KEEP)
      for (const line of chunk.split('\n')) if (line.trim()) options.logger.debug(`[${options.label} python] ${line}`)
    })
    const lines = createInterface({ input: child.stdout! })
    const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        killGroup(child)
        reject(new DjangoBridgeError('timeout', `Django did not start within ${(options.startTimeoutMs ?? 60_000) / 1000} s in ${options.projectDir}`))
      }, options.startTimeoutMs ?? 60_000)
      child.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        reject(
          error.code === 'ENOENT'
            ? new DjangoBridgeError(
                'python-missing',
                `Python was not found: '${options.python}'. Set the python input (--python) to your project's interpreter, e.g. .venv/bin/python`
              )
            : error
        )
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new DjangoBridgeError('crashed', `${options.python} exited (${code}) before Django started:\n${stderrTail.trim().split('\n').slice(-15).join('\n')}`))
      })
      lines.once('line', (line) => {
        clearTimeout(timer)
        try {
          resolve(JSON.parse(line) as Record<string, unknown>)
        } catch {
          reject(new DjangoBridgeError('crashed', `unexpected output from the Python helper: ${line.slice(0, 200)}`))
        }
      })
    })
    child.removeAllListeners('exit')
    child.removeAllListeners('error')
    if (first.error) {
      killGroup(child)
      throw explainStartError(first.error as HelperErrorAnswer, options.python)
    }
    const process_ = new DjangoProcess(child, first.result as DjangoInfo, options, options.logger, () => stderrTail)
    process_.listen(lines)
    return process_
  }

  private listen(lines: ReturnType<typeof createInterface>): void {
    lines.on('line', (line) => {
      let message: { id: number; result?: unknown; error?: HelperErrorAnswer }
      try {
        message = JSON.parse(line)
      } catch {
        this.logger.debug(`[${this.label} python] unexpected output: ${line}`)
        return
      }
      const pending = this.pending.get(message.id)
      if (pending === undefined) return
      this.pending.delete(message.id)
      clearTimeout(pending.timer)
      if (message.error) {
        if (message.error.traceback) this.logger.debug(`[${this.label} python] ${pending.method} raised:\n${message.error.traceback}`)
        pending.reject(requestError(pending.method, message.error))
      } else pending.resolve(message.result)
    })
    this.child.on('exit', (code, signal) => {
      this.exited = true
      for (const [id, pending] of this.pending) {
        clearTimeout(pending.timer)
        pending.reject(
          new DjangoBridgeError('crashed', `the ${this.label} Python process ended (${signal ?? code}) during ${pending.method}:\n${this.stderrTailOf().trim().split('\n').slice(-15).join('\n')}`)
        )
        this.pending.delete(id)
      }
    })
  }

  /** Whether the process is still there to answer. */
  get running(): boolean {
    return !this.exited
  }

  /** Sends one request; on timeout the process group is killed and the error says so. */
  call<M extends HelperMethod>(method: M, params: HelperMethods[M]['params'], timeoutMs = 300_000): Promise<HelperMethods[M]['result']> {
    return this.send(method, params, timeoutMs) as Promise<HelperMethods[M]['result']>
  }

  private send(method: string, params: object, timeoutMs: number): Promise<unknown> {
    if (this.exited) return Promise.reject(new DjangoBridgeError('crashed', `the ${this.label} Python process is not running`))
    const id = this.nextId++
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        killGroup(this.child)
        reject(new DjangoBridgeError('timeout', `${method} did not finish within ${Math.round(timeoutMs / 1000)} s; the ${this.label} Python process was stopped`))
      }, timeoutMs)
      this.pending.set(id, { resolve, reject, timer, method })
      this.child.stdin!.write(`${JSON.stringify({ id, method, params })}\n`)
    })
  }

  async close(): Promise<void> {
    if (this.exited) return
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()))
    try {
      await Promise.race([this.send('shutdown', {}, 5_000), exited])
    } catch {
      // it may already be gone
    }
    const timer = setTimeout(() => killGroup(this.child), 5_000)
    await exited
    clearTimeout(timer)
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  get pid(): number | undefined {
    return this.child.pid
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    child.kill('SIGKILL')
  }
}
