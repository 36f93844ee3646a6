// Errors from the git layer carry what the user needs to act on them.

export class GitCommandError extends Error {
  readonly args: readonly string[]
  readonly exitCode: number
  readonly stderr: string
  constructor(args: readonly string[], exitCode: number, stderr: string) {
    super(`git ${args.join(' ')} failed (exit ${exitCode}): ${stderr.trim() || 'no message'}`)
    this.name = 'GitCommandError'
    this.args = args
    this.exitCode = exitCode
    this.stderr = stderr
  }
}

export class NotARepositoryError extends Error {
  readonly directory: string
  constructor(directory: string) {
    super(`${directory} is not a git repository (set --repo / the repository input to the checkout's folder)`)
    this.name = 'NotARepositoryError'
    this.directory = directory
  }
}

export class UnknownRefError extends Error {
  readonly ref: string
  constructor(ref: string, hint = '') {
    super(`the ref '${ref}' does not exist in this repository${hint ? `: ${hint}` : ''}`)
    this.name = 'UnknownRefError'
    this.ref = ref
  }
}

export class ShallowHistoryError extends Error {
  readonly base: string
  readonly head: string
  constructor(base: string, head: string) {
    super(
      `no merge base between ${base} and ${head}: the clone is too shallow. ` +
        'Check out with `fetch-depth: 0` (actions/checkout), or fetch both branches with history.'
    )
    this.name = 'ShallowHistoryError'
    this.base = base
    this.head = head
  }
}
