// Fixes that are mechanical, as replacement lines for the migration file: a
// RunPython without reverse_code gets `migrations.RunPython.noop`; a NOT NULL
// field with only a Python default gets the same value as `db_default`
// (Django 5.0+), so the code still running gets it from the database. A fix
// is offered only where the operation's lines hold that operation alone and
// the edit is certain; anything else stays the finding's advice in words.
import type { RuleFinding } from '../model/findings.js'
import { migrationKey, type MigrationFile, type MigrationKey, type Operation } from '../model/migration.js'
import type { Suggestion } from '../model/report.js'

export interface SuggestionInputs {
  added: readonly MigrationFile[]
  sources: ReadonlyMap<MigrationKey, string>
  findings: ReadonlyMap<MigrationKey, RuleFinding[]>
  /** The new code's Django (`5.2.19`), when known: `db_default` needs 5.0. */
  djangoVersion: string | undefined
}

export function suggestFixes(inputs: SuggestionInputs): Map<MigrationKey, Suggestion[]> {
  const result = new Map<MigrationKey, Suggestion[]>()
  for (const file of inputs.added) {
    const key = migrationKey(file)
    const source = inputs.sources.get(key)
    if (source === undefined || file.discoveredBy === 'django') continue
    const lines = source.split('\n')
    const suggestions: Suggestion[] = []
    for (const finding of inputs.findings.get(key) ?? []) {
      if (finding.ignored !== undefined || finding.operationIndex === null) continue
      const operation = file.operations.find((candidate) => candidate.index === finding.operationIndex)
      if (!operation || !alone(operation, file)) continue
      const block = lines.slice(operation.line - 1, operation.endLine).join('\n')
      const replacement = fix(finding.rule, block, operation, inputs.djangoVersion)
      if (replacement === null || replacement.text === block) continue
      suggestions.push({ rule: finding.rule, line: operation.line, endLine: operation.endLine, replacement: replacement.text, reason: replacement.reason })
    }
    if (suggestions.length > 0) result.set(key, suggestions)
  }
  return result
}

/** The operation's lines hold no other operation. */
function alone(operation: Operation, file: MigrationFile): boolean {
  return file.operations.every((other) => other === operation || other.endLine < operation.line || other.line > operation.endLine)
}

function fix(rule: string, block: string, operation: Operation, djangoVersion: string | undefined): { text: string; reason: string } | null {
  switch (rule) {
    case 'run-python-irreversible': {
      if (operation.type !== 'RunPython' || (block.match(/RunPython\s*\(/g) ?? []).length !== 1) return null
      const close = block.lastIndexOf(')')
      if (close < 0) return null
      const before = block.slice(0, close)
      const argument = 'reverse_code=migrations.RunPython.noop'
      // A call written one argument per line, with a trailing comma, gets a line of its own.
      const trailing = /,(\s*\n[ \t]*)$/.exec(before)
      const indent = /\n([ \t]*)[^\n]*,\s*$/.exec(before)?.[1]
      const text =
        trailing && indent !== undefined
          ? `${before.slice(0, trailing.index + 1)}\n${indent}${argument},${trailing[1]}${block.slice(close)}`
          : `${before.replace(/,\s*$/, '')}, ${argument}${block.slice(close)}`
      return {
        text,
        reason: '`migrate` cannot go back past a RunPython without `reverse_code`. With `migrations.RunPython.noop` it can; the data it changed stays changed, so make sure that is what a rollback should do.'
      }
    }
    case 'add-field-not-null': {
      if (operation.type !== 'AddField' || !atLeast(djangoVersion, 5, 0)) return null
      const defaults = [...block.matchAll(/(?<![\w.])default\s*=\s*('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|-?\d+(?:\.\d+)?|True|False)(?=\s*[,)])/g)]
      if (defaults.length !== 1 || /\bdb_default\s*=/.test(block)) return null
      const match = defaults[0]!
      const end = match.index! + match[0].length
      return {
        text: `${block.slice(0, end)}, db_default=${match[1]}${block.slice(end)}`,
        reason:
          'The code still running inserts rows without this column; with a `db_default` (Django 5.0+) the database fills it for them instead of failing. Give the model field the same `db_default`.'
      }
    }
    default:
      return null
  }
}

function atLeast(version: string | undefined, major: number, minor: number): boolean {
  const match = /^(\d+)\.(\d+)/.exec(version ?? '')
  if (!match) return false
  const [a, b] = [Number(match[1]), Number(match[2])]
  return a > major || (a === major && b >= minor)
}
