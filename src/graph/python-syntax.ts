// Finds the first syntax error of a Python module the way Python reports it.
// Lezer recovers from every error and misses some that Python's tokenizer
// raises (an unterminated string, an unindent to no outer level, an indent
// after a line that opens no block), so a light tokenizer pass runs too.
// Python lets tokenizer errors win over parser errors, wherever they are.

import type { SyntaxNode, Tree } from '@lezer/common'
import type { LineIndex } from './source-lines.js'

export interface SyntaxProblem {
  line: number
  column: number
  /** As Python's last traceback line: `SyntaxError: '[' was never closed`. */
  message: string
}

interface Found {
  offset: number
  message: string
}

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' }
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' }
const STRING_PREFIXES = new Set(['r', 'u', 'b', 'br', 'rb', 'f', 'fr', 'rf', 't', 'tr', 'rt'])

const BLOCK_NAMES: Record<string, string> = { class: 'class definition', def: 'function definition', async: 'function definition' }

/** `text` uses `\n` line endings and has no byte-order mark. */
export function findSyntaxProblem(text: string, tree: Tree, lines: LineIndex): SyntaxProblem | null {
  const scan = new TokenScan(text, lines)
  scan.run()
  const at = (found: Found): SyntaxProblem => ({ ...lines.position(found.offset), message: found.message })
  if (scan.tokenError) return at(scan.tokenError)
  const treeError = firstTreeError(tree, text)
  const indentError = scan.indentError
  if (indentError && (!treeError || lines.line(indentError.offset) <= lines.line(treeError.offset))) return at(indentError)
  return treeError ? at(treeError) : null
}

function firstTreeError(tree: Tree, text: string): Found | null {
  let offset = -1
  tree.iterate({
    enter: (node) => {
      if (offset !== -1) return false
      if (node.type.isError && !isLezerQuirk(node.node, text)) {
        offset = node.from
        return false
      }
      return undefined
    }
  })
  return offset === -1 ? null : { offset, message: 'SyntaxError: invalid syntax' }
}

/** Error nodes lezer-python 1.1 inserts into valid Python (found by parsing Django's own sources). */
function isLezerQuirk(error: SyntaxNode, text: string): boolean {
  // A bare `yield` (no value) is valid Python; lezer-python expects a value after it.
  if (error.from === error.to && error.prevSibling?.name === 'yield') return true
  return isTrailingDotNumber(error, text) || isStarredComprehensionTarget(error, text) || isEmptyClassPattern(error) || isParenthesizedWith(error, text)
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

/** `case Point():` in a match statement: lezer-python wants something between the parentheses. */
function isEmptyClassPattern(error: SyntaxNode): boolean {
  const patternArgs = error.parent?.name === 'LiteralPattern' ? error.parent.parent : error.parent
  if (patternArgs?.name !== 'PatternArgList') return false
  const inner = patternArgs.firstChild?.nextSibling
  return inner !== null && inner !== undefined && (inner.type.isError || inner.name === 'LiteralPattern') && inner.to - inner.from <= 1
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
    dot.to === error.from &&
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
        if (this.brackets.length === 0) this.endLogicalLine()
        this.position++
      } else if (char === ' ' || char === '\t' || char === '\f' || char === '\r') {
        this.position++
      } else if (char === '#') {
        this.skipComment()
      } else if (char === '\\') {
        this.continuation()
      } else {
        this.token(null)
      }
    }
    if (this.tokenError) return
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
      return
    }
    this.atLineStart = false
    this.statementStart = at
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

  private tabError(offset: number): void {
    this.tokenError = { offset, message: 'TabError: inconsistent use of tabs and spaces in indentation' }
  }

  private expectedBlock(offset: number): void {
    const pending = this.pendingBlock
    if (!pending) return
    const keyword = /^[a-z]+/.exec(this.text.slice(pending.statementStart, pending.statementStart + 10))?.[0] ?? ''
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
    this.position += triple ? 3 : 1
    this.last = quote
    while (!this.tokenError) {
      if (this.position >= text.length) return this.unterminated(start, triple)
      const char = text[this.position]
      if (char === '\\') {
        this.position += 2
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
