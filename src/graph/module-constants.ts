// Module-level constants a migration's class attributes are built from, read
// without running the module:
//
//     BASE = [("shop", "0001_initial")]
//     class Migration(migrations.Migration):
//         dependencies = BASE + [("auth", "0012_x")]
//
// A name is followed only when Python would certainly give it the value
// written: it is bound once in the whole module, by a plain assignment at the
// top level before it is used, nothing rebinds or changes it (no other
// assignment, import, def, loop, `global`, `del`, `.append()`, item
// assignment, `from ... import *` in between), and a list is only ever copied
// (`+`, `*unpacking`, `list(...)`) or handed to one class attribute. Anything
// else stays unknown, with the reason.

import type { SyntaxNode } from '@lezer/common'
import { childrenOf, decodeStringLiteral, describeNonLiteral, dottedName, elementsOf, sourceOf, splitElements, unwrapParentheses, type Element, type Source } from './python-values.js'

/** An item of a sequence, with where the expression holding it is evaluated. */
export interface ResolvedElement extends Element {
  /** Offset of the statement that evaluates it: names in it must be bound before. */
  at: number
  /** For a `*rest` item that could not be expanded: why. */
  unresolved?: string
}

export type Sequence =
  | { ok: true; kind: 'list' | 'tuple'; elements: ResolvedElement[] }
  /** `prefix`: the items before the part that cannot be read (their positions are certain). */
  | { ok: false; reason: string; prefix: ResolvedElement[] }

/** The value a name is bound to: one expression, or the items of a bare tuple (`X = a, b`). */
interface Binding {
  node: SyntaxNode | null
  bare: Element[] | null
  /** Offset of the binding statement. */
  at: number
  line: number
}

type Lookup = { ok: true; binding: Binding } | { ok: false; reason: string }

type Use =
  | { kind: 'store'; how: StoreKind; statement: SyntaxNode | null; single: boolean }
  | { kind: 'mutate'; how: string }
  | { kind: 'read'; context: 'copy' | 'other' }
  | { kind: 'read'; context: 'alias'; statement: SyntaxNode }
  | { kind: 'ignore' }

type StoreKind = 'assign' | 'nested' | 'unpack' | 'augmented' | 'walrus' | 'del' | 'import' | 'global' | 'loop' | 'as' | 'def' | 'parameter' | 'pattern'

const STORE_REASONS: Record<StoreKind, string> = {
  assign: 'assigned',
  nested: 'assigned inside a block (if, try, for, a function...), so its value depends on run time',
  unpack: 'assigned by unpacking',
  augmented: 'changed by an augmented assignment',
  walrus: 'assigned by an assignment expression',
  del: 'deleted with del',
  import: 'imported from another module',
  global: 'declared global in a function',
  loop: 'bound by a loop',
  as: 'bound by an `as` clause',
  def: 'defined by a def or class statement',
  parameter: 'also a parameter name',
  pattern: 'bound by a match pattern'
}

// List, set and dict methods that change the value in place.
export const MUTATING_METHODS: ReadonlySet<string> = new Set([
  'append', 'extend', 'insert', 'remove', 'pop', 'clear', 'sort', 'reverse', 'add', 'discard', 'update', 'setdefault', 'popitem',
  '__setitem__', '__delitem__', '__iadd__'
])

const CONTAINERS = new Set(['TupleExpression', 'ArrayExpression', 'ParenthesizedExpression'])
const COMPREHENSIONS = new Set(['ArrayComprehensionExpression', 'SetComprehensionExpression', 'DictionaryComprehensionExpression', 'ComprehensionExpression'])
const ATTRIBUTES = new Set(['dependencies', 'operations', 'replaces', 'run_before', 'initial', 'atomic'])
const MAX_DEPTH = 32

export class ModuleScope {
  private readonly source: Source
  private readonly script: SyntaxNode
  private readonly migrationClass: SyntaxNode
  private occurrences: Map<string, SyntaxNode[]> | null = null
  private starImports: number[] = []
  private readonly lookups = new Map<string, Lookup>()
  private readonly visiting = new Set<string>()

