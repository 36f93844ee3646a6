// The bridge to the user's Python: one clear sentence per way it can fail,
// naming the input to set; a protocol that user code cannot corrupt; and a
// timeout that stops the whole process tree.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DjangoProcess, type DjangoProcessOptions } from '../../src/django/bridge.js'
import { DjangoBridgeError } from '../../src/django/errors.js'
import { findSettingsModule } from '../../src/django/settings-module.js'
import { silentLogger } from '../../src/lifecycle/logger.js'
import { appFiles, migrationSource, projectFiles } from '../support/django-project.js'
import { startTestPostgres, type TestPostgres } from '../support/postgres.js'
import { newestDjango } from '../support/python-envs.js'
import { BOOK_INITIAL, BOOK_MODEL } from '../support/rehearsal.js'

let postgres: TestPostgres
const dirs: string[] = []
beforeAll(async () => {
  postgres = await startTestPostgres()
})
afterAll(async () => {
  await postgres.cleanup()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

function project(extra: Record<string, string> = {}, settings = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'dmr-bridge-'))
  dirs.push(dir)
  const files = { ...projectFiles(['shop'], { settings }), ...appFiles('shop', { '0001_initial': BOOK_INITIAL }, BOOK_MODEL), ...extra }
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  return dir
}

async function options(projectDir: string, overrides: Partial<DjangoProcessOptions> = {}): Promise<DjangoProcessOptions> {
  const database = await postgres.server.createDatabase({ label: 'bridge' })
  return {
    python: newestDjango().python,
    env: process.env,
    projectDir,
    settingsModule: 'project.settings',
    database: postgres.server.connection(database),
    lockTimeoutMs: 1000,
    statementTimeoutMs: 10_000,
    label: 'test',
    logger: silentLogger,
    ...overrides
  }
}

/** Processes of a group that are not dead (zombies count as dead: this VM's PID 1 does not reap orphans). */
function liveProcessesInGroup(group: number): number[] {
  const live: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[2]) === group && fields[0] !== 'Z') live.push(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return live
}

async function startError(promise: Promise<unknown>): Promise<DjangoBridgeError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(DjangoBridgeError)
  return error as DjangoBridgeError
}

describe('the Python bridge', () => {
  it('says which input to set when the Python interpreter does not exist', async () => {
    const error = await startError(DjangoProcess.start(await options(project(), { python: '/nowhere/bin/python3' })))
    expect(error.kind).toBe('python-missing')
    expect(error.message).toBe("Python was not found: '/nowhere/bin/python3'. Set the python input (--python) to your project's interpreter, e.g. .venv/bin/python")
  })

  it('says which input to set when Django is not installed for that Python', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'dmr-bare-venv-'))
    dirs.push(bare)
    execFileSync('python3', ['-m', 'venv', '--without-pip', bare])
    const error = await startError(DjangoProcess.start(await options(project(), { python: join(bare, 'bin', 'python') })))
    expect(error.kind).toBe('django-missing')
    expect(error.message).toMatch(/^Django is not installed for .*bin\/python: set the python input \(--python\)/)
  })

  it('says which input to set when the settings fail to import', async () => {
    const error = await startError(DjangoProcess.start(await options(project({}, 'import os\nSECRET = os.environ["SOME_SECRET_THE_CI_LACKS"]'))))
    expect(error.kind).toBe('settings')
    expect(error.message).toContain("importing the settings 'project.settings' failed: KeyError: 'SOME_SECRET_THE_CI_LACKS'")
    expect(error.message).toContain('Set the settings input (--settings)')
  })

  it('says to install the requirements when the settings import a package that Python lacks', async () => {
    const error = await startError(DjangoProcess.start(await options(project({}, 'import pycurl_that_is_not_installed'))))
    expect(error.kind).toBe('settings')
    expect(error.message).toContain("No module named 'pycurl_that_is_not_installed'")
    expect(error.message).toMatch(/has no module 'pycurl_that_is_not_installed': install the project's requirements into it \(e\.g\. .*bin\/python -m pip install -r requirements\.txt\)/)
  })

  it('keeps answering when the project prints to stdout', async () => {
    const dir = project({}, 'print("settings loaded")')
    await using django = await DjangoProcess.start(await options(dir))
    expect(django.info.django).toBe(newestDjango().django)
    expect((await django.call('plan', {})).plan).toEqual(['shop.0001_initial'])
  })

  it('stops the whole process tree when a request runs past its timeout', async () => {
    const slow = migrationSource({
      dependencies: [['shop', '0001_initial']],
      preamble: 'import subprocess, time\n\ndef wait(apps, schema_editor):\n    subprocess.Popen(["sleep", "60"])\n    time.sleep(60)',
      operations: ['migrations.RunPython(wait, migrations.RunPython.noop)']
    })
    const dir = project({ 'shop/migrations/0002_slow.py': slow })
    const django = await DjangoProcess.start(await options(dir))
    await django.call('apply', { app: 'shop', name: '0001_initial' })
    const pid = django.pid!
    const error = await django.call('apply', { app: 'shop', name: '0002_slow' }, 1500).catch((e: unknown) => e as DjangoBridgeError)
    expect(error).toBeInstanceOf(DjangoBridgeError)
    expect((error as DjangoBridgeError).kind).toBe('timeout')
    expect((error as DjangoBridgeError).message).toBe('apply did not finish within 2 s; the test Python process was stopped')
    await new Promise((resolve) => setTimeout(resolve, 300))
    // The `sleep 60` it started belonged to the same process group.
    expect(liveProcessesInGroup(pid)).toEqual([])
  })

  it('finds the settings module from manage.py, and says which input to set when it cannot', async () => {
    expect(await findSettingsModule(project(), undefined)).toBe('project.settings')
    expect(await findSettingsModule(project(), 'other.settings')).toBe('other.settings')
    const empty = mkdtempSync(join(tmpdir(), 'dmr-empty-'))
    dirs.push(empty)
    await expect(findSettingsModule(empty, undefined)).rejects.toThrow(/no manage.py in .* set the settings input \(--settings\)/)
  })
})
