// The Action's post step (action.yml `post:`, always run, even when the main
// step was cancelled or killed): removes what the main step's run left behind,
// found through its journal. After a clean main step there is nothing to do.
import * as core from '@actions/core'
import type { Logger } from './lifecycle/logger.js'
import { removeRunLeftovers } from './review/leftovers.js'

// What it logs is its own: descriptions of our servers and dmr- folders.
const actionsLogger: Logger = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  debug: (message) => core.debug(message),
  group: (title, work) => core.group(title, work)
}

/** The names under which the main step saves its run id and journal folder (core.saveState). */
export const STATE_RUN_ID = 'run-id'
export const STATE_RUNS_DIR = 'runs-dir'

export async function post(): Promise<void> {
  const runId = core.getState(STATE_RUN_ID)
  const directory = core.getState(STATE_RUNS_DIR)
  // The main step stopped before it started a run (bad input, comment mode): nothing of ours exists.
  if (!runId || !directory) return
  try {
    const swept = await removeRunLeftovers(directory, runId, actionsLogger)
    if (swept.length === 0) core.debug(`run ${runId} left nothing behind`)
    for (const run of swept) if (run.kept.length > 0) core.warning(`Could not remove what run ${runId} left: ${run.kept.join('; ')}`)
  } catch (error) {
    core.warning(`Could not remove what run ${runId} left behind: ${(error as Error).message}`)
  }
}
