// Lezer Python nodes → `PyValue`: the literal part of a Python expression,
// read without running it. Whatever would need evaluation becomes `dynamic`
// with its source text and a reason, never a guess.

import type { SyntaxNode } from '@lezer/common'
import type { LineIndex } from './source-lines.js'
import type { PyValue } from '../model/migration.js'

/** The text a tree was parsed from, with its line index. */
export interface Source {
  text: string
  lines: LineIndex
}

/** One item of a list, tuple, set, call or assignment right-hand side. */
export interface Element {
  node: SyntaxNode
  /** `*` for `*items`, `**` for `**mapping`. */
  star: '' | '*' | '**'
  /** Start of the item including its star. */
  from: number
}

/** A positional or keyword argument; `node` is null for `*args` and `**kwargs`. */
export interface Argument {
  node: SyntaxNode | null
  value: PyValue
}

export interface Arguments {
  args: Argument[]
  kwargs: Map<string, Argument>
}

export type DecodedString =
  | { kind: 'str' | 'bytes'; value: string }
  | { kind: 'dynamic'; reason: string }

// Tokens between the items of a display or an argument list.
const SEPARATORS = new Set(['(', ')', '[', ']', '{', '}', ',', ':', 'Comment'])

export function sourceOf(node: { from: number; to: number }, source: Source): string {
  return source.text.slice(node.from, node.to)
}

export function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const children: SyntaxNode[] = []
  for (let child = node.firstChild; child; child = child.nextSibling) children.push(child)
  return children
}

/** `((x))` → `x`: parentheses without a comma only group. */
export function unwrapParentheses(node: SyntaxNode): SyntaxNode {
  let current = node
  while (current.name === 'ParenthesizedExpression') {
    const inner = childrenOf(current).filter((child) => !SEPARATORS.has(child.name))
    if (inner.length !== 1) break
    current = inner[0]
  }
  return current
}

/**
 * Items of a sequence of sibling nodes, with the stars that precede them.
 * `hasComma` tells a bare tuple (`x = a, b` or `x = a,`) from a single value.
 */
export function splitElements(nodes: SyntaxNode[]): { elements: Element[]; hasComma: boolean } {
  const elements: Element[] = []
  let star: Element['star'] = ''
  let starFrom = -1
  let hasComma = false
  for (const node of nodes) {
    if (node.name === ',') hasComma = true
    if (node.name === '*' || node.name === '**') {
      star = node.name
      starFrom = node.from
      continue
    }
    if (SEPARATORS.has(node.name)) continue
    elements.push({ node, star, from: star ? starFrom : node.from })
    star = ''
  }
  return { elements, hasComma }
}

export function elementsOf(container: SyntaxNode): Element[] {
  return splitElements(childrenOf(container)).elements
}

/** `a.b.c` for a name or an attribute chain of names; null for anything else (`a[0].b`, `f().x`). */
export function dottedName(node: SyntaxNode, source: Source): string | null {
  if (node.name === 'VariableName') return sourceOf(node, source)
  if (node.name !== 'MemberExpression') return null
  const object = node.firstChild
  const property = node.lastChild
  if (!object || !property || property.name !== 'PropertyName') return null
  const head = dottedName(object, source)
  return head === null ? null : `${head}.${sourceOf(property, source)}`
}

export function dynamic(source: string, reason: string): PyValue {
  return { kind: 'dynamic', source, reason }
}

const DESCRIPTIONS: Record<string, string> = {
  BinaryExpression: 'an operation is computed at run time',
  UnaryExpression: 'an operation is computed at run time',
  BooleanExpression: 'a boolean operation is computed at run time',
  ComparisonExpression: 'a comparison is computed at run time',
  ConditionalExpression: 'a conditional expression is computed at run time',
  LambdaExpression: 'a lambda is a function, not a literal',
  ArrayComprehensionExpression: 'a comprehension is computed at run time',
  SetComprehensionExpression: 'a comprehension is computed at run time',
  DictionaryComprehensionExpression: 'a comprehension is computed at run time',
  ComprehensionExpression: 'a generator expression is computed at run time',
  FormatString: 'an f-string is formatted at run time',
  AwaitExpression: 'an await is computed at run time',
  YieldExpression: 'a yield is computed at run time',
  Ellipsis: 'Ellipsis has no literal form here'
}

