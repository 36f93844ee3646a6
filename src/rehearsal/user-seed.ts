// The user's own seed command (e.g. `python manage.py loaddata fixtures.json`),
// run in the base checkout against the base database, before the synthetic rows.
import { spawn } from 'node:child_process'
import { delimiter, dirname, isAbsolute, resolve } from 'node:path'
import { djangoEnvironment, type DjangoProcessOptions } from '../django/bridge.js'
import type { Logger } from '../lifecycle/logger.js'

export class SeedCommandError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SeedCommandError'
  }
}

export function runSeedCommand(command: string, options: DjangoProcessOptions, timeoutMs: number, logger: Logger): Promise<void> {
  const env = djangoEnvironment(options)
  // `python` in the command means the project's interpreter.
  if (options.python.includes('/')) {
    const python = isAbsolute(options.python) ? options.python : resolve(options.python)
    env.PATH = [dirname(python), env.PATH].filter(Boolean).join(delimiter)
  }
  return new Promise((done, fail) => {
    const child = spawn('sh', ['-c', command], { cwd: options.projectDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    let output = ''
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000)
      logger.debug(`[seed-command] ${chunk.toString('utf8').trimEnd()}`)
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        child.kill('SIGKILL')
      }
      fail(new SeedCommandError(`the seed command did not finish within ${Math.round(timeoutMs / 1000)} s: ${command}`))
    }, timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      fail(new SeedCommandError(`the seed command could not start: ${error.message}`))
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      if (code === 0) done()
      else fail(new SeedCommandError(`the seed command exited ${code}: ${command}\n${output.trim().split('\n').slice(-10).join('\n')}`))
    })
  })
}
