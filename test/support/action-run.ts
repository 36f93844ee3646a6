// Runs the bundled Action (dist/index.js) the way the GitHub runner does:
// inputs as INPUT_* variables, the event payload in a file, GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files, and GITHUB_API_URL pointing at the fake API.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT } from './python-envs.js'

export interface ActionRun {
  status: number | null
  stdout: string
  outputs: Record<string, string>
  summary: string
  /** The JSON report the run wrote (its runner temp folder is gone afterwards), as an artifact would carry it. */
  report?: string
}

export interface ActionRunOptions {
  workspace: string
  eventName: string
  payload: Record<string, unknown>
  inputs: Record<string, string>
  apiUrl: string
  repository?: string
}

/** GITHUB_OUTPUT as @actions/core writes it: `name<<delimiter`, value, delimiter. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i]!)
    if (!match) continue
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== match[2]; i++) value.push(lines[i]!)
    outputs[match[1]!] = value.join('\n')
  }
  return outputs
}

export async function runAction(options: ActionRunOptions): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'dmr-runner-'))
  try {
    const eventPath = join(dir, 'event.json')
    const outputPath = join(dir, 'output')
    const summaryPath = join(dir, 'summary.md')
    writeFileSync(eventPath, JSON.stringify(options.payload))
    writeFileSync(outputPath, '')
    writeFileSync(summaryPath, '')
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: options.eventName,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: options.repository ?? 'acme/shop',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: options.apiUrl,
      GITHUB_RUN_ID: '4242',
      GITHUB_SHA: String((options.payload.after as string | undefined) ?? ''),
      GITHUB_WORKSPACE: options.workspace,
      GITHUB_OUTPUT: outputPath,
      GITHUB_STEP_SUMMARY: summaryPath,
      RUNNER_TEMP: dir
    }
    for (const [name, value] of Object.entries(options.inputs)) env[`INPUT_${name.toUpperCase()}`] = value
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'index.js')], { cwd: options.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    const outputs = parseOutputs(readFileSync(outputPath, 'utf8'))
    const reportPath = outputs['report-path']
    return {
      status,
      stdout,
      outputs,
      summary: existsSync(summaryPath) ? readFileSync(summaryPath, 'utf8') : '',
      // What upload-artifact would take away before the runner's temp folder goes.
      ...(reportPath && existsSync(reportPath) ? { report: readFileSync(reportPath, 'utf8') } : {})
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A pull_request event for a PR of acme/shop, as GitHub sends it (the fields the action reads and their neighbours). */
export function pullRequestPayload(number: number, base: string, head: string, options: { fork?: boolean } = {}): Record<string, unknown> {
  const headRepo = options.fork ? 'mallory/shop' : 'acme/shop'
  return {
    action: 'synchronize',
    number,
    after: head,
    pull_request: {
      number,
      state: 'open',
      title: 'Add Book.summary',
      user: { login: 'mallory', type: 'User' },
      head: { ref: 'feature', sha: head, repo: { full_name: headRepo, fork: Boolean(options.fork) } },
      base: { ref: 'main', sha: base, repo: { full_name: 'acme/shop' } }
    },
    repository: { full_name: 'acme/shop', name: 'shop', owner: { login: 'acme' } }
  }
}
