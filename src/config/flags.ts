// The CLI's flags into Options. Flag names equal the Action's input names.
import { parseArgs } from 'node:util'
import { DEFAULTS, FAIL_ON_VALUES, POSTGRES_VALUES, UsageError, booleanValue, oneOf, positiveInteger, swappableSettings, syntheticSeedDefault, validate } from './options.js'
import type { Options, OutputFormat } from '../model/options.js'

export interface CliOptions extends Options {
  format: OutputFormat
  /** Where to write the report (in `format`); stdout when unset. */
  output: string | undefined
  /** Where to write the JSON report as well, whatever `format` is. */
  reportPath: string | undefined
  /** Where to write conflict fixes as one patch file. */
  fixPatch: string | undefined
  sarif: string | undefined
  verbose: boolean
  /** No progress lines on stderr. */
  quiet: boolean
  color: boolean
}

export type CliCommand = { kind: 'help' } | { kind: 'version' } | { kind: 'review'; options: CliOptions }

export const HELP = `Usage: django-migration-review [options]

Reviews the Django migrations between two refs: conflicting leaves after the
merge (with a fix), and, with Python, Django and Postgres at hand, a rehearsal
of the new migrations on seeded data: backward compatibility, deploy order,
reversibility, data loss and locks.

Refs
  --repo DIR              git checkout to review (default: .)
  --base REF              base branch (default: origin/main)
  --head REF              the change under review (default: HEAD)
  --project-root DIR      the Django project's folder inside the repository
  --exclude DIR           leave out a folder's migrations (repeatable)
  --swappable S=app.Model value of a swappable setting, e.g. AUTH_USER_MODEL=accounts.User

Output
  --format FMT            text, json or markdown (default: text)
  --output FILE           write the report to FILE instead of stdout
  --report-path FILE      also write the JSON report to FILE
  --fix-patch FILE        write the fixes for conflicting leaves as one patch (git apply FILE)
  --sarif FILE            also write findings as SARIF
  --fail-on LEVEL         exit 1 at this verdict: error, unsafe, warning or never (default: unsafe)
  --no-color              plain text even on a terminal (NO_COLOR is honoured too)
  --quiet                 no progress on stderr (warnings still show)
  --verbose               progress details on stderr

Rehearsal
  --static-only           skip the rehearsal (same as --rehearsal false)
  --rehearsal BOOL        run the rehearsal (default: true)
  --postgres KIND         auto, container, local or url (default: auto)
  --database-url URL      a server to use (postgres://...); the run creates and drops its own databases
  --postgres-image IMAGE  image for the container provider (default: ${DEFAULTS.postgresImage})
  --postgres-bin DIR      folder with initdb and postgres for the local provider
  --python PATH           the project's Python, with Django installed (default: python3)
  --base-python PATH      the Python for the base branch's code, when the PR changes requirements
                          (e.g. upgrades Django); default: --python
  --include-paths PATH    copy a file or folder from the working tree into both code versions
                          (gitignored settings, generated files); repeatable; also --include
  --settings MODULE       DJANGO_SETTINGS_MODULE (default: read from manage.py)
  --seed-rows N           synthetic rows per table (default: ${DEFAULTS.seedRows})
  --seed-sql FILE         SQL run on the base schema before the synthetic rows
  --seed-command CMD      command run in the base checkout before the synthetic rows
  --synthetic-seed BOOL   insert synthetic rows (default: true; false with --template-database,
                          where true fills only the tables the snapshot leaves empty)
  --cache-dir DIR         keep the migrated and seeded base database here (pg_dump archives,
                          one per cache key); a run with the same key restores it
  --template-database NAME
                          copy every rehearsal database from this database of the
                          --database-url server (a restored snapshot); it is never written
  --template-migrate BOOL migrate the copy forward when the template lacks some of the base
                          branch's migrations (default: false: refuse, naming them)
  --sample-rows N         rows per table the data comparisons read; larger tables are
                          sampled (default: ${DEFAULTS.sampleRows})
  --table-stats FILE      production's table sizes (JSON from the query in docs/table-stats.md):
                          rewrites, scans and lock holds get estimates for them
  --max-lock-hold MS      how long the running code may wait behind a migration's lock: a
                          longer wait beside the rehearsal, or a blocking lock estimated
                          longer on --table-stats sizes, is a finding (default: ${DEFAULTS.maxLockHoldMs})
  --contention BOOL       play the running code's queries beside each migration and record
                          how long they wait (default: true)
  --lock-timeout MS       lock_timeout for every statement (default: ${DEFAULTS.lockTimeoutMs})
  --statement-timeout MS  statement_timeout for every statement (default: ${DEFAULTS.statementTimeoutMs})
  --timeout MS            limit for the whole rehearsal (default: ${DEFAULTS.timeoutMs})

  --help, --version

Exit status: 0 when the verdict passes --fail-on, 1 when it fails it, 2 for
bad usage or a run that could not complete.`

