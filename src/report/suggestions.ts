// The report's mechanical fixes as review comments: a ```suggestion block with
// the replacement lines (GitHub shows a button to apply it) and the reason in
// plain words. The report may come from a fork (the fork-safe comment stage
// posts it): the reason is escaped, and the fence is longer than any run of
// backticks in the replacement.
import type { Report } from '../model/report.js'
import { code, rich } from './markdown-escape.js'

export interface SuggestionComment {
  path: string
  line: number
  start_line?: number
  side: 'RIGHT'
  start_side?: 'RIGHT'
  body: string
}

export function renderSuggestionComments(report: Report, marker: string): SuggestionComment[] {
  return report.migrations.flatMap((migration) =>
    (migration.suggestions ?? []).map((suggestion): SuggestionComment => {
      const fence = '`'.repeat(Math.max(3, ...(suggestion.replacement.match(/`+/g) ?? []).map((run) => run.length + 1)))
      return {
        path: migration.path,
        line: suggestion.endLine,
        ...(suggestion.line < suggestion.endLine ? { start_line: suggestion.line, start_side: 'RIGHT' as const } : {}),
        side: 'RIGHT',
        body: `${marker}\n${code(suggestion.rule)}: ${rich(suggestion.reason, 600)}\n\n${fence}suggestion\n${suggestion.replacement}\n${fence}`
      }
    })
  )
}
