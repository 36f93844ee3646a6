// /dev/shm, where the run's throwaway files are fastest: a cluster's data and
// the exported checkouts are small, short-lived and rewritten often, and on a
// runner's disk each file created costs a journal write (writing 230 files of
// a checkout: 56 ms on this machine's ext4, 4 ms in /dev/shm).
import { statfsSync } from 'node:fs'

export const MEMORY_DIR = '/dev/shm'
const TMPFS_MAGIC = 0x01021994
/** What stays free in /dev/shm whatever we put there (not the 64 MB of a container's default). */
export const MEMORY_MIN_FREE_BYTES = 2 * 1024 ** 3

/** /dev/shm when it is a tmpfs with `needed` bytes free beyond MEMORY_MIN_FREE_BYTES; else null. */
export function memoryDir(needed = 0): string | null {
  if (process.platform !== 'linux') return null
  try {
    const fs = statfsSync(MEMORY_DIR)
    return fs.type === TMPFS_MAGIC && fs.bavail * fs.bsize >= MEMORY_MIN_FREE_BYTES + needed ? MEMORY_DIR : null
  } catch {
    return null
  }
}
