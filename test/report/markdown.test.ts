// The PR comment: what it says, that hostile text in migrations and errors
// renders inert, and that it always fits GitHub's limit by dropping detail in
// whole steps.
import MarkdownIt from 'markdown-it'
import { describe, expect, it } from 'vitest'
import { COMMENT_LIMIT, renderComment, renderJobSummary, renderMarkdown } from '../../src/report/markdown.js'
import { conflict, finding, migration, report, statement } from '../support/report-fixtures.js'

const github = new MarkdownIt({ html: true, linkify: false })
const html = (markdown: string): string => github.render(markdown)

/** Text as a browser (and GitHub's mention filter) sees it. */
const decodeEntities = (value: string): string =>
  value
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')

/** The rendered HTML's tags, by name. */
const tags = (rendered: string): string[] => [...rendered.matchAll(/<([a-z][a-z0-9]*)\b/g)].map((m) => m[1]!)

const HOSTILE = [
  '0005_`</details><img src=x onerror=alert(1)>`',
  '@everyone @acme/owners look </details></summary> <script>alert(1)</script>',
  '``` closing fence ~~~ and [a link](javascript:alert(1)) ![pixel](https://evil.example/p.png) #123 | pipe |',
  `${'x'.repeat(50_000)} a very long line`
].join(' ')

function hostileReport() {
  return report({
    summary: `unsafe: ${HOSTILE}`,
    graphProblems: [{ kind: 'syntax-error', message: HOSTILE, path: `shop/migrations/${HOSTILE}.py`, line: 3, tree: 'merge' }],
    editedMigrations: [{ app: 'shop', name: HOSTILE, path: `shop/migrations/${HOSTILE}.py`, change: 'modified', message: HOSTILE }],
    conflicts: [
      conflict({
        leaves: [
          { name: HOSTILE, path: 'p', side: 'main' },
          { name: '0005_x', path: 'q', side: 'pr' }
        ],
        branches: { main: [`shop.${HOSTILE}`], pr: ['shop.0005_x'] },
        reason: HOSTILE,
        fix: { renames: [{ from: `shop.${HOSTILE}`, to: 'shop.0006_x', fromPath: 'p', toPath: 'q' }], patch: `+${HOSTILE}\n\`\`\`\`\n</details>`, unavailable: null, mergeCommand: HOSTILE }
      })
    ],
    migrations: [
      migration({
        name: HOSTILE,
        path: HOSTILE,
        findings: [finding({ message: HOSTILE, proof: [HOSTILE], safeAlternative: HOSTILE, rule: HOSTILE })],
        statements: [statement({ sql: HOSTILE, locks: [{ relation: HOSTILE, mode: 'AccessExclusiveLock' }] })],
        locks: [{ relation: HOSTILE, mode: 'AccessExclusiveLock' }]
      })
    ]
  })
}

