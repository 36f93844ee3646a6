// The one place that runs git (through simple-git). Every other module asks
// this class; none builds command lines of its own.
import { resolve } from 'node:path'
import { simpleGit, type SimpleGit } from 'simple-git'
import { GitCommandError, NotARepositoryError, UnknownRefError } from './errors.js'
import type { Environment } from '../model/options.js'
import type { CommitSha, ObjectId } from '../model/static-review.js'

export interface GitResult {
  stdout: Buffer
  stderr: string
  exitCode: number
}

export class GitRepository {
  /** The folder the user named, and the top level of its work tree. */
  readonly directory: string
  readonly topLevel: string
  /** Where git keeps its objects (loose ones one file each), absolute. */
  readonly objectsDir: string
  /** The environment git runs in (the entry's). */
  private readonly env: Environment

  private constructor(directory: string, topLevel: string, objectsDir: string, env: Environment) {
    this.directory = directory
    this.topLevel = topLevel
    this.objectsDir = resolve(directory, objectsDir)
    this.env = env
  }

  /**
   * Opens the repository and resolves `refs` in the same `git rev-parse`
   * (one process instead of two on the way in); errors as open and resolveRefs.
   */
  static async openWithRefs(
    directory: string,
    env: Environment,
    refs: readonly string[]
  ): Promise<{ repo: GitRepository; refs: Array<{ commit: CommitSha; tree: ObjectId }> }> {
    const plain = refs.every((ref) => ref.trim() !== '' && !ref.startsWith('-'))
    const result = plain
      ? await runGit(directory, env, ['rev-parse', '--show-toplevel', '--git-path', 'objects', ...refs.map((ref) => `${ref}^{commit}`), ...refs.map((ref) => `${ref}^{tree}`)]).catch(() => null)
      : null
    if (result === null || result.exitCode !== 0) {
      const repo = await GitRepository.open(directory, env)
      return { repo, refs: await repo.resolveRefs(refs) }
    }
    const lines = result.stdout.toString('utf8').trim().split('\n')
    return {
      repo: new GitRepository(directory, lines[0]!, lines[1]!, env),
      refs: refs.map((_, index) => ({ commit: lines[2 + index]!, tree: lines[2 + refs.length + index]! }))
    }
  }

  static async open(directory: string, env: Environment): Promise<GitRepository> {
    const probe = await runGit(directory, env, ['rev-parse', '--show-toplevel', '--git-path', 'objects']).catch(() => null)
    if (probe === null || probe.exitCode !== 0) throw new NotARepositoryError(directory)
    const [topLevel, objectsDir] = probe.stdout.toString('utf8').trim().split('\n')
    return new GitRepository(directory, topLevel!, objectsDir!, env)
  }

  /**
   * Runs git and returns its exit status instead of throwing on a non-zero
   * one: `merge-tree` answers 1 for a conflicted merge, with the answer on stdout.
   */
  run(args: readonly string[], options: RunOptions = {}): Promise<GitResult> {
    return runGit(this.topLevel, this.env, args, options)
  }

  /** Runs git and throws `GitCommandError` unless it exits 0; returns stdout as text. */
  async text(args: readonly string[], options: RunOptions = {}): Promise<string> {
    const result = await this.run(args, options)
    if (result.exitCode !== 0) throw new GitCommandError(args, result.exitCode, result.stderr)
    return result.stdout.toString('utf8')
  }

