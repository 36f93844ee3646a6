// Findings before they are judged: what the rules table reads from a
// migration file, and which rehearsal facts would prove or refute it.
import type { Finding, Severity } from './report.js'

/** Rehearsal facts that prove (or, by their absence, refute) a rule for the same operation. */
export type ProofKind =
  | 'rewrite'
  | 'old-code-breaks'
  | 'new-code-breaks'
  | 'apply-error'
  | 'irreversible'
  | 'reverse-error'
  | 'data-loss'
  | 'blocking-lock'
  /** The base code wrote a value and read back a different one (another type, truncated, shifted). */
  | 'round-trip'
  /** Migrating forward and back did not bring values back. */
  | 'reverse-data-loss'

export interface RuleFinding extends Finding {
  operationIndex: number | null
  /** `app.model` the operation acts on, when known. */
  model: string | null
  provenBy: readonly ProofKind[]
  /** The severity each kind of proof warrants for this rule, when lower than the rule's (a lock it takes, beside the data it breaks). */
  severityWhenSeen?: Partial<Record<ProofKind, Severity>>
  /** What to do instead once the rehearsal saw it happen, when that differs from the advice before. */
  safeAlternativeWhenSeen?: string
  /** SQLSTATEs of the failures this rule explains (a unique violation is add-unique's, not add-field-not-null's). */
  explains?: readonly string[]
}
