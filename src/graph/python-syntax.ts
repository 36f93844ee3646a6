// Parses a Python module with lezer-python and finds its first syntax error
// the way Python reports it. Lezer recovers from every error and misses some
// that Python's tokenizer raises (an unterminated string, an unindent to no
// outer level, an indent after a line that opens no block), so a light
// tokenizer pass runs first. Python lets tokenizer errors win over parser
// errors, wherever they are.

import type { SyntaxNode, Tree } from '@lezer/common'
import { parser } from '@lezer/python'
import { LineIndex } from './source-lines.js'

export interface SyntaxProblem {
  line: number
  column: number
  /** As Python's last traceback line: `SyntaxError: '[' was never closed`. */
  message: string
}

/**
 * A parsed module. `text` is the source without comments, trailing blanks
 * and blank lines outside brackets: lezer-python 1.1.19 puts error nodes into
 * valid code after about a thousand lines when a block has many blank or
 * comment-only lines between its statements (Django's global_settings.py is
 * one such file), and none of them matters to Python. `lines` reports the
 * original line numbers, and the columns of all code are unchanged.
 */
export interface ParsedModule {
  text: string
  lines: LineIndex
  tree: Tree
}

interface Found {
  offset: number
  message: string
}

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' }
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' }
const STRING_PREFIXES = new Set(['r', 'u', 'b', 'br', 'rb', 'f', 'fr', 'rf', 't', 'tr', 'rt'])

const BLOCK_NAMES: Record<string, string> = { class: 'class definition', def: 'function definition' }

/** `text` must use `\n` line endings and have no byte-order mark. */
export function parsePythonModule(text: string): { module: ParsedModule; problem: null } | { module: null; problem: SyntaxProblem } {
  const lines = new LineIndex(text)
  const scan = new TokenScan(text, lines)
  scan.run()
  const at = (found: Found, index: LineIndex): SyntaxProblem => ({ ...index.position(found.offset), message: found.message })
  if (scan.tokenError) return { module: null, problem: at(scan.tokenError, lines) }

  const code = scan.codeText()
  const codeLines = code === text ? lines : new LineIndex(code, scan.keptLines(lines.line(text.length)))
  const tree = parser.parse(code)
  const treeError = firstTreeError(tree, code)
  const indentError = scan.indentError
  if (indentError && (!treeError || lines.line(indentError.offset) <= codeLines.line(treeError.offset))) {
    return { module: null, problem: at(indentError, lines) }
  }
  if (treeError) return { module: null, problem: at(treeError, codeLines) }
  return { module: { text: code, lines: codeLines, tree }, problem: null }
}

/**
 * The first error node, or the first argument list that Python's compiler
 * rejects though it parses (`f(a=1, b)`), whichever comes first.
 */
function firstTreeError(tree: Tree, text: string): Found | null {
  let found: Found | null = null
  tree.iterate({
    enter: (node) => {
      if (found && node.from >= found.offset) return false
      if (node.type.isError && !isLezerQuirk(node.node, text)) {
        found = describeError(tree, node.node, text)
        return false
      }
      if (node.name === 'ArgList') {
        const misplaced = misplacedArgument(node.node, text)
        if (misplaced && (!found || misplaced.offset < found.offset)) found = misplaced
      }
      return undefined
    }
  })
  return found
}

const BRACKETED = /^(ArgList|ArrayExpression|TupleExpression|ParenthesizedExpression|SetExpression|DictionaryExpression|DictionaryComprehensionExpression|ArrayComprehensionExpression|SetComprehensionExpression|ComprehensionExpression)$/
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else', 'for', 'async', 'await', 'lambda', 'as', 'from', 'yield'])

/**
 * Python's wording and place for an error lezer found. Two expressions side
 * by side inside brackets are a missing comma, which Python reports at the
 * first of them: "invalid syntax. Perhaps you forgot a comma?".
 */
