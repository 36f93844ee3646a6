// The CLI as a function (testable without a process): parses flags, runs the
// review, writes the outputs, and returns the exit status.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { HELP, parseFlags, type CliOptions } from '../config/flags.js'
import { UsageError } from '../config/options.js'
import { terminalLogger } from './progress.js'
import { ResourceStack, releaseOnSignals } from '../lifecycle/resources.js'
import { RunJournal, runsDirectory } from '../lifecycle/run-journal.js'
import { removeEarlierLeftovers } from '../review/leftovers.js'
import { renderJson } from '../report/json.js'
import { renderMarkdown } from '../report/markdown.js'
import { renderText } from '../report/text.js'
import type { Report } from '../model/report.js'
import { runReview } from '../review/run-review.js'
import { failsPolicy } from '../verdict/severity.js'
import { TOOL_VERSION } from '../model/version.js'

export interface CliIo {
  env: NodeJS.ProcessEnv
  stdout: { write(text: string): unknown }
  stderr: { write(text: string): unknown }
  /** Whether stdout is a terminal (colour). */
  isTty: boolean
  /** Whether stderr is a terminal (one live progress line instead of many). */
  stderrIsTty?: boolean
  /** The terminal's width, for the report's lines. */
  columns?: number
}

export const EXIT = { ok: 0, failedPolicy: 1, usageOrFailure: 2 } as const

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let options: CliOptions
  try {
    const command = parseFlags(argv, io.env, io.isTty)
    if (command.kind === 'help') {
      io.stdout.write(`${HELP}\n`)
      return EXIT.ok
    }
    if (command.kind === 'version') {
      io.stdout.write(`${TOOL_VERSION}\n`)
      return EXIT.ok
    }
    options = command.options
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`django-migration-review: ${error.message}\n`)
      return EXIT.usageOrFailure
    }
    throw error
  }

  const progress = terminalLogger(
    { write: (text) => io.stderr.write(text), isTTY: io.stderrIsTty === true, ...(io.columns ? { columns: io.columns } : {}) },
    { verbose: options.verbose, quiet: options.quiet }
  )
  // What this run creates is journaled, so that a later run removes it if this one is killed;
  // and this run first removes what killed earlier runs left.
  const journal = new RunJournal(io.env.DMR_RUNS_DIR || runsDirectory())
  await removeEarlierLeftovers(dirname(journal.file), journal.runId, progress).catch((error: Error) =>
    progress.debug(`could not look for earlier runs' leftovers: ${error.message}`)
  )
  const resources = new ResourceStack(progress, journal)
  const stopHandling = releaseOnSignals(resources, progress)
  let report: Report
  try {
    report = await runReview(options, progress, { resources })
  } catch (error) {
    progress.end()
    io.stderr.write(`django-migration-review: ${(error as Error).message}\n`)
    if (options.verbose && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`)
    return EXIT.usageOrFailure
  } finally {
    await resources.dispose()
    stopHandling()
    progress.end()
  }

  const rendered =
    options.format === 'json'
      ? renderJson(report)
      : options.format === 'markdown'
        ? renderMarkdown(report)
        : renderText(report, {
            color: options.color && options.output === undefined,
            ...(options.output === undefined && io.columns ? { width: io.columns } : {}),
            ...(options.fixPatch ? { fixPatch: options.fixPatch } : {})
          })
  if (options.output) writeOutput(options.output, rendered)
  else io.stdout.write(rendered)
  if (options.reportPath) writeOutput(options.reportPath, renderJson(report))
  if (options.fixPatch) {
    const patches = report.conflicts.map((conflict) => conflict.fix.patch).filter((patch): patch is string => patch !== null)
    writeOutput(options.fixPatch, patches.join(''))
    io.stderr.write(
      patches.length > 0
        ? `wrote ${patches.length} conflict fix${patches.length === 1 ? '' : 'es'} to ${options.fixPatch}: git apply ${options.fixPatch}\n`
        : `no conflict fix to write; ${options.fixPatch} is empty\n`
    )
  }
  if (report.rehearsal.status === 'failed') {
    io.stderr.write(`django-migration-review: the rehearsal could not run: ${report.rehearsal.reason}\n`)
    return EXIT.usageOrFailure
  }
  return failsPolicy(report.verdict, options.failOn) ? EXIT.failedPolicy : EXIT.ok
}

function writeOutput(path: string, content: string): void {
  const full = resolve(path)
  mkdirSync(dirname(full), { recursive: true })
  writeFileSync(full, content)
}
