// The one sentence a person reads first: the verdict, how many migrations,
// how many of them the rehearsal ran, what is wrong, and what it rests on.
import type { Report } from '../model/report.js'

export function summarize(report: Report): string {
  const { migrations, rehearsal } = report
  const count = `${migrations.length} new migration${migrations.length === 1 ? '' : 's'}`
  const planned = migrations.filter((migration) => migration.rehearsal.status !== 'recorded-applied' && migration.rehearsal.status !== 'replaced').length
  const rehearsed = migrations.filter((migration) => migration.rehearsal.status === 'rehearsed' || migration.rehearsal.status === 'failed').length
  const basis = rehearsal.status === 'ran' ? `static review and rehearsal, ${rehearsed} of ${planned} rehearsed` : 'static review only'
  const causes: string[] = []
  if (rehearsal.status === 'failed') causes.push(`the rehearsal could not run: ${rehearsal.reason}`)
  const errors = report.graphProblems.filter((problem) => problem.severity !== 'warning')
  if (errors.length > 0) causes.push(`${errors.length} migration graph error${errors.length === 1 ? '' : 's'}`)
  const notes = report.graphProblems.length - errors.length
  if (notes > 0) causes.push(`${notes} migration${notes === 1 ? '' : 's'} to look at in the graph`)
  const newConflicts = report.conflicts.filter((conflict) => !conflict.preexisting)
  if (newConflicts.length > 0) causes.push(`conflicting leaves in ${newConflicts.map((c) => `'${c.app}'`).join(', ')} after merge`)
  if (report.editedMigrations.length > 0) causes.push(`${report.editedMigrations.length} existing migration${report.editedMigrations.length === 1 ? '' : 's'} changed`)
  for (const level of ['error', 'unsafe', 'warning'] as const) {
    const flagged = migrations.filter((migration) => migration.verdict === level)
    if (flagged.length > 0) causes.push(`${flagged.length} ${level}`)
  }
  const notRehearsed = migrations.filter((migration) => migration.rehearsal.status === 'not-rehearsed').length
  if (rehearsal.status === 'ran' && notRehearsed > 0) causes.push(`${notRehearsed} not rehearsed`)
  const missing = report.missingMigrations
  if (missing.value === true) {
    causes.push(missing.changes?.some((change) => change.databaseOperations.length > 0) ? 'model changes without a migration' : 'model state changes without a migration')
  }
  if (migrations.length === 0 && causes.length === 0) return `${report.verdict}: this pull request adds no migrations (${rehearsal.status === 'ran' ? 'static review and rehearsal' : missing.value === false ? "static review and Django's autodetector" : 'static review only'})`
  return `${report.verdict}: ${count}; ${causes.length > 0 ? causes.join('; ') : 'no problems found'} (${basis})`
}
