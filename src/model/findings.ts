// Findings before they are judged: what the rules table reads from a
// migration file, and which rehearsal facts would prove or refute it.
import type { Finding } from './report.js'

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

export interface RuleFinding extends Finding {
  operationIndex: number | null
  /** `app.model` the operation acts on, when known. */
  model: string | null
  provenBy: readonly ProofKind[]
}
