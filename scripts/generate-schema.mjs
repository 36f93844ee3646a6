// The JSON Schema of the report, generated from its one source, the types in
// src/model/report.ts (their doc comments become descriptions). A test checks
// that schema/report.v1.schema.json is what this writes.
// Usage: node scripts/generate-schema.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { createGenerator } from 'ts-json-schema-generator'

const root = resolve(import.meta.dirname, '..')
const target = resolve(root, 'schema/report.v1.schema.json')

export function generateSchema() {
  const generated = createGenerator({
    path: resolve(root, 'src/model/report.ts'),
    tsconfig: resolve(root, 'tsconfig.json'),
    type: 'Report',
    expose: 'export',
    topRef: true,
    jsDoc: 'extended',
    // Consumers ignore fields they do not know: a newer minor version may add some.
    additionalProperties: true,
    skipTypeCheck: true
  }).createSchema('Report')
  return {
    $schema: generated.$schema,
    $id: 'https://github.com/django-migration-review/django-migration-review/schema/report.v1.schema.json',
    title: 'django-migration-review report, schema version 1',
    description:
      'The JSON report of django-migration-review, generated from src/model/report.ts. Fields are added within a schema version, never renamed or removed; consumers should ignore fields they do not know.',
    $ref: generated.$ref,
    definitions: generated.definitions
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const text = `${JSON.stringify(generateSchema(), null, 2)}\n`
  if (process.argv.includes('--check')) {
    if (readFileSync(target, 'utf8') !== text) {
      process.stderr.write('schema/report.v1.schema.json is not what src/model/report.ts gives: run `npm run schema`\n')
      process.exit(1)
    }
    process.stdout.write('the schema matches the types.\n')
  } else {
    writeFileSync(target, text)
    process.stdout.write(`wrote ${target}\n`)
  }
}
