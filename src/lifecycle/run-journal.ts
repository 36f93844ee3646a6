// A run's record on disk of what it created and that would outlive it if the
// process were killed (SIGKILL, an OOM kill, a cancelled runner, a second
// Ctrl-C): servers, their data folders, containers, helper processes, temp
// folders. One JSON file per run, named by the run's id, rewritten as
// resources come and go and removed when the run ends cleanly. A later run (or
// the Action's post step) reads the records of runs whose process is gone and
// removes exactly what they list: never by name pattern alone.
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** How a later process can remove something a run created. */
export type Leftover =
  /** A postmaster: stopped only if `dataDir/postmaster.pid` still names this pid. */
  | { kind: 'postgres'; pid: number; dataDir: string }
  /** A process group led by `pid`, stopped only if its command line still contains `command`. */
  | { kind: 'process'; pid: number; command: string }
  /** A folder this run made (its name starts with `dmr-`). */
  | { kind: 'folder'; path: string }
  /** Containers carrying `label=value`. */
  | { kind: 'container'; label: string; value: string }
  /**
   * Databases named `<prefix>*` on a server given by URL. The journal keeps no password: only a
   * later run given the same server (host, port, user) can drop them.
   */
  | { kind: 'databases'; host: string; port: number; user: string; prefix: string }

export interface JournalEntry {
  id: number
  description: string
  leftover: Leftover
}

export interface RunRecord {
  runId: string
  pid: number
  /** The process's start time as the kernel counts it (Linux), so that a reused pid is not mistaken for the run. */
  processStart: string | null
  startedAt: string
  entries: JournalEntry[]
}

/** A run id: 8 characters of [a-z0-9], usable in database names, folder names and labels. */
export function newRunId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'
  let id = ''
  for (const byte of randomBytes(8)) id += alphabet[byte % alphabet.length]
  return id
}

/** Where the records live: one folder per OS user, under the temp folder (RUNNER_TEMP in the Action). */
export function runsDirectory(base: string = tmpdir()): string {
  return join(base, `dmr-runs-${process.getuid?.() ?? 'user'}`)
}

/** The start time of a process (field 22 of /proc/<pid>/stat); null where there is no /proc or no such process. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null
  } catch {
    return null
  }
}

export class RunJournal {
  readonly runId: string
  readonly directory: string
  readonly file: string
  private readonly record: RunRecord
  private nextId = 1
  private closed = false

  constructor(directory: string, runId: string = newRunId()) {
    this.runId = runId
    this.directory = directory
    mkdirSync(directory, { recursive: true, mode: 0o700 })
    this.file = join(directory, `${runId}.json`)
    this.record = { runId, pid: process.pid, processStart: processStartTime(process.pid), startedAt: new Date().toISOString(), entries: [] }
  }

  get entries(): readonly JournalEntry[] {
    return this.record.entries
  }

  /** Records something that now exists; returns its id for remove(). */
  add(description: string, leftover: Leftover): number {
    const id = this.nextId++
    this.record.entries.push({ id, description, leftover })
    this.write()
    return id
  }

  remove(id: number): void {
    const index = this.record.entries.findIndex((entry) => entry.id === id)
    if (index < 0) return
    this.record.entries.splice(index, 1)
    this.write()
  }

  /** The run ended and released everything: no record left behind. Entries still listed keep the file. */
  close(): void {
    this.closed = true
    if (this.record.entries.length === 0) rmSync(this.file, { force: true })
    else this.write()
  }

  // Written whole and renamed into place: a reader never sees half a record.
  private write(): void {
    if (this.closed && this.record.entries.length === 0) return
    const partial = `${this.file}.${process.pid}.tmp`
    writeFileSync(partial, `${JSON.stringify(this.record, null, 2)}\n`, { mode: 0o600 })
    renameSync(partial, this.file)
  }
}
