// The README is the front door: it must stay true to what the code does.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RULES } from '../src/rules/table.js'
import { REPO_ROOT } from './support/python-envs.js'

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
const action = readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')
const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; license: string; version: string }

/**
 * The current major of each action the README and our workflows use, as each action's own
 * repository had it on 2026-12-05 (its newest tags and its README's examples). Dependabot bumps
 * the workflows; this list, and the README's examples with it, is updated by hand.
 */
const CURRENT_MAJORS: Record<string, string> = {
  'actions/checkout': 'v7',
  'actions/setup-node': 'v7',
  'actions/setup-python': 'v7',
  'actions/upload-artifact': 'v7',
  'actions/download-artifact': 'v8',
  'actions/cache': 'v5',
  'actions/cache/restore': 'v5',
  'actions/cache/save': 'v5'
}

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

  it("shows each action at its current major, as the workflows of this repository use it", () => {
    const workflows = readdirSync(join(REPO_ROOT, '.github', 'workflows')).map((name) => readFileSync(join(REPO_ROOT, '.github', 'workflows', name), 'utf8'))
    for (const text of [readme, ...workflows]) {
      for (const [, action, version] of text.matchAll(/uses: (actions\/[a-z-]+(?:\/[a-z]+)?)@(v\d+)/g)) {
        expect(CURRENT_MAJORS[action!], `${action} is not in the list of checked actions`).toBeDefined()
        expect(version, action).toBe(CURRENT_MAJORS[action!])
      }
    }
  })

  it('says how to install the package, and ships the licence package.json names', () => {
    expect(readme).toContain('npx django-migration-review')
    expect(readme).toContain('npm pack')
    expect(readme).toContain(`npx --package ./django-migration-review-${packageJson.version}.tgz django-migration-review`)
    expect(existsSync(join(REPO_ROOT, 'LICENSE'))).toBe(true)
    expect(readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8')).toMatch(new RegExp(`^${packageJson.license} License`))
  })
})
