// Real git repositories in temp dirs, built commit by commit the way a team's
// history grows: main moves on after a PR branch forks.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.invalid',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null'
}

export type FileTree = Record<string, string | null>

export class TestRepo {
  readonly dir: string

  private constructor(dir: string) {
    this.dir = dir
  }

  static create(files: FileTree = {}, message = 'initial'): TestRepo {
    const repo = new TestRepo(mkdtempSync(join(tmpdir(), 'dmr-repo-')))
    repo.git('init', '-q', '-b', 'main')
    if (Object.keys(files).length > 0) repo.commit(message, files)
    return repo
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8' }).trim()
  }

  /** Writes (or, for null, deletes) files. */
  write(files: FileTree): void {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.dir, path)
      if (content === null) unlinkSync(full)
      else {
        mkdirSync(dirname(full), { recursive: true })
        writeFileSync(full, content)
      }
    }
  }

  /** Writes the files, commits everything, returns the new commit's SHA. */
  commit(message: string, files: FileTree = {}): string {
    this.write(files)
    this.git('add', '-A')
    this.git('commit', '-q', '--allow-empty', '-m', message)
    return this.git('rev-parse', 'HEAD')
  }

  checkout(branch: string, options: { create?: boolean } = {}): void {
    this.git('checkout', '-q', ...(options.create ? ['-b'] : []), branch)
  }

  rename(from: string, to: string): void {
    this.git('mv', from, to)
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true })
  }
}