/** Why a node is not a literal, in a few words. */
export function describeNonLiteral(node: SyntaxNode): string {
  if (node.name === 'MemberExpression') {
    return node.getChild('[') ? 'a subscript is evaluated at run time' : 'an attribute of a computed value is evaluated at run time'
  }
  return DESCRIPTIONS[node.name] ?? `an expression (${node.name}) is not a literal`
}

// lezer-python reads `5.` as `5` `.` <missing name> and `5.e-3` as `5 . e - 3`:
// the text tells that it is one number.
const TRAILING_DOT_NUMBER = /^[0-9][0-9_]*\.(?:[eE][+-]?[0-9][0-9_]*)?[jJ]?$/

/** The text of a number literal, including the forms lezer-python splits up; null for anything else. */
export function numberText(node: SyntaxNode, source: Source): string | null {
  if (node.name === 'Number') return sourceOf(node, source)
  if ((node.name === 'MemberExpression' || node.name === 'BinaryExpression') && node.firstChild) {
    const text = sourceOf(node, source).trimEnd()
    if (TRAILING_DOT_NUMBER.test(text)) return text
  }
  return null
}

export function toPyValue(node: SyntaxNode, source: Source): PyValue {
  const number = numberText(node, source)
  if (number !== null) return numberValue(number)
  switch (node.name) {
    case 'ParenthesizedExpression': {
      const inner = unwrapParentheses(node)
      return inner === node ? dynamic(sourceOf(node, source), describeNonLiteral(node)) : toPyValue(inner, source)
    }
    case 'String':
    case 'ContinuedString':
    case 'FormatString':
      return stringValue(node, source)
    case 'UnaryExpression':
      return signedNumber(node, source)
    case 'Boolean':
      return { kind: 'bool', value: sourceOf(node, source) === 'True' }
    case 'None':
      return { kind: 'none' }
    case 'ArrayExpression':
      return { kind: 'list', items: elementsOf(node).map((element) => itemValue(element, source)) }
    case 'TupleExpression':
      return { kind: 'tuple', items: elementsOf(node).map((element) => itemValue(element, source)) }
    case 'SetExpression':
      return { kind: 'set', items: elementsOf(node).map((element) => itemValue(element, source)) }
    case 'DictionaryExpression':
      return dictValue(node, source)
    case 'VariableName':
      return { kind: 'ref', name: sourceOf(node, source) }
    case 'MemberExpression': {
      const name = dottedName(node, source)
      return name === null ? dynamic(sourceOf(node, source), describeNonLiteral(node)) : { kind: 'ref', name }
    }
    case 'CallExpression':
      return callValue(node, source)
    default:
      return dynamic(sourceOf(node, source), describeNonLiteral(node))
  }
}

/** A list/tuple/set item; `*rest` keeps its place as a dynamic item. */
export function itemValue(element: Element, source: Source): PyValue {
  if (element.star) {
    return dynamic(source.text.slice(element.from, element.node.to), `unpacking with ${element.star} happens at run time`)
  }
  return toPyValue(element.node, source)
}

function dictValue(node: SyntaxNode, source: Source): PyValue {
  const entries: Array<[PyValue, PyValue]> = []
  const elements = elementsOf(node)
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i]
    if (element.star) {
      // `{**base, 'k': 1}`: the unpacked keys are unknown, so the entry stays visible as dynamic.
      const unpacked = itemValue(element, source)
      entries.push([unpacked, unpacked])
      continue
    }
    const value = elements[i + 1]
    entries.push([toPyValue(element.node, source), value ? toPyValue(value.node, source) : { kind: 'none' }])
    i++
  }
  return { kind: 'dict', entries }
}