describe('the comment', () => {
  it('leads with the verdict and the facts, then one row per migration saying what happened', () => {
    const markdown = renderMarkdown(report())
    const lines = markdown.split('\n')
    expect(lines[0]).toBe('### 🔴 Migration review: unsafe as it stands')
    expect(lines[2]).toBe('**1** new migration · deploy order: **multi-step** · rehearsal skipped: the rehearsal was switched off')
    expect(markdown).toContain('| Migration | Verdict | Backward compatible | Deploy | Reversible | Data loss | Locks |')
    expect(markdown).toContain('| `shop.0005_book_stock`<br><sub>adds book.stock as NOT NULL</sub> | 🔴 unsafe | — | multi-step | — | — | — |')
  })

  it('says in the row when a migration does not apply, and names the strongest lock', () => {
    const markdown = renderMarkdown(
      report({
        migrations: [
          migration({
            appliesOnSeededData: { value: false },
            statements: [statement()],
            locks: [
              { relation: 'shop_book_pkey', mode: 'AccessExclusiveLock' },
              { relation: 'shop_book', mode: 'AccessExclusiveLock' },
              { relation: 'shop_author', mode: 'ShareRowExclusiveLock' }
            ],
            rewrites: ['shop_book']
          })
        ]
      })
    )
    expect(markdown).toContain('<br><sub>does not apply on the seeded data</sub>')
    expect(markdown).toContain('| ACCESS EXCLUSIVE `shop_book`, rewrite |')
  })

  it('shows a conflict with a picture of the two branches and the fix as a patch', () => {
    const markdown = renderMarkdown(report({ conflicts: [conflict()] }))
    expect(markdown).toContain('#### 🔴 Conflicting migrations in `shop`')
    expect(markdown).toContain('```mermaid\ngraph LR\n  0004_book_pages["0004_book_pages"]\n  0004_book_pages --> 0005_book_price["0005_book_price · base branch"]\n  0004_book_pages --> 0005_book_stock["0005_book_stock · this PR"]\n```')
    expect(markdown).toContain('**Fix:** rename `0005_book_stock` → `0006_book_stock`')
    expect(markdown).toContain('```diff\ndiff --git a/x b/y')
  })

  it('renders hostile migration names, messages and SQL inert: no HTML, no broken details, no mentions', () => {
    const markdown = renderMarkdown(hostileReport())
    const rendered = html(markdown)
    expect(tags(rendered).filter((tag) => ['img', 'script', 'a'].includes(tag))).toEqual([])
    expect(rendered).not.toMatch(/<[^>]*onerror/)
    expect(rendered.match(/<details>/g)?.length).toBe(rendered.match(/<\/details>/g)?.length)
    expect((markdown.match(/<details>/g) ?? []).length).toBe(2)
    // Code is never linked by GitHub; everything else must not mention or reference.
    const text = decodeEntities(rendered.replace(/<code[^>]*>[\s\S]*?<\/code>/g, '').replace(/<[^>]+>/g, ''))
    expect(text).not.toMatch(/@[A-Za-z]/)
    expect(text).not.toMatch(/#\d/)
    expect(markdown.split('\n').every((line) => line.length < 5_000)).toBe(true)
  })

  it('keeps every code fence closed, even around a patch full of fences', () => {
    const rendered = html(renderMarkdown(hostileReport()))
    const patch = /<pre><code class="language-diff">([\s\S]*?)<\/code><\/pre>/.exec(rendered)
    expect(patch?.[1]).toContain('````')
    expect(patch?.[1]).toContain('&lt;/details&gt;')
  })

  it('fits GitHub limit by dropping details first, and stays valid markdown', () => {
    const many = Array.from({ length: 400 }, (_, i) =>
      migration({
        name: `${String(i).padStart(4, '0')}_step`,
        findings: [finding({ message: 'x'.repeat(300), proof: ['y'.repeat(300)], safeAlternative: 'z'.repeat(300) })],
        statements: Array.from({ length: 10 }, () => statement())
      })
    )
    const big = report({ migrations: many, conflicts: [conflict()] })
    expect(renderMarkdown(big).length).toBeGreaterThan(COMMENT_LIMIT)
    const { body, tier } = renderComment(big, { runUrl: 'https://github.com/acme/shop/actions/runs/1' })
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    expect(tier).toBeGreaterThan(0)
    expect(body).toContain('### 🔴 Migration review: unsafe as it stands')
    expect(body).toContain('full report is in the [job summary](https://github.com/acme/shop/actions/runs/1)')
    const rendered = html(body)
    expect(rendered.match(/<details>/g)?.length ?? 0).toBe(rendered.match(/<\/details>/g)?.length ?? 0)
    expect((body.match(/```/g) ?? []).length % 2).toBe(0)
  })

  it('keeps the full detail when it fits, and leaves the statements to the job summary', () => {
    const full = report({ migrations: [migration({ statements: [statement(), statement(), statement({ sql: 'SELECT 1' })] })] })
    const { body, tier } = renderComment(full)
    expect(tier).toBe(0)
    expect(body).not.toContain('**Statements**')
    const summary = renderJobSummary(full)
    expect(summary).toContain('**Statements**')
    // Repeated statements are folded into one row.
    expect(summary).toContain('| 10 | 2 × `ALTER TABLE "shop_book" ADD COLUMN "stock" integer DEFAULT 0 NOT NULL` | 6.4 ms |')
  })

  it('says what to do first: the deploy plan, then what blocks it with the file and line as links and the rule linked to its page', () => {
    const markdown = renderMarkdown(
      report({
        migrations: [migration({ findings: [finding({ safeAlternative: 'Give the field a `db_default`.' })] })]
      }),
      { blobUrl: 'https://github.com/acme/shop/blob/0123456789abcdef0123456789abcdef01234567', rulesUrl: 'https://example.test/docs/rules' }
    )
    const plan = markdown.indexOf('**Deploy plan**')
    const blocks = markdown.indexOf('**What blocks it**')
    expect(plan).toBeGreaterThan(0)
    expect(blocks).toBeGreaterThan(plan)
    expect(markdown).toContain('1. `shop.0005_book_stock` cannot ship in one release (adds book.stock as NOT NULL): Give the field a `db_default`.')
    expect(markdown).toContain(
      '[`shop/migrations/0005_book_stock.py:10`](https://github.com/acme/shop/blob/0123456789abcdef0123456789abcdef01234567/shop/migrations/0005_book_stock.py#L10) · [`add-field-not-null`](https://example.test/docs/rules/add-field-not-null.md)'
    )
    // The alternative is visible, not folded away.
    const instead = markdown.indexOf('**Instead:** Give the field a `db_default`.')
    expect(instead).toBeGreaterThan(blocks)
    expect(markdown.slice(0, instead).split('<details>').length).toBe(markdown.slice(0, instead).split('</details>').length)
  })

  it('says what the rehearsal saw, with its proof and the safe alternative', () => {
    const markdown = renderMarkdown(
      report({
        migrations: [
          migration({
            findings: [
              finding({
                evidence: 'rehearsal',
                outcome: 'seen',
                proof: ['old code INSERT on shop.Book: null value in column "stock"'],
                safeAlternative: 'Give the field a `db_default`.'
              })
            ]
          })
        ]
      })
    )
    expect(markdown).toContain('· seen in the rehearsal')
    expect(markdown).toContain('> old code INSERT on shop.Book: null value in column &quot;stock&quot;')
    expect(markdown).toContain('**Instead:** Give the field a `db_default`.')
  })

  it('quotes only the proof: what to do instead stands outside the quote', () => {
    const rendered = html(
      renderMarkdown(
        report({ migrations: [migration({ findings: [finding({ proof: ['first proof', 'second proof'], safeAlternative: 'Give the field a `db_default`.' })] })] })
      )
    )
    const quote = rendered.slice(rendered.indexOf('<blockquote>'), rendered.indexOf('</blockquote>'))
    expect(quote).toContain('first proof')
    expect(quote).toContain('second proof')
    expect(quote).not.toContain('Instead')
    expect(rendered).toContain('<strong>Instead:</strong> Give the field a <code>db_default</code>.')
  })
})

describe('the line under a migration in the table', () => {
  const failedOnSeed = { value: false, basis: 'adversarial-seed' } as const
  const repaired = { status: 'rehearsed' as const, repairs: [] }

  it('names the finding that made the migration unsafe, not the seeded rows it failed on first', () => {
    const entry = migration({
      verdict: 'unsafe',
      rehearsal: repaired,
      appliesOnSeededData: failedOnSeed,
      findings: [
        finding({ rule: 'apply-failed', severity: 'warning', message: 'fails on rows the seeder made up: value too long' }),
        finding({ rule: 'conflicting-leaves', severity: 'unsafe', message: "after the merge, app 'shop' has 2 leaf migrations: more" })
      ]
    })
    const markdown = renderMarkdown(report({ migrations: [entry] }))
    expect(markdown).toContain("<sub>after the merge, app 'shop' has 2 leaf migrations</sub>")
    expect(markdown).not.toContain('fails on the seeded rows')
  })

  it('says the migration failed on the seeded rows when that is all there is', () => {
    const entry = migration({
      verdict: 'warning',
      rehearsal: repaired,
      appliesOnSeededData: failedOnSeed,
      findings: [finding({ rule: 'apply-failed', severity: 'warning', message: 'fails on rows the seeder made up: value too long' })]
    })
    expect(renderMarkdown(report({ migrations: [entry] }))).toContain('<sub>fails on the seeded rows; rehearsed again after repairing them</sub>')
  })
})
