// A static stand-in for Django's ProjectState: each model's fields as the
// migrations define them, replayed in apply order. An AlterField says only the
// new definition; comparing it with this history tells what changed (type,
// max_length, null, unique).
import { forwardsPlan, leafNodes } from '../graph/graph.js'
import type { MigrationGraph } from '../model/graph.js'
import { argument, fieldCall, stringArgument, type FieldCall } from '../graph/operation-args.js'
import type { MigrationKey, Operation } from '../model/migration.js'

/** `app.model` (lowercase) → field name → its definition (null when not readable). */
export type ModelFields = Map<string, Map<string, FieldCall | null>>

export interface FieldHistory {
  /** The fields of every model just before `key` is applied. */
  before(key: MigrationKey): ModelFields
  /** Models created by CreateModel in these migrations (`app.model`). */
  createdIn(keys: Iterable<MigrationKey>): Set<string>
}

/** Replays every migration once; keeps the state only before the migrations asked about. */
export function buildFieldHistory(graph: MigrationGraph, asked: ReadonlySet<MigrationKey>): FieldHistory {
  const order: MigrationKey[] = []
  const seen = new Set<MigrationKey>()
  for (const leaf of leafNodes(graph)) {
    for (const key of forwardsPlan(graph, leaf)) {
      if (!seen.has(key)) {
        seen.add(key)
        order.push(key)
      }
    }
  }
  const snapshots = new Map<MigrationKey, ModelFields>()
  const state: ModelFields = new Map()
  for (const key of order) {
    if (asked.has(key)) snapshots.set(key, cloneState(state))
    const file = graph.nodes.get(key)!.file
    for (const operation of file.operations) applyOperation(state, file.app, operation)
  }
  return {
    before: (key) => snapshots.get(key) ?? new Map(),
    createdIn: (keys) => {
      const created = new Set<string>()
      for (const key of keys) {
        const node = graph.nodes.get(key)
        if (!node) continue
        for (const operation of node.file.operations) {
          const name = operation.type === 'CreateModel' ? stringArgument(operation, 'name') : null
          if (name) created.add(`${node.app}.${name.toLowerCase()}`)
        }
      }
      return created
    }
  }
}

export function cloneState(state: ModelFields): ModelFields {
  return new Map([...state].map(([model, fields]) => [model, new Map(fields)]))
}

/** Replays one operation on `state` (the state side of SeparateDatabaseAndState). */
export function applyOperation(state: ModelFields, app: string, operation: Operation): void {
  if (operation.type === 'SeparateDatabaseAndState') {
    // The state side is what later migrations build on.
    for (const inner of operation.stateOperations ?? []) applyOperation(state, app, inner)
    return
  }
  const model = (name: string | null) => (name ? `${app}.${name.toLowerCase()}` : null)
  switch (operation.type) {
    case 'CreateModel': {
      const key = model(stringArgument(operation, 'name'))
      if (!key) return
      const fields = new Map<string, FieldCall | null>()
      const list = argument(operation, 'fields')
      if (list?.kind === 'list' || list?.kind === 'tuple') {
        for (const item of list.items) {
          if ((item.kind === 'tuple' || item.kind === 'list') && item.items[0]?.kind === 'str') {
            fields.set(item.items[0].value.toLowerCase(), fieldCall(item.items[1]))
          }
        }
      }
      state.set(key, fields)
      return
    }
    case 'DeleteModel': {
      const key = model(stringArgument(operation, 'name'))
      if (key) state.delete(key)
      return
    }
    case 'RenameModel': {
      const from = model(stringArgument(operation, 'old_name'))
      const to = model(stringArgument(operation, 'new_name'))
      if (from && to && state.has(from)) {
        state.set(to, state.get(from)!)
        state.delete(from)
      }
      return
    }
    case 'AddField':
    case 'AlterField': {
      const key = model(stringArgument(operation, 'model_name'))
      const name = stringArgument(operation, 'name')
      if (!key || !name) return
      if (!state.has(key)) state.set(key, new Map())
      state.get(key)!.set(name.toLowerCase(), fieldCall(argument(operation, 'field')))
      return
    }
    case 'RemoveField': {
      const key = model(stringArgument(operation, 'model_name'))
      const name = stringArgument(operation, 'name')
      if (key && name) state.get(key)?.delete(name.toLowerCase())
      return
    }
    case 'RenameField': {
      const key = model(stringArgument(operation, 'model_name'))
      const from = stringArgument(operation, 'old_name')
      const to = stringArgument(operation, 'new_name')
      const fields = key ? state.get(key) : undefined
      if (fields && from && to && fields.has(from.toLowerCase())) {
        fields.set(to.toLowerCase(), fields.get(from.toLowerCase())!)
        fields.delete(from.toLowerCase())
      }
      return
    }
    default:
      return
  }
}
