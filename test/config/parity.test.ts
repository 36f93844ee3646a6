// Every Action input has a CLI flag of the same name (the GitHub-only ones
// aside), so a run in a terminal and a run on GitHub are the same run.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { HELP } from '../../src/config/flags.js'
import { readActionInputs } from '../../src/config/inputs.js'
import { REPO_ROOT } from '../support/python-envs.js'

const GITHUB_ONLY = ['mode', 'github-token', 'report', 'comment', 'comment-key', 'comment-author', 'allow-pull-request-target', 'allow-event', 'review-comments']

function actionInputs(): string[] {
  const yaml = readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')
  const block = yaml.slice(yaml.indexOf('\ninputs:\n'), yaml.indexOf('\noutputs:\n'))
  return [...block.matchAll(/^ {2}([a-z-]+):$/gm)].map((match) => match[1]!)
}

describe('inputs and flags', () => {
  it('gives every analysis input of action.yml a CLI flag of the same name', () => {
    const inputs = actionInputs()
    expect(inputs.length).toBeGreaterThan(20)
    const missing = inputs.filter((name) => !GITHUB_ONLY.includes(name) && !HELP.includes(`--${name} `))
    expect(missing).toEqual([])
  })

  it('reads every input of action.yml, and an unknown value names the input', () => {
    const env = Object.fromEntries(actionInputs().map((name) => [`INPUT_${name.toUpperCase()}`, '']))
    expect(readActionInputs(env).failOn).toBe('unsafe')
    expect(() => readActionInputs({ ...env, 'INPUT_FAIL-ON': 'sometimes' })).toThrow("fail-on must be one of error, unsafe, warning, never; got 'sometimes'")
    expect(() => readActionInputs({ ...env, INPUT_POSTGRES: 'url' })).toThrow('postgres: url needs database-url')
    expect(() => readActionInputs({ ...env, 'INPUT_SEED-ROWS': 'many' })).toThrow("seed-rows must be a whole number; got 'many'")
  })
})
