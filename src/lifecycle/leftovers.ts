// Removing what a run left behind: at the start of a later run (the records of
// runs whose process is gone), in the Action's post step (this job's run
// only), and at once on a second Ctrl-C (this run, without waiting). Each
// removal first checks that the thing is still what the record says (the
// postmaster's pid file, the process's command line, the folder's name), so a
// reused pid or a folder that is someone else's now is left alone.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { Logger } from './logger.js'
import { processStartTime, type Leftover, type RunRecord } from './run-journal.js'

/** Removes containers by label; given by the entry, since only the container provider can reach the runtime. */
export type ContainerRemover = (label: string, value: string) => Promise<number>

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return !zombie(pid)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** A process that exited but was not reaped yet: gone for our purposes. */
function zombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return false
  }
}

/** Whether the process that wrote `record` is still running (the same process, not a reused pid). */
export function runIsAlive(record: Pick<RunRecord, 'pid' | 'processStart'>): boolean {
  if (!alive(record.pid)) return false
  if (record.processStart === null) return true
  const start = processStartTime(record.pid)
  return start === null || start === record.processStart
}

function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
  } catch {
    return null
  }
}

/** Whether `leftover` is still what its record says: only then is it ours to remove. */
export function stillOurs(leftover: Leftover): boolean {
  switch (leftover.kind) {
    case 'postgres': {
      if (!alive(leftover.pid)) return false
      // Its pid file names it; or, shutting down already (the pid file goes first), its command line names the data folder.
      try {
        if (Number(readFileSync(join(leftover.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) === leftover.pid) return true
      } catch {
        // no pid file: look at the command line
      }
      return commandLine(leftover.pid)?.includes(leftover.dataDir) ?? false
    }
    case 'process': {
      const command = commandLine(leftover.pid)
      return command !== null && command.includes(leftover.command) && alive(leftover.pid)
    }
    case 'folder':
      return basename(leftover.path).startsWith('dmr-') && existsSync(leftover.path)
    case 'container':
    case 'databases':
      return true
  }
}

function signal(pid: number, name: NodeJS.Signals, group = false): void {
  try {
    process.kill(group ? -pid : pid, name)
  } catch {
    // already gone
  }
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms))

/** Waits until `pid` is gone (async), at most `ms`. */
async function gone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (!alive(pid)) return true
    await sleep(25)
  }
  return !alive(pid)
}

/** The same, blocking: for the second Ctrl-C, when there is no time for the event loop. */
function goneSync(pid: number, ms: number): boolean {
  const deadline = Date.now() + ms
  const pause = new Int32Array(new SharedArrayBuffer(4))
  while (Date.now() < deadline) {
    if (!alive(pid)) return true
    Atomics.wait(pause, 0, 0, 20)
  }
  return !alive(pid)
}

/**
 * Removes one leftover; returns whether it is gone. A postmaster gets SIGQUIT
 * (immediate shutdown: the data is thrown away), then SIGKILL.
 */
export async function removeLeftover(leftover: Leftover, removeContainers?: ContainerRemover): Promise<boolean> {
  // Only a run connected to that server can drop them (dropDeadRunsDatabases).
  if (leftover.kind === 'databases') return false
  if (leftover.kind === 'container') {
    if (!removeContainers) return false
    await removeContainers(leftover.label, leftover.value)
    return true
  }
  if (!stillOurs(leftover)) return true
  switch (leftover.kind) {
    case 'postgres':
      signal(leftover.pid, 'SIGQUIT')
      if (!(await gone(leftover.pid, 10_000))) signal(leftover.pid, 'SIGKILL')
      return gone(leftover.pid, 5_000)
    case 'process':
      signal(leftover.pid, 'SIGKILL', true)
      return gone(leftover.pid, 5_000)
    case 'folder':
      rmSync(leftover.path, { recursive: true, force: true, maxRetries: 3 })
      return !existsSync(leftover.path)
  }
}

/** The blocking version, for the second Ctrl-C; containers are left to the next run or the post step. */
export function removeLeftoverSync(leftover: Leftover): boolean {
  if (leftover.kind === 'container' || leftover.kind === 'databases') return false
  if (!stillOurs(leftover)) return true
  switch (leftover.kind) {
    case 'postgres':
      signal(leftover.pid, 'SIGQUIT')
      if (!goneSync(leftover.pid, 3_000)) signal(leftover.pid, 'SIGKILL')
      return goneSync(leftover.pid, 2_000)
    case 'process':
      signal(leftover.pid, 'SIGKILL', true)
      return goneSync(leftover.pid, 2_000)
    case 'folder':
      return removeFolderSync(leftover.path)
  }
}