export function parseFlags(argv: readonly string[], env: NodeJS.ProcessEnv, isTty: boolean): CliCommand {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
        repo: { type: 'string' },
        base: { type: 'string' },
        head: { type: 'string' },
        'project-root': { type: 'string' },
        exclude: { type: 'string', multiple: true },
        swappable: { type: 'string', multiple: true },
        format: { type: 'string' },
        output: { type: 'string' },
        'report-path': { type: 'string' },
        'fix-patch': { type: 'string' },
        sarif: { type: 'string' },
        'fail-on': { type: 'string' },
        'no-color': { type: 'boolean' },
        verbose: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        'static-only': { type: 'boolean' },
        rehearsal: { type: 'string' },
        postgres: { type: 'string' },
        'database-url': { type: 'string' },
        'postgres-image': { type: 'string' },
        'postgres-bin': { type: 'string' },
        python: { type: 'string' },
        'base-python': { type: 'string' },
        'include-paths': { type: 'string', multiple: true },
        include: { type: 'string', multiple: true },
        settings: { type: 'string' },
        'seed-rows': { type: 'string' },
        'seed-sql': { type: 'string' },
        'seed-command': { type: 'string' },
        'synthetic-seed': { type: 'string' },
        'cache-dir': { type: 'string' },
        'template-database': { type: 'string' },
        'template-migrate': { type: 'string' },
        'sample-rows': { type: 'string' },
        'table-stats': { type: 'string' },
        'max-lock-hold': { type: 'string' },
        contention: { type: 'string' },
        'lock-timeout': { type: 'string' },
        'statement-timeout': { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' }
      }
    })
  } catch (error) {
    throw new UsageError(`${(error as Error).message.replace(/\. To specify.*$/s, '')} (see --help)`)
  }
  const v = parsed.values
  if (v.help) return { kind: 'help' }
  if (v.version) return { kind: 'version' }
  if (v['static-only'] && v.rehearsal !== undefined && booleanValue('--rehearsal', v.rehearsal)) {
    throw new UsageError('--static-only and --rehearsal true contradict each other')
  }
  const options: CliOptions = {
    env,
    repo: v.repo ?? DEFAULTS.repo,
    base: v.base ?? DEFAULTS.base,
    head: v.head ?? DEFAULTS.head,
    projectRoot: v['project-root'] ?? DEFAULTS.projectRoot,
    exclude: v.exclude ?? [],
    swappable: swappableSettings('--swappable', v.swappable ?? []),
    failOn: oneOf('--fail-on', v['fail-on'] ?? DEFAULTS.failOn, FAIL_ON_VALUES),
    rehearsal: v['static-only'] ? false : v.rehearsal === undefined ? DEFAULTS.rehearsal : booleanValue('--rehearsal', v.rehearsal),
    postgres: oneOf('--postgres', v.postgres ?? (v['database-url'] ? 'url' : DEFAULTS.postgres), POSTGRES_VALUES),
    databaseUrl: v['database-url'],
    postgresImage: v['postgres-image'] ?? DEFAULTS.postgresImage,
    postgresBin: v['postgres-bin'],
    python: v.python ?? DEFAULTS.python,
    basePython: v['base-python'],
    includePaths: [...(v['include-paths'] ?? []), ...(v.include ?? [])],
    settings: v.settings,
    seedRows: v['seed-rows'] === undefined ? DEFAULTS.seedRows : positiveInteger('--seed-rows', v['seed-rows']),
    seedSql: v['seed-sql'],
    seedCommand: v['seed-command'],
    syntheticSeed:
      v['synthetic-seed'] === undefined ? syntheticSeedDefault(v['template-database']) : booleanValue('--synthetic-seed', v['synthetic-seed']),
    cacheDir: v['cache-dir'],
    templateDatabase: v['template-database'],
    templateMigrate: v['template-migrate'] === undefined ? DEFAULTS.templateMigrate : booleanValue('--template-migrate', v['template-migrate']),
    sampleRows: v['sample-rows'] === undefined ? DEFAULTS.sampleRows : positiveInteger('--sample-rows', v['sample-rows']),
    tableStats: v['table-stats'],
    maxLockHoldMs: v['max-lock-hold'] === undefined ? DEFAULTS.maxLockHoldMs : positiveInteger('--max-lock-hold', v['max-lock-hold']),
    contention: v.contention === undefined ? DEFAULTS.contention : booleanValue('--contention', v.contention),
    lockTimeoutMs: v['lock-timeout'] === undefined ? DEFAULTS.lockTimeoutMs : positiveInteger('--lock-timeout', v['lock-timeout']),
    statementTimeoutMs:
      v['statement-timeout'] === undefined ? DEFAULTS.statementTimeoutMs : positiveInteger('--statement-timeout', v['statement-timeout']),
    timeoutMs: v.timeout === undefined ? DEFAULTS.timeoutMs : positiveInteger('--timeout', v.timeout),
    format: oneOf('--format', v.format ?? 'text', ['text', 'json', 'markdown'] as const),
    output: v.output,
    reportPath: v['report-path'],
    fixPatch: v['fix-patch'],
    sarif: v.sarif,
    verbose: v.verbose ?? false,
    quiet: v.quiet ?? false,
    color: wantsColor(v['no-color'] ?? false, env, isTty)
  }
  validate(options)
  return { kind: 'review', options }
}

function wantsColor(noColorFlag: boolean, env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  if (noColorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true
  return isTty && env.TERM !== 'dumb'
}
