// Reading files straight from git objects: one `ls-tree` per tree and one
// batched `cat-file` for all the blobs still unknown. No checkout: a file the
// work tree holds unchanged is read from there (worktree-blobs.ts).
import type { GitRepository } from './repository.js'
import type { ObjectId } from '../model/static-review.js'
import { mostlyLoose, readFromWorkTree, type WantedBlob } from './worktree-blobs.js'

export interface TreeEntry {
  /** Path from the repository root, forward slashes. */
  path: string
  blob: ObjectId
  mode: string
}

/**
 * Every file (blob) of a tree, recursively, with its mode; a symlink is an
 * entry of mode `120000` whose blob holds the target path. Submodules are left out.
 */
export async function listTree(repo: GitRepository, treeish: ObjectId): Promise<TreeEntry[]> {
  const out = await repo.text(['ls-tree', '-r', '-z', '--full-tree', treeish])
  const entries: TreeEntry[] = []
  for (const record of out.split('\0')) {
    if (record === '') continue
    const tab = record.indexOf('\t')
    const [mode, type, blob] = record.slice(0, tab).split(' ')
    if (type !== 'blob') continue
    entries.push({ path: record.slice(tab + 1), blob: blob!, mode: mode! })
  }
  return entries
}

/** The bytes of every file of a tree, together (what a checkout of it writes). */
export async function treeBytes(repo: GitRepository, treeish: ObjectId): Promise<number> {
  const out = await repo.text(['ls-tree', '-r', '-l', '-z', '--full-tree', treeish])
  let total = 0
  for (const record of out.split('\0')) {
    const size = Number(record.slice(0, record.indexOf('\t')).trim().split(/\s+/)[3])
    if (Number.isFinite(size)) total += size
  }
  return total
}

/**
 * Blob contents by id, fetched once: base, head and merge trees share almost
 * every file, so each distinct blob is read (and later parsed) one time.
 */
export class BlobStore {
  private readonly texts = new Map<ObjectId, string>()
  private readonly repo: GitRepository

  constructor(repo: GitRepository) {
    this.repo = repo
  }

  /**
   * Reads all the blobs not yet known: those given with their path from the
   * work tree where the file there is that blob (when they are loose objects),
   * the rest in one `git cat-file --batch`.
   */
  async load(wanted: Iterable<ObjectId | WantedBlob>): Promise<void> {
    const atPaths = new Map<ObjectId, WantedBlob>()
    const ids = new Set<ObjectId>()
    for (const item of wanted) {
      const id = typeof item === 'string' ? item : item.blob
      if (this.texts.has(id)) continue
      ids.add(id)
      if (typeof item !== 'string') atPaths.set(id, item)
    }
    const fromWorkTree = [...atPaths.values()]
    if (fromWorkTree.length > 0 && mostlyLoose(this.repo.objectsDir, fromWorkTree)) {
      for (const [id, text] of readFromWorkTree(this.repo.topLevel, fromWorkTree)) this.texts.set(id, text)
    }
    const missing = [...ids].filter((id) => !this.texts.has(id))
    if (missing.length === 0) return
    const result = await this.repo.run(['cat-file', '--batch'], { input: missing.join('\n') + '\n' })
    if (result.exitCode !== 0) throw new Error(`git cat-file --batch failed: ${result.stderr.trim()}`)
    for (const [id, content] of parseBatch(result.stdout)) this.texts.set(id, content)
  }

  text(id: ObjectId): string {
    const text = this.texts.get(id)
    if (text === undefined) throw new Error(`blob ${id} was not loaded`)
    return text
  }

  get size(): number {
    return this.texts.size
  }
}

/** Splits `cat-file --batch` output, whose contents are measured in bytes. */
function* parseBatch(output: Buffer): Generator<[ObjectId, string]> {
  let offset = 0
  while (offset < output.length) {
    const newline = output.indexOf(0x0a, offset)
    const header = output.toString('utf8', offset, newline).split(' ')
    offset = newline + 1
    if (header[1] === 'missing') throw new Error(`git object ${header[0]} is missing`)
    const size = Number(header[2])
    yield [header[0]!, output.toString('utf8', offset, offset + size)]
    offset += size + 1
  }
}
