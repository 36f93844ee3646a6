// Progress on a terminal, for the CLI: one line per step, or, on a TTY, one
// line rewritten as the run goes. Lines show the repository's text with its
// control characters escaped.
import type { Logger } from '../lifecycle/logger.js'
import { visible } from '../report/terminal-escape.js'

export interface TerminalStream {
  write(text: string): unknown
  isTTY?: boolean
  columns?: number
}

/**
 * Progress on a terminal: one line per step, or, on a TTY, one line that is
 * rewritten as the run goes; `quiet` keeps only warnings, `verbose` adds
 * details. `end()` finishes the live line.
 */
export function terminalLogger(stream: TerminalStream, options: { verbose?: boolean; quiet?: boolean } = {}): Logger & { end(): void } {
  const live = stream.isTTY === true && !options.verbose
  let shown: string | null = null
  const fit = (message: string): string => {
    const width = Math.max(20, (stream.columns ?? 100) - 1)
    const line = visible(message.split('\n')[0]!)
    return line.length > width ? `${line.slice(0, width - 1)}…` : line
  }
  const clear = (): void => {
    if (shown !== null) stream.write('\r\u001b[2K')
  }
  const above = (line: string): void => {
    clear()
    stream.write(`${line}\n`)
    if (shown !== null) stream.write(shown)
  }
  return {
    info: (message) => {
      if (options.quiet) return
      if (!live) {
        stream.write(`${visible(message)}\n`)
        return
      }
      clear()
      shown = fit(message)
      stream.write(shown)
    },
    warning: (message) => above(`warning: ${visible(message)}`),
    debug: (message) => {
      if (options.verbose) above(`debug: ${visible(message)}`)
    },
    end: () => {
      if (shown !== null) stream.write('\n')
      shown = null
    }
  }
}
