// The rules table run over the PR's migrations: static findings, each with
// its line, re-graded or silenced by the repository's config and by inline
// ignores that give a reason.
import type { RepoConfig } from '../model/options.js'
import type { MigrationGraph } from '../model/graph.js'
import { migrationKey, type MigrationFile, type MigrationKey, type Operation } from '../model/migration.js'
import { applyOperation, buildFieldHistory, cloneState } from './field-history.js'
import { ignoreFor, parseIgnores } from './ignores.js'
import { RULES } from './table.js'
import type { Rule, RuleContext, RuleMatch } from './types.js'
import type { RuleFinding } from '../model/findings.js'

export interface RuleInputs {
  merged: MigrationGraph
  /** The PR's migrations in apply order. */
  added: readonly MigrationFile[]
  /** Source text of each added migration, for inline ignores. */
  sources: ReadonlyMap<MigrationKey, string>
  config: RepoConfig
}

export function evaluateRules(inputs: RuleInputs, rules: readonly Rule[] = RULES): Map<MigrationKey, RuleFinding[]> {
  const keys = new Set(inputs.added.map(migrationKey))
  const history = buildFieldHistory(inputs.merged, keys)
  const newModels = new Set<string>()
  const results = new Map<MigrationKey, RuleFinding[]>()
  for (const file of inputs.added) {
    const key = migrationKey(file)
    for (const model of history.createdIn([key])) newModels.add(model)
    const context: RuleContext = { file, fieldsBefore: history.before(key), newModels }
    const perOperation = operationContexts(context)
    const findings: Array<{ finding: RuleFinding; endLine: number }> = []
    for (const rule of rules) {
      const level = inputs.config.rules[rule.id]
      if (level === 'off') continue
      for (const { operation, match } of matches(rule, file, context, perOperation)) {
        const deployOrder = match.deployOrder !== undefined ? match.deployOrder : rule.deployOrder
        const finding: RuleFinding = {
          rule: rule.id,
          severity: level ?? match.severity ?? rule.severity,
          message: match.message,
          line: operation?.line ?? file.line,
          evidence: 'static',
          operationIndex: operation ? operation.index : null,
          breaks: [...(match.breaks ?? rule.breaks)],
          model: match.model ?? null,
          provenBy: rule.provenBy
        }
        if (rule.severityWhenSeen) finding.severityWhenSeen = rule.severityWhenSeen
        if (rule.safeAlternativeWhenSeen) finding.safeAlternativeWhenSeen = rule.safeAlternativeWhenSeen
        if (rule.explains) finding.explains = rule.explains
        if (deployOrder) finding.deployOrder = deployOrder
        if (rule.safeAlternative) finding.safeAlternative = rule.safeAlternative
        findings.push({ finding, endLine: operation?.endLine ?? file.line })
      }
    }
    results.set(key, applyIgnores(key, findings, inputs))
  }
  return results
}

/**
 * The context of each operation: the fields as the operations before it in the
 * same migration left them (makemigrations pins a column with AlterField and
 * renames the field right after it, in one migration).
 */
function operationContexts(context: RuleContext): RuleContext[] {
  let state = context.fieldsBefore
  return context.file.operations.map((operation, position) => {
    const here = position === 0 ? context : { ...context, fieldsBefore: state }
    if (position < context.file.operations.length - 1) {
      state = cloneState(state)
      applyOperation(state, context.file.app, operation)
    }
    return here
  })
}

/**
 * Operation rules see each operation, and the database side of
 * SeparateDatabaseAndState; a rule that names SeparateDatabaseAndState itself
 * sees the whole operation (to compare its state side with its database side).
 */
function matches(
  rule: Rule,
  file: MigrationFile,
  context: RuleContext,
  perOperation: readonly RuleContext[]
): Array<{ operation: Operation | null; match: RuleMatch }> {
  if (rule.scope === 'migration') return rule.match(file, context).map(({ operation, ...match }) => ({ operation, match }))
  const found: Array<{ operation: Operation | null; match: RuleMatch }> = []
  for (const [position, operation] of file.operations.entries()) {
    const candidates =
      operation.type === 'SeparateDatabaseAndState'
        ? [operation, ...(operation.databaseOperations ?? []).map((inner) => ({ ...inner, index: operation.index }))]
        : [operation]
    for (const candidate of candidates) {
      if (!rule.operations.includes(candidate.type)) continue
      const match = rule.match(candidate, perOperation[position]!)
      if (match) found.push({ operation: candidate, match })
    }
  }
  return found
}

function applyIgnores(key: MigrationKey, findings: Array<{ finding: RuleFinding; endLine: number }>, inputs: RuleInputs): RuleFinding[] {
  const source = inputs.sources.get(key) ?? ''
  const ignores = parseIgnores(source)
  // The line above an operation counts only when it is a comment alone, not the end of the operation before it.
  const lines = source.split(/\r?\n/)
  const trailing = new Set(ignores.filter((ignore) => !lines[ignore.line - 1]!.trimStart().startsWith('#')).map((ignore) => ignore.line))
  const out: RuleFinding[] = []
  for (const { finding, endLine } of findings) {
    const line = finding.line
    const covering = line === null ? [] : ignores.filter((ignore) => ignore.line !== line - 1 || !trailing.has(ignore.line))
    const inline = line === null ? undefined : ignoreFor(covering, finding.rule, line, endLine)
    const configured = inputs.config.ignore.find((entry) => entry.rule === finding.rule && entry.migration === key)
    if (inline?.reason) finding.ignored = { reason: inline.reason, source: 'inline' }
    else if (configured) finding.ignored = { reason: configured.reason, source: 'config' }
    out.push(finding)
  }
  for (const ignore of ignores.filter((entry) => entry.reason === null)) {
    out.push({
      rule: 'ignore-without-reason',
      severity: 'warning',
      message: `the ignore of ${ignore.rules.join(', ')} has no reason: write it after \`--\` (\`# migration-review: ignore ${ignore.rules[0]} -- why it is safe here\`); until then the finding stands`,
      line: ignore.line,
      evidence: 'static',
      operationIndex: null,
      model: null,
      provenBy: []
    })
  }
  return out
}
