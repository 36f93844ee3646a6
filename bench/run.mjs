// `npm run bench`: every benchmark, one after the other, in one run:
//   static-review.mjs   the static review against Django's loader, per repository shape
//   rehearsal.mjs       the full rehearsal against the plain script: no cache, a miss, a hit
//   scale.mjs           1,500 migrations, 150 merges, a 20-migration PR: phases and peak memory
//   template-copy.mjs   a 1 GB template database: one copy, and the review on it
// `--only name,name` picks some; each one also runs alone with its own options.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const args = process.argv.slice(2)
const onlyAt = args.indexOf('--only')
const only = onlyAt >= 0 ? args[onlyAt + 1].split(',') : null
for (const bench of ['static-review', 'rehearsal', 'scale', 'template-copy']) {
  if (only && !only.includes(bench)) continue
  const result = spawnSync(process.execPath, [join(import.meta.dirname, `${bench}.mjs`)], { stdio: 'inherit' })
  if (result.status !== 0) process.exit(result.status ?? 1)
}
