// The pipeline, the same for the Action and the CLI: the static review and the
// rules; then, with the project's Python, Django's own view of the migrations
// and the model changes no migration covers; then (when the PR adds
// migrations) the rehearsal; then verdicts and the report. Each stage gets
// the previous one's value; everything the run creates is released before it
// returns.
import { CONFIG_FILE, EMPTY_CONFIG, parseRepoConfig } from '../config/repo-config.js'
import { UsageError } from '../config/options.js'
import { readTableStats } from '../config/table-stats.js'
import { GitRepository } from '../git/repository.js'
import { normalizeRoot } from '../graph/discover.js'
import { ancestors } from '../graph/graph.js'
import type { Logger } from '../lifecycle/logger.js'
import { ResourceStack } from '../lifecycle/resources.js'
import type { DjangoView } from '../model/django-view.js'
import type { RehearsalEvidence } from '../model/evidence.js'
import { migrationKey, type MigrationFile, type MigrationKey } from '../model/migration.js'
import type { Options, RepoConfig } from '../model/options.js'
import type { GraphProblemReport, RehearsalInfo, Report } from '../model/report.js'
import type { ObjectId, StaticReview } from '../model/static-review.js'
import type { RehearsalInput } from '../rehearsal/rehearse.js'
import type { StartedServer } from '../rehearsal/server.js'
import { summarize } from '../report/summary.js'
import { evaluateRules } from '../rules/evaluate.js'
import { suggestFixes } from '../rules/suggestions.js'
import { assembleReport } from '../verdict/assemble.js'
import { exportCheckouts } from './checkouts.js'
import { askDjango, startPython, type DjangoAnswer } from './django-view.js'
import { redactDeep, redactError, redactingLogger, secretsOf } from './secrets.js'
import { reviewStatically } from './static-review.js'
import { detectSwappable } from './swappable.js'

export interface ReviewHooks {
  /** Resources of the run; a caller that handles signals passes its own. */
  resources?: ResourceStack
  onPhase?: RehearsalInput['onPhase']
  /** The values the stages handed on, before they are judged (for tests and tools that judge them again). */
  onStages?: (stages: ReviewStages) => void
}

export interface ReviewStages {
  review: StaticReview
  added: readonly MigrationFile[]
  ruleFindings: ReturnType<typeof evaluateRules>
  evidence: RehearsalEvidence | null
  djangoView: DjangoView
}

export async function runReview(options: Options, given: Logger, hooks: ReviewHooks = {}): Promise<Report> {
  // The database URL's password is masked in every log line, the report and any error.
  const secrets = secretsOf(options)
  const logger = redactingLogger(given, secrets)
  try {
    return redactDeep(await review(options, logger, hooks), secrets)
  } catch (error) {
    throw redactError(error, secrets)
  }
}

