// What earlier runs left behind, removed at the start of a run (CLI and
// Action) and in the Action's post step. The records come from each run's
// journal (lifecycle/run-journal.ts); containers are removed through the
// container runtime, which only the postgres part reaches.
import { sweepLeftovers, type SweptRun } from '../lifecycle/leftovers.js'
import type { Logger } from '../lifecycle/logger.js'
import { removeLabelledContainers } from '../postgres/container.js'

/** Removes the leftovers of every run in `directory` whose process is gone, but never `currentRunId`'s. */
export function removeEarlierLeftovers(directory: string, currentRunId: string, logger: Logger): Promise<SweptRun[]> {
  return sweepLeftovers(directory, { exceptRunId: currentRunId, removeContainers: removeLabelledContainers, logger })
}

/** Removes the leftovers of one run (the post step: this job's main step), once its process is gone. */
export function removeRunLeftovers(directory: string, runId: string, logger: Logger): Promise<SweptRun[]> {
  return sweepLeftovers(directory, { runId, removeContainers: removeLabelledContainers, logger })
}
