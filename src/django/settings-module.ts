// Which settings module the project uses: the input, else what manage.py sets.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DjangoBridgeError } from './errors.js'

const SETDEFAULT = /DJANGO_SETTINGS_MODULE["']\s*,\s*["']([A-Za-z_][\w.]*)["']/

export async function findSettingsModule(projectDir: string, given: string | undefined): Promise<string> {
  if (given) return given
  let source: string
  try {
    source = await readFile(join(projectDir, 'manage.py'), 'utf8')
  } catch {
    throw new DjangoBridgeError('settings', `no manage.py in ${projectDir} to read DJANGO_SETTINGS_MODULE from: set the settings input (--settings), and project-root if the project is in a subfolder`)
  }
  const match = SETDEFAULT.exec(source)
  if (match === null) {
    throw new DjangoBridgeError('settings', `manage.py in ${projectDir} does not set DJANGO_SETTINGS_MODULE: set the settings input (--settings)`)
  }
  return match[1]!
}