  constructor(source: Source, script: SyntaxNode, migrationClass: SyntaxNode) {
    this.source = source
    this.script = script
    this.migrationClass = migrationClass
  }

  /** Offset at which the class body runs: names it reads must be bound before. */
  get classAt(): number {
    return this.migrationClass.from
  }

  // ---- values ----------------------------------------------------------------

  /**
   * The items of a list or tuple expression, following names, `+`,
   * `*unpacking` and `list(...)`/`tuple(...)`.
   */
  sequence(node: SyntaxNode, at: number, depth = 0): Sequence {
    const fail = (reason: string, prefix: ResolvedElement[] = []): Sequence => ({ ok: false, reason, prefix })
    if (depth > MAX_DEPTH) return fail('the value is nested too deeply to follow')
    const value = unwrapParentheses(node)
    switch (value.name) {
      case 'ArrayExpression':
      case 'TupleExpression':
        return { ok: true, kind: value.name === 'ArrayExpression' ? 'list' : 'tuple', elements: this.expand(elementsOf(value), at, depth) }
      case 'BinaryExpression': {
        const operator = childrenOf(value).find((child) => child.name === 'ArithOp')
        if (!operator || sourceOf(operator, this.source) !== '+' || !value.firstChild || !value.lastChild) return fail(describeNonLiteral(value))
        const left = this.sequence(value.firstChild, at, depth + 1)
        if (!left.ok) return left
        const right = this.sequence(value.lastChild, at, depth + 1)
        if (!right.ok) return fail(right.reason, [...left.elements, ...right.prefix])
        if (left.kind !== right.kind) return fail(`a ${left.kind} and a ${right.kind} cannot be added (Python raises TypeError)`, left.elements)
        return { ok: true, kind: left.kind, elements: [...left.elements, ...right.elements] }
      }
      case 'VariableName': {
        const name = sourceOf(value, this.source)
        const found = this.lookup(name, at)
        if (!found.ok) return fail(found.reason)
        const { binding } = found
        if (binding.bare) return { ok: true, kind: 'tuple', elements: this.expand(binding.bare, binding.at, depth + 1) }
        const inner = this.sequence(binding.node!, binding.at, depth + 1)
        return inner.ok ? inner : fail(`${name} (line ${binding.line}): ${inner.reason}`, inner.prefix)
      }
      case 'CallExpression': {
        const callee = value.firstChild
        const builtin = callee?.name === 'VariableName' ? sourceOf(callee, this.source) : null
        const args = value.lastChild?.name === 'ArgList' ? splitElements(childrenOf(value.lastChild)).elements : null
        if ((builtin === 'list' || builtin === 'tuple') && args !== null && args.length <= 1 && args.every((arg) => !arg.star) && !this.keywordArguments(value.lastChild!)) {
          const shadowed = this.shadowed(builtin)
          if (shadowed !== null) return fail(shadowed)
          if (args.length === 0) return { ok: true, kind: builtin, elements: [] }
          const inner = this.sequence(args[0]!.node, at, depth + 1)
          return inner.ok ? { ok: true, kind: builtin, elements: inner.elements } : fail(inner.reason)
        }
        return fail('built by a call at run time')
      }
      default: {
        const name = dottedName(value, this.source)
        return fail(name !== null ? `refers to ${name}, an attribute of another object` : describeNonLiteral(value))
      }
    }
  }