  /** Resolves a branch, tag, remote ref or SHA to the commit it names. */
  async resolveCommit(ref: string): Promise<CommitSha> {
    if (ref.trim() === '' || ref.startsWith('-')) throw new UnknownRefError(ref, 'not a ref name')
    const result = await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])
    if (result.exitCode !== 0) {
      const remote = ref.includes('/') ? '' : ` (if it is a branch of a remote, try origin/${ref})`
      throw new UnknownRefError(ref, `fetch it first, or check the spelling${remote}`)
    }
    return result.stdout.toString('utf8').trim()
  }

  /**
   * The commits and trees of several refs in one `git rev-parse`; when one
   * does not resolve, each is tried alone so the error names the right ref.
   */
  async resolveRefs(refs: readonly string[]): Promise<Array<{ commit: CommitSha; tree: ObjectId }>> {
    if (refs.some((ref) => ref.trim() === '' || ref.startsWith('-'))) {
      await Promise.all(refs.map((ref) => this.resolveCommit(ref)))
    }
    const args = ['rev-parse', ...refs.map((ref) => `${ref}^{commit}`), ...refs.map((ref) => `${ref}^{tree}`)]
    const result = await this.run(args)
    if (result.exitCode !== 0) {
      await Promise.all(refs.map((ref) => this.resolveCommit(ref)))
      throw new GitCommandError(args, result.exitCode, result.stderr)
    }
    const lines = result.stdout.toString('utf8').trim().split('\n')
    return refs.map((_, index) => ({ commit: lines[index]!, tree: lines[refs.length + index]! }))
  }

  async mergeBase(a: CommitSha, b: CommitSha): Promise<CommitSha | null> {
    const result = await this.run(['merge-base', a, b])
    if (result.exitCode === 1) return null
    if (result.exitCode !== 0) throw new GitCommandError(['merge-base', a, b], result.exitCode, result.stderr)
    return result.stdout.toString('utf8').trim()
  }

  async isShallow(): Promise<boolean> {
    return (await this.text(['rev-parse', '--is-shallow-repository'])).trim() === 'true'
  }

  /** The tree a commit points to. */
  async treeOf(commit: CommitSha): Promise<ObjectId> {
    return (await this.text(['rev-parse', '--verify', `${commit}^{tree}`])).trim()
  }
}

export interface RunOptions {
  /** Bytes written to git's standard input. */
  input?: string | Buffer
  /** Extra environment (only GIT_* names listed here pass simple-git's guard). */
  env?: Record<string, string>
}

async function runGit(directory: string, baseEnv: Environment, args: readonly string[], options: RunOptions = {}): Promise<GitResult> {
  const stdout: Buffer[] = []
  let exitCode = 0
  let stderr = ''
  // git gets the entry's environment less the variables that would make it run other programs
  // (simple-git refuses those when given, and drops them when inherited), plus a call's own
  // GIT_* variables (GIT_INDEX_FILE for a private index), which simple-git lets through when listed.
  const env = { ...withoutProgramHooks(baseEnv), ...options.env }
  const git: SimpleGit = simpleGit({
    baseDir: directory,
    trimmed: false,
    allowEnvironment: Object.keys(options.env ?? {}),
    // Done when the streams close; simple-git's default also waits 50 ms after
    // every process exit, which adds up to a quarter of a second per review.
    completion: { onClose: true, onExit: false },
    // The raw bytes are kept (blob contents are parsed by byte length); the
    // exit status is recorded rather than thrown (merge-tree, merge-base).
    errors: (error, result) => {
      exitCode = result.exitCode
      stderr = Buffer.concat(result.stdErr).toString('utf8')
      return error instanceof Error && result.exitCode === 0 ? error : undefined
    },
    ...(options.input === undefined ? {} : { input: () => options.input })
  })
  git.env(env as Record<string, string>)
  git.outputHandler((_command, out) => {
    out.on('data', (chunk: Buffer) => stdout.push(chunk))
  })
  await git.raw([...args])
  return { stdout: Buffer.concat(stdout), stderr, exitCode }
}

const PROGRAM_HOOKS = new Set([
  'editor',
  'visual',
  'pager',
  'prefix',
  'ssh_askpass',
  'git_askpass',
  'git_editor',
  'git_pager',
  'git_sequence_editor',
  'git_ssh',
  'git_ssh_command',
  'git_proxy_command',
  'git_exec_path',
  'git_external_diff',
  'git_template_dir',
  'git_config',
  'git_config_global',
  'git_config_system',
  'git_config_count',
  'git_config_parameters'
])

/** The environment less what simple-git guards: every GIT_* variable and the programs git may run. */
function withoutProgramHooks(env: Environment): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(env).filter(([key]) => {
      const name = key.toLowerCase().trim()
      return !PROGRAM_HOOKS.has(name) && !name.startsWith('git_')
    })
  )
}
