// What Django's own loader says about the code, asked without a database:
// which migrations exist (compared with what the static review found), and
// which model changes no migration covers.
import type { MissingMigrationChange } from './helper.js'
import type { MigrationFile } from './migration.js'
import type { GraphProblemReport } from './report.js'

export interface DjangoView {
  /** ran: Django answered; skipped: no Python was asked (static only); failed: the project's Python could not answer (`reason`). */
  status: 'ran' | 'skipped' | 'failed'
  reason?: string
  djangoVersion?: string
  /** Migrations the PR adds that only Django's loader found, read from the source it imported. */
  hidden: MigrationFile[]
  /** Where Django's view and the static review's differ. */
  problems: GraphProblemReport[]
  /** Model changes no migration covers, per app; null when not asked (`missingMigrationsReason`). */
  missingMigrations: MissingMigrationChange[] | null
  missingMigrationsReason?: string
}
