// The shape of a rule: what a Django operation means for a zero-downtime
// deploy, stated as data.
import type { Operation, MigrationFile } from '../model/migration.js'
import type { Breaks, DeployOrder, Severity } from '../model/report.js'
import type { ModelFields } from './field-history.js'
import type { ProofKind } from '../model/findings.js'

export interface RuleContext {
  file: MigrationFile
  /** Each model's fields just before the operation being matched (earlier operations of the migration applied). */
  fieldsBefore: ModelFields
  /** Models (`app.model`) created in this PR, up to and including this migration: no rows, no old code. */
  newModels: ReadonlySet<string>
}

interface RuleBase {
  id: string
  /** The operation classes it looks at (`*` for the whole migration). */
  operations: readonly string[]
  severity: Severity
  breaks: readonly Breaks[]
  deployOrder: DeployOrder | null
  safeAlternative: string
  /** Rehearsal facts that confirm it; when the rehearsal looked for all of them and saw none, it is refuted. */
  provenBy: readonly ProofKind[]
  /** The severity a kind of proof warrants, when lower than the rule's (the lock an index build takes, beside the duplicates that break it). */
  severityWhenSeen?: Partial<Record<ProofKind, Severity>>
  /** What to do instead once the rehearsal saw it happen, when that differs from the advice before. */
  safeAlternativeWhenSeen?: string
  /** SQLSTATEs of the failures this rule explains. */
  explains?: readonly string[]
}

export interface OperationRule extends RuleBase {
  scope: 'operation'
  /** The message when `operation` matches, else null. */
  match(operation: Operation, context: RuleContext): RuleMatch | null
}

export interface MigrationRule extends RuleBase {
  scope: 'migration'
  match(file: MigrationFile, context: RuleContext): Array<RuleMatch & { operation: Operation | null }>
}

export type Rule = OperationRule | MigrationRule

export interface RuleMatch {
  message: string
  /** Overrides for this match (a stronger case of the same rule). */
  severity?: Severity
  deployOrder?: DeployOrder | null
  breaks?: readonly Breaks[]
  /** `app.model` the operation acts on, for joining with the rehearsal's tables. */
  model?: string | null
}
