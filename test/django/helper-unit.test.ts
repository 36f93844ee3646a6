// The Python helper's own unit tests (python/dmr_helper/tests, standard
// unittest), run in every Django virtualenv the bootstrap made, the extras
// included, against a throwaway Postgres started here.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPostgres, type TestPostgres } from '../support/postgres.js'
import { djangoVenvs, extraVenvs, REPO_ROOT } from '../support/python-envs.js'

const HELPER_ROOT = join(REPO_ROOT, 'python')
const TESTS = join(HELPER_ROOT, 'dmr_helper', 'tests')

let postgres: TestPostgres
beforeAll(async () => {
  postgres = await startTestPostgres()
})
afterAll(async () => {
  await postgres?.cleanup()
})

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
  })
}

describe.each([...djangoVenvs(), ...extraVenvs()])('the helper’s Python unit tests with Django $django ($series)', ({ series, python }) => {
  it('pass', async () => {
    const database = await postgres.server.createDatabase({ label: 'pyunit' })
    const { code, output } = await run(python, ['-m', 'unittest', 'discover', '-v', '-s', TESTS, '-t', HELPER_ROOT], {
      ...process.env,
      PYTHONPATH: HELPER_ROOT,
      PYTHONDONTWRITEBYTECODE: '1',
      DMR_TEST_DATABASE: JSON.stringify(postgres.server.connection(database))
    })
    expect(code, output).toBe(0)
    expect(output).toMatch(/^Ran \d+ tests? in /m)
    // Only the tests for a package this virtualenv lacks may be skipped: the database ones run.
    const skipped = [...output.matchAll(/\.\.\. skipped '([^']*)'/g)].map((match) => match[1]!)
    const expected = (reason: string) => reason.includes('django-pg-zero-downtime-migrations') && !series.endsWith('-zdm')
    expect(skipped.filter((reason) => !expected(reason)), output).toEqual([])
  })
})

it('leaves the Python tests out of the bundle', () => {
  expect(existsSync(join(REPO_ROOT, 'dist', 'python', 'dmr_helper', '__main__.py'))).toBe(true)
  expect(existsSync(join(REPO_ROOT, 'dist', 'python', 'dmr_helper', 'tests'))).toBe(false)
})
