// Inline ignores in a migration file, on (or just above) the operation's line:
//   # migration-review: ignore add-index -- the table has 40 rows
// An ignore needs a reason after `--`; one without is itself a warning.

export interface InlineIgnore {
  line: number
  rules: string[]
  reason: string | null
}

const IGNORE = /#\s*migration-review:\s*ignore\s+([\w-]+(?:\s*,\s*[\w-]+)*)\s*(?:--\s*(.*\S))?\s*$/

export function parseIgnores(source: string): InlineIgnore[] {
  const ignores: InlineIgnore[] = []
  source.split(/\r?\n/).forEach((text, index) => {
    const match = IGNORE.exec(text)
    if (match) ignores.push({ line: index + 1, rules: match[1]!.split(/\s*,\s*/), reason: match[2] ?? null })
  })
  return ignores
}

/** The ignore for `rule` that covers an operation spanning `line`..`endLine` (or the line above it). */
export function ignoreFor(ignores: readonly InlineIgnore[], rule: string, line: number, endLine: number): InlineIgnore | undefined {
  return ignores.find((ignore) => ignore.line >= line - 1 && ignore.line <= endLine && (ignore.rules.includes(rule) || ignore.rules.includes('all')))
}
