// The Action: inputs and the event in, the review, then the outputs GitHub
// shows: job summary, annotations, outputs, the PR comment, and the job's
// exit status (a required check goes red only when the verdict fails
// `fail-on`). Only this file (and the CLI) knows about the process and GitHub.
import * as core from '@actions/core'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative } from 'node:path'
import { readActionInputs, type ActionOptions } from './config/inputs.js'
import { UsageError } from './config/options.js'
import { ensureHistory } from './git/history.js'
import { GitRepository } from './git/repository.js'
import { createGitHubClient } from './github/client.js'
import { upsertComment } from './github/comment.js'
import { readEventContext, type EventContext } from './github/event.js'
import { confirmPullRequest } from './github/pull-request.js'
import { suggestionMarker, upsertSuggestions } from './github/review-comments.js'
import { readUntrustedReport } from './github/untrusted-report.js'
import type { Logger } from './lifecycle/logger.js'
import { ResourceStack, releaseOnSignals } from './lifecycle/resources.js'
import { RunJournal, runsDirectory } from './lifecycle/run-journal.js'
import { removeEarlierLeftovers } from './review/leftovers.js'
import { STATE_RUN_ID, STATE_RUNS_DIR } from './post.js'
import { annotationsOf } from './report/annotations.js'
import { renderJson } from './report/json.js'
import { renderComment, renderJobSummary, type MarkdownOptions } from './report/markdown.js'
import { visible } from './report/terminal-escape.js'
import { renderSarif } from './report/sarif.js'
import { renderSuggestionComments } from './report/suggestions.js'
import type { Report } from './model/report.js'
import { runReview } from './review/run-review.js'
import { secretsOf } from './review/secrets.js'
import { failsPolicy } from './verdict/severity.js'

const SUMMARY_LIMIT = 1_000_000

/**
 * A log line derived from the repository (a file name, an error) must not
 * start a workflow command: `::` at the start of any of its lines is broken
 * with a zero-width space, and control characters are shown escaped.
 */
export function logLine(message: string): string {
  return message
    .split(/\r?\n/)
    .map((line) => visible(line).replace(/^(\s*):(?=:)/, '$1:\u200b'))
    .join('\n')
}

const actionsLogger: Logger = {
  info: (message) => core.info(logLine(message)),
  warning: (message) => core.warning(logLine(message)),
  debug: (message) => core.debug(logLine(message)),
  group: (title, work) => core.group(logLine(title), work)
}

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const options = readActionInputs(env)
    // GitHub masks it in the log too, whatever prints it.
    for (const secret of secretsOf(options)) core.setSecret(secret)
    const event = readEventContext(env)
    if (options.mode === 'comment') await commentStage(options, event)
    else await reviewStage(options, event, env)
  } catch (error) {
    core.setFailed(error instanceof UsageError ? `Input error: ${error.message}` : (error as Error).message)
  }
}

interface Target {
  base: string
  head: string
  pullRequest: number | null
  /** workflow_dispatch: everything but posting. */
  dryRun: boolean
}

/** Which refs to compare: the inputs when given, else the event's. */
function target(options: ActionOptions, event: EventContext): Target {
  const pr = event.pullRequest
  switch (event.eventName) {
    case 'pull_request':
    case 'pull_request_target':
      return {
        base: options.baseGiven ? options.base : pr!.baseSha,
        head: options.headGiven ? options.head : pr!.headSha,
        pullRequest: pr!.number,
        dryRun: false
      }
    case 'merge_group':
      return { base: options.baseGiven ? options.base : event.mergeGroup!.baseSha, head: options.headGiven ? options.head : event.mergeGroup!.headSha, pullRequest: null, dryRun: false }
    case 'workflow_dispatch':
      if (!options.baseGiven) throw new UsageError('a workflow_dispatch run needs the base input (the branch or SHA to compare against)')
      return { base: options.base, head: options.headGiven ? options.head : event.sha, pullRequest: null, dryRun: true }
    default:
      if (!options.baseGiven) throw new UsageError(`on ${event.eventName} events set the base input (and head, default the checked-out commit)`)
      return { base: options.base, head: options.headGiven ? options.head : event.sha || 'HEAD', pullRequest: null, dryRun: false }
  }
}

/** Events under which running the checked-out code cannot hand a pull request's author a write token or secrets. */
const SAFE_EVENTS = new Set(['pull_request', 'merge_group', 'workflow_dispatch', 'push', 'schedule', 'pull_request_target'])

