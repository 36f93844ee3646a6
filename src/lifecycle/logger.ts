// Where progress goes: the Action's log, the terminal's stderr, or nowhere.
// Stages take a Logger instead of importing @actions/core, so they run the
// same under the CLI and in tests.
export interface Logger {
  /** Progress a person follows: one line per step. */
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
  /** Runs `work` as one named step of the log (a collapsible group on GitHub). */
  group?<T>(title: string, work: () => Promise<T>): Promise<T>
}

export const silentLogger: Logger = {
  info: () => {},
  warning: () => {},
  debug: () => {}
}
