// Where progress goes: the Action's log, the terminal's stderr, or nowhere.
// Stages take a Logger instead of importing @actions/core, so they run the
// same under the CLI and in tests.
export interface Logger {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
}

export const silentLogger: Logger = {
  info: () => {},
  warning: () => {},
  debug: () => {}
}

export function stderrLogger(options: { verbose?: boolean } = {}): Logger {
  return {
    info: (message) => process.stderr.write(`${message}\n`),
    warning: (message) => process.stderr.write(`warning: ${message}\n`),
    debug: (message) => {
      if (options.verbose) process.stderr.write(`debug: ${message}\n`)
    }
  }
}
