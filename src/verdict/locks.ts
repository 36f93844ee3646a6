// Which locks a statement ran under, and their names in words: a statement in a
// transaction runs under every lock the transaction took before it, until COMMIT.
import type { HelperStatement } from '../model/helper.js'

export { BLOCKING_MODES, lockName } from '../model/locks.js'

export type Lock = HelperStatement['locks'][number]

/**
 * The locks a statement ran under: those it took, and those earlier statements
 * of its transaction took and still held (until the transaction's end).
 */
export function heldDuring(statements: readonly HelperStatement[], index: number): Lock[] {
  const statement = statements[index]!
  const held = new Map<string, Lock>()
  if (statement.inTransaction) {
    for (const earlier of statements.slice(0, index)) {
      if (!earlier.inTransaction || earlier.heldUntilMs < statement.startMs) continue
      for (const lock of earlier.locks) held.set(`${lock.relation}\0${lock.mode}`, lock)
    }
  }
  for (const lock of statement.locks) held.set(`${lock.relation}\0${lock.mode}`, lock)
  return [...held.values()]
}

export function lockList(locks: readonly Lock[]): string {
  return locks.map((lock) => `${lock.mode} on ${lock.relation}`).join(', ') || 'no locks'
}

