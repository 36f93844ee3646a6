// The two code versions the Python processes run, exported from git: in
// memory (/dev/shm) when it has room for them, where writing a checkout's
// files costs a tenth of a runner's disk; under TMPDIR when the user set one.
import { existsSync, mkdtempSync, readFileSync, rmSync, statfsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { GitRepository } from '../../src/git/repository.js'
import { DEFAULT_SWAPPABLE } from '../../src/graph/graph.js'
import { ResourceStack } from '../../src/lifecycle/resources.js'
import { exportCheckouts } from '../../src/review/checkouts.js'
import { reviewStatically } from '../../src/review/static-review.js'
import type { TestRepo } from '../support/git-repo.js'
import { addField, forkedRepo, shopMigration, shopProject } from '../support/scenarios.js'

const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function pullRequest(): TestRepo {
  const repo = forkedRepo({ base: shopProject(), pr: [shopMigration('0005_book_isbn13', '0004_book_pages', [addField('book', 'isbn13')])] })
  cleanups.push(() => repo.cleanup())
  return repo
}

async function checkouts(repo: TestRepo, env: NodeJS.ProcessEnv) {
  const git = await GitRepository.open(repo.dir, process.env)
  const review = await reviewStatically(git, { base: 'main', head: 'feature', projectRoot: '', exclude: [], swappable: DEFAULT_SWAPPABLE })
  const resources = new ResourceStack()
  cleanups.push(() => resources.dispose())
  return exportCheckouts(git, review, [], resources, env)
}

const shmHasRoom = (() => {
  try {
    const fs = statfsSync('/dev/shm')
    return fs.type === 0x01021994 && fs.bavail * fs.bsize > 3 * 1024 ** 3
  } catch {
    return false
  }
})()

describe('the exported code versions', () => {
  it.runIf(shmHasRoom)('are written to /dev/shm when it is a tmpfs with room for them', async () => {
    const { base, new: next } = await checkouts(pullRequest(), {})
    expect(base.startsWith('/dev/shm/')).toBe(true)
    expect(next.startsWith('/dev/shm/')).toBe(true)
    expect(existsSync(join(base, 'shop/migrations/0005_book_isbn13.py'))).toBe(false)
    expect(readFileSync(join(next, 'shop/migrations/0005_book_isbn13.py'), 'utf8')).toContain('isbn13')
  })

  it('are written under TMPDIR when the user set one', async () => {
    const chosen = mkdtempSync(join(tmpdir(), 'dmr-test-tmpdir-'))
    cleanups.push(() => rmSync(chosen, { recursive: true, force: true }))
    const { base, new: next } = await checkouts(pullRequest(), { TMPDIR: chosen })
    expect(base.startsWith(`${chosen}/`)).toBe(true)
    expect(next.startsWith(`${chosen}/`)).toBe(true)
    expect(readFileSync(join(next, 'shop/migrations/0005_book_isbn13.py'), 'utf8')).toContain('isbn13')
  })
})