  /** A string the node certainly evaluates to, or why not. */
  string(node: SyntaxNode, at: number, depth = 0): { ok: true; value: string } | { ok: false; reason: string } {
    const value = unwrapParentheses(node)
    if (depth > MAX_DEPTH) return { ok: false, reason: 'the value is nested too deeply to follow' }
    if (value.name === 'String' || value.name === 'ContinuedString') {
      const parts = value.name === 'ContinuedString' ? childrenOf(value).filter((part) => part.name !== 'Comment') : [value]
      let text = ''
      for (const part of parts) {
        if (part.name !== 'String') return { ok: false, reason: describeNonLiteral(part) }
        const decoded = decodeStringLiteral(sourceOf(part, this.source))
        if (decoded.kind === 'dynamic') return { ok: false, reason: decoded.reason }
        if (decoded.kind === 'bytes') return { ok: false, reason: 'bytes, not a string' }
        text += decoded.value
      }
      return { ok: true, value: text }
    }
    if (value.name === 'VariableName') {
      const name = sourceOf(value, this.source)
      const found = this.lookup(name, at)
      if (!found.ok) return found
      if (found.binding.bare) return { ok: false, reason: `${name} is a tuple, not a string` }
      return this.string(found.binding.node!, found.binding.at, depth + 1)
    }
    return { ok: false, reason: describeNonLiteral(value) }
  }

  /** What a name stands for at `at` (a node and where its own names are evaluated), or why that is not known. */
  resolve(name: string, at: number): { ok: true; node: SyntaxNode | null; bare: ResolvedElement[] | null; at: number } | { ok: false; reason: string } {
    const found = this.lookup(name, at)
    if (!found.ok) return found
    const { binding } = found
    return { ok: true, node: binding.node, bare: binding.bare ? binding.bare.map((element) => ({ ...element, at: binding.at })) : null, at: binding.at }
  }

  /** The items of a list or tuple display evaluated at `at`, with `*NAME` expanded where it can be. */
  elements(elements: Element[], at: number): ResolvedElement[] {
    return elements.some((element) => element.star) ? this.expand(elements, at, 0) : elements.map((element) => ({ ...element, at }))
  }

  private expand(elements: Element[], at: number, depth: number): ResolvedElement[] {
    const items: ResolvedElement[] = []
    for (const element of elements) {
      if (element.star !== '*') {
        items.push({ ...element, at })
        continue
      }
      const inner = this.sequence(element.node, at, depth + 1)
      if (inner.ok) items.push(...inner.elements)
      else items.push({ ...element, at, unresolved: inner.reason })
    }
    return items
  }

  private keywordArguments(argList: SyntaxNode): boolean {
    return childrenOf(argList).some((child) => child.name === 'AssignOp' || child.name === '**' || child.name === 'for')
  }

  /** Why a builtin such as `list` may not be the builtin here, or null. */
  private shadowed(builtin: string): string | null {
    this.index()
    if (this.starImports.length > 0) return `\`from ... import *\` may rebind ${builtin}`
    const stores = (this.occurrences!.get(builtin) ?? []).filter((node) => this.use(node).kind === 'store')
    return stores.length > 0 ? `${builtin} is rebound on line ${this.line(stores[0]!.from)}` : null
  }

  // ---- names -----------------------------------------------------------------

  private lookup(name: string, at: number): Lookup {
    let found = this.lookups.get(name)
    if (found === undefined) {
      if (this.visiting.has(name)) return { ok: false, reason: `${name} is defined in terms of itself` }
      this.visiting.add(name)
      found = this.find(name)
      this.visiting.delete(name)
      this.lookups.set(name, found)
    }
    if (!found.ok) return found
    const { binding } = found
    if (binding.at >= at) return { ok: false, reason: `${name} is assigned on line ${binding.line}, after it is used` }
    const star = this.starImports.find((offset) => offset > binding.at && offset < at)
    if (star !== undefined) return { ok: false, reason: `\`from ... import *\` on line ${this.line(star)} may rebind ${name}` }
    return found
  }

