// The published JSON Schema is generated from the report's types (one source
// of the contract); reports validate against it, and it documents every field
// the engine writes (checked with additional properties forbidden, which the
// published schema allows for forward compatibility).
import { Ajv } from 'ajv'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../support/python-envs.js'
import { BOOK_MODEL, rehearseScenario } from '../support/rehearsal.js'
import { runCli } from '../../src/cli/run.js'
import { conflictedFork } from '../support/scenarios.js'

const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schema/report.v1.schema.json'), 'utf8'))

function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict)
  if (typeof node !== 'object' || node === null) return node
  const copy: Record<string, unknown> = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, strict(value)]))
  if (copy.type === 'object' && copy.properties && copy.additionalProperties === undefined) copy.additionalProperties = false
  return copy
}

const validate = new Ajv({ allErrors: true, strict: false }).compile(strict(schema) as object)

function expectValid(report: unknown): void {
  const ok = validate(report)
  expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 5), null, 2)).toEqual([])
  expect(ok).toBe(true)
}

describe('the report schema', () => {
  it('validates a static review with a conflict and its fix', async () => {
    const repo = conflictedFork()
    let stdout = ''
    await runCli(['--repo', repo.dir, '--base', 'main', '--head', 'feature', '--static-only', '--format', 'json'], {
      env: {},
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => true },
      isTty: false
    })
    repo.cleanup()
    expectValid(JSON.parse(stdout))
  })

  it('validates a rehearsed review with failures, statements and data loss', async () => {
    const { report } = await rehearseScenario({
      prModel: BOOK_MODEL.replace('    note = models.CharField(max_length=50, null=True)\n', ''),
      pr: [{ name: '0002_remove_book_note', operations: ['migrations.RemoveField(model_name="book", name="note")'] }]
    })
    expect(report.migrations[0]!.statements.length).toBeGreaterThan(0)
    expectValid(JSON.parse(JSON.stringify(report)))
  })

  it('is versioned: schemaVersion is the constant 1', () => {
    expect(schema.definitions.Report.properties.schemaVersion).toMatchObject({ const: 1 })
  })

  it('is what the types in src/model/report.ts give: types and schema cannot disagree', async () => {
    const { generateSchema } = (await import('../../scripts/generate-schema.mjs')) as { generateSchema: () => unknown }
    expect(schema, 'run `npm run schema` after changing src/model/report.ts').toEqual(generateSchema())
  })
})
