// Everything a run creates is removed when it is interrupted: the Postgres
// server and its files, the Python processes, the checkouts. Run against the
// bundled CLI (dist/), the way users run it.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createConnection } from 'node:net'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { TestRepo } from '../support/git-repo.js'
import { newestDjango, REPO_ROOT } from '../support/python-envs.js'
import { BOOK_INITIAL, BOOK_MODEL } from '../support/rehearsal.js'
import { appFiles, migrationSource, projectFiles } from '../support/django-project.js'
import { forkedRepo } from '../support/scenarios.js'

const repos: TestRepo[] = []
afterEach(() => repos.splice(0).forEach((repo) => repo.cleanup()))

/**
 * The folders this run created, as its verbose log names them: the local
 * server's folder when it starts, each checkout as it is released. (Tests
 * running beside it make folders with the same prefixes.)
 */
function foldersOf(log: string): string[] {
  const server = [...log.matchAll(/socket dir (\S+?)[,)]/g)].map((match) => match[1]!)
  const checkouts = [...log.matchAll(/released checkout (\S+)/g)].map((match) => match[1]!)
  return [...new Set([...server, ...checkouts])]
}

const portOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  describe(`a review interrupted by ${signal}`, () => {
    it('removes the server, the databases, the Python processes and the checkouts, and exits with the signal status', async () => {
      const slow = migrationSource({
        dependencies: [['shop', '0001_initial']],
        preamble: 'import time\n\ndef wait(apps, schema_editor):\n    time.sleep(60)',
        operations: ['migrations.RunPython(wait, migrations.RunPython.noop)']
      })
      const repo = forkedRepo({
        base: { ...projectFiles(['shop']), ...appFiles('shop', { '0001_initial': BOOK_INITIAL }, BOOK_MODEL) },
        pr: [{ 'shop/migrations/0002_slow.py': slow }]
      })
      repos.push(repo)
      const child = spawn(
        process.execPath,
        [join(REPO_ROOT, 'dist/cli.js'), '--repo', repo.dir, '--base', 'main', '--head', 'feature', '--postgres', 'local', '--python', newestDjango().python, '--verbose'],
        { stdio: ['ignore', 'pipe', 'pipe'] }
      )
      let stderr = ''
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the rehearsal never reached the new migrations:\n${stderr}`)), 60_000)
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString()
          if (stderr.includes('rehearsal: forward')) {
            clearTimeout(timer)
            resolve()
          }
        })
      })
      const port = Number(/port (\d+)/.exec(stderr)?.[1])
      expect(await portOpen(port)).toBe(true)
      const serverFolder = foldersOf(stderr)[0]!
      expect(existsSync(serverFolder)).toBe(true)

      child.kill(signal)
      expect(await exited).toBe(signal === 'SIGINT' ? 130 : 143)
      expect(stderr).toContain(`${signal} received: removing what this run created`)
      const folders = foldersOf(stderr)
      // The server's folder and the two checkouts (base and new code).
      expect(folders).toHaveLength(3)
      expect(folders.filter((folder) => existsSync(folder))).toEqual([])
      expect(await portOpen(port)).toBe(false)
    })
  })
}
