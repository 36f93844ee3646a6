// What the pull request changes: the diff from the merge base to the head,
// the same three-dot view GitHub shows in "Files changed".
import type { GitRepository } from './repository.js'
import type { CommitSha } from '../model/static-review.js'

export type FileChange =
  | { status: 'added' | 'modified' | 'deleted'; path: string }
  | { status: 'renamed'; path: string; previousPath: string; similarity: number }

export async function changedFiles(repo: GitRepository, from: CommitSha, to: CommitSha): Promise<FileChange[]> {
  const out = await repo.text(['diff', '--name-status', '-z', '--find-renames', '--no-ext-diff', from, to, '--'])
  const fields = out.split('\0')
  const changes: FileChange[] = []
  for (let i = 0; i < fields.length - 1; ) {
    const status = fields[i++]!
    const code = status[0]
    if (code === 'R' || code === 'C') {
      const previousPath = fields[i++]!
      const path = fields[i++]!
      if (code === 'R') changes.push({ status: 'renamed', path, previousPath, similarity: Number(status.slice(1)) })
      else changes.push({ status: 'added', path })
    } else {
      const path = fields[i++]!
      if (code === 'A') changes.push({ status: 'added', path })
      else if (code === 'D') changes.push({ status: 'deleted', path })
      else changes.push({ status: 'modified', path })
    }
  }
  return changes
}