async function reviewStage(options: ActionOptions, event: EventContext, env: NodeJS.ProcessEnv): Promise<void> {
  if (!SAFE_EVENTS.has(event.eventName) && options.allowEvent !== event.eventName) {
    core.setFailed(
      `Refusing to run under ${event.eventName}: a workflow on this event may check out a pull request's code with a write token and secrets, and reviewing migrations runs that code (its settings, models and migrations). ` +
        'Run the review under pull_request (the fork-safe pair posts the comment), or, if every author who can trigger this event is trusted, ' +
        `set allow-event: ${event.eventName}.`
    )
    return
  }
  if (event.eventName === 'pull_request_target' && !options.allowPullRequestTarget && event.pullRequest?.isFork) {
    core.setFailed(
      'Refusing to run: under pull_request_target this job has a write token and secrets, and reviewing migrations runs the pull request\'s Python code. ' +
        'Use the fork-safe pair instead (mode: review under pull_request, then mode: comment under workflow_run), ' +
        'or set allow-pull-request-target: true if you trust every author who can open a pull request.'
    )
    return
  }
  const goal = target(options, event)
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd()
  const repoDir = isAbsolute(options.repo) ? options.repo : join(workspace, options.repo)
  const repo = await GitRepository.open(repoDir, env)
  // A CI checkout has origin/main but often no local main: a branch name means the remote's.
  const usable = async (ref: string): Promise<string> => {
    if (await repo.resolveCommit(ref).then(() => true, () => false)) return ref
    if (/^[0-9a-f]{40}$/.test(ref) || ref.includes('/')) return ref
    return (await repo.resolveCommit(`origin/${ref}`).then(() => true, () => false)) ? `origin/${ref}` : ref
  }
  const [base, head] = await Promise.all([usable(goal.base), usable(goal.head)])
  const sha = (ref: string): Promise<string> => repo.resolveCommit(ref).catch(() => ref)
  await ensureHistory(repo, await sha(base), await sha(head), actionsLogger)

  // Journaled under the machine's temp folder (not RUNNER_TEMP, which a self-hosted runner empties
  // between jobs): the post step removes what a killed main step left, a later job what a killed runner left.
  const journal = new RunJournal(env.DMR_RUNS_DIR || runsDirectory())
  core.saveState(STATE_RUN_ID, journal.runId)
  core.saveState(STATE_RUNS_DIR, dirname(journal.file))
  await removeEarlierLeftovers(dirname(journal.file), journal.runId, actionsLogger).catch((error: Error) =>
    actionsLogger.debug(`could not look for earlier runs' leftovers: ${error.message}`)
  )
  const resources = new ResourceStack(actionsLogger, journal)
  const stopHandling = releaseOnSignals(resources, actionsLogger)
  let report: Report
  try {
    report = await runReview({ ...options, repo: repoDir, base, head }, actionsLogger, { resources })
  } finally {
    await resources.dispose()
    stopHandling()
  }
  report.pullRequest = goal.pullRequest === null ? null : { number: goal.pullRequest }

  const reportPath = isAbsolute(options.reportPath) ? options.reportPath : join(workspace, options.reportPath)
  write(reportPath, renderJson(report))
  if (options.sarif) {
    const informationUri = env.GITHUB_ACTION_REPOSITORY ? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_ACTION_REPOSITORY}` : undefined
    const sarif = renderSarif(report, informationUri ? { informationUri } : {})
    write(isAbsolute(options.sarif) ? options.sarif : join(workspace, options.sarif), `${JSON.stringify(sarif, null, 2)}\n`)
  }
  await writeSummary(report, linksOf(event, report))
  // Annotation paths are relative to the workspace; the report's to the repository.
  const repoPrefix = relative(workspace, repo.topLevel)
  for (const annotation of annotationsOf(report)) {
    const file = annotation.file ? (repoPrefix && !repoPrefix.startsWith('..') ? join(repoPrefix, annotation.file) : annotation.file) : undefined
    const properties = { title: annotation.title, ...(file ? { file } : {}), ...(annotation.startLine ? { startLine: annotation.startLine } : {}) }
    if (annotation.level === 'error') core.error(annotation.message, properties)
    else if (annotation.level === 'warning') core.warning(annotation.message, properties)
    else core.notice(annotation.message, properties)
  }

  let commentUrl = ''
  if (options.mode === 'all' && options.comment && goal.pullRequest !== null && !goal.dryRun) {
    commentUrl = await postComment(options, event, goal.pullRequest, report)
    // A fork's pull_request token cannot write reviews: the fork-safe pair's comment stage posts them.
    if (!event.pullRequest?.isFork) await postSuggestions(options, event, goal.pullRequest, report)
  } else if (goal.dryRun) {
    core.info('workflow_dispatch: dry run, nothing is posted; the report is in the job summary')
  }
  setOutputs(report, reportPath, commentUrl)
  finish(report, options)
}

/** The fork-safe second stage: trusted workflow, untrusted artifact. It runs no code from the PR. */
async function commentStage(options: ActionOptions, event: EventContext): Promise<void> {
  const report = readUntrustedReport(readFileSync(options.reportInput!, 'utf8'))
  const number = report.pullRequest?.number
  if (number === undefined) {
    core.info('the report is not about a pull request: nothing to post')
    return
  }
  const run = event.workflowRun
  const headSha = run?.headSha ?? report.head.sha
  if (run && run.headSha !== report.head.sha) {
    core.setFailed(`Refusing to post: the report is about ${report.head.sha.slice(0, 7)} but the triggering run built ${run.headSha.slice(0, 7)}.`)
    return
  }
  const octokit = createGitHubClient({ token: options.token, baseUrl: event.apiUrl, logger: actionsLogger })
  const confirmed = await confirmPullRequest(octokit, {
    owner: event.owner,
    repo: event.repo,
    number,
    headSha,
    ...(run?.headRepoFullName ? { headRepoFullName: run.headRepoFullName } : {})
  })
  if (!confirmed.ok) {
    core.setFailed(`Refusing to post: ${confirmed.reason}`)
    return
  }
  const commentUrl = await postComment(options, event, number, report)
  await postSuggestions(options, event, number, report)
  core.setOutput('comment-url', commentUrl)
  core.setOutput('verdict', report.verdict)
}

/** Where the comment's links point: the run, the files at the head commit, the rule pages of the action's version. */
function linksOf(event: EventContext, report: Report): Omit<MarkdownOptions, 'tier'> {
  return {
    runUrl: event.runUrl,
    blobUrl: `${event.repositoryUrl}/blob/${report.head.sha}`,
    ...(event.actionUrl ? { rulesUrl: `${event.actionUrl}/docs/rules` } : {})
  }
}

async function postComment(options: ActionOptions, event: EventContext, number: number, report: Report): Promise<string> {
  const { body, tier } = renderComment(report, linksOf(event, report))
  if (tier > 0) core.info(`the comment was shortened (detail level ${tier}) to fit GitHub's limit; the job summary has everything`)
  const octokit = createGitHubClient({ token: options.token, baseUrl: event.apiUrl, logger: actionsLogger })
  try {
    const result = await upsertComment(octokit, {
      owner: event.owner,
      repo: event.repo,
      issueNumber: number,
      body,
      key: options.commentKey,
      author: options.commentAuthor,
      logger: actionsLogger,
      // A PR without migrations gets no comment; one that had some gets its comment turned into an all-clear.
      create: !quiet(report)
    })
    core.info(`PR comment ${result.action}: ${result.url}`)
    return result.url
  } catch (error) {
    // A fork PR's read-only token cannot comment; the review itself still stands.
    core.warning((error as Error).message)
    return ''
  }
}

