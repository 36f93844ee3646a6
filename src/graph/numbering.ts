// Two migrations of one app with the same number prefix (`0005_a`, `0005_b`):
// legal for Django once merged, but the sign of two branches that each
// numbered a migration without seeing the other.
import type { DuplicateNumber } from '../model/report.js'
import type { MigrationFile, MigrationKey } from '../model/migration.js'

export function duplicateNumbers(
  files: ReadonlyMap<MigrationKey, MigrationFile>,
  addedByPr: (key: MigrationKey) => boolean
): DuplicateNumber[] {
  const byNumber = new Map<string, MigrationKey[]>()
  for (const [key, file] of files) {
    const match = /^(\d+)_/.exec(file.name)
    if (match === null) continue
    const slot = `${file.app}\0${match[1]}`
    byNumber.set(slot, [...(byNumber.get(slot) ?? []), key])
  }
  const duplicates: DuplicateNumber[] = []
  for (const [slot, keys] of byNumber) {
    if (keys.length < 2) continue
    const [app, number] = slot.split('\0') as [string, string]
    duplicates.push({ app, number, migrations: keys.sort(), introducedByPr: keys.some(addedByPr) })
  }
  return duplicates.sort((a, b) => (a.app === b.app ? (a.number < b.number ? -1 : 1) : a.app < b.app ? -1 : 1))
}
