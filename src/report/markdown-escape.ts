// Everything user-controlled (migration names, messages, SQL, paths) goes
// through here before it reaches markdown: it cannot open HTML, break a table
// or a fence, link an issue or mention anyone.

// GitHub finds @mentions and #references in the rendered text, where an
// entity is already decoded: a zero-width space after the sign (as Dependabot
// writes them) keeps the text readable and breaks the link.
const ZWSP = '\u200b'

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '@': `@${ZWSP}`,
  '#': `#${ZWSP}`,
  '|': '&#124;',
  '\\': '&#92;',
  '`': '&#96;',
  '*': '&#42;',
  _: '&#95;',
  '[': '&#91;',
  ']': '&#93;',
  '~': '&#126;',
  '!': '&#33;'
}

/** Plain text for a paragraph or a table cell: one line, no markup of its own. */
export function text(value: string, maxLength = 500): string {
  return escapeText(value.replace(/\r?\n/g, ' ').replace(/\s+/g, ' ').trim(), maxLength)
}

function escapeText(value: string, maxLength: number): string {
  const cut = value.length > maxLength ? `${value.slice(0, maxLength - 1)}…` : value
  return cut.replace(/[&<>"@#|\\`*_[\]~!]/g, (char) => ENTITIES[char]!)
}

/** Inline code: a backtick run longer than any inside, so the span cannot be closed early. */
export function code(value: string, options: { maxLength?: number; inTable?: boolean } = {}): string {
  const maxLength = options.maxLength ?? 200
  const oneLine = value.replace(/\r?\n/g, ' ').trim()
  const cut = oneLine.length > maxLength ? `${oneLine.slice(0, maxLength - 1)}…` : oneLine
  // In a table a pipe ends the cell even inside a code span, unless escaped (GFM).
  const safe = options.inTable ? cut.replace(/\|/g, '\\|') : cut
  const longest = Math.max(0, ...(safe.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longest + 1)
  const pad = safe.startsWith('`') || safe.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${safe}${pad}${fence}`
}

const MAX_CODE_LINE = 2_000

/** A fenced block longer than any fence inside, with an optional language; very long lines are cut. */
export function codeBlock(value: string, language = '', maxLines = 200): string {
  const lines = value
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => (line.length > MAX_CODE_LINE ? `${line.slice(0, MAX_CODE_LINE - 1)}…` : line))
  const kept = lines.length > maxLines ? [...lines.slice(0, maxLines), `… ${lines.length - maxLines} more lines`] : lines
  const body = kept.join('\n')
  const longest = Math.max(2, ...(body.match(/`{3,}|~{3,}/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longest + 1)
  return `${fence}${language}\n${body}\n${fence}`
}

/**
 * A message of ours, where `backticks` mark code: the code parts become code
 * spans and the rest plain text, both escaped. A backtick coming from user
 * data can only regroup the same escaped pieces, never open markup.
 */
export function rich(value: string, maxLength = 1200): string {
  const oneLine = value.replace(/\r?\n/g, ' ').replace(/\s+/g, ' ').trim()
  const cut = oneLine.length > maxLength ? `${oneLine.slice(0, maxLength - 1)}…` : oneLine
  const pieces = cut.split('`')
  // An odd count of backticks leaves the last piece unpaired: plain text then.
  return pieces
    .map((piece, index) => (index % 2 === 1 && index < pieces.length - (pieces.length % 2 === 0 ? 1 : 0) ? code(piece, { maxLength }) : escapeText(piece, maxLength)))
    .join('')
}
