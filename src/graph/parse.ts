// Reads a Django migration module without Python: the `Migration` class's
// dependencies, operations and flags, as far as they are written literally.
// What needs Python to know is recorded as dynamic, never guessed.

import type { SyntaxNode } from '@lezer/common'
import { parsePythonModule } from './python-syntax.js'
import {
  childrenOf,
  describeNonLiteral,
  dottedName,
  elementsOf,
  readArguments,
  sourceOf,
  splitElements,
  toPyValue,
  unwrapParentheses,
  type Argument,
  type Element,
  type Source
} from './python-values.js'
import { ModuleScope, MUTATING_METHODS, type ResolvedElement } from './module-constants.js'
import {
  MigrationParseError,
  type DynamicPart,
  type LocatedRef,
  type MigrationDependency,
  type MigrationFile,
  type MigrationRef,
  type Operation,
  type PyValue
} from '../model/migration.js'

type Attribute = DynamicPart['attribute']

const ATTRIBUTES: ReadonlySet<string> = new Set<Attribute>(['dependencies', 'operations', 'replaces', 'run_before', 'initial', 'atomic'])

/** The right-hand side of `attribute = ...`: one value, or the items of a bare tuple (`x = a, b`). */
interface AssignedValue {
  elements: Element[]
  bareTuple: boolean
  from: number
  to: number
}

/**
 * What the class body does to an attribute, in order. A plain assignment
 * replaces everything before it; a later conditional assignment or mutation
 * makes the value unknowable.
 */
type AttributeEvent = { kind: 'assign'; value: AssignedValue } | { kind: 'dynamic'; part: DynamicPart }

const COMPOUND_STATEMENTS: Record<string, string> = {
  IfStatement: 'an if statement',
  ForStatement: 'a for loop',
  WhileStatement: 'a while loop',
  TryStatement: 'a try statement',
  WithStatement: 'a with statement',
  MatchStatement: 'a match statement'
}

/**
 * `<anything>/<app>/migrations/<name>.py` → `{app, name}`, or null when
 * Django would not load the file as a migration: names starting with `_` or
 * `~` are skipped, and so is anything not directly inside `migrations/`.
 */
export function migrationRefFromPath(path: string): MigrationRef | null {
  const parts = path.split('/')
  if (parts.length < 3) return null
  const file = parts[parts.length - 1]
  const app = parts[parts.length - 3]
  if (parts[parts.length - 2] !== 'migrations' || !file.endsWith('.py')) return null
  const name = file.slice(0, -'.py'.length)
  // pkgutil.iter_modules, which Django's loader uses, skips names with a dot.
  if (!name || name.startsWith('_') || name.startsWith('~') || name.includes('.')) return null
  if (!app || app === '.' || app === '..') return null
  return { app, name }
}