  private find(name: string): Lookup {
    this.index()
    const occurrences = this.occurrences!.get(name) ?? []
    const uses = occurrences.map((node) => ({ node, use: this.use(node) }))
    const stores = uses.filter((entry) => entry.use.kind === 'store')
    if (stores.length === 0) {
      return { ok: false, reason: this.starImports.length > 0 ? `${name} may come from \`from ... import *\`` : `${name} is not defined in this module` }
    }
    // The most telling store first: a change, an import, a loop... then a plain second assignment.
    const odd = stores.find((entry) => (entry.use as Extract<Use, { kind: 'store' }>).how !== 'assign')
    if (odd) return { ok: false, reason: `${name} is ${STORE_REASONS[(odd.use as Extract<Use, { kind: 'store' }>).how]} (line ${this.line(odd.node.from)})` }
    if (stores.length > 1) return { ok: false, reason: `${name} is bound more than once (lines ${stores.map((entry) => this.line(entry.node.from)).join(', ')})` }
    const store = stores[0]!
    const use = store.use as Extract<Use, { kind: 'store' }>
    if (use.statement === null) return { ok: false, reason: `${name} has no value that can be read` }
    const mutation = uses.find((entry) => entry.use.kind === 'mutate')
    if (mutation) return { ok: false, reason: `${name} is changed on line ${this.line(mutation.node.from)} (${(mutation.use as { how: string }).how})` }

    const binding = this.bindingOf(use.statement)
    if (binding === null) return { ok: false, reason: `${name} has no value that can be read` }
    if (!this.immutable(binding, 0)) {
      // A list (or anything else that can change) must only be copied, or handed to one attribute or name.
      if (!use.single) return { ok: false, reason: `${name} is assigned together with other names (line ${binding.line}), which share the same list` }
      const aliases = uses.filter((entry) => entry.use.kind === 'read' && entry.use.context === 'alias')
      const other = uses.find((entry) => entry.use.kind === 'read' && entry.use.context === 'other')
      if (other) return { ok: false, reason: `${name} is used on line ${this.line(other.node.from)} where it may be changed` }
      if (aliases.length > 1) return { ok: false, reason: `${name} is shared by several names (lines ${aliases.map((entry) => this.line(entry.node.from)).join(', ')}), which may change it` }
      if (aliases.length === 1) {
        const alias = aliases[0]!.use as Extract<Use, { context: 'alias' }>
        const problem = this.aliasProblem(alias.statement)
        if (problem !== null) return { ok: false, reason: `${name} is also ${problem} (line ${this.line(aliases[0]!.node.from)})` }
      }
    }
    return { ok: true, binding }
  }

  /** Null when the statement that shares a list is harmless: a class attribute of the migration, or a name that is itself safe. */
  private aliasProblem(statement: SyntaxNode): string | null {
    const targets = this.targetsOf(statement)
    if (targets.length !== 1 || targets[0]!.length !== 1 || targets[0]![0]!.name !== 'VariableName') return 'assigned to several targets'
    const target = sourceOf(targets[0]![0]!, this.source)
    // The class reader follows what happens to the migration's own attributes.
    if (this.inClassBody(statement) && ATTRIBUTES.has(target)) return null
    if (!isTopLevel(statement) && !this.inClassBody(statement)) return `assigned to ${target} inside a block`
    const found = this.lookup(target, Number.MAX_SAFE_INTEGER)
    return found.ok ? null : `shared with ${target}, and ${found.reason}`
  }

  private immutable(binding: Binding, depth: number): boolean {
    if (depth > MAX_DEPTH) return false
    if (binding.bare) return binding.bare.every((element) => !element.star && this.immutableNode(element.node, binding.at, depth + 1))
    return this.immutableNode(binding.node!, binding.at, depth + 1)
  }

  private immutableNode(node: SyntaxNode, at: number, depth: number): boolean {
    const value = unwrapParentheses(node)
    switch (value.name) {
      case 'String':
      case 'ContinuedString':
      case 'FormatString':
      case 'Number':
      case 'Boolean':
      case 'None':
      case 'UnaryExpression':
        return true
      case 'TupleExpression':
        return elementsOf(value).every((element) => !element.star && this.immutableNode(element.node, at, depth + 1))
      case 'BinaryExpression':
        return value.firstChild !== null && value.lastChild !== null && this.immutableNode(value.firstChild, at, depth + 1) && this.immutableNode(value.lastChild, at, depth + 1)
      case 'VariableName': {
        const found = this.lookup(sourceOf(value, this.source), at)
        return found.ok && this.immutable(found.binding, depth + 1)
      }
      case 'CallExpression': {
        // swappable_dependency() returns a tuple of two strings.
        const callee = value.firstChild ? dottedName(value.firstChild, this.source) : null
        return callee !== null && (callee === 'swappable_dependency' || callee.endsWith('.swappable_dependency'))
      }
      default:
        return false
    }
  }

