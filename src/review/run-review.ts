// The whole job, the same for the Action and the CLI: the static review, the
// rules, then (when asked and possible) the rehearsal, then verdicts and the
// report. Everything the run creates is released before it returns.
import { CONFIG_FILE, EMPTY_CONFIG, parseRepoConfig } from '../config/repo-config.js'
import type { Options, RepoConfig } from '../model/options.js'
import { exportTree } from '../git/checkout.js'
import { GitRepository } from '../git/repository.js'
import type { ObjectId, StaticReview } from '../model/static-review.js'
import { normalizeRoot } from '../graph/discover.js'
import { migrationKey, type MigrationKey } from '../model/migration.js'
import type { Logger } from '../lifecycle/logger.js'
import { ResourceStack } from '../lifecycle/resources.js'
import type { RehearsalInput } from '../rehearsal/rehearse.js'
import type { RehearsalEvidence } from '../model/evidence.js'
import type { RehearsalInfo, Report } from '../model/report.js'
import { evaluateRules } from '../rules/evaluate.js'
import { assembleReport } from '../verdict/assemble.js'
import { reviewStatically } from './static-review.js'
import { detectSwappable } from './swappable.js'

export interface ReviewHooks {
  /** Resources of the run; a caller that handles signals passes its own. */
  resources?: ResourceStack
  onPhase?: RehearsalInput['onPhase']
}

export async function runReview(options: Options, logger: Logger, hooks: ReviewHooks = {}): Promise<Report> {
  const started = performance.now()
  const { repo, refs } = await GitRepository.openWithRefs(options.repo, [options.base, options.head])
  const [base, head] = refs
  const projectRoot = normalizeRoot(options.projectRoot)
  const swappable = detectSwappable(repo, head!.tree, projectRoot, options.swappable)
  const config = readRepoConfig(repo, head!.tree)
  // Read alongside the static review; a failure surfaces where they are awaited, not as an unhandled rejection.
  swappable.catch(() => {})
  config.catch(() => {})
  const review = await reviewStatically(repo, {
    base: options.base,
    head: options.head,
    resolved: { base: base!.commit, head: head!.commit },
    projectRoot,
    exclude: options.exclude,
    swappable
  })
  const repoConfig = await config
  const excluded = excludedMigrations(review, repoConfig)
  const ruleFindings = evaluateRules({ merged: review.trees.merge.graph, added: review.added, sources: review.sources, config: repoConfig })
  const staticMs = Math.round(performance.now() - started)
  logger.info(
    `static review: ${review.added.length} new migration(s), ${review.conflicts.length} conflict(s), ${review.parsedFiles} file(s) parsed in ${staticMs} ms`
  )

  let rehearsal: RehearsalInfo
  let evidence: RehearsalEvidence | null = null
  const skip = rehearsalSkipReason(options, review)
  if (skip !== null) {
    rehearsal = { status: 'skipped', reason: skip }
  } else {
    const resources = hooks.resources ?? new ResourceStack(logger)
    try {
      // Loaded only when needed: the static review starts faster without the database code.
      const { rehearse } = await import('../rehearsal/rehearse.js')
      const checkouts = await exportCheckouts(repo, review, resources)
      evidence = await rehearse({ review, checkouts, options: { ...options, projectRoot }, logger, resources, ...(hooks.onPhase ? { onPhase: hooks.onPhase } : {}) })
      rehearsal = evidence.info
    } catch (error) {
      logger.warning(`the rehearsal could not run: ${(error as Error).message}`)
      rehearsal = { status: 'failed', reason: (error as Error).message }
    } finally {
      if (hooks.resources === undefined) await resources.dispose()
    }
  }

  return assembleReport({
    review,
    projectRoot,
    ruleFindings,
    rehearsal,
    evidence,
    excluded,
    lockTimeoutMs: options.lockTimeoutMs,
    timings: { staticMs, ...review.timings, totalMs: Math.round(performance.now() - started) }
  })
}

/** The base branch's code and the new code (the merge result; the head when git cannot merge) in folders of their own. */
async function exportCheckouts(repo: GitRepository, review: StaticReview, resources: ResourceStack): Promise<{ base: string; new: string }> {
  const newCodeTree = review.merge.clean ? review.merge.tree : await repo.treeOf(review.head.sha)
  const [base, next] = await Promise.all([
    exportTree(repo, await repo.treeOf(review.base.sha), 'base', resources),
    exportTree(repo, newCodeTree, 'new', resources)
  ])
  return { base, new: next }
}

function rehearsalSkipReason(options: Options, review: StaticReview): string | null {
  if (!options.rehearsal) return 'the rehearsal was switched off (--static-only / rehearsal: false)'
  if (review.added.length === 0) return 'this pull request adds no migrations'
  const blocking = review.problems.filter((problem) => problem.kind !== 'duplicate-app-label')
  if (blocking.length > 0) return `the migration graph does not load (${blocking[0]!.message})`
  return null
}

async function readRepoConfig(repo: GitRepository, tree: ObjectId): Promise<RepoConfig> {
  const result = await repo.run(['cat-file', 'blob', `${tree}:${CONFIG_FILE}`])
  if (result.exitCode !== 0) return EMPTY_CONFIG
  return parseRepoConfig(result.stdout.toString('utf8'), CONFIG_FILE)
}

function excludedMigrations(review: StaticReview, config: RepoConfig): Set<MigrationKey> {
  const excluded = new Set<MigrationKey>()
  for (const file of review.added) {
    const key = migrationKey(file)
    if (config.exclude.apps.includes(file.app) || config.exclude.migrations.includes(key)) excluded.add(key)
  }
  return excluded
}
