// The rules and the rehearsal about the same operation become one finding.
// The facts come from real rehearsals (the Python helper on a real Postgres),
// the rules from the real rules table; `fuse` is judged on them.
import { beforeAll, describe, expect, it } from 'vitest'
import type { Finding } from '../../src/model/report.js'
import { fuse } from '../../src/verdict/fuse.js'
import { rehearsed, type Rehearsed } from '../support/evidence.js'
import { BOOK_MODEL } from '../support/rehearsal.js'

const everythingChecked = () => true
const byRule = (findings: Finding[], rule: string) => findings.find((finding) => finding.rule === rule)

const scenarios: Record<string, Rehearsed> = {}
beforeAll(async () => {
  scenarios.bigint = await rehearsed({
    prModel: BOOK_MODEL.replace('pages = models.IntegerField(default=0)', 'pages = models.BigIntegerField(default=0)'),
    pr: [{ name: '0002_pages_bigint', operations: ['migrations.AlterField(model_name="book", name="pages", field=models.BigIntegerField(default=0))'] }]
  })
  scenarios.stock = await rehearsed({
    prModel: `${BOOK_MODEL}    stock = models.IntegerField(default=0)\n`,
    pr: [{ name: '0002_book_stock', operations: ['migrations.AddField(model_name="book", name="stock", field=models.IntegerField(default=0))'] }]
  })
  scenarios.uniqueTitle = await rehearsed({
    prModel: BOOK_MODEL.replace('title = models.CharField(max_length=100)', 'title = models.CharField(max_length=100, unique=True)'),
    pr: [{ name: '0002_title_unique', operations: ['migrations.AlterField(model_name="book", name="title", field=models.CharField(max_length=100, unique=True))'] }]
  })
  scenarios.twoOperations = await rehearsed({
    prModel: `${BOOK_MODEL.replace('pages = models.IntegerField(default=0)', 'pages = models.BigIntegerField(default=0)')}    isbn = models.CharField(max_length=13, null=True)\n`,
    pr: [
      {
        name: '0002_two',
        operations: [
          'migrations.AddField(model_name="book", name="isbn", field=models.CharField(max_length=13, null=True))',
          'migrations.AlterField(model_name="book", name="pages", field=models.BigIntegerField(default=0))'
        ]
      }
    ]
  })
  scenarios.positive = await rehearsed(
    {
      prModel: BOOK_MODEL.replace('pages = models.IntegerField(default=0)', 'pages = models.PositiveIntegerField(default=0)'),
      pr: [{ name: '0002_pages_positive', operations: ['migrations.AlterField(model_name="book", name="pages", field=models.PositiveIntegerField(default=0))'] }]
    },
    { syntheticSeed: false }
  )
  scenarios.rewriteBySql = await rehearsed({
    pr: [
      {
        name: '0002_pages_sql',
        operations: ['migrations.RunSQL("ALTER TABLE shop_book ALTER COLUMN pages TYPE bigint", "ALTER TABLE shop_book ALTER COLUMN pages TYPE integer")']
      }
    ]
  })
  scenarios.ignored = await rehearsed({
    prModel: BOOK_MODEL.replace('pages = models.IntegerField(default=0)', 'pages = models.BigIntegerField(default=0)'),
    pr: [
      {
        name: '0002_pages_bigint',
        operations: [
          '# migration-review: ignore alter-field-type -- the table holds a dozen rows\n        migrations.AlterField(model_name="book", name="pages", field=models.BigIntegerField(default=0))'
        ]
      }
    ]
  })
}, 240_000)

