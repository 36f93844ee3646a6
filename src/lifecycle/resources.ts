// Everything a run creates (servers, containers, databases, worktrees, temp
// dirs) is registered here as it is created and released in reverse order:
// on success, on failure, and on SIGINT/SIGTERM. What would outlive a killed
// process is also written to the run's journal (see run-journal.ts), so that a
// later run, or the Action's post step, can remove it.
import { removeLeftoverSync } from './leftovers.js'
import { newRunId, type Leftover, type RunJournal } from './run-journal.js'
import type { Logger } from './logger.js'

interface Release {
  description: string
  release: () => Promise<void> | void
  leftover: Leftover | undefined
}

export class ResourceStack implements AsyncDisposable {
  /** The run's id: in database names, folder names and container labels. */
  readonly runId: string
  /** Where the journals of this machine's runs are, when this run keeps one. */
  readonly journalDirectory: string | undefined
  private readonly releases: Release[] = []
  private disposing: Promise<void> | null = null
  private readonly logger: Logger | undefined
  private readonly journal: RunJournal | undefined
  private readonly tracked = new Set<{ description: string; leftover: Leftover }>()

  constructor(logger?: Logger, journal?: RunJournal) {
    this.logger = logger
    this.journal = journal
    this.runId = journal?.runId ?? newRunId()
    this.journalDirectory = journal?.directory
  }

  /**
   * Registers how to undo something that now exists; `leftover` says how a later
   * process could remove it if this one were killed first.
   */
  defer(description: string, release: () => Promise<void> | void, leftover?: Leftover): void {
    if (this.disposing) throw new Error(`cannot register ${description}: the run is already cleaning up`)
    const id = leftover && this.journal ? this.journal.add(description, leftover) : null
    const journal = this.journal
    this.releases.push({
      description,
      leftover,
      release:
        id === null
          ? release
          : async () => {
              await release()
              journal!.remove(id)
            }
    })
  }

  /**
   * Records a leftover whose release is part of another (a process closed with
   * others): returns the function to call once it is gone.
   */
  track(description: string, leftover: Leftover): () => void {
    const entry = { description, leftover }
    this.tracked.add(entry)
    const id = this.journal?.add(description, leftover) ?? null
    return () => {
      this.tracked.delete(entry)
      if (id !== null) this.journal!.remove(id)
    }
  }

  /** Releases everything, newest first; a failing release does not stop the others. */
  dispose(): Promise<void> {
    this.disposing ??= this.releaseAll().finally(() => this.journal?.close())
    return this.disposing
  }

  /**
   * No time left (a second Ctrl-C): stops servers and processes and removes
   * folders at once, without the event loop; containers stay for the next run
   * or the post step, which the journal tells.
   */
  abandon(): void {
    for (const { description, leftover } of [...this.tracked, ...this.releases].reverse()) {
      if (!leftover) continue
      try {
        if (removeLeftoverSync(leftover)) this.logger?.debug(`removed ${description}`)
      } catch (error) {
        this.logger?.warning(`could not remove ${description}: ${(error as Error).message}`)
      }
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose()
  }

  get size(): number {
    return this.releases.length
  }

  private async releaseAll(): Promise<void> {
    while (this.releases.length > 0) {
      const { description, release } = this.releases.pop()!
      try {
        await release()
        this.logger?.debug(`released ${description}`)
      } catch (error) {
        this.logger?.warning(`could not release ${description}: ${(error as Error).message}`)
      }
    }
  }
}

/**
 * Releases `stack` when the process is asked to stop, then exits with the
 * conventional status (130 for SIGINT, 143 for SIGTERM). A second signal while
 * that runs stops the servers and removes the folders at once, then exits: an
 * impatient Ctrl-C never leaves a postmaster behind. Returns a function that
 * removes the handlers again.
 */
export function releaseOnSignals(stack: ResourceStack, logger?: Logger): () => void {
  const handlers = new Map<NodeJS.Signals, () => void>()
  let stopping = false
  for (const [signal, status] of [
    ['SIGINT', 130],
    ['SIGTERM', 143]
  ] as const) {
    const handler = (): void => {
      if (stopping) {
        logger?.warning(`${signal} again: stopping the servers and removing the folders now`)
        stack.abandon()
        process.exit(status)
      }
      stopping = true
      logger?.warning(`${signal} received: removing what this run created (again to stop at once)`)
      void stack.dispose().finally(() => process.exit(status))
    }
    handlers.set(signal, handler)
    process.on(signal, handler)
  }
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler)
  }
}
