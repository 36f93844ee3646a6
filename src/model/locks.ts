// Lock modes in words, shared by the parts that judge and report them.

/** Modes that block the running code's writes (SHARE and up) or its reads too (ACCESS EXCLUSIVE), weakest first. */
export const BLOCKING_MODES: ReadonlySet<string> = new Set(['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'])

/** `AccessExclusiveLock` → `ACCESS EXCLUSIVE`. */
export function lockName(mode: string): string {
  return mode.replace(/Lock$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase()
}
