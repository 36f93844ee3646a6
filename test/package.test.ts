// The npm package: what `npm pack` builds installs on its own (everything the
// CLI needs is bundled in dist/) and its command runs from any folder.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TOOL_VERSION } from '../src/model/version.js'
import { REPO_ROOT } from './support/python-envs.js'
import { conflictedFork } from './support/scenarios.js'

let dir: string
let tarball: string
let bin: string
let elsewhere: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dmr-pack-'))
  const packed = execFileSync('npm', ['pack', '--pack-destination', dir, '--json'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  tarball = join(dir, (JSON.parse(packed) as Array<{ filename: string }>)[0]!.filename)
  const prefix = join(dir, 'prefix')
  // Offline: a package with no dependencies needs nothing from the registry.
  execFileSync('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], { stdio: ['ignore', 'pipe', 'pipe'] })
  bin = join(prefix, 'bin', 'django-migration-review')
  elsewhere = join(dir, 'elsewhere')
  mkdirSync(elsewhere)
}, 120_000)
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('the npm package', () => {
  it('holds the bundle, the licence and the docs, and no sources or tests', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((path) => path.replace(/^package\//, ''))
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', 'dist/cli.js', 'dist/index.js', 'dist/python/dmr_helper/__main__.py']))
    expect(files.filter((path) => /^(src|test|bench|scripts|examples)\//.test(path) || path.includes('/tests/'))).toEqual([])
  })

  it('installs without dependencies: the bundle carries them', () => {
    const installed = readdirSync(join(dir, 'prefix', 'lib', 'node_modules'))
    expect(installed).toEqual(['django-migration-review'])
  })

  it('prints its version from another folder', () => {
    const result = spawnSync(bin, ['--version'], { cwd: elsewhere, encoding: 'utf8' })
    expect(result.stdout.trim()).toBe(TOOL_VERSION)
    expect(result.status).toBe(0)
  })

  it('runs through npx from the tarball, as the README shows', () => {
    const result = spawnSync('npx', ['--yes', '--offline', '--package', tarball, 'django-migration-review', '--version'], { cwd: elsewhere, encoding: 'utf8', env: { ...process.env, npm_config_cache: join(dir, 'npm-cache') } })
    expect(result.stdout.trim()).toBe(TOOL_VERSION)
    expect(result.status).toBe(0)
  })

  it('reviews a repository elsewhere and exits 1 on its conflict', () => {
    const repo = conflictedFork()
    try {
      const result = spawnSync(bin, ['--repo', repo.dir, '--base', 'main', '--head', 'feature', '--static-only', '--quiet'], { cwd: elsewhere, encoding: 'utf8' })
      expect(result.stdout).toContain("Conflict in 'shop': 2 leaf migrations after the merge")
      expect(result.status).toBe(1)
    } finally {
      repo.cleanup()
    }
  })
})