/**
 * Removes a folder, trying again while something else still writes in it or removes it too (the
 * first Ctrl-C's cleanup may be deleting it on a worker thread at this very moment).
 */
function removeFolderSync(path: string): boolean {
  const pause = new Int32Array(new SharedArrayBuffer(4))
  for (let attempt = 0; attempt < 40 && existsSync(path); attempt++) {
    try {
      rmSync(path, { recursive: true, force: true })
    } catch {
      Atomics.wait(pause, 0, 0, 25)
    }
  }
  return !existsSync(path)
}

export interface SweepOptions {
  /** Only this run's record (the post step); default: every record whose process is gone. */
  runId?: string
  /** The run doing the sweep: never its own record. */
  exceptRunId?: string
  removeContainers?: ContainerRemover
  logger: Logger
}

export interface SweptRun {
  runId: string
  pid: number
  removed: string[]
  /** Entries that could not be removed (the record is kept for the next sweep). */
  kept: string[]
}

function readRecord(file: string): RunRecord | null {
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as RunRecord
    return typeof record.runId === 'string' && typeof record.pid === 'number' && Array.isArray(record.entries) ? record : null
  } catch {
    return null
  }
}

/** Removes what runs whose process is gone left behind, newest first; one log line per run. */
export async function sweepLeftovers(directory: string, options: SweepOptions): Promise<SweptRun[]> {
  if (!existsSync(directory)) return []
  const swept: SweptRun[] = []
  for (const name of readdirSync(directory).filter((file) => file.endsWith('.json')).sort()) {
    const file = join(directory, name)
    const record = readRecord(file)
    if (record === null || record.runId === options.exceptRunId) continue
    if (options.runId !== undefined && record.runId !== options.runId) continue
    if (runIsAlive(record)) continue
    const removed: string[] = []
    const kept: string[] = []
    let waiting = false
    for (const entry of [...record.entries].reverse()) {
      // Databases on a server given by URL wait for a run given that server (and its password).
      if (entry.leftover.kind === 'databases') {
        waiting = true
        continue
      }
      let ok = false
      try {
        ok = await removeLeftover(entry.leftover, options.removeContainers)
      } catch (error) {
        options.logger.debug(`could not remove ${entry.description}: ${(error as Error).message}`)
      }
      ;(ok ? removed : kept).push(entry.description)
    }
    if (kept.length === 0 && !waiting) rmSync(file, { force: true })
    else if (removed.length > 0) rewriteRecord(file, record, (entry) => !removed.includes(entry.description))
    if (removed.length > 0 || kept.length > 0) {
      options.logger.info(
        `Removed what an earlier run (${record.runId}, pid ${record.pid}, gone) left behind: ${removed.join('; ') || 'nothing'}` +
          (kept.length > 0 ? `; could not remove: ${kept.join('; ')}` : '')
      )
    }
    swept.push({ runId: record.runId, pid: record.pid, removed, kept })
  }
  return swept
}

function rewriteRecord(file: string, record: RunRecord, keep: (entry: RunRecord['entries'][number]) => boolean): void {
  const entries = record.entries.filter(keep)
  if (entries.length === 0) {
    rmSync(file, { force: true })
    return
  }
  const partial = `${file}.${process.pid}.tmp`
  writeFileSync(partial, `${JSON.stringify({ ...record, entries }, null, 2)}\n`, { mode: 0o600 })
  renameSync(partial, file)
}

/** A run gone and the databases it left on a server given by URL: for a run given the same server. */
export interface DeadRunDatabases {
  runId: string
  pid: number
  prefix: string
  /** Forget the entry once the databases are dropped. */
  forget(): void
}

/** The `databases` leftovers of runs whose process is gone, on this host, port and user. */
export function deadRunsDatabases(directory: string, server: { host: string; port: number; user: string }, exceptRunId: string): DeadRunDatabases[] {
  if (!existsSync(directory)) return []
  const found: DeadRunDatabases[] = []
  for (const name of readdirSync(directory).filter((file) => file.endsWith('.json'))) {
    const file = join(directory, name)
    const record = readRecord(file)
    if (record === null || record.runId === exceptRunId || runIsAlive(record)) continue
    for (const entry of record.entries) {
      const leftover = entry.leftover
      if (leftover.kind !== 'databases' || leftover.host !== server.host || leftover.port !== server.port || leftover.user !== server.user) continue
      // Only the run's own prefix, which carries its id: never a pattern that could match another's.
      if (!leftover.prefix.startsWith(`dmr_${record.runId}_`)) continue
      found.push({
        runId: record.runId,
        pid: record.pid,
        prefix: leftover.prefix,
        forget: () => {
          const current = readRecord(file)
          if (current) rewriteRecord(file, current, (other) => other.id !== entry.id)
        }
      })
    }
  }
  return found
}
