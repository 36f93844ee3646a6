// The whole job, the same for the Action and the CLI: the static review,
// then (when asked and possible) the rehearsal, then verdicts and the report.
import type { Options } from '../config/options.js'
import { GitRepository } from '../git/repository.js'
import { normalizeRoot } from '../graph/discover.js'
import type { Logger } from '../lifecycle/logger.js'
import type { Report } from '../report/types.js'
import { assembleReport } from '../verdict/assemble.js'
import { reviewStatically } from './static-review.js'
import { detectSwappable } from './swappable.js'

export async function runReview(options: Options, logger: Logger): Promise<Report> {
  const started = performance.now()
  const repo = await GitRepository.open(options.repo)
  const projectRoot = normalizeRoot(options.projectRoot)
  const headTree = await repo.treeOf(await repo.resolveCommit(options.head))
  const swappable = await detectSwappable(repo, headTree, projectRoot, options.swappable)
  logger.debug(`swappable settings: ${JSON.stringify(swappable)}`)
  const review = await reviewStatically(repo, {
    base: options.base,
    head: options.head,
    projectRoot,
    exclude: options.exclude,
    swappable
  })
  const staticMs = Math.round(performance.now() - started)
  logger.info(
    `static review: ${review.added.length} new migration(s), ${review.conflicts.length} conflict(s), ${review.parsedFiles} file(s) parsed in ${staticMs} ms`
  )
  return assembleReport({
    review,
    projectRoot,
    rehearsal: options.rehearsal
      ? { status: 'skipped', reason: 'the rehearsal is not available in this version' }
      : { status: 'skipped', reason: 'the rehearsal was switched off (--static-only / rehearsal: false)' },
    timings: { staticMs }
  })
}
