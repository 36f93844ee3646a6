/** The report's JSON Schema, generated from src/model/report.ts. */
export function generateSchema(): Record<string, unknown>