  private bindingOf(statement: SyntaxNode): Binding | null {
    const segments = this.segmentsOf(statement)
    const valueNodes = segments[segments.length - 1] ?? []
    const { elements, hasComma } = splitElements(valueNodes)
    if (elements.length === 0) return null
    const line = this.line(statement.from)
    if (hasComma) return { node: null, bare: elements, at: statement.from, line }
    if (elements[0]!.star) return null
    return { node: elements[0]!.node, bare: null, at: statement.from, line }
  }

  private segmentsOf(statement: SyntaxNode): SyntaxNode[][] {
    const segments: SyntaxNode[][] = [[]]
    for (const child of childrenOf(statement)) {
      if (child.name === 'AssignOp') segments.push([])
      else if (child.name !== 'TypeDef') segments[segments.length - 1]!.push(child)
    }
    return segments
  }

  private targetsOf(statement: SyntaxNode): SyntaxNode[][] {
    return this.segmentsOf(statement).slice(0, -1)
  }

  // ---- where a name occurs, and how ------------------------------------------

  private index(): void {
    if (this.occurrences !== null) return
    const occurrences = new Map<string, SyntaxNode[]>()
    const cursor = this.script.cursor()
    do {
      if (cursor.name === 'VariableName') {
        const name = this.source.text.slice(cursor.from, cursor.to)
        const list = occurrences.get(name)
        if (list) list.push(cursor.node)
        else occurrences.set(name, [cursor.node])
      } else if (cursor.name === 'ImportStatement') {
        if (cursor.node.getChild('*')) this.starImports.push(cursor.from)
      }
    } while (cursor.next())
    this.occurrences = occurrences
  }

  /** How one occurrence of a name uses it. */
  private use(node: SyntaxNode): Use {
    const parent = node.parent
    if (parent?.name === 'MemberExpression' && same(parent.firstChild, node)) {
      const property = parent.lastChild?.name === 'PropertyName' ? sourceOf(parent.lastChild, this.source) : null
      const call = parent.parent
      if (property !== null && call?.name === 'CallExpression' && same(call.firstChild, parent) && MUTATING_METHODS.has(property)) {
        return { kind: 'mutate', how: `.${property}()` }
      }
      if (this.store(parent) !== null) return { kind: 'mutate', how: 'an item or attribute is assigned or deleted' }
      return { kind: 'read', context: 'other' }
    }
    const store = this.store(node)
    if (store === 'ignore') return { kind: 'ignore' }
    if (store !== null) return store
    return this.readContext(node)
  }