function callValue(node: SyntaxNode, source: Source): PyValue {
  const calleeNode = node.firstChild
  const argList = node.lastChild
  const callee = calleeNode ? dottedName(calleeNode, source) : null
  if (callee === null || !argList || argList.name !== 'ArgList') {
    return dynamic(sourceOf(node, source), 'the callee is not a name or an attribute chain')
  }
  const { args, kwargs } = readArguments(argList, source)
  const kwargValues: Record<string, PyValue> = {}
  for (const [name, argument] of kwargs) kwargValues[name] = argument.value
  return {
    kind: 'call',
    callee,
    args: args.map((argument) => argument.value),
    kwargs: kwargValues,
    line: source.lines.line(node.from)
  }
}

/**
 * Positional and keyword arguments of a call. In lezer-python keyword
 * arguments are flat siblings (`VariableName AssignOp value`), and `*x`,
 * `**x` are a star token before the value. Unpacked arguments stay visible:
 * `*args` as a dynamic positional item, `**kwargs` under the key `**`.
 */
export function readArguments(argList: SyntaxNode, source: Source): Arguments {
  const children = childrenOf(argList).filter((child) => child.name !== 'Comment')
  const args: Argument[] = []
  const kwargs = new Map<string, Argument>()
  if (children.some((child) => child.name === 'for')) {
    // `f(x for x in y)`: the generator's nodes are flat children of the ArgList.
    const inner = { from: argList.from + 1, to: argList.to - 1 }
    args.push({ node: null, value: dynamic(sourceOf(inner, source), 'a generator expression is computed at run time') })
    return { args, kwargs }
  }
  const doubleStarred: string[] = []
  for (let i = 0; i < children.length; i++) {
    const child = children[i]
    const next = children[i + 1]
    if (child.name === '*' || child.name === '**') {
      if (!next) break
      const text = source.text.slice(child.from, next.to)
      if (child.name === '*') {
        args.push({ node: null, value: dynamic(text, 'unpacking with * happens at run time') })
      } else {
        // Hold the place of the first `**` among the keywords; its value is set below.
        if (doubleStarred.length === 0) kwargs.set('**', { node: null, value: dynamic(text, '') })
        doubleStarred.push(text)
      }
      i++
      continue
    }
    if (child.name === 'VariableName' && next?.name === 'AssignOp') {
      const valueNode = children[i + 2]
      if (!valueNode) break
      if (sourceOf(next, source) === '=') {
        kwargs.set(sourceOf(child, source), { node: valueNode, value: toPyValue(valueNode, source) })
      } else {
        // `f(x := 1)`: an assignment expression, evaluated at run time.
        args.push({ node: null, value: dynamic(source.text.slice(child.from, valueNode.to), 'an assignment expression is computed at run time') })
      }
      i += 2
      continue
    }
    if (SEPARATORS.has(child.name)) continue
    args.push({ node: child, value: toPyValue(child, source) })
  }
  if (doubleStarred.length > 0) {
    kwargs.set('**', { node: null, value: dynamic(doubleStarred.join(', '), 'unpacking with ** happens at run time') })
  }
  return { args, kwargs }
}

function numberValue(text: string): PyValue {
  const digits = text.replace(/_/g, '')
  if (/[jJ]$/.test(digits)) return dynamic(text, 'a complex number has no literal form here')
  const radix = /^0[xX]/.test(digits) ? 16 : /^0[oO]/.test(digits) ? 8 : /^0[bB]/.test(digits) ? 2 : 10
  if (radix !== 10) return { kind: 'int', value: parseInt(digits.slice(2), radix), text }
  if (/^[0-9]+$/.test(digits)) return { kind: 'int', value: Number(digits), text }
  return { kind: 'float', value: Number(digits), text }
}

/** `-1`, `+2.5`: Python folds the sign into the constant, so do we. */
function signedNumber(node: SyntaxNode, source: Source): PyValue {
  const operator = node.firstChild
  const operand = node.lastChild ? unwrapParentheses(node.lastChild) : null
  const sign = operator ? sourceOf(operator, source) : ''
  const text = operand ? numberText(operand, source) : null
  if (text !== null && (sign === '-' || sign === '+')) {
    const number = numberValue(text)
    if (number.kind === 'int' || number.kind === 'float') {
      return { kind: number.kind, value: sign === '-' ? -number.value : number.value, text: `${sign}${number.text}` }
    }
  }
  return dynamic(sourceOf(node, source), describeNonLiteral(node))
}