async function postSuggestions(options: ActionOptions, event: EventContext, number: number, report: Report): Promise<void> {
  if (!options.reviewComments) return
  const octokit = createGitHubClient({ token: options.token, baseUrl: event.apiUrl, logger: actionsLogger })
  try {
    const comments = renderSuggestionComments(report, suggestionMarker(options.commentKey))
    await upsertSuggestions(octokit, comments, {
      owner: event.owner,
      repo: event.repo,
      pullNumber: number,
      headSha: report.head.sha,
      key: options.commentKey,
      author: options.commentAuthor,
      logger: actionsLogger
    })
  } catch (error) {
    // Suggestions are a convenience: the comment and the check stand without them.
    actionsLogger.warning(`could not post the suggested fixes: ${(error as Error).message}`)
  }
}

/** Nothing worth a new comment: no migration, nothing wrong. */
function quiet(report: Report): boolean {
  return report.migrations.length === 0 && report.verdict === 'safe' && report.editedMigrations.length === 0 && report.conflicts.length === 0
}

async function writeSummary(report: Report, links: Omit<MarkdownOptions, 'tier'>): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  // A step's summary holds 1 MiB: past it, the comment's richest tier that fits.
  const full = renderJobSummary(report, links)
  await core.summary.addRaw(full.length <= SUMMARY_LIMIT ? full : renderComment(report, links).body).write()
}

function setOutputs(report: Report, reportPath: string, commentUrl: string): void {
  core.setOutput('verdict', report.verdict)
  core.setOutput('deploy-order', report.deployOrder ?? '')
  core.setOutput('report-path', reportPath)
  core.setOutput('conflicts', String(report.conflicts.filter((conflict) => !conflict.preexisting).length))
  core.setOutput('comment-url', commentUrl)
  core.setOutput('cache-key', report.rehearsal.baseCache?.key ?? '')
}

function finish(report: Report, options: ActionOptions): void {
  if (report.rehearsal.status === 'failed') {
    core.setFailed(`The rehearsal could not run: ${report.rehearsal.reason}`)
  } else if (failsPolicy(report.verdict, options.failOn)) {
    core.setFailed(`Migration review: ${report.summary} (fail-on: ${options.failOn})`)
  } else {
    actionsLogger.info(`Migration review: ${report.summary}`)
  }
}

function write(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, content)
}
