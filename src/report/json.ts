// The JSON report as written to files and stdout: stable key order, two-space indent.
import type { Report } from '../model/report.js'

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`
}