function stringValue(node: SyntaxNode, source: Source): PyValue {
  const parts = node.name === 'ContinuedString' ? childrenOf(node).filter((part) => part.name !== 'Comment') : [node]
  let kind: 'str' | 'bytes' | null = null
  let value = ''
  for (const part of parts) {
    if (part.name !== 'String') return dynamic(sourceOf(node, source), describeNonLiteral(part))
    const decoded = decodeStringLiteral(sourceOf(part, source))
    if (decoded.kind === 'dynamic') return dynamic(sourceOf(node, source), decoded.reason)
    if (kind !== null && kind !== decoded.kind) return dynamic(sourceOf(node, source), 'cannot mix bytes and nonbytes literals')
    kind = decoded.kind
    value += decoded.value
  }
  return { kind: kind ?? 'str', value }
}

/**
 * The value of one Python string literal, prefix and quotes included, as
 * Python decodes it. Bytes come back one character per byte (code points
 * 0-255). `\N{...}` needs Unicode's name table, so such strings stay dynamic.
 */
export function decodeStringLiteral(literal: string): DecodedString {
  const opening = /^([A-Za-z]*)(['"])/.exec(literal)
  if (!opening) return { kind: 'dynamic', reason: 'not a string literal' }
  const prefix = opening[1].toLowerCase()
  const quote = opening[2]
  if (/[ft]/.test(prefix)) return { kind: 'dynamic', reason: 'an f-string is formatted at run time' }
  const quoteLength = literal.startsWith(quote.repeat(3), prefix.length) && literal.length >= prefix.length + 6 ? 3 : 1
  const body = literal.slice(prefix.length + quoteLength, literal.length - quoteLength)
  const bytes = prefix.includes('b')
  if (bytes && /[^\x00-\x7f]/.test(body)) return { kind: 'dynamic', reason: 'bytes can only contain ASCII literal characters' }
  if (prefix.includes('r')) return { kind: bytes ? 'bytes' : 'str', value: body }
  return decodeEscapes(body, bytes)
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v'
}

function decodeEscapes(body: string, bytes: boolean): DecodedString {
  const kind = bytes ? 'bytes' : 'str'
  let value = ''
  let at = 0
  for (let slash = body.indexOf('\\'); slash !== -1; slash = body.indexOf('\\', at)) {
    value += body.slice(at, slash)
    const letter = body[slash + 1] ?? ''
    at = slash + 2
    const simple = SIMPLE_ESCAPES[letter]
    if (simple !== undefined) {
      value += simple
      continue
    }
    if (letter >= '0' && letter <= '7') {
      const octal = /^[0-7]{1,3}/.exec(body.slice(slash + 1, slash + 4))![0]
      at = slash + 1 + octal.length
      // Bytes keep the low eight bits of an out-of-range octal escape, as CPython does.
      value += String.fromCharCode(bytes ? parseInt(octal, 8) & 0xff : parseInt(octal, 8))
      continue
    }
    const width = letter === 'x' ? 2 : !bytes && letter === 'u' ? 4 : !bytes && letter === 'U' ? 8 : 0
    if (width > 0) {
      const hex = body.slice(at, at + width)
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) {
        return { kind: 'dynamic', reason: `truncated \\${letter} escape (Python rejects this literal)` }
      }
      const code = parseInt(hex, 16)
      if (code > 0x10ffff) return { kind: 'dynamic', reason: 'illegal Unicode character (Python rejects this literal)' }
      value += String.fromCodePoint(code)
      at += width
      continue
    }
    if (!bytes && letter === 'N') return { kind: 'dynamic', reason: '\\N{...} escapes are not decoded statically' }
    // Python keeps unknown escapes (`\d`) as written, with a warning.
    value += `\\${letter}`
  }
  value += body.slice(at)
  return { kind, value }
}
