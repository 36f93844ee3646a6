// Everything a run creates (servers, containers, databases, worktrees, temp
// dirs) is registered here as it is created and released in reverse order:
// on success, on failure, and on SIGINT/SIGTERM.
import type { Logger } from './logger.js'

interface Release {
  description: string
  release: () => Promise<void> | void
}

export class ResourceStack implements AsyncDisposable {
  private readonly releases: Release[] = []
  private disposing: Promise<void> | null = null
  private readonly logger: Logger | undefined

  constructor(logger?: Logger) {
    this.logger = logger
  }

  /** Registers how to undo something that now exists. */
  defer(description: string, release: () => Promise<void> | void): void {
    if (this.disposing) throw new Error(`cannot register ${description}: the run is already cleaning up`)
    this.releases.push({ description, release })
  }

  /** Releases everything, newest first; a failing release does not stop the others. */
  dispose(): Promise<void> {
    this.disposing ??= this.releaseAll()
    return this.disposing
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
 * conventional status (130 for SIGINT, 143 for SIGTERM). Returns a function
 * that removes the handlers again.
 */
export function releaseOnSignals(stack: ResourceStack, logger?: Logger): () => void {
  const handlers = new Map<NodeJS.Signals, () => void>()
  for (const [signal, status] of [
    ['SIGINT', 130],
    ['SIGTERM', 143]
  ] as const) {
    const handler = (): void => {
      logger?.warning(`${signal} received: removing what this run created`)
      void stack.dispose().finally(() => process.exit(status))
    }
    handlers.set(signal, handler)
    process.once(signal, handler)
  }
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler)
  }
}