async function review(options: Options, logger: Logger, hooks: ReviewHooks): Promise<Report> {
  const started = performance.now()
  // Read first: a bad file stops the run before anything starts.
  const tableSizes = options.tableStats === undefined ? undefined : readTableStats(options.tableStats)
  const { repo, refs } = await GitRepository.openWithRefs(options.repo, options.env, [options.base, options.head])
  const [base, head] = refs
  const projectRoot = normalizeRoot(options.projectRoot)
  const swappable = detectSwappable(repo, head!.tree, projectRoot, options.swappable)
  const config = readRepoConfig(repo, head!.tree)
  // Read alongside the static review; a failure surfaces where they are awaited, not as an unhandled rejection.
  swappable.catch(() => {})
  config.catch(() => {})
  let review = await reviewStatically(repo, {
    base: options.base,
    head: options.head,
    resolved: { base: base!.commit, head: head!.commit },
    projectRoot,
    exclude: options.exclude,
    swappable
  })
  const repoConfig = await config
  const staticMs = Math.round(performance.now() - started)
  logger.info(
    `static review: ${review.added.length} new migration(s), ${review.conflicts.length} conflict(s), ${review.parsedFiles} file(s) parsed in ${staticMs} ms`
  )

  const resources = hooks.resources ?? new ResourceStack(logger)
  const stageTimings: Record<string, number> = {}
  let server: Promise<StartedServer> | undefined
  try {
    let added: MigrationFile[] = review.added
    let djangoView: DjangoView = { status: 'skipped', reason: 'the static review only was asked for (--static-only / rehearsal: false)', hidden: [], problems: [], missingMigrations: null }
    let answer: DjangoAnswer | null = null
    let rehearsal: RehearsalInfo
    let evidence: RehearsalEvidence | null = null
    let processes: Awaited<ReturnType<typeof startPython>> | null = null
    let checkouts: Awaited<ReturnType<typeof exportCheckouts>> | null = null
    // The rehearsal's code loads while Django answers (when there is something to rehearse).
    const rehearsalModule = options.rehearsal && review.added.length > 0 ? import('../rehearsal/rehearse.js') : null
    rehearsalModule?.catch(() => {})
    // So does the server: a container or a local cluster starts while Python does (a failure surfaces in the rehearsal).
    server = rehearsalModule ? import('../rehearsal/server.js').then(({ startServer }) => startServer(options, resources, logger)) : undefined
    server?.catch(() => {})
    if (options.rehearsal) {
      const djangoStarted = performance.now()
      try {
        checkouts = await exportCheckouts(repo, review, options.includePaths, resources, options.env)
        processes = await startPython(repo, { ...options, projectRoot }, checkouts, resources, logger)
        answer = await askDjango({ processes, review, checkouts, projectRoot })
        djangoView = answer.view
        added = answer.added
        review = settleConflicts(review, answer)
        // Django imported it: whatever the file reader thought of it, it loads.
        review = { ...review, problems: review.problems.filter((problem) => !(problem.kind === 'syntax-error' && answer!.imported.has(problem.path))) }
      } catch (error) {
        if (error instanceof UsageError) throw error
        djangoView = { status: 'failed', reason: (error as Error).message, hidden: [], problems: [], missingMigrations: null }
        logger.warning(`Django could not be asked: ${(error as Error).message}`)
      }
      stageTimings.djangoMs = Math.round(performance.now() - djangoStarted)
      const took = `${stageTimings.djangoMs} ms`
      if (djangoView.status === 'ran') {
        const missing = djangoView.missingMigrations?.length ?? 0
        logger.info(
          `Django ${djangoView.djangoVersion}: ${added.length} new migration(s)${djangoView.hidden.length > 0 ? ` (${djangoView.hidden.length} only its loader sees)` : ''}; ${missing === 0 ? 'no model change without a migration' : `model changes without a migration in ${missing} app(s)`} (${took})`
        )
      }
    }

    const sources = new Map([...review.sources, ...(answer?.sources ?? [])])
    const ruleFindings = evaluateRules({ merged: review.trees.merge.graph, added, sources, config: repoConfig })
    const suggestions = suggestFixes({ added, sources, findings: ruleFindings, djangoVersion: djangoView.djangoVersion })

    const skip = rehearsalSkipReason(options, review, added, djangoView)
    if (skip !== null) {
      rehearsal = { status: djangoView.status === 'failed' ? 'failed' : 'skipped', reason: skip }
    } else {
      try {
        // Loaded only when needed: the static review starts faster without the database code.
        const rehearsalStarted = performance.now()
        const { rehearse } = await (rehearsalModule ?? import('../rehearsal/rehearse.js'))
        evidence = await rehearse({
          review,
          added: added.map(migrationKey),
          ancestors: ancestorsOf(review, added, answer),
          nonAtomic: new Set(added.filter((file) => !file.atomic).map(migrationKey)),
          ...(answer ? { baseMigrations: answer.baseMigrations } : {}),
          checkouts: checkouts!,
          python: processes!,
          options: { ...options, projectRoot },
          logger,
          resources,
          ...(server ? { server } : {}),
          ...(tableSizes ? { tableSizes } : {}),
          ...(hooks.onPhase ? { onPhase: hooks.onPhase } : {})
        })
        rehearsal = evidence.info
        stageTimings.rehearsalMs = Math.round(performance.now() - rehearsalStarted)
      } catch (error) {
        if (error instanceof UsageError) throw error
        logger.warning(`the rehearsal could not run: ${(error as Error).message}`)
        rehearsal = { status: 'failed', reason: (error as Error).message }
      }
    }

    hooks.onStages?.({ review, added, ruleFindings, evidence, djangoView })
    const report = assembleReport({
      review,
      projectRoot,
      added,
      ruleFindings,
      rehearsal,
      evidence,
      djangoView,
      suggestions,
      excluded: excludedMigrations(added, repoConfig),
      lockTimeoutMs: options.lockTimeoutMs,
      maxLockHoldMs: options.maxLockHoldMs,
      ...(tableSizes ? { tableSizes } : {}),
      timings: { staticMs, ...review.timings, ...stageTimings, totalMs: Math.round(performance.now() - started) }
    })
    report.summary = summarize(report)
    return report
  } finally {
    // A server still starting when the rehearsal was skipped registers its cleanup once it is up: wait for that.
    await server?.catch(() => {})
    if (hooks.resources === undefined) await resources.dispose()
  }
}

