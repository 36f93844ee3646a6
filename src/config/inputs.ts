// The Action's inputs into Options, plus the settings only the Action has
// (token, mode, comment). Names equal the CLI's flags. Reads INPUT_* from the
// environment the way @actions/core does, so it is testable with a plain env.
import { join } from 'node:path'
import { DEFAULTS, FAIL_ON_VALUES, POSTGRES_VALUES, UsageError, booleanValue, oneOf, positiveInteger, swappableSettings, syntheticSeedDefault, validate } from './options.js'
import type { Options } from '../model/options.js'

export type ActionMode = 'all' | 'review' | 'comment'

export interface ActionOptions extends Options {
  mode: ActionMode
  token: string
  /** Post (or update) the PR comment. */
  comment: boolean
  /** Post mechanical fixes as suggestions on the diff's lines (a pull request review). */
  reviewComments: boolean
  /** Distinguishes several comments of this tool on one PR (monorepos). */
  commentKey: string
  /** The login whose comments are ours (the token's identity). */
  commentAuthor: string
  /** Where the JSON report is written (the artifact of `mode: review`). */
  reportPath: string
  /** For `mode: comment`: the report the review stage wrote (a downloaded artifact). */
  reportInput: string | undefined
  sarif: string | undefined
  /** Run head code under pull_request_target anyway (dangerous; see README). */
  allowPullRequestTarget: boolean
  /** An event not known to be safe that the workflow allows anyway (e.g. `issue_comment`). */
  allowEvent: string | undefined
  /** Whether base/head were given as inputs (otherwise they come from the event). */
  baseGiven: boolean
  headGiven: boolean
}

export const ACTION_MODES: readonly ActionMode[] = ['all', 'review', 'comment']

export function readInput(name: string, env: NodeJS.ProcessEnv): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim()
}

function lines(value: string): string[] {
  return value
    .split(/\r?\n|,/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
}

export function readActionInputs(env: NodeJS.ProcessEnv): ActionOptions {
  const input = (name: string): string => readInput(name, env)
  const optional = (name: string): string | undefined => input(name) || undefined
  const number = (name: string, fallback: number): number => (input(name) ? positiveInteger(name, input(name)) : fallback)
  const bool = (name: string, fallback: boolean): boolean => (input(name) ? booleanValue(name, input(name)) : fallback)
  const databaseUrl = optional('database-url')
  const templateDatabase = optional('template-database')
  const options: ActionOptions = {
    env,
    repo: input('repo') || DEFAULTS.repo,
    base: input('base'),
    head: input('head'),
    baseGiven: input('base') !== '',
    headGiven: input('head') !== '',
    projectRoot: input('project-root') || DEFAULTS.projectRoot,
    exclude: lines(input('exclude')),
    swappable: swappableSettings('swappable', lines(input('swappable'))),
    failOn: oneOf('fail-on', input('fail-on') || DEFAULTS.failOn, FAIL_ON_VALUES),
    rehearsal: bool('rehearsal', DEFAULTS.rehearsal),
    postgres: oneOf('postgres', input('postgres') || (databaseUrl ? 'url' : DEFAULTS.postgres), POSTGRES_VALUES),
    databaseUrl,
    postgresImage: input('postgres-image') || DEFAULTS.postgresImage,
    postgresBin: optional('postgres-bin'),
    python: input('python') || DEFAULTS.python,
    basePython: optional('base-python'),
    includePaths: lines(input('include-paths')),
    settings: optional('settings'),
    seedRows: number('seed-rows', DEFAULTS.seedRows),
    seedSql: optional('seed-sql'),
    seedCommand: optional('seed-command'),
    syntheticSeed: bool('synthetic-seed', syntheticSeedDefault(templateDatabase)),
    cacheDir: optional('cache-dir'),
    templateDatabase,
    templateMigrate: bool('template-migrate', DEFAULTS.templateMigrate),
    sampleRows: number('sample-rows', DEFAULTS.sampleRows),
    tableStats: optional('table-stats'),
    maxLockHoldMs: number('max-lock-hold', DEFAULTS.maxLockHoldMs),
    contention: bool('contention', DEFAULTS.contention),
    lockTimeoutMs: number('lock-timeout', DEFAULTS.lockTimeoutMs),
    statementTimeoutMs: number('statement-timeout', DEFAULTS.statementTimeoutMs),
    timeoutMs: number('timeout', DEFAULTS.timeoutMs),
    mode: oneOf('mode', input('mode') || 'all', ACTION_MODES),
    token: input('github-token'),
    comment: bool('comment', true),
    reviewComments: bool('review-comments', true),
    commentKey: input('comment-key') || 'default',
    commentAuthor: input('comment-author') || 'github-actions[bot]',
    reportPath: input('report-path') || join(env.RUNNER_TEMP || '.', 'migration-review', 'report.json'),
    reportInput: optional('report'),
    sarif: optional('sarif'),
    allowPullRequestTarget: bool('allow-pull-request-target', false),
    allowEvent: optional('allow-event')
  }
  if (options.mode === 'comment' && !options.reportInput) {
    throw new UsageError('mode: comment needs the report input: the path of report.json downloaded from the review run')
  }
  validate(options)
  return options
}
