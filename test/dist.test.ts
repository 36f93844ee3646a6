// dist/ is what GitHub runs: it must be the build of the committed sources.
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TOOL_VERSION } from '../src/model/version.js'
import { REPO_ROOT } from './support/python-envs.js'
import { conflictedFork } from './support/scenarios.js'

describe('the bundle', () => {
  it('is current: a fresh build of src/, python/ and schema/ equals dist/', () => {
    const out = execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/check-dist.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    expect(out).toContain('dist/ is current.')
  })

  it('reports the version package.json declares', () => {
    expect(TOOL_VERSION).toBe(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version)
  })

  // Only where a Node 20 is installed beside the project's Node 24 (this machine, many laptops).
  const node20 = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => {
    try {
      return execFileSync(path, ['--version'], { encoding: 'utf8' }).startsWith('v20')
    } catch {
      return false
    }
  })
  it.skipIf(node20 === undefined)('runs the static review on Node 20, where testcontainers cannot load', () => {
    const repo = conflictedFork()
    try {
      const result = spawnSync(node20!, [join(REPO_ROOT, 'dist/cli.js'), '--repo', repo.dir, '--base', 'main', '--head', 'feature', '--static-only'], { encoding: 'utf8' })
      expect(result.stdout).toContain("Conflict in 'shop': 2 leaf migrations after the merge")
      expect(result.status).toBe(1)
    } finally {
      repo.cleanup()
    }
  })
})
