// The git layer on real repositories: refs, trees and blobs read from
// objects, the merge without a work tree, the PR's changes, exported
// checkouts that leave no trace, and history fetched into shallow clones.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { changedFiles } from '../../src/git/changes.js'
import { exportTree } from '../../src/git/checkout.js'
import { ShallowHistoryError, UnknownRefError } from '../../src/git/errors.js'
import { ensureHistory } from '../../src/git/history.js'
import { mergeTrees } from '../../src/git/merge.js'
import { GitRepository } from '../../src/git/repository.js'
import { BlobStore, listTree } from '../../src/git/trees.js'
import { blobId, mostlyLoose, readFromWorkTree } from '../../src/git/worktree-blobs.js'
import { silentLogger } from '../../src/lifecycle/logger.js'
import { ResourceStack } from '../../src/lifecycle/resources.js'
import { TestRepo } from '../support/git-repo.js'

const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()))

function repo(files: Record<string, string> = { 'a.txt': 'a\n' }): TestRepo {
  const made = TestRepo.create(files)
  cleanups.push(() => made.cleanup())
  return made
}

describe('refs', () => {
  it('resolves branches and SHAs to commits and trees in one call', async () => {
    const r = repo()
    const git = await GitRepository.open(r.dir, process.env)
    const [main] = await git.resolveRefs(['main'])
    expect(main!.commit).toBe(r.git('rev-parse', 'main'))
    expect(main!.tree).toBe(r.git('rev-parse', 'main^{tree}'))
  })

  it('names the ref that does not exist, among several', async () => {
    const git = await GitRepository.open(repo().dir, process.env)
    const error = await git.resolveRefs(['main', 'mian']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UnknownRefError)
    expect((error as UnknownRefError).ref).toBe('mian')
  })

  it('refuses a ref that looks like an option', async () => {
    const git = await GitRepository.open(repo().dir, process.env)
    await expect(git.resolveCommit('--upload-pack=evil')).rejects.toThrow("the ref '--upload-pack=evil' does not exist in this repository: not a ref name")
  })
})

describe('trees and blobs', () => {
  it('lists files from the tree object and reads them byte-exact in one batch', async () => {
    const r = repo({ 'shop/migrations/0001_é.py': '# café ☕ 日本\n', 'b.bin': 'x'.repeat(70_000) })
    const git = await GitRepository.open(r.dir, process.env)
    const entries = await listTree(git, 'main')
    expect(entries.map((entry) => entry.path).sort()).toEqual(['b.bin', 'shop/migrations/0001_é.py'])
    const blobs = new BlobStore(git)
    await blobs.load(entries.map((entry) => entry.blob))
    expect(blobs.text(entries.find((e) => e.path.endsWith('.py'))!.blob)).toBe('# café ☕ 日本\n')
    expect(blobs.text(entries.find((e) => e.path === 'b.bin')!.blob)).toHaveLength(70_000)
  })

  it('hashes content into the id git gives the blob', () => {
    const r = repo()
    for (const content of ['', 'a\n', '# café ☕\r\n', 'x'.repeat(70_000)]) {
      const id = execFileSync('git', ['hash-object', '--stdin'], { cwd: r.dir, input: content, encoding: 'utf8' }).trim()
      expect(blobId(Buffer.from(content), 'sha1')).toBe(id)
    }
  })

  it('takes from the work tree only the regular files that are the blob byte for byte', async () => {
    const r = repo({ 'same.py': 'same\n', 'edited.py': 'committed\n', 'gone.py': 'gone\n', 'crlf.py': 'line\n' })
    r.write({ 'edited.py': 'edited locally\n', 'gone.py': null, 'crlf.py': 'line\r\n' })
    execFileSync('mkfifo', [join(r.dir, 'gone.py')])
    const git = await GitRepository.open(r.dir, process.env)
    const entries = await listTree(git, 'main')
    const found = readFromWorkTree(git.topLevel, entries)
    expect([...found.values()]).toEqual(['same\n'])
    expect(found.get(entries.find((entry) => entry.path === 'same.py')!.blob)).toBe('same\n')
  })

  it('turns to the work tree only while the objects are loose, not once they are packed', async () => {
    const r = repo({ 'a.py': 'a\n', 'b.py': 'b\n', 'c.py': 'c\n' })
    const git = await GitRepository.open(r.dir, process.env)
    const entries = await listTree(git, 'main')
    expect(git.objectsDir).toBe(join(r.dir, '.git', 'objects'))
    expect(mostlyLoose(git.objectsDir, entries)).toBe(true)
    r.git('gc', '-q', '--prune=now')
    expect(mostlyLoose(git.objectsDir, entries)).toBe(false)
  })

  it('reads what the commit holds, not a local edit of the checked-out file', async () => {
    const r = repo({ 'shop/migrations/0002_x.py': 'committed\n', 'shop/migrations/0001_initial.py': 'initial\n' })
    r.write({ 'shop/migrations/0002_x.py': 'edited, not committed\n' })
    const git = await GitRepository.open(r.dir, process.env)
    const entries = await listTree(git, 'main')
    const blobs = new BlobStore(git)
    await blobs.load(entries)
    expect(entries.map((entry) => blobs.text(entry.blob)).sort()).toEqual(['committed\n', 'initial\n'])
  })
})

