// The README is the front door: it must stay true to what the code does.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RULES } from '../src/rules/table.js'
import { REPO_ROOT } from './support/python-envs.js'

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
const action = readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')
const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }

describe('the README', () => {
  it('gives the two commands, and both exist as npm scripts', () => {
    expect(readme).toContain('npm run demo   # reviews the bundled example PR')
    expect(readme).toContain('npm test       # the whole test suite')
    expect(packageJson.scripts.demo).toBeDefined()
    expect(packageJson.scripts.test).toBeDefined()
  })

  it('documents every rule of the table', () => {
    for (const rule of RULES) expect(readme, rule.id).toContain(`| \`${rule.id}\` |`)
  })

  it('documents every input and output of action.yml', () => {
    const inputs = [...action.slice(action.indexOf('\ninputs:\n'), action.indexOf('\noutputs:\n')).matchAll(/^ {2}([a-z-]+):$/gm)].map((m) => m[1]!)
    const outputs = [...action.slice(action.indexOf('\noutputs:\n'), action.indexOf('\nruns:\n')).matchAll(/^ {2}([a-z-]+):$/gm)].map((m) => m[1]!)
    const rows = readme.split('\n').filter((line) => line.startsWith('| `'))
    for (const name of inputs) expect(rows.some((row) => row.split(' | ')[0]!.includes(`\`${name}\``)), name).toBe(true)
    for (const name of outputs) expect(readme, name).toContain(`| \`${name}\` |`)
  })
})
