// Renders a review comment to HTML the way GitHub shows it (GitHub's markdown
// CSS, GFM with HTML, mermaid diagrams) and screenshots it in headless
// Chromium: to look at the product's face, and for the README's picture.
//   node scripts/screenshot-comment.mjs <comment.md> <out.png> [--open 2,3] [--assets DIR]
// DIR must hold node_modules with mermaid and github-markdown-css (not project
// dependencies: `npm install mermaid github-markdown-css` in a scratch folder).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import MarkdownIt from 'markdown-it'

const { values, positionals } = parseArgs({ allowPositionals: true, options: { open: { type: 'string' }, assets: { type: 'string' }, height: { type: 'string' } } })
const [input, output] = positionals
const assets = resolve(values.assets ?? '/tmp/shot/node_modules')
const markdown = readFileSync(input, 'utf8')
const md = new MarkdownIt({ html: true, linkify: false })
const fence = md.renderer.rules.fence
md.renderer.rules.fence = (tokens, index, options, env, self) =>
  tokens[index].info.trim() === 'mermaid' ? `<pre class="mermaid">${md.utils.escapeHtml(tokens[index].content)}</pre>` : fence(tokens, index, options, env, self)
let body = md.render(markdown)
// Open the <details> named by position (1-based), to show what a reader sees after a click.
const open = new Set((values.open ?? '').split(',').filter(Boolean).map(Number))
let seen = 0
body = body.replace(/<details>/g, (tag) => (open.has(++seen) ? '<details open>' : tag))

const page = `<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="file://${assets}/github-markdown-css/github-markdown-light.css">
<style>body{background:#fff;margin:0;padding:24px;font-size:14px} .frame{max-width:900px;border:1px solid #d0d7de;border-radius:6px}
.head{background:#f6f8fa;border-bottom:1px solid #d0d7de;padding:8px 16px;font:14px -apple-system,Segoe UI,sans-serif;color:#57606a}
.head b{color:#1f2328} .markdown-body{padding:16px}</style></head><body><div class="frame">
<div class="head"><b>github-actions</b> <span>bot</span> commented</div><div class="markdown-body">${body}</div></div>
<script src="file://${assets}/mermaid/dist/mermaid.min.js"></script><script>mermaid.initialize({startOnLoad:true,theme:'neutral'})</script>
</body></html>`
const dir = mkdtempSync(join(tmpdir(), 'dmr-shot-'))
try {
  writeFileSync(join(dir, 'comment.html'), page)
  execFileSync(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--allow-file-access-from-files',
      '--hide-scrollbars',
      `--user-data-dir=${join(dir, 'profile')}`,
      '--virtual-time-budget=8000',
      `--window-size=950,${values.height ?? 1400}`,
      `--screenshot=${resolve(output)}`,
      `file://${join(dir, 'comment.html')}`
    ],
    { stdio: 'ignore' }
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