describe('the merge', () => {
  it('computes the merged tree without touching the work tree or the index', async () => {
    const r = repo({ 'a.txt': 'a\n' })
    r.checkout('feature', { create: true })
    r.commit('pr', { 'b.txt': 'b\n' })
    r.checkout('main')
    r.commit('main', { 'c.txt': 'c\n' })
    const status = r.git('status', '--porcelain')
    const git = await GitRepository.open(r.dir, process.env)
    const merge = await mergeTrees(git, r.git('rev-parse', 'main'), r.git('rev-parse', 'feature'))
    expect(merge.clean).toBe(true)
    expect((await listTree(git, merge.tree)).map((e) => e.path).sort()).toEqual(['a.txt', 'b.txt', 'c.txt'])
    expect(r.git('status', '--porcelain')).toBe(status)
  })

  it('reports a conflicted merge (git exits 1 with its answer on stdout) with the paths', async () => {
    const r = repo({ 'a.txt': 'a\n' })
    r.checkout('feature', { create: true })
    r.commit('pr', { 'a.txt': 'pr\n' })
    r.checkout('main')
    r.commit('main', { 'a.txt': 'main\n' })
    const git = await GitRepository.open(r.dir, process.env)
    const merge = await mergeTrees(git, r.git('rev-parse', 'main'), r.git('rev-parse', 'feature'))
    expect(merge).toMatchObject({ clean: false, conflictedPaths: ['a.txt'] })
    expect(merge.tree).toMatch(/^[0-9a-f]{40}$/)
  })
})

describe('the changes of a pull request', () => {
  it('lists added, modified, deleted and renamed files from the merge base', async () => {
    const r = repo({ 'keep.txt': 'k\n', 'edit.txt': 'e\n', 'gone.txt': 'g\n', 'old.txt': 'a much longer file that keeps its content when renamed\n'.repeat(5) })
    const base = r.git('rev-parse', 'HEAD')
    r.rename('old.txt', 'new.txt')
    r.commit('change', { 'edit.txt': 'edited\n', 'gone.txt': null, 'added.txt': 'n\n' })
    const git = await GitRepository.open(r.dir, process.env)
    const changes = await changedFiles(git, base, r.git('rev-parse', 'HEAD'))
    expect(changes).toEqual(
      expect.arrayContaining([
        { status: 'added', path: 'added.txt' },
        { status: 'modified', path: 'edit.txt' },
        { status: 'deleted', path: 'gone.txt' },
        { status: 'renamed', path: 'new.txt', previousPath: 'old.txt', similarity: 100 }
      ])
    )
    expect(changes).toHaveLength(4)
  })
})

describe('checkouts for the rehearsal', () => {
  it('writes the files of a tree to a folder, leaves nothing in the repository, and goes away with the run', async () => {
    const r = repo({ 'shop/models.py': 'x = 1\n' })
    const git = await GitRepository.open(r.dir, process.env)
    const resources = new ResourceStack()
    const dir = await exportTree(git, r.git('rev-parse', 'main^{tree}'), 'test', resources)
    expect(readFileSync(join(dir, 'shop/models.py'), 'utf8')).toBe('x = 1\n')
    expect(r.git('worktree', 'list')).not.toContain(dir)
    expect(r.git('status', '--porcelain')).toBe('')
    await resources.dispose()
    expect(existsSync(dir)).toBe(false)
  })
})

describe('history in a shallow clone', () => {
  function shallowClone(source: TestRepo): string {
    const dir = mkdtempSync(join(tmpdir(), 'dmr-shallow-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    execFileSync('git', ['clone', '-q', '--depth', '1', '--branch', 'main', `file://${source.dir}`, dir])
    return dir
  }

  it('fetches the head and enough history for a merge base', async () => {
    const origin = repo({ 'a.txt': '1\n' })
    for (let i = 2; i <= 5; i++) origin.commit(`c${i}`, { 'a.txt': `${i}\n` })
    origin.checkout('feature', { create: true })
    origin.git('reset', '-q', '--hard', 'HEAD~3')
    const head = origin.commit('pr', { 'b.txt': 'pr\n' })
    origin.checkout('main')
    const base = origin.git('rev-parse', 'main')
    const git = await GitRepository.open(shallowClone(origin), process.env)
    expect((await git.run(['cat-file', '-e', `${head}^{commit}`])).exitCode).not.toBe(0)
    expect(await git.isShallow()).toBe(true)
    await ensureHistory(git, base, head, silentLogger)
    expect(await git.mergeBase(base, head)).toBe(origin.git('merge-base', 'main', 'feature'))
  })

  it('says to check out with fetch-depth: 0 when there is no remote to fetch from', async () => {
    const r = repo()
    const git = await GitRepository.open(r.dir, process.env)
    const error = await ensureHistory(git, r.git('rev-parse', 'main'), 'f'.repeat(40), silentLogger).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ShallowHistoryError)
    expect((error as Error).message).toContain('Check out with `fetch-depth: 0`')
  })
})
