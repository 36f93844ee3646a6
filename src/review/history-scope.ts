// Which unchanged migration files of the PR's apps must be read in full. The
// rules ask the field history only about the models and fields the PR's
// migrations name (an AlterField's previous definition, a RenameField's old
// field); a file that names none of them cannot change those answers, so
// only its header (what the graph needs) is read. On an app with a long
// history that is most of its files: parsing is the static review's largest
// cost. Renames widen the scope: the history of a renamed model or field is
// under its old name.
import { OPAQUE_OPERATIONS, operationModel, stringArgument } from '../graph/operation-args.js'
import type { MigrationFile, Operation } from '../model/migration.js'

const FIELD_OPERATIONS = new Set(['AddField', 'RemoveField', 'AlterField', 'RenameField'])

export class HistoryScope {
  /** Apps whose every file is read in full (an operation the scope cannot read). */
  private readonly wholeApps = new Set<string>()
  /** `app.model` (lowercase) → the fields asked about, or every field. */
  private readonly models = new Map<string, Set<string> | 'all'>()

  /** The scope of the files the PR (or main) changed in the PR's apps. */
  static of(files: readonly MigrationFile[]): HistoryScope {
    const scope = new HistoryScope()
    for (const file of files) {
      if (file.dynamic.some((part) => part.attribute === 'operations')) scope.wholeApps.add(file.app)
      for (const operation of file.operations) scope.add(file.app, operation)
    }
    return scope
  }

  private add(app: string, operation: Operation): void {
    if (operation.type === '<dynamic>' || operation.index < 0) {
      this.wholeApps.add(app)
      return
    }
    if (operation.type === 'SeparateDatabaseAndState') {
      for (const inner of [...(operation.databaseOperations ?? []), ...(operation.stateOperations ?? [])]) this.add(app, inner)
      return
    }
    if (OPAQUE_OPERATIONS.has(operation.type)) return
    const model = operationModel(operation)
    if (model === null) {
      // An operation on a model whose name cannot be read: no narrowing for this app.
      if (stringArgument(operation, 'model_name') === null && FIELD_OPERATIONS.has(operation.type)) this.wholeApps.add(app)
      return
    }
    if (!FIELD_OPERATIONS.has(operation.type)) {
      this.models.set(`${app}.${model}`, 'all')
      if (operation.type === 'RenameModel') {
        const renamed = stringArgument(operation, 'new_name')?.toLowerCase()
        if (renamed) this.models.set(`${app}.${renamed}`, 'all')
      }
      return
    }
    for (const argument of ['name', 'old_name', 'new_name']) {
      const field = stringArgument(operation, argument)?.toLowerCase()
      if (field === undefined) continue
      const fields = this.models.get(`${app}.${model}`)
      if (fields === 'all') continue
      if (fields === undefined) this.models.set(`${app}.${model}`, new Set([field]))
      else fields.add(field)
    }
  }

  /** Whether a file of `app` may change what the rules ask about: it names a model in scope and one of its fields. */
  mentions(app: string, source: string): boolean {
    if (this.wholeApps.has(app)) return true
    let lower: string | null = null
    for (const [model, fields] of this.models) {
      if (!model.startsWith(`${app}.`)) continue
      lower ??= source.toLowerCase()
      if (!lower.includes(model.slice(app.length + 1))) continue
      if (fields === 'all') return true
      for (const field of fields) if (lower.includes(`"${field}"`) || lower.includes(`'${field}'`)) return true
    }
    return false
  }

  /**
   * Widens the scope with the old names of models and fields in scope that
   * these files rename; true when it grew (the files then read must be read again).
   */
  widen(files: readonly MigrationFile[]): boolean {
    let grew = false
    const visit = (app: string, operation: Operation): void => {
      if (operation.type === 'SeparateDatabaseAndState') {
        for (const inner of [...(operation.databaseOperations ?? []), ...(operation.stateOperations ?? [])]) visit(app, inner)
        return
      }
      if (operation.type === 'RenameModel') {
        const [from, to] = [stringArgument(operation, 'old_name')?.toLowerCase(), stringArgument(operation, 'new_name')?.toLowerCase()]
        const scoped = to ? this.models.get(`${app}.${to}`) : undefined
        if (from && scoped !== undefined && this.models.get(`${app}.${from}`) !== 'all') {
          this.models.set(`${app}.${from}`, 'all')
          grew = true
        }
      }
      if (operation.type === 'RenameField') {
        const model = operationModel(operation)
        const [from, to] = [stringArgument(operation, 'old_name')?.toLowerCase(), stringArgument(operation, 'new_name')?.toLowerCase()]
        const fields = model ? this.models.get(`${app}.${model}`) : undefined
        if (from && to && fields instanceof Set && fields.has(to) && !fields.has(from)) {
          fields.add(from)
          grew = true
        }
      }
    }
    for (const file of files) for (const operation of file.operations) visit(file.app, operation)
    return grew
  }
}
