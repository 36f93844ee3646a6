import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { it } from 'vitest'
import { DjangoProcess } from '../../src/django/bridge.js'
import { stderrLogger } from '../../src/lifecycle/logger.js'
import { appFiles, createModel, migrationSource, projectFiles } from '../support/django-project.js'
import { startTestPostgres } from '../support/postgres.js'
import { djangoVenvs } from '../support/python-envs.js'
import { addField } from '../support/scenarios.js'

it('smoke', async () => {
  const pg = await startTestPostgres()
  for (const venv of djangoVenvs()) {
  const db = await pg.server.createDatabase({ label: 'smoke' })
  const dir = mkdtempSync(join(tmpdir(), 'smoke-'))
  const files = { ...projectFiles(['shop']), ...appFiles('shop', {
    '0001_initial': migrationSource({ initial: true, operations: [createModel('Book', { title: 'models.CharField(max_length=100)', pages: 'models.IntegerField()' })] }),
    '0002_note': migrationSource({ dependencies: [['shop', '0001_initial']], operations: [addField('book', 'note'), 'migrations.AddIndex(model_name="book", index=models.Index(fields=["title"], name="book_title_idx"))'] }),
    '0003_big': migrationSource({ dependencies: [['shop', '0002_note']], operations: ['migrations.AlterField(model_name="book", name="pages", field=models.BigIntegerField())'] }),
    '0004_py': migrationSource({ dependencies: [['shop', '0003_big']], preamble: 'def f(apps, schema_editor):\n    pass', operations: ['migrations.RunPython(f)'] }),
  }, 'class Book(models.Model):\n    title = models.CharField(max_length=100)\n    pages = models.BigIntegerField()\n    note = models.TextField(null=True)\n') }
  for (const [p, c] of Object.entries(files)) { mkdirSync(dirname(join(dir, p)), { recursive: true }); writeFileSync(join(dir, p), c) }
  const proc = await DjangoProcess.start({ python: venv.python, projectDir: dir, settingsModule: 'project.settings', database: pg.server.connection(db), lockTimeoutMs: 1000, statementTimeoutMs: 10000, label: 'base', logger: stderrLogger({ verbose: false }) })
  console.log(venv.series, proc.info)
  console.log(JSON.stringify(await proc.call('leaves')))
  // apply one by one
  for (const name of ['0001_initial', '0002_note', '0003_big', '0004_py']) {
    const r = await proc.call<any>('apply', { app: 'shop', name })
    console.log(name, JSON.stringify({ ...r, statements: r.statements.map((s: any) => [s.sql.slice(0, 70), s.operationIndex, s.locks.map((l: any) => l.relation + ':' + l.mode).join(','), s.rewrite.join(',')]) }, null, 0))
  }
  console.log(JSON.stringify(await proc.call('probe')))
  const u = await proc.call<any>('unapply', { app: 'shop', name: '0004_py' })
  console.log('unapply', JSON.stringify(u.error))
  console.log(JSON.stringify(await proc.call('missingMigrations', { projectDir: dir })))
  await proc.close()
  }
  await pg.cleanup()
})
