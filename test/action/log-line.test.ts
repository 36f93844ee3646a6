// Log lines built from the repository's text cannot start a workflow command
// or move the terminal's cursor.
import { describe, expect, it } from 'vitest'
import { logLine } from '../../src/main.js'

describe('a log line from the repository', () => {
  it('cannot start a workflow command, even after a newline in a folder name', () => {
    const line = logLine("conflicting leaves in 'shop\n::error title=pwned::owned' and\n  ::set-output name=verdict::safe")
    expect(line.split('\n').some((part) => /^\s*::/.test(part))).toBe(false)
    expect(line).toContain(':\u200b:error title=pwned::owned')
  })

  it('keeps control characters visible, not live', () => {
    expect(logLine('0005_\u001b[2Jtitle')).toBe('0005_\\x1b[2Jtitle')
  })
})
