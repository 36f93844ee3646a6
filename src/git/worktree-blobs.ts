// Blobs read from the work tree instead of the object store, when the file
// there is byte for byte the blob: its git object id (the hash of "blob
// <size>\0<content>") is the proof, so a filter, a local edit or another
// checkout can never pass one file off as another. A repository committed to
// locally keeps one zlib file per object; reading 2,000 of them through
// `cat-file` costs more than reading the checked-out files and hashing them.
// Packed objects (a clone) are cheaper through `cat-file`, which runs beside
// the rest while this read holds the event loop: the work tree is read only
// when the objects asked for are loose.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { ObjectId } from '../model/static-review.js'

export interface WantedBlob {
  blob: ObjectId
  /** Where the blob sits in the tree, from the repository root. */
  path: string
}

const MAX_FILE_BYTES = 16 * 1024 * 1024

/** Loose objects looked for before choosing the work tree. */
const SAMPLE = 8

/** Whether most of a sample of `wanted` are loose objects in `objectsDir` (one file each). */
export function mostlyLoose(objectsDir: string, wanted: readonly WantedBlob[]): boolean {
  const sample = wanted.slice(0, SAMPLE)
  const loose = sample.filter(({ blob }) => existsSync(join(objectsDir, blob.slice(0, 2), blob.slice(2)))).length
  return sample.length > 0 && loose * 2 > sample.length
}

/** The id git gives `content` as a blob (SHA-1, or SHA-256 in a repository of that object format). */
export function blobId(content: Buffer, algorithm: 'sha1' | 'sha256'): ObjectId {
  return createHash(algorithm).update(`blob ${content.length}\0`).update(content).digest('hex')
}

/**
 * The wanted blobs whose file in the work tree at `topLevel` is that blob
 * exactly, as text. Synchronous on purpose: a small file's read through the
 * thread pool costs more than the read itself (2,000 files: 130 ms against 10).
 */
export function readFromWorkTree(topLevel: string, wanted: readonly WantedBlob[]): Map<ObjectId, string> {
  const found = new Map<ObjectId, string>()
  for (const { blob, path } of wanted) {
    let content: Buffer
    try {
      // Only a regular file of a migration's size: a pipe or a device there would never end a read.
      const file = join(topLevel, path)
      const stat = statSync(file)
      if (!stat.isFile() || stat.size > MAX_FILE_BYTES) continue
      content = readFileSync(file)
    } catch {
      continue
    }
    if (blobId(content, blob.length === 64 ? 'sha256' : 'sha1') === blob) found.set(blob, content.toString('utf8'))
  }
  return found
}
