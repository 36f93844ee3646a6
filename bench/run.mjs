// `npm run bench`: every benchmark, one after the other.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

for (const bench of ['static-review.mjs', 'rehearsal.mjs']) {
  const result = spawnSync(process.execPath, [join(import.meta.dirname, bench), ...process.argv.slice(2)], { stdio: 'inherit' })
  if (result.status !== 0) process.exit(result.status ?? 1)
}