function describeError(tree: Tree, error: SyntaxNode, text: string): Found {
  const plain = { offset: error.from, message: 'SyntaxError: invalid syntax' }
  let before = error.from - 1
  while (before >= 0 && /\s/.test(text[before])) before--
  let after = error.from
  while (after < text.length && /\s/.test(text[after])) after++
  const previousWord = /[\p{L}\p{N}_]+$/u.exec(text.slice(Math.max(0, before - 19), before + 1))?.[0] ?? ''
  const nextWord = /^[\p{L}\p{N}_]+/u.exec(text.slice(after, after + 20))?.[0] ?? ''
  const endsExpression = before >= 0 && /[\p{L}\p{N}_'")\]}]/u.test(text[before]) && !KEYWORDS.has(previousWord)
  const startsExpression = after < text.length && /[\p{L}\p{N}_'"([{]/u.test(text[after]) && !KEYWORDS.has(nextWord)
  if (!endsExpression || !startsExpression) return plain
  let inBrackets = false
  for (let node: SyntaxNode | null = error.parent; node && !inBrackets; node = node.parent) inBrackets = BRACKETED.test(node.name)
  if (!inBrackets) return plain
  // The largest node ending where the first expression ends is that expression.
  let first = tree.resolveInner(before + 1, -1)
  while (first.parent && first.parent.to === first.to && first.parent.name !== 'Script') first = first.parent
  return { offset: first.from, message: 'SyntaxError: invalid syntax. Perhaps you forgot a comma?' }
}

/** `f(a=1, b)`, `f(**kw, *args)`, `f(a=1, a=2)`: arguments Python's grammar allows but its compiler rejects. */
function misplacedArgument(argList: SyntaxNode, text: string): Found | null {
  let keyword = false
  let doubleStar = false
  const keywords = new Set<string>()
  for (let child = argList.firstChild; child; child = child.nextSibling) {
    const name = child.name
    if (name === '(' || name === ')' || name === ',' || name === 'Comment' || child.type.isError) continue
    if (name === 'for') return null
    if (name === '**') {
      doubleStar = true
      child = child.nextSibling ?? child
      continue
    }
    if (name === '*') {
      if (doubleStar) return { offset: child.from, message: 'SyntaxError: iterable argument unpacking follows keyword argument unpacking' }
      child = child.nextSibling ?? child
      continue
    }
    const assign = child.nextSibling
    if (name === 'VariableName' && assign?.name === 'AssignOp' && text.slice(assign.from, assign.to) === '=') {
      const keywordName = text.slice(child.from, child.to)
      if (keywords.has(keywordName)) return { offset: child.from, message: `SyntaxError: keyword argument repeated: ${keywordName}` }
      keywords.add(keywordName)
      keyword = true
      child = assign.nextSibling ?? assign
      continue
    }
    // Python raises these where its parser stopped, the end of the argument list.
    if (doubleStar) return { offset: argList.to - 1, message: 'SyntaxError: positional argument follows keyword argument unpacking' }
    if (keyword) return { offset: argList.to - 1, message: 'SyntaxError: positional argument follows keyword argument' }
  }
  return null
}

/** Error nodes lezer-python 1.1 inserts into valid Python (found by parsing Django's own sources). */
function isLezerQuirk(error: SyntaxNode, text: string): boolean {
  // A bare `yield` (no value) is valid Python; lezer-python expects a value after it.
  if (error.from === error.to && error.prevSibling?.name === 'yield') return true
  return isTrailingDotNumber(error, text) || isStarredComprehensionTarget(error, text) || isEmptyPattern(error, text) || isParenthesizedWith(error, text)
}

/** `[x for x, *rest in rows]`: lezer-python rejects the starred target. */
function isStarredComprehensionTarget(error: SyntaxNode, text: string): boolean {
  if (text.slice(error.from, error.to) !== '*' || !/Comprehension|ArgList/.test(error.parent?.name ?? '')) return false
  for (let before = error.prevSibling; before; before = before.prevSibling) {
    if (before.name === 'in') return false
    if (before.name === 'for') return true
  }
  return false
}

/** `case Point():`, `case []:`, `case {}:` in a match statement: lezer-python wants something between the brackets. */
function isEmptyPattern(error: SyntaxNode, text: string): boolean {
  const container = error.parent?.name === 'LiteralPattern' ? error.parent.parent : error.parent
  if (!container || !/^(PatternArgList|SequencePattern|MappingPattern)$/.test(container.name)) return false
  return text.slice(container.from, container.to).replace(/\s/g, '').length === 2
}

/** `with (open(a) as f, open(b) as g):` (Python 3.10): lezer-python only knows the form without parentheses. */
function isParenthesizedWith(error: SyntaxNode, text: string): boolean {
  let statement: SyntaxNode | null = error.parent
  while (statement && statement.name !== 'WithStatement') {
    if (statement.name === 'Body' || statement.name === 'Script') return false
    statement = statement.parent
  }
  const body = statement?.getChild('Body')
  const keyword = statement?.getChild('with')
  if (!statement || !body || !keyword || error.from >= body.from) return false
  return text.slice(keyword.to, body.from).trimStart().startsWith('(')
}

/** lezer-python reads the float `5.` as `5` `.` plus a missing name: not an error in Python. */
function isTrailingDotNumber(error: SyntaxNode, text: string): boolean {
  const member = error.parent
  const number = member?.firstChild
  const dot = number?.nextSibling
  return (
    error.from === error.to &&
    member?.name === 'MemberExpression' &&
    number?.name === 'Number' &&
    dot?.name === '.' &&
    number.to === dot.from &&
    text.slice(dot.to, error.from).trim() === '' &&
    /^[0-9][0-9_]*$/.test(text.slice(number.from, number.to))
  )
}

interface Indent {
  /** Width with tabs to the next multiple of 8, as Python counts. */
  column: number
  /** Width with tabs as 1: Python's check that tabs and spaces agree. */
  alternate: number
}

/** Brackets, strings, comments, continuations and indentation: what Python's tokenizer checks. */
class TokenScan {
  tokenError: Found | null = null
  /** An indentation error that Python's parser (not its tokenizer) raises. */
  indentError: Found | null = null

  private position = 0
  /** End of the last code token on the current line: what follows it up to the newline is dropped. */
  private codeEnd = 0
  /** Ranges of comments, trailing blanks and blank lines, in order. */
  private readonly drops: Array<[number, number]> = []
  /** Line numbers of the blank and comment-only lines left out entirely. */
  private readonly droppedLines: number[] = []
  /** `with ... as (a, b):` targets, which lezer-python cannot parse, to be replaced by a name of the same length. */
  private readonly rewrites: Array<[number, number]> = []
  /** The current logical line is a `with` statement. */
  private withStatement = false
  private readonly brackets: Array<{ char: string; offset: number }> = []
  private readonly indents: Indent[] = [{ column: 0, alternate: 0 }]
  private atLineStart = true
  /** Last significant character of the current logical line: `:` opens a block. */
  private last = ''
  private statementStart = 0
  /** Set when the previous logical line ended with `:` and the next must indent. */
  private pendingBlock: { statementStart: number; colonEnd: number } | null = null

  private readonly text: string
  private readonly lines: LineIndex

  constructor(text: string, lines: LineIndex) {
    this.text = text
    this.lines = lines
  }

  run(): void {
    const text = this.text
    while (this.position < text.length && !this.tokenError) {
      if (this.atLineStart) {
        this.lineStart()
        continue
      }
      const char = text[this.position]
      if (char === '\n') {
        this.dropAfterCode(this.position)
        if (this.brackets.length === 0) this.endLogicalLine()
        this.position++
        this.codeEnd = this.position
      } else if (char === ' ' || char === '\t' || char === '\f' || char === '\r') {
        this.position++
      } else if (char === '#') {
        this.skipComment()
      } else if (char === '\\') {
        this.continuation()
        this.codeEnd = this.position
      } else {
        this.token(null)
        this.codeEnd = this.position
      }
    }
    if (this.tokenError) return
    this.dropAfterCode(text.length)
    const open = this.brackets[this.brackets.length - 1]
    if (open) {
      this.tokenError = { offset: open.offset, message: `SyntaxError: '${open.char}' was never closed` }
      return
    }
    if (this.last === ':') this.pendingBlock = { statementStart: this.statementStart, colonEnd: text.length }
    if (this.pendingBlock) this.expectedBlock(this.pendingBlock.colonEnd)
  }

  /** Measures a line's indentation and compares it with the open blocks, as Python's tokenizer does. */
  private lineStart(): void {
    const text = this.text
    const lineBegin = this.position
    let column = 0
    let alternate = 0
    let at = this.position
    for (; at < text.length; at++) {
      const char = text[at]
      if (char === ' ') {
        column++
        alternate++
      } else if (char === '\t') {
        column = (Math.floor(column / 8) + 1) * 8
        alternate++
      } else if (char === '\f') {
        column = 0
        alternate = 0
      } else break
    }
    this.position = at
    const char = text[at]
    // Blank and comment-only lines do not take part in indentation.
    if (at >= text.length || char === '\n' || char === '#' || char === '\r') {
      if (char === '#') this.skipComment()
      if (text[this.position] === '\n') this.position++
      this.drops.push([lineBegin, this.position])
      this.droppedLines.push(this.lines.line(lineBegin))
      this.codeEnd = this.position
      return
    }
    this.atLineStart = false
    this.statementStart = at
    this.withStatement = /^(?:async[ \t]+)?with\b/.test(text.slice(at, at + 16))
    const top = this.indents[this.indents.length - 1]
    if (column > top.column) {
      if (alternate <= top.alternate) return this.tabError(at)
      this.indents.push({ column, alternate })
      if (!this.pendingBlock) this.indentError ??= { offset: at, message: 'IndentationError: unexpected indent' }
    } else {
      while (column < this.indents[this.indents.length - 1].column) this.indents.pop()
      const outer = this.indents[this.indents.length - 1]
      if (column !== outer.column) {
        this.tokenError = { offset: at, message: 'IndentationError: unindent does not match any outer indentation level' }
        return
      }
      if (alternate !== outer.alternate) return this.tabError(at)
      if (this.pendingBlock) this.expectedBlock(at)
    }
    this.pendingBlock = null
  }

  private dropAfterCode(lineEnd: number): void {
    if (this.codeEnd < lineEnd) this.drops.push([this.codeEnd, lineEnd])
  }

  /** Original numbers of the lines `codeText()` keeps. */
  keptLines(lastLine: number): number[] {
    const kept: number[] = []
    let dropped = 0
    for (let line = 1; line <= lastLine; line++) {
      if (this.droppedLines[dropped] === line) dropped++
      else kept.push(line)
    }
    return kept
  }

  /**
   * After `as` in a `with` statement: lezer-python only accepts a name there,
   * Python also a tuple, an attribute or a subscript (`as (src, dst)`,
   * `as self.client`). The target does not matter to a migration's reading,
   * so a one-line target is recorded to be replaced by underscores.
   */
  private withTarget(from: number): void {
    const text = this.text
    let at = from
    while (text[at] === ' ' || text[at] === '\t') at++
    const start = at
    let depth = 0
    for (; at < text.length; at++) {
      const char = text[at]
      if (char === '\n' || char === '"' || char === "'" || char === '#' || char === '\\') return
      if (OPENERS[char]) depth++
      else if (CLOSERS[char]) {
        if (depth === 0) break
        depth--
      } else if (depth === 0 && (char === ',' || char === ':')) break
    }
    const target = text.slice(start, at).trimEnd()
    if (target === '' || /^[\p{L}_][\p{L}\p{N}_]*$/u.test(target)) return
    this.rewrites.push([start, start + target.length])
  }

  /** The text without the dropped comments, trailing blanks and blank lines, and with `with` targets replaced. */
  codeText(): string {
    if (this.drops.length === 0 && this.rewrites.length === 0) return this.text
    const edits = [
      ...this.drops.map(([from, to]) => ({ from, to, insert: '' })),
      ...this.rewrites.map(([from, to]) => ({ from, to, insert: '_'.repeat(to - from) }))
    ].sort((a, b) => a.from - b.from)
    const parts: string[] = []
    let at = 0
    for (const { from, to, insert } of edits) {
      parts.push(this.text.slice(at, from), insert)
      at = to
    }
    parts.push(this.text.slice(at))
    return parts.join('')
  }

  private tabError(offset: number): void {
    this.tokenError = { offset, message: 'TabError: inconsistent use of tabs and spaces in indentation' }
  }

  private expectedBlock(offset: number): void {
    const pending = this.pendingBlock
    if (!pending) return
    // `async def` is a function definition, `async with` a 'with' statement.
    const keyword = /^(?:async\s+)?([a-z]+)/.exec(this.text.slice(pending.statementStart, pending.statementStart + 20))?.[1] ?? ''
    const opener = BLOCK_NAMES[keyword] ?? (keyword ? `'${keyword}' statement` : 'a block opener')
    const line = this.lines.line(pending.statementStart)
    this.indentError ??= { offset, message: `IndentationError: expected an indented block after ${opener} on line ${line}` }
    this.pendingBlock = null
  }

  private endLogicalLine(): void {
    if (this.last === ':') this.pendingBlock = { statementStart: this.statementStart, colonEnd: this.position }
    this.last = ''
    this.atLineStart = true
  }

  private skipComment(): void {
    const end = this.text.indexOf('\n', this.position)
    this.position = end === -1 ? this.text.length : end
  }

  private continuation(): void {
    const next = this.text[this.position + 1]
    if (next === '\n') this.position += 2
    else if (next === undefined) this.tokenError = { offset: this.position, message: 'SyntaxError: unexpected EOF while parsing' }
    else this.tokenError = { offset: this.position + 1, message: 'SyntaxError: unexpected character after line continuation character' }
  }

  /**
   * One token at `position`: a bracket, a string, a word or another character.
   * `field` is set inside an f-string replacement field, where `}` at depth 0 ends the field.
   */
  private token(field: { depth: number } | null): void {
    const text = this.text
    const char = text[this.position]
    if (OPENERS[char]) {
      if (field) field.depth++
      else this.brackets.push({ char, offset: this.position })
      this.last = char
      this.position++
      return
    }
    const opener = CLOSERS[char]
    if (opener) {
      if (field) {
        field.depth--
      } else {
        const open = this.brackets.pop()
        if (!open) {
          this.tokenError = { offset: this.position, message: `SyntaxError: unmatched '${char}'` }
          return
        }
        if (open.char !== opener) {
          const openLine = this.lines.line(open.offset)
          const where = openLine === this.lines.line(this.position) ? '' : ` on line ${openLine}`
          this.tokenError = {
            offset: this.position,
            message: `SyntaxError: closing parenthesis '${char}' does not match opening parenthesis '${open.char}'${where}`
          }
          return
        }
      }
      this.last = char
      this.position++
      return
    }
    if (char === '"' || char === "'") {
      this.string(this.position, '')
      return
    }
    if (isWordChar(char)) {
      const start = this.position
      let end = start + 1
      while (end < text.length && isWordChar(text[end])) end++
      const word = text.slice(start, end)
      this.position = end
      this.last = 'a'
      if (word === 'as' && this.withStatement && !field) this.withTarget(end)
      const quote = text[end]
      if ((quote === '"' || quote === "'") && STRING_PREFIXES.has(word.toLowerCase())) this.string(start, word.toLowerCase())
      return
    }
    this.last = char
    this.position++
  }

  /** A string literal from `start` (its prefix), with `position` on the opening quote. */
  private string(start: number, prefix: string): void {
    const text = this.text
    const quote = text[this.position]
    const triple = text.startsWith(quote.repeat(3), this.position)
    const formatted = /[ft]/.test(prefix)
    const raw = prefix.includes('r')
    this.position += triple ? 3 : 1
    this.last = quote
    while (!this.tokenError) {
      if (this.position >= text.length) return this.unterminated(start, triple)
      const char = text[this.position]
      if (char === '\\') {
        const next = text[this.position + 1]
        if (formatted && !raw && next === 'N' && text[this.position + 2] === '{') {
          // `\N{BULLET}`: the braces belong to the escape, not to a replacement field.
          const close = text.indexOf('}', this.position)
          this.position = close === -1 ? text.length : close + 1
        } else {
          // In an f-string a backslash does not escape a brace: `fr'\{{'` is a backslash and `{`.
          this.position += formatted && (next === '{' || next === '}') ? 1 : 2
        }
      } else if (char === '\n' && !triple) {
        return this.unterminated(start, triple)
      } else if (char === quote && (!triple || text.startsWith(quote.repeat(3), this.position))) {
        this.position += triple ? 3 : 1
        return
      } else if (formatted && char === '{') {
        if (text[this.position + 1] === '{') this.position += 2
        else this.replacementField(quote, triple)
      } else {
        this.position++
      }
    }
  }

  /**
   * `{expression!r:spec}` inside an f-string. Since Python 3.12 the expression
   * may hold strings with the same quotes, so it is tokenized like code.
   */
  private replacementField(quote: string, triple: boolean): void {
    const text = this.text
    const field = { depth: 0 }
    this.position++
    while (this.position < text.length && !this.tokenError) {
      const char = text[this.position]
      if (char === '}' && field.depth === 0) {
        this.position++
        return
      }
      if (char === ':' && field.depth === 0) {
        this.formatSpec(quote, triple)
        return
      }
      if (char === '\n' || char === ' ' || char === '\t' || char === '\\') this.position++
      else if (char === '#') this.skipComment()
      else this.token(field)
    }
  }

  /** After `:` in a replacement field: literal text up to `}`, with nested `{fields}`. */
  private formatSpec(quote: string, triple: boolean): void {
    const text = this.text
    this.position++
    while (this.position < text.length && !this.tokenError) {
      const char = text[this.position]
      if (char === '}') {
        this.position++
        return
      }
      if (char === '\\') {
        this.position += 2
        continue
      }
      // The string's own closing quote: let the string scanner end it (or report it).
      if (char === quote && (!triple || text.startsWith(quote.repeat(3), this.position))) return
      if (char === '\n' && !triple) return
      if (char === '{') this.replacementField(quote, triple)
      else this.position++
    }
  }

  private unterminated(start: number, triple: boolean): void {
    // At the end of the file Python names the last line, not the empty one after the final newline.
    const end = Math.min(this.position, Math.max(this.text.length - 1, 0))
    const detected = this.lines.line(end)
    const what = triple ? 'unterminated triple-quoted string literal' : 'unterminated string literal'
    this.tokenError = { offset: start, message: `SyntaxError: ${what} (detected at line ${detected})` }
  }
}

function isWordChar(char: string): boolean {
  return (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z') || (char >= '0' && char <= '9') || char === '_' || char > '\x7f'
}
