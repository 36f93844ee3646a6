// The table-stats file: what the documented read-only query prints on a
// schema Django migrated is what the review reads, and a bad file stops the
// run with its name and the entry to fix.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readTableStats } from '../../src/config/table-stats.js'
import { UsageError } from '../../src/config/options.js'
import { djangoShopDatabase } from '../seed/django-shop.js'
import { startTestPostgres } from '../support/postgres.js'
import { REPO_ROOT } from '../support/python-envs.js'

const folder = mkdtempSync(join(tmpdir(), 'dmr-test-stats-file-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

function file(name: string, content: string): string {
  const path = join(folder, name)
  writeFileSync(path, content)
  return path
}

/** The query as docs/table-stats.md gives it. */
function documentedQuery(): string {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'table-stats.md'), 'utf8')
  return /<!-- table-stats-query -->\n```sql\n([\s\S]*?)```/.exec(doc)![1]!
}

describe('the documented query', () => {
  it('prints sizes the review reads, for every table Django created', async () => {
    await using pgt = await startTestPostgres()
    const client = await pgt.client(await djangoShopDatabase(pgt.server, 'stats'))
    await client.query("INSERT INTO shop_country (code, name) SELECT lpad(i::text, 2, '0'), 'c' || i FROM generate_series(1, 50) AS i")
    await client.query('ANALYZE')
    const { rows } = await client.query<{ stats: unknown }>(`SELECT (${documentedQuery().trim().replace(/;$/, '')}) AS stats`)
    const sizes = readTableStats(file('from-query.json', JSON.stringify(rows[0]!.stats)))
    expect(sizes.get('shop_country')).toMatchObject({ rows: 50 })
    expect(sizes.get('shop_country')!.bytes).toBeGreaterThan(0)
    expect(sizes.get('shop_country')!.indexBytes).toBeGreaterThan(0)
    expect(sizes.has('django_migrations')).toBe(true)
  })
})

describe('a table-stats file', () => {
  it('takes schema-qualified names and leaves out indexBytes', () => {
    const sizes = readTableStats(file('qualified.json', '{"public.shop_book": {"rows": "12", "bytes": 8192}}'))
    expect(sizes.get('shop_book')).toEqual({ rows: 12, bytes: 8192, indexBytes: 0 })
  })

  it('that is missing is a usage error naming it', () => {
    const missing = join(folder, 'nowhere.json')
    expect(() => readTableStats(missing)).toThrow(new UsageError(`table-stats: cannot read ${missing}: ENOENT`))
  })

  it('that is not JSON names the file and the query to write it with', () => {
    const path = file('broken.json', 'shop_book 12 8192')
    expect(() => readTableStats(path)).toThrow(/^table-stats: .*broken\.json is not JSON \(.*\); write it with the query in docs\/table-stats\.md$/)
  })

  it('with an entry lacking its bytes names the entry', () => {
    const path = file('no-bytes.json', '{"shop_book": {"rows": 12}}')
    expect(() => readTableStats(path)).toThrow(`"shop_book" needs whole numbers "rows" and "bytes"`)
  })
})