/** Reads one migration module; throws `MigrationParseError` where Python would refuse to import it. */
export function parseMigration(source: string, path: string): MigrationFile {
  const ref = migrationRefFromPath(path)
  if (!ref) {
    throw new MigrationParseError(path, 1, 1, 'not a migration module: Django loads <app>/migrations/<name>.py, skipping names that start with _ or ~')
  }
  // Python ignores a UTF-8 byte-order mark and reads \r\n and \r as \n.
  const { module, problem } = parsePythonModule(source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'))
  if (problem) throw new MigrationParseError(path, problem.line, problem.column, problem.message)

  const migrationClass = findMigrationClass(module.tree.topNode, module)
  if (!migrationClass) throw new MigrationParseError(path, 1, 1, 'no Migration class')
  return { ...ref, path, ...new ClassReader(module, module.tree.topNode, migrationClass).read() }
}

/** The last top-level `class Migration`, as Python's module attribute would be. */
function findMigrationClass(script: SyntaxNode, source: Source): SyntaxNode | null {
  let found: SyntaxNode | null = null
  for (const statement of childrenOf(script)) {
    const definition = statement.name === 'DecoratedStatement' ? statement.getChild('ClassDefinition') : statement
    if (definition?.name !== 'ClassDefinition') continue
    const name = definition.getChild('VariableName')
    if (name && sourceOf(name, source) === 'Migration') found = definition
  }
  return found
}

class ClassReader {
  private readonly dynamicParts: DynamicPart[] = []
  private readonly source: Source
  private readonly migrationClass: SyntaxNode
  /** Module-level constants, followed only for values that are not literal. */
  private readonly scope: ModuleScope

  constructor(source: Source, script: SyntaxNode, migrationClass: SyntaxNode) {
    this.source = source
    this.migrationClass = migrationClass
    this.scope = new ModuleScope(source, script, migrationClass)
  }

  read(): Omit<MigrationFile, 'app' | 'name' | 'path'> {
    const migrationClass = this.migrationClass
    const events = new Map<string, AttributeEvent[]>()
    const body = migrationClass.getChild('Body')
    if (body) this.collectEvents(body, events)

    const assigned = (attribute: Attribute): AssignedValue | null => {
      const history = events.get(attribute) ?? []
      let lastAssignment = -1
      history.forEach((event, i) => {
        if (event.kind === 'assign') lastAssignment = i
      })
      for (const event of history.slice(lastAssignment + 1)) if (event.kind === 'dynamic') this.dynamicParts.push(event.part)
      const event = history[lastAssignment]
      return event?.kind === 'assign' ? event.value : null
    }

    const dependenciesValue = assigned('dependencies')
    const operationsValue = assigned('operations')
    const replacesValue = assigned('replaces')
    const runBeforeValue = assigned('run_before')
    const initialValue = assigned('initial')
    const atomicValue = assigned('atomic')
    const result = {
      line: this.line(migrationClass.from),
      dependencies: dependenciesValue ? this.dependencies(dependenciesValue) : [],
      replaces: replacesValue ? this.refs('replaces', replacesValue) : [],
      runBefore: runBeforeValue ? this.refs('run_before', runBeforeValue) : [],
      initial: initialValue ? this.flag('initial', initialValue, false) : false,
      atomic: atomicValue ? this.flag('atomic', atomicValue, true) : true,
      operations: operationsValue ? this.operations(this.listElements('operations', operationsValue)) : []
    }
    // Sorting is stable, so parts on one line keep the order they were found in.
    const dynamic = [...this.dynamicParts].sort((a, b) => a.line - b.line)
    return { ...result, dynamic }
  }

  // ---- the class body --------------------------------------------------

  private collectEvents(body: SyntaxNode, events: Map<string, AttributeEvent[]>): void {
    const add = (name: string, event: AttributeEvent): void => {
      if (!ATTRIBUTES.has(name)) return
      const history = events.get(name) ?? []
      history.push(event)
      events.set(name, history)
    }
    const dynamicEvent = (name: string, node: SyntaxNode, reason: string): void => {
      add(name, { kind: 'dynamic', part: { attribute: name as Attribute, line: this.line(node.from), source: sourceOf(node, this.source), reason } })
    }
    for (const statement of statementsOf(body)) {
      switch (statement.name) {
        case 'AssignStatement': {
          const assignment = this.splitAssignment(statement)
          if (!assignment) break
          for (const target of assignment.targets) {
            const single = target.length === 1 && target[0].name === 'VariableName' ? sourceOf(target[0], this.source) : null
            const base = target.length === 1 && target[0].name === 'MemberExpression' ? target[0].firstChild : null
            if (single !== null) add(single, { kind: 'assign', value: assignment.value })
            else if (base?.name === 'VariableName') dynamicEvent(sourceOf(base, this.source), statement, 'changed by an item or attribute assignment at run time')
            else for (const name of targetNames(target, this.source)) dynamicEvent(name, statement, 'assigned by unpacking, which happens at run time')
          }
          break
        }
        case 'UpdateStatement': {
          const target = statement.firstChild
          if (target?.name === 'VariableName') dynamicEvent(sourceOf(target, this.source), statement, 'changed by an augmented assignment at run time')
          break
        }
        case 'ExpressionStatement': {
          // `operations.append(...)`: the list is changed after it was written.
          const call = statement.firstChild
          const method = call?.name === 'CallExpression' ? call.firstChild : null
          const object = method?.name === 'MemberExpression' ? method.firstChild : null
          const methodName = method?.lastChild?.name === 'PropertyName' ? sourceOf(method.lastChild, this.source) : ''
          if (object?.name === 'VariableName' && MUTATING_METHODS.has(methodName)) {
            dynamicEvent(sourceOf(object, this.source), statement, `changed by .${methodName}() at run time`)
          }
          break
        }
        case 'DecoratedStatement':
        case 'FunctionDefinition':
        case 'ClassDefinition': {
          const definition = statement.name === 'DecoratedStatement' ? (statement.lastChild ?? statement) : statement
          const name = definition.getChild('VariableName')
          if (name) dynamicEvent(sourceOf(name, this.source), statement, 'defined by a def or class statement')
          break
        }
        default: {
          const where = COMPOUND_STATEMENTS[statement.name]
          if (!where) break
          visitNestedAssignments(statement, (assignment) => {
            for (const name of nestedTargetNames(assignment, this.source)) {
              dynamicEvent(name, assignment, `assigned inside ${where}, so the value depends on run time`)
            }
          })
        }
      }
    }
  }

  /** `a = b = value` → targets `[[a], [b]]`; `a, b = value` → `[[a, ',', b]]`; null for an annotation alone. */
  private splitAssignment(statement: SyntaxNode): { targets: SyntaxNode[][]; value: AssignedValue } | null {
    const segments: SyntaxNode[][] = [[]]
    for (const child of childrenOf(statement)) {
      if (child.name === 'AssignOp') segments.push([])
      else if (child.name !== 'TypeDef') segments[segments.length - 1].push(child)
    }
    if (segments.length < 2) return null
    const valueNodes = segments.pop() ?? []
    const { elements, hasComma } = splitElements(valueNodes)
    if (elements.length === 0) return null
    const value = { elements, bareTuple: hasComma, from: elements[0].from, to: elements[elements.length - 1].node.to }
    return { targets: segments, value }
  }

  // ---- attribute values -------------------------------------------------

  /**
   * Items of a list-valued attribute: a list or tuple literal, or one built
   * from module-level constants (`DEPS + [...]`, `list(DEPS)`, `[*DEPS]`).
   * For a value that cannot be read, records a dynamic part and keeps the
   * items before the unreadable part, whose positions are still certain.
   */
  private listElements(attribute: Attribute, value: AssignedValue): ResolvedElement[] {
    if (value.bareTuple) return this.scope.elements(value.elements, value.from)
    const node = unwrapParentheses(value.elements[0].node)
    if (node.name === 'ArrayExpression' || node.name === 'TupleExpression') return this.scope.elements(elementsOf(node), value.from)
    const sequence = this.scope.sequence(node, value.from)
    if (sequence.ok) return sequence.elements
    const reason =
      sequence.prefix.length > 0
        ? `not a list literal: only the items before the part that cannot be read are read; ${sequence.reason}`
        : `not a list literal: ${sequence.reason}`
    this.dynamicParts.push({ attribute, line: this.line(value.from), source: this.text(value), reason })
    return sequence.prefix
  }

  private shapeReason(node: SyntaxNode): string {
    if (node.name === 'CallExpression') return 'built by a call at run time'
    const name = dottedName(node, this.source)
    if (name !== null) return `refers to ${name}, which is not followed`
    return describeNonLiteral(node)
  }

  private dependencies(value: AssignedValue): MigrationDependency[] {
    const dependencies: MigrationDependency[] = []
    for (const element of this.listElements('dependencies', value)) {
      if (this.unpacked('dependencies', element)) continue
      dependencies.push(this.dependency(element))
    }
    return dependencies
  }

  private dependency(element: ResolvedElement): MigrationDependency {
    const item = element.node
    let node = unwrapParentheses(item)
    let at = element.at
    if (node.name === 'VariableName') {
      // `DEP`, bound to a pair or a swappable_dependency() at module level.
      const name = sourceOf(node, this.source)
      const found = this.scope.resolve(name, at)
      if (!found.ok) return { kind: 'dynamic', source: sourceOf(item, this.source), reason: `refers to ${name}, but ${found.reason}`, line: this.line(item.from) }
      if (found.node === null) {
        const pair = this.stringPair(found.bare!)
        if (pair.ok) return { kind: 'migration', app: pair.app, name: pair.name, line: this.line(found.bare![0].from) }
        return { kind: 'dynamic', source: sourceOf(item, this.source), reason: pair.reason, line: this.line(item.from) }
      }
      node = unwrapParentheses(found.node)
      at = found.at
    }
    const line = this.line(node.from)
    if (node.name === 'CallExpression') {
      const call = toPyValue(node, this.source)
      if (call.kind === 'call' && (call.callee === 'swappable_dependency' || call.callee.endsWith('.swappable_dependency'))) {
        const [argument] = call.args
        if (call.args.length === 1 && Object.keys(call.kwargs).length === 0) {
          // Django: swappable_dependency(value) depends on (value.split('.', 1)[0], '__first__').
          if (argument.kind === 'ref' && argument.name.includes('.')) return { kind: 'swappable', setting: argument.name.slice(argument.name.lastIndexOf('.') + 1), line }
          const value = argument.kind === 'str' ? { ok: true as const, value: argument.value } : argument.kind === 'ref' ? this.scope.string(node.lastChild!.getChild('VariableName')!, at) : null
          if (value?.ok) return { kind: 'migration', app: value.value.split('.')[0], name: '__first__', line }
        }
        return { kind: 'dynamic', source: sourceOf(item, this.source), reason: 'swappable_dependency() of something other than a setting or a string', line }
      }
    }
    const pair = this.pair(node, at)
    if (pair.ok) return { kind: 'migration', app: pair.app, name: pair.name, line }
    return { kind: 'dynamic', source: sourceOf(item, this.source), reason: pair.reason, line: this.line(item.from) }
  }

  /** `('app', '0001_initial')` or `['app', '0001_initial']`, literally or through module-level constants. */
  private pair(node: SyntaxNode, at: number): (MigrationRef & { ok: true }) | { ok: false; reason: string } {
    const sequence = this.scope.sequence(node, at)
    if (sequence.ok) return this.stringPair(sequence.elements)
    const literal = node.name === 'TupleExpression' || node.name === 'ArrayExpression'
    return { ok: false, reason: literal ? NOT_A_PAIR : sequence.reason === 'built by a call at run time' ? sequence.reason : this.nameReason(node, sequence.reason) }
  }

  private stringPair(elements: ResolvedElement[]): (MigrationRef & { ok: true }) | { ok: false; reason: string } {
    if (elements.length !== 2 || elements.some((element) => element.star)) return { ok: false, reason: NOT_A_PAIR }
    const [app, name] = elements.map((element) => this.scope.string(element.node, element.at))
    if (app.ok && name.ok) return { ok: true, app: app.value, name: name.value }
    const unknown = [app, name].find((part) => !part.ok) as { reason: string }
    const names = elements.some((element) => unwrapParentheses(element.node).name === 'VariableName')
    return { ok: false, reason: names ? `${NOT_A_PAIR}: ${unknown.reason}` : NOT_A_PAIR }
  }

  /** The reason for a value that is not a literal: why a name is not followed, or what the expression is. */
  private nameReason(node: SyntaxNode, reason: string): string {
    return node.name === 'VariableName' ? `refers to ${sourceOf(node, this.source)}, but ${reason}` : this.shapeReason(node)
  }

  private refs(attribute: 'replaces' | 'run_before', value: AssignedValue): LocatedRef[] {
    const refs: LocatedRef[] = []
    for (const element of this.listElements(attribute, value)) {
      if (this.unpacked(attribute, element)) continue
      let node = unwrapParentheses(element.node)
      let at = element.at
      if (node.name === 'VariableName') {
        // A pair bound to a name: its line is where the pair is written.
        const found = this.scope.resolve(sourceOf(node, this.source), at)
        if (found.ok && found.node !== null) {
          node = unwrapParentheses(found.node)
          at = found.at
        }
      }
      const pair = this.pair(node, at)
      if (pair.ok) refs.push({ app: pair.app, name: pair.name, line: this.line(node.from) })
      else this.dynamicParts.push({ attribute, line: this.line(element.from), source: sourceOf(element.node, this.source), reason: pair.reason })
    }
    return refs
  }

  /** `*EXTRA` in a list that cannot be expanded: its length is unknown, so the attribute is only partly read. */
  private unpacked(attribute: Attribute, element: ResolvedElement): boolean {
    if (!element.star) return false
    this.dynamicParts.push({
      attribute,
      line: this.line(element.from),
      source: this.text({ from: element.from, to: element.node.to }),
      reason: `an unpacked list has no static length${element.unresolved ? ` (${element.unresolved})` : ''}`
    })
    return true
  }

  /** `atomic = False`, `initial = True`: Python's truth value of a literal, or of a module-level constant. */
  private flag(attribute: 'initial' | 'atomic', value: AssignedValue, fallback: boolean): boolean {
    // `atomic = False,` is a one-item tuple, which is true.
    if (value.bareTuple) return true
    let node = unwrapParentheses(value.elements[0].node)
    let reason = `not a literal: ${this.shapeReason(node)}`
    if (node.name === 'VariableName') {
      const name = sourceOf(node, this.source)
      const found = this.scope.resolve(name, value.from)
      if (found.ok && found.bare) return true
      if (found.ok) {
        node = unwrapParentheses(found.node!)
        reason = `not a literal: ${name} is bound to a value computed at run time`
      } else reason = `not a literal: refers to ${name}, but ${found.reason}`
    }
    const truth = literalTruth(toPyValue(node, this.source))
    if (truth !== null) return truth
    this.dynamicParts.push({ attribute, line: this.line(value.from), source: this.text(value), reason })
    return fallback
  }

  // ---- operations -------------------------------------------------------

  /** Numbers the operations as Django does; after `*unpacked` the positions are unknown (-1). */
  private operations(elements: ResolvedElement[]): Operation[] {
    const operations: Operation[] = []
    let index = 0
    let positionsKnown = true
    for (const element of elements) {
      if (element.star) {
        this.dynamicParts.push({
          attribute: 'operations',
          line: this.line(element.from),
          source: this.text({ from: element.from, to: element.node.to }),
          reason: `an unpacked list has no static length${element.unresolved ? ` (${element.unresolved})` : ''}: the operations after it are numbered -1`
        })
        positionsKnown = false
        continue
      }
      operations.push(this.operation(element.node, positionsKnown ? index : -1))
      index++
    }
    return operations
  }

  private operation(item: SyntaxNode, index: number): Operation {
    const node = unwrapParentheses(item)
    const line = this.line(node.from)
    const endLine = this.line(node.to - 1)
    const calleeNode = node.name === 'CallExpression' ? node.firstChild : null
    const argList = node.lastChild
    const callee = calleeNode ? dottedName(calleeNode, this.source) : null
    if (callee === null || argList?.name !== 'ArgList') {
      const reason =
        node.name === 'CallExpression'
          ? 'the callee is not a name or an attribute chain'
          : dottedName(node, this.source) !== null
            ? 'a name, not a call: the operation is built elsewhere'
            : describeNonLiteral(node)
      return { index, type: '<dynamic>', callee: sourceOf(item, this.source), line, endLine, args: [], kwargs: {}, dynamic: reason }
    }
    const { args, kwargs } = readArguments(argList, this.source)
    const kwargValues: Record<string, PyValue> = {}
    for (const [name, argument] of kwargs) kwargValues[name] = argument.value
    const operation: Operation = {
      index,
      type: callee.slice(callee.lastIndexOf('.') + 1),
      callee,
      line,
      endLine,
      args: args.map((argument) => argument.value),
      kwargs: kwargValues
    }
    if (operation.type === 'SeparateDatabaseAndState') {
      // SeparateDatabaseAndState(database_operations=None, state_operations=None)
      operation.databaseOperations = this.nestedOperations('database_operations', 0, args, kwargs, line)
      operation.stateOperations = this.nestedOperations('state_operations', 1, args, kwargs, line)
    }
    return operation
  }

  private nestedOperations(keyword: string, position: number, args: Argument[], kwargs: Map<string, Argument>, callLine: number): Operation[] {
    let argument = kwargs.get(keyword)
    if (!argument) {
      // After `*args` the positions of later arguments are unknown.
      const starred = args.slice(0, position + 1).find((candidate) => candidate.node === null)
      if (starred && starred.value.kind === 'dynamic') {
        this.dynamicParts.push({ attribute: 'operations', line: callLine, source: starred.value.source, reason: `${keyword} cannot be placed after unpacked arguments` })
        return []
      }
      argument = args[position]
    }
    if (!argument?.node) return []
    const node = unwrapParentheses(argument.node)
    if (node.name === 'ArrayExpression' || node.name === 'TupleExpression') return this.operations(this.scope.elements(elementsOf(node), node.from))
    if (node.name === 'None') return []
    this.dynamicParts.push({
      attribute: 'operations',
      line: this.line(node.from),
      source: sourceOf(node, this.source),
      reason: `${keyword} of SeparateDatabaseAndState is not a list literal: ${this.shapeReason(node)}`
    })
    return []
  }

  // ---- positions ----------------------------------------------------------

  private line(offset: number): number {
    return this.source.lines.line(offset)
  }

  private text(range: { from: number; to: number }): string {
    return this.source.text.slice(range.from, range.to)
  }
}

const NOT_A_PAIR = 'not a pair of string literals (app, migration)'

/** Statements of a body, with `a = 1; b = 2` split into its parts. */
function statementsOf(body: SyntaxNode): SyntaxNode[] {
  const statements: SyntaxNode[] = []
  for (const child of childrenOf(body)) {
    if (child.name === 'StatementGroup') statements.push(...childrenOf(child).filter((part) => part.name !== ';'))
    else statements.push(child)
  }
  return statements
}

/** Names bound by an unpacking target such as `a, (b, c)` or `[a, *b]`. */
function targetNames(target: SyntaxNode[], source: Source): string[] {
  const names: string[] = []
  for (const node of target) {
    if (node.name === 'VariableName') names.push(sourceOf(node, source))
    else if (node.name === 'TupleExpression' || node.name === 'ArrayExpression' || node.name === 'ParenthesizedExpression') {
      names.push(...targetNames(childrenOf(node), source))
    }
  }
  return names
}

/** Names an assignment nested in a compound statement binds. */
function nestedTargetNames(statement: SyntaxNode, source: Source): string[] {
  if (statement.name === 'UpdateStatement') {
    const target = statement.firstChild
    return target?.name === 'VariableName' ? [sourceOf(target, source)] : []
  }
  const segments: SyntaxNode[][] = [[]]
  for (const child of childrenOf(statement)) {
    if (child.name === 'AssignOp') segments.push([])
    else if (child.name !== 'TypeDef') segments[segments.length - 1].push(child)
  }
  return segments.slice(0, -1).flatMap((segment) => targetNames(segment, source))
}

/** Assignments anywhere inside a compound statement, except in nested functions and classes (their own scopes). */
function visitNestedAssignments(node: SyntaxNode, visit: (statement: SyntaxNode) => void): void {
  for (const child of childrenOf(node)) {
    if (child.name === 'FunctionDefinition' || child.name === 'ClassDefinition' || child.name === 'LambdaExpression') continue
    if (child.name === 'AssignStatement' || child.name === 'UpdateStatement') visit(child)
    else visitNestedAssignments(child, visit)
  }
}

/** Python's `bool(value)` for literals; null when it needs evaluation. */
function literalTruth(value: PyValue): boolean | null {
  switch (value.kind) {
    case 'bool':
      return value.value
    case 'none':
      return false
    case 'int':
    case 'float':
      return value.value !== 0
    case 'str':
    case 'bytes':
      return value.value.length > 0
    case 'list':
    case 'tuple':
    case 'set':
      return value.items.length === 0 ? false : value.items.some((item) => item.kind === 'dynamic' && item.source.startsWith('*')) ? null : true
    case 'dict':
      return value.entries.length === 0 ? false : value.entries.some(([key]) => key.kind === 'dynamic' && key.source.startsWith('**')) ? null : true
    default:
      return null
  }
}