/**
 * Conflicts the file review found only because it could not read some
 * dependencies are settled by Django's loader: where it finds one leaf, there
 * is no conflict; where it finds leaves the file review did not, there is one.
 */
function settleConflicts(review: StaticReview, answer: DjangoAnswer): StaticReview {
  if (answer.conflictingApps === null) return review
  const confirmed = review.conflicts.filter((conflict) => answer.conflictingApps!.has(conflict.app))
  const problems: GraphProblemReport[] = [...review.problems]
  for (const conflict of review.conflicts) {
    if (confirmed.includes(conflict)) continue
    problems.push({
      kind: 'dynamic-dependencies',
      severity: 'warning',
      message: `the file review saw ${conflict.leaves.length} leaf migrations in '${conflict.app}', but Django's loader, which reads every dependency, finds one: no conflict`,
      path: conflict.leaves[0]!.path,
      line: 1,
      tree: 'merge'
    })
  }
  for (const app of answer.conflictingApps) {
    if (review.conflicts.some((conflict) => conflict.app === app)) continue
    problems.push({
      kind: 'conflicting-leaves',
      message: `Django's loader finds more than one leaf migration in '${app}' after the merge: \`migrate\` will stop with "Conflicting migrations detected"; run \`python manage.py makemigrations --merge ${app}\``,
      path: review.trees.merge.graph.apps.get(app)?.directory ?? app,
      line: 1,
      tree: 'merge'
    })
  }
  return { ...review, conflicts: confirmed, problems }
}

/** What each migration depends on, directly or not: Django's dependencies when it answered, else the file review's graph. */
function ancestorsOf(review: StaticReview, added: readonly MigrationFile[], answer: DjangoAnswer | null): Map<MigrationKey, Set<MigrationKey>> {
  const result = new Map<MigrationKey, Set<MigrationKey>>()
  for (const file of added) {
    const key = migrationKey(file)
    if (answer === null) {
      result.set(key, ancestors(review.trees.merge.graph, key))
      continue
    }
    const seen = new Set<MigrationKey>()
    const stack = [...(answer.dependencies.get(key) ?? [])]
    while (stack.length > 0) {
      const next = stack.pop()!
      if (seen.has(next)) continue
      seen.add(next)
      stack.push(...(answer.dependencies.get(next) ?? []))
    }
    result.set(key, seen)
  }
  return result
}

function rehearsalSkipReason(options: Options, review: StaticReview, added: readonly MigrationFile[], view: DjangoView): string | null {
  if (!options.rehearsal) return 'the rehearsal was switched off (--static-only / rehearsal: false)'
  if (view.status === 'failed') return view.reason ?? "the project's Python could not be started"
  if (added.length === 0) return 'this pull request adds no migrations'
  const blocking = review.problems.filter((problem) => problem.kind !== 'duplicate-app-label' && problem.severity !== 'warning')
  if (blocking.length > 0) return `the migration graph does not load (${blocking[0]!.message})`
  return null
}

async function readRepoConfig(repo: GitRepository, tree: ObjectId): Promise<RepoConfig> {
  const result = await repo.run(['cat-file', 'blob', `${tree}:${CONFIG_FILE}`])
  if (result.exitCode !== 0) return EMPTY_CONFIG
  return parseRepoConfig(result.stdout.toString('utf8'), CONFIG_FILE)
}

function excludedMigrations(added: readonly MigrationFile[], config: RepoConfig): Set<MigrationKey> {
  const excluded = new Set<MigrationKey>()
  for (const file of added) {
    const key = migrationKey(file)
    if (config.exclude.apps.includes(file.app) || config.exclude.migrations.includes(key)) excluded.add(key)
  }
  return excluded
}
