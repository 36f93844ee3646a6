// A fast reader for what the migration graph needs from a file the base
// branch already had and nobody changed: the Migration class's line, its
// dependencies, replaces, run_before, initial and atomic, with their lines.
// It tokenizes instead of building a syntax tree (about ten times faster than
// the full parser on a large repository) and gives up, returning null, on
// anything but the plain literal forms makemigrations writes: the caller then
// uses the full parser. A property test holds the two equal.
import type { LocatedRef, MigrationDependency, MigrationFile } from '../model/migration.js'

type TokenKind = 'name' | 'string' | 'number' | 'op' | 'newline'

interface Token {
  kind: TokenKind
  text: string
  /** For strings: the decoded value, or null when it cannot be decoded simply (f-strings, bytes, odd escapes). */
  value?: string | null
  line: number
  /** Indentation of the logical line the token starts (for the first token of a line). */
  indent: number
  /** Whether it is the first token of its logical line. */
  first: boolean
}

class GiveUp extends Error {}

const OPERATORS = ['**=', '//=', '>>=', '<<=', '...', '->', ':=', '==', '!=', '<=', '>=', '**', '//', '<<', '>>', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=']
const ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', '\n': '' }

const isNameStart = (code: number): boolean => (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95
const isDigit = (code: number): boolean => code >= 48 && code <= 57
const isNamePart = (code: number): boolean => isNameStart(code) || isDigit(code)
const STRING_PREFIX = /^[rRbBuUfF]{0,2}(?=['"])/

function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  let i = source.charCodeAt(0) === 0xfeff ? 1 : 0
  let line = 1
  let depth = 0
  let atLineStart = true
  let indent = 0
  const n = source.length
  while (i < n) {
    const c = source[i]!
    if (atLineStart) {
      // Measure indentation; blank and comment-only lines do not count.
      let j = i
      let width = 0
      while (j < n && (source[j] === ' ' || source[j] === '\t' || source[j] === '\f')) {
        width += source[j] === '\t' ? 8 - (width % 8) : 1
        j++
      }
      if (j >= n) break
      if (source[j] === '\n' || source[j] === '\r' || source[j] === '#') {
        while (j < n && source[j] !== '\n') j++
        i = j + 1
        line++
        continue
      }
      indent = width
      i = j
      atLineStart = false
      continue
    }
    if (c === ' ' || c === '\t' || c === '\f' || c === '\r') {
      i++
      continue
    }
    if (c === '#') {
      while (i < n && source[i] !== '\n') i++
      continue
    }
    if (c === '\\' && (source[i + 1] === '\n' || (source[i + 1] === '\r' && source[i + 2] === '\n'))) {
      i += source[i + 1] === '\n' ? 2 : 3
      line++
      continue
    }
    if (c === '\n') {
      if (depth === 0) {
        tokens.push({ kind: 'newline', text: '\n', line, indent, first: false })
        atLineStart = true
      }
      i++
      line++
      continue
    }
    const first = tokens.length === 0 || tokens[tokens.length - 1]!.kind === 'newline'
    // Strings, with their prefixes.
    const code = source.charCodeAt(i)
    const prefix = c === '"' || c === "'" ? [''] : isNameStart(code) ? STRING_PREFIX.exec(source.slice(i, i + 3)) : null
    if (prefix !== null && (source[i + prefix[0]!.length] === '"' || source[i + prefix[0]!.length] === "'")) {
      const flags = prefix[0]!.toLowerCase()
      const start = i + flags.length
      const quote = source[start]!
      const triple = source.startsWith(quote.repeat(3), start)
      const delimiter = triple ? quote.repeat(3) : quote
      let j = start + delimiter.length
      let value = ''
      let simple = !flags.includes('b') && !flags.includes('f')
      const startLine = line
      while (true) {
        if (j >= n) throw new GiveUp()
        if (source.startsWith(delimiter, j)) break
        const ch = source[j]!
        if (ch === '\n') {
          if (!triple) throw new GiveUp()
          line++
        }
        if (ch === '\\') {
          const next = source[j + 1] ?? ''
          if (next === '\n') line++
          if (flags.includes('r')) value += ch + next
          else if (next in ESCAPES) value += ESCAPES[next]
          else simple = false
          j += 2
          continue
        }
        value += ch
        j++
      }
      i = j + delimiter.length
      tokens.push({ kind: 'string', text: source.slice(start - flags.length, i), value: simple ? value : null, line: startLine, indent, first })
      continue
    }
    if (isNameStart(code)) {
      let j = i + 1
      while (j < n && isNamePart(source.charCodeAt(j))) j++
      const text = source.slice(i, j)
      tokens.push({ kind: 'name', text, line, indent, first })
      i = j
      // The operations list is most of a file and the header does not need it:
      // jump over `= [...]` without making tokens.
      if (first && text === 'operations' && depth === 0) {
        const skipped = skipAssignedList(source, i)
        if (skipped !== null) {
          tokens.push({ kind: 'op', text: '=', line, indent, first: false })
          tokens.push({ kind: 'name', text: 'OPERATIONS', line, indent, first: false })
          line += skipped.newlines
          i = skipped.end
        }
      }
      continue
    }
    if (code > 127) throw new GiveUp() // non-ASCII names: leave them to the full parser
    if (isDigit(code) || (c === '.' && isDigit(source.charCodeAt(i + 1)))) {
      let j = i + 1
      while (j < n && (isNamePart(source.charCodeAt(j)) || source[j] === '.')) j++
      tokens.push({ kind: 'number', text: source.slice(i, j), line, indent, first })
      i = j
      continue
    }
    const operator = c === '(' || c === ')' || c === '[' || c === ']' || c === ',' ? c : (OPERATORS.find((op) => source.startsWith(op, i)) ?? c)
    if ('([{'.includes(operator)) depth++
    if (')]}'.includes(operator)) depth = Math.max(0, depth - 1)
    tokens.push({ kind: 'op', text: operator, line, indent, first })
    i += operator.length
  }
  if (tokens.length > 0 && tokens[tokens.length - 1]!.kind !== 'newline') tokens.push({ kind: 'newline', text: '\n', line, indent, first: false })
  return tokens
}

/**
 * From just after `operations`: ` = [ ... ]` skipped to the closing bracket,
 * strings and comments respected. Null when it is not that shape.
 */
function skipAssignedList(source: string, from: number): { end: number; newlines: number } | null {
  let i = from
  const n = source.length
  while (i < n && (source[i] === ' ' || source[i] === '\t')) i++
  if (source[i] !== '=' || source[i + 1] === '=') return null
  i++
  while (i < n && (source[i] === ' ' || source[i] === '\t')) i++
  if (source[i] !== '[' && source[i] !== '(') return null
  let depth = 0
  let newlines = 0
  while (i < n) {
    const c = source.charCodeAt(i)
    if (c === 10) newlines++
    else if (c === 35) {
      // A comment: to the end of the line.
      while (i < n && source.charCodeAt(i) !== 10) i++
      continue
    } else if (c === 34 || c === 39) {
      const quote = source[i]!
      const triple = source.startsWith(quote.repeat(3), i)
      const delimiter = triple ? quote.repeat(3) : quote
      i += delimiter.length
      while (i < n && !source.startsWith(delimiter, i)) {
        const inner = source.charCodeAt(i)
        if (inner === 10) {
          if (!triple) return null
          newlines++
        }
        if (inner === 92) {
          if (source.charCodeAt(i + 1) === 10) newlines++
          i++
        }
        i++
      }
      if (i >= n) return null
      i += delimiter.length
      continue
    } else if (c === 40 || c === 91 || c === 123) depth++
    else if (c === 41 || c === 93 || c === 125) {
      depth--
      if (depth === 0) return { end: i + 1, newlines }
    }
    i++
  }
  return null
}

type Header = Pick<MigrationFile, 'line' | 'dependencies' | 'replaces' | 'runBefore' | 'initial' | 'atomic'>

const ATTRIBUTES = new Set(['dependencies', 'replaces', 'run_before', 'initial', 'atomic', 'operations'])

/**
 * The graph-relevant part of a migration module, or null when it is not in
 * the plain form (the full parser must read it). Operations are not read.
 */
export function readMigrationHeader(source: string, path: string, ref: { app: string; name: string }): MigrationFile | null {
  let header: Header | null
  try {
    header = readHeader(tokenize(source))
  } catch (error) {
    if (error instanceof GiveUp) return null
    throw error
  }
  if (header === null) return null
  return { app: ref.app, name: ref.name, path, ...header, operations: [], dynamic: [], operationsRead: false }
}

function readHeader(tokens: Token[]): Header | null {
  let classAt = -1
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k]!
    if (!token.first || token.indent !== 0) continue
    // Anything that could define or rebind Migration other than a plain class: give up.
    if (token.kind === 'op' && token.text === '@') throw new GiveUp()
    if (token.kind === 'name' && ['if', 'try', 'for', 'while', 'with'].includes(token.text)) {
      if (lineMentions(tokens, k, 'Migration')) throw new GiveUp()
    }
    if (token.kind === 'name' && token.text === 'class' && tokens[k + 1]?.text === 'Migration') classAt = k
    else if (token.kind === 'name' && token.text === 'Migration') throw new GiveUp()
    else if (token.kind === 'name' && (token.text === 'from' || token.text === 'import') && lineMentions(tokens, k, 'Migration')) throw new GiveUp()
  }
  if (classAt < 0) return null
  const classToken = tokens[classAt]!
  // Find the class body: the logical lines after the header that are indented deeper.
  let k = classAt
  while (tokens[k]!.kind !== 'newline') k++
  k++
  const body = tokens[k]
  if (body === undefined || !body.first || body.indent <= classToken.indent) throw new GiveUp() // one-line class body
  const bodyIndent = body.indent
  const header: Header = { line: classToken.line, dependencies: [], replaces: [], runBefore: [], initial: false, atomic: true }
  const seen = new Set<string>()
  for (; k < tokens.length; k++) {
    const token = tokens[k]!
    if (!token.first) continue
    if (token.indent <= classToken.indent) break
    if (token.kind === 'name' && ATTRIBUTES.has(token.text)) {
      if (token.indent !== bodyIndent) throw new GiveUp() // conditional or nested assignment
      const next = tokens[k + 1]!
      if (next.text !== '=') {
        if (next.text === ':' || next.text === '+=' || next.text === '.' || next.text === '[') throw new GiveUp()
        continue
      }
      if (seen.has(token.text)) throw new GiveUp() // reassigned: leave the order of events to the full parser
      seen.add(token.text)
      k = readAttribute(tokens, k + 2, token.text, header)
    } else if (token.kind === 'name' && token.text === 'del') {
      throw new GiveUp()
    }
  }
  return header
}

function lineMentions(tokens: Token[], from: number, name: string): boolean {
  for (let k = from; k < tokens.length && tokens[k]!.kind !== 'newline'; k++) if (tokens[k]!.text === name) return true
  return false
}

/** Reads `attribute = <value>` starting at the value; returns the index of the line's newline. */
function readAttribute(tokens: Token[], k: number, attribute: string, header: Header): number {
  if (attribute === 'operations') {
    while (tokens[k]!.kind !== 'newline') k++
    return k
  }
  if (attribute === 'initial' || attribute === 'atomic') {
    const value = tokens[k]!
    if (tokens[k + 1]!.kind !== 'newline' || value.kind !== 'name' || !['True', 'False', 'None'].includes(value.text)) throw new GiveUp()
    if (attribute === 'initial') header.initial = value.text === 'True'
    else if (value.text === 'None') throw new GiveUp()
    else header.atomic = value.text === 'True'
    return k + 1
  }
  const open = tokens[k]!
  if (open.text !== '[' && open.text !== '(') throw new GiveUp()
  const close = open.text === '[' ? ']' : ')'
  k++
  const items: Array<MigrationDependency | LocatedRef> = []
  while (tokens[k]!.text !== close) {
    const start = tokens[k]!
    if (start.text === '(' || start.text === '[') {
      const pair = readPair(tokens, k)
      items.push({ ...(attribute === 'dependencies' ? { kind: 'migration' as const } : {}), app: pair.app, name: pair.name, line: start.line } as MigrationDependency | LocatedRef)
      k = pair.next
    } else if (attribute === 'dependencies' && start.kind === 'name') {
      const swappable = readSwappable(tokens, k)
      items.push(swappable.dependency)
      k = swappable.next
    } else throw new GiveUp()
    if (tokens[k]!.text === ',') k++
    else if (tokens[k]!.text !== close) throw new GiveUp()
  }
  if (open.text === '(' && items.length === 1 && tokens[k - 1]!.text !== ',') throw new GiveUp() // `(x)` is not a tuple
  k++
  if (tokens[k]!.kind !== 'newline') throw new GiveUp() // `[...] + EXTRA`
  if (attribute === 'dependencies') header.dependencies = items as MigrationDependency[]
  else if (attribute === 'replaces') header.replaces = items as LocatedRef[]
  else header.runBefore = items as LocatedRef[]
  return k
}

/** `("app", "name")` or `["app", "name"]`, a trailing comma allowed. */
function readPair(tokens: Token[], k: number): { app: string; name: string; next: number } {
  const close = tokens[k]!.text === '(' ? ')' : ']'
  const app = tokens[k + 1]!
  const comma = tokens[k + 2]!
  const name = tokens[k + 3]!
  let end = k + 4
  if (tokens[end]!.text === ',') end++
  if (app.kind !== 'string' || comma.text !== ',' || name.kind !== 'string' || tokens[end]!.text !== close) throw new GiveUp()
  if (app.value == null || name.value == null) throw new GiveUp()
  return { app: app.value, name: name.value, next: end + 1 }
}

/** `migrations.swappable_dependency(settings.AUTH_USER_MODEL)` or `swappable_dependency(...)`. */
function readSwappable(tokens: Token[], k: number): { dependency: MigrationDependency; next: number } {
  const start = tokens[k]!
  let j = k
  const callee: string[] = [tokens[j]!.text]
  while (tokens[j + 1]!.text === '.' && tokens[j + 2]!.kind === 'name') {
    callee.push(tokens[j + 2]!.text)
    j += 2
  }
  if (callee[callee.length - 1] !== 'swappable_dependency' || tokens[j + 1]!.text !== '(') throw new GiveUp()
  j += 2
  const argument: string[] = []
  if (tokens[j]!.kind !== 'name') throw new GiveUp()
  argument.push(tokens[j]!.text)
  while (tokens[j + 1]!.text === '.' && tokens[j + 2]!.kind === 'name') {
    argument.push(tokens[j + 2]!.text)
    j += 2
  }
  if (tokens[j + 1]!.text !== ')') throw new GiveUp()
  // `swappable_dependency(USER_MODEL)`: a constant of the module, for the full parser to follow.
  if (argument.length < 2) throw new GiveUp()
  return { dependency: { kind: 'swappable', setting: argument[argument.length - 1]!, line: start.line }, next: j + 2 }
}