  /** Whether the node is (part of) a target that a statement binds. */
  private store(node: SyntaxNode): Extract<Use, { kind: 'store' }> | 'ignore' | null {
    let current = node
    let unpacked = false
    while (current.parent && CONTAINERS.has(current.parent.name)) {
      current = current.parent
      unpacked ||= current.name !== 'ParenthesizedExpression'
    }
    const parent = current.parent
    if (!parent) return null
    const store = (how: StoreKind, statement: SyntaxNode | null = null, single = false): Extract<Use, { kind: 'store' }> => ({ kind: 'store', how, statement, single })
    const previous = current.prevSibling
    switch (parent.name) {
      case 'AssignStatement': {
        const operators = childrenOf(parent).filter((child) => child.name === 'AssignOp')
        const last = operators[operators.length - 1]
        if (!last || current.from >= last.from) return null
        if (unpacked) return store('unpack')
        if (!isTopLevel(parent) && !this.inClassBody(parent)) return store('nested')
        const targets = this.targetsOf(parent)
        const single = targets.length === 1 && targets[0]!.length === 1
        // `X, = value` or `X: int = value` alone: only a plain `X = value` is read.
        const plain = targets.every((target) => target.length === 1 && target[0]!.name === 'VariableName')
        return plain ? store('assign', parent, single) : store('unpack')
      }
      case 'UpdateStatement':
        return same(current, parent.firstChild) ? store('augmented') : null
      case 'NamedExpression':
        return same(current, parent.firstChild) ? store('walrus') : null
      case 'DeleteStatement':
        return store('del')
      case 'ImportStatement':
        return store('import')
      case 'ScopeStatement':
        return store('global')
      case 'ForStatement':
        return this.loopTarget(parent, current) ? store('loop') : null
      case 'WithStatement':
      case 'TryStatement':
        return previous?.name === 'as' ? store('as') : null
      case 'FunctionDefinition':
      case 'ClassDefinition':
        return current.name === 'VariableName' ? store('def') : null
      case 'ParamList':
        return previous?.name === 'AssignOp' ? null : store('parameter')
      case 'ArgList': {
        const next = current.nextSibling
        if (next?.name !== 'AssignOp') return null
        return sourceOf(next, this.source) === ':=' ? store('walrus') : 'ignore'
      }
      default:
        if (COMPREHENSIONS.has(parent.name)) return this.loopTarget(parent, current) ? store('loop') : null
        if (parent.name.endsWith('Pattern')) return store('pattern')
        return null
    }
  }

  /** In `for <target> in ...`: the node sits after a `for` and before the next `in`. */
  private loopTarget(statement: SyntaxNode, node: SyntaxNode): boolean {
    let keyword: string | null = null
    for (const child of childrenOf(statement)) {
      if (child.from >= node.from) break
      if (child.name === 'for' || child.name === 'in' || child.name === 'if') keyword = child.name
    }
    return keyword === 'for'
  }

  private readContext(node: SyntaxNode): Use {
    let current = node
    while (current.parent?.name === 'ParenthesizedExpression' && same(unwrapParentheses(current.parent), node)) current = current.parent
    const parent = current.parent
    if (!parent) return { kind: 'read', context: 'other' }
    const previous = current.prevSibling
    if ((previous?.name === '*' || previous?.name === '**') && ['ArrayExpression', 'TupleExpression', 'SetExpression', 'DictionaryExpression', 'ArgList'].includes(parent.name)) {
      return { kind: 'read', context: 'copy' }
    }
    if (parent.name === 'BinaryExpression') return { kind: 'read', context: 'copy' }
    if (parent.name === 'ArgList') {
      const call = parent.parent
      const callee = call?.firstChild?.name === 'VariableName' ? sourceOf(call.firstChild, this.source) : null
      const args = splitElements(childrenOf(parent)).elements
      if ((callee === 'list' || callee === 'tuple') && args.length === 1 && !this.keywordArguments(parent)) return { kind: 'read', context: 'copy' }
    }
    if (parent.name === 'AssignStatement' && parent.getChild('AssignOp')) {
      const segments = this.segmentsOf(parent)
      const value = segments[segments.length - 1]!
      if (value.length === 1 && same(value[0]!, current)) return { kind: 'read', context: 'alias', statement: parent }
    }
    return { kind: 'read', context: 'other' }
  }

  /** A statement directly in the Migration class's body (names bound there are class attributes). */
  private inClassBody(statement: SyntaxNode): boolean {
    const body = statement.parent?.name === 'StatementGroup' ? statement.parent.parent : statement.parent
    return body?.name === 'Body' && same(body.parent, this.migrationClass)
  }

  private line(offset: number): number {
    return this.source.lines.line(offset)
  }
}

/** Lezer hands out new node objects for the same node: compare what they cover. */
function same(a: SyntaxNode | null | undefined, b: SyntaxNode | null | undefined): boolean {
  return !!a && !!b && a.from === b.from && a.to === b.to && a.name === b.name
}

function isTopLevel(statement: SyntaxNode): boolean {
  const parent = statement.parent
  return parent?.name === 'Script' || (parent?.name === 'StatementGroup' && parent.parent?.name === 'Script')
}
