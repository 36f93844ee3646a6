// A throwaway PostgreSQL for the benchmarks (as the postgres OS user when run
// as root): the server the plain script and the review share.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { chownSync, mkdtempSync, rmSync, statfsSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const freePort = () =>
  new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => done(port))
    })
  })

/** /dev/shm when it is a tmpfs with room (where the local provider puts its clusters, ADR 0006), else the temp dir. */
export function memoryOrTemp(minFreeBytes = 2 * 1024 ** 3) {
  try {
    const fs = statfsSync('/dev/shm')
    if (fs.type === 0x01021994 && fs.bavail * fs.bsize >= minFreeBytes) return '/dev/shm'
  } catch {
    // not Linux
  }
  return tmpdir()
}

/** Starts a cluster in `base` (default: in memory when it can, as the local provider does). */
export async function startPostgres({ base = memoryOrTemp(), settings = {} } = {}) {
  const bin = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim()
  const dir = mkdtempSync(join(base, 'dmr-bench-pg-'))
  const asRoot = process.getuid?.() === 0
  const user = asRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) } : {}
  if (asRoot) chownSync(dir, user.uid, user.gid)
  execFileSync(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], { ...user, stdio: 'ignore' })
  const port = await freePort()
  const flags = { listen_addresses: '127.0.0.1', fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', ...settings }
  const server = spawn(join(bin, 'postgres'), ['-D', join(dir, 'data'), '-p', String(port), '-k', dir, ...Object.entries(flags).flatMap(([k, v]) => ['-c', `${k}=${v}`])], { ...user, stdio: 'ignore' })
  for (let i = 0; i < 100; i++) {
    if (spawnSync(join(bin, 'pg_isready'), ['-h', dir, '-p', String(port)]).status === 0) break
    await new Promise((done) => setTimeout(done, 100))
  }
  return {
    port,
    dir,
    where: base === '/dev/shm' ? 'its data in /dev/shm (tmpfs)' : `its data in ${base}`,
    bin,
    url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}`,
    psql: (sql, db = 'postgres') => execFileSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', db, '-qAtc', sql], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).trim(),
    stop: async () => {
      server.kill('SIGINT')
      await new Promise((done) => server.on('exit', done))
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** The machine's load, for the figures' context. */
export function load() {
  const [one, five] = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ')
  return `load ${one} (1 min), ${five} (5 min) on ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores`
}