describe('a rule the rehearsal saw happen', () => {
  it('becomes one finding, seen in the rehearsal, with the statement, its locks and the rewrite as proof', () => {
    const { rules, facts } = scenarios.bigint!
    const finding = byRule(fuse(rules, facts, everythingChecked), 'alter-field-type')!
    expect(finding).toMatchObject({ evidence: 'rehearsal', outcome: 'seen', severity: 'warning', basis: 'adversarial-seed' })
    expect(finding.proof!.join('\n')).toMatch(/`ALTER TABLE "shop_book" ALTER COLUMN "pages" TYPE bigint[^`]*` rewrote shop_book.* holding AccessExclusiveLock on shop_book/)
  })

  it('is proved by the old code failing on the same model, with the failing INSERT in the proof, at the severity that warrants', () => {
    const { rules, facts } = scenarios.stock!
    const finding = byRule(fuse(rules, facts, everythingChecked), 'add-field-not-null')!
    expect(finding).toMatchObject({ severity: 'unsafe', outcome: 'seen' })
    expect(finding.proof).toContainEqual(expect.stringMatching(/^old code INSERT on shop\.Book: null value in column "stock".*\(SQLSTATE 23502\)$/))
    // The proof is this rule's: no finding of its own repeats it.
    expect(fuse(rules, facts, everythingChecked).filter((f) => f.rule === 'old-code-breaks')).toEqual([])
  })

  it('takes the failure its SQLSTATE names: a unique violation proves add-unique, nothing else', () => {
    const { rules, facts } = scenarios.uniqueTitle!
    const findings = fuse(rules, facts, everythingChecked)
    const unique = byRule(findings, 'add-unique')!
    expect(unique.proof!.join('\n')).toContain('could not create unique index')
    expect(unique.proof!.join('\n')).toContain('duplicate key value violates unique constraint')
    expect(findings.filter((f) => f.rule === 'apply-failed' || f.rule === 'old-code-breaks')).toEqual([])
  })

  it('caps at a warning a failure only the seeder\'s rows caused, and carries the query to run on production', () => {
    const { rules, facts } = scenarios.uniqueTitle!
    const unique = byRule(fuse(rules, facts, everythingChecked), 'add-unique')!
    expect(unique.severity).toBe('warning')
    expect(unique.message).toContain('whether it fails in production depends on your rows')
    expect(unique.productionCheck).toMatchObject({ sql: expect.stringContaining('HAVING count(*) > 1'), meaning: expect.stringContaining('repeat') })
  })

  it('takes only the facts about its own operation', () => {
    const { rules, facts } = scenarios.twoOperations!
    const findings = fuse(rules, facts, everythingChecked)
    const nullable = byRule(findings, 'add-field-nullable')!
    const type = byRule(findings, 'alter-field-type')!
    expect(type.proof!.join('\n')).toContain('TYPE bigint')
    expect((nullable.proof ?? []).join('\n')).not.toContain('TYPE bigint')
  })
})

describe('a rule the rehearsal looked for and did not see', () => {
  it('drops one level and says, for each kind of proof, what the rehearsal saw instead', () => {
    const { rules, facts } = scenarios.positive!
    const finding = byRule(fuse(rules, facts, everythingChecked), 'alter-field-type')!
    expect(finding).toMatchObject({ outcome: 'not-seen', severity: 'info', evidence: 'rehearsal' })
    expect(finding.message).toContain('Not seen in the rehearsal: no table or index was rewritten; it applied on the seeded rows')
    expect(finding.proof).toBeUndefined()
  })

  it('stays as it was when the rehearsal did not look for every kind of proof', () => {
    const { rules, facts } = scenarios.positive!
    const finding = byRule(fuse(rules, facts, (kind) => kind !== 'old-code-breaks'), 'alter-field-type')!
    expect(finding).toMatchObject({ evidence: 'static', severity: 'warning' })
    expect(finding.outcome).toBeUndefined()
  })
})

describe('what the rehearsal saw that no rule claimed', () => {
  it('reports a rewrite no rule expected as table-rewrite, at the line of its operation', () => {
    const { rules, facts } = scenarios.rewriteBySql!
    const finding = byRule(fuse(rules, facts, everythingChecked), 'table-rewrite')!
    expect(finding).toMatchObject({ severity: 'warning', evidence: 'rehearsal', outcome: 'seen', operationIndex: 0 })
    expect(finding.message).toMatch(/^rewrote shop_book/)
  })

  it('leaves out a blocking lock no rule claimed: the locks are in the report, not a finding', () => {
    const { rules, facts } = scenarios.rewriteBySql!
    expect(facts.some((fact) => fact.kind === 'blocking-lock')).toBe(true)
    expect(byRule(fuse(rules, facts, everythingChecked), 'blocking-lock')).toBeUndefined()
  })
})

describe('without a rehearsal', () => {
  it('leaves the static findings as they are', () => {
    const { rules } = scenarios.bigint!
    expect(fuse(rules, [], null).map(({ rule, severity, evidence }) => ({ rule, severity, evidence }))).toEqual([
      { rule: 'alter-field-type', severity: 'warning', evidence: 'static' }
    ])
  })
})

describe('an ignored rule', () => {
  it('keeps its grade and its reason, and its facts do not come back as findings of their own', () => {
    const { rules, facts } = scenarios.ignored!
    const findings = fuse(rules, facts, everythingChecked)
    expect(byRule(findings, 'alter-field-type')).toMatchObject({ severity: 'warning', ignored: { reason: 'the table holds a dozen rows', source: 'inline' }, outcome: 'seen' })
    expect(byRule(findings, 'table-rewrite')).toBeUndefined()
  })
})
