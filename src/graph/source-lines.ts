// Offsets in a source text → 1-based line and column. The line starts are
// computed once per file so that each look-up is a binary search: parsing a
// large repository asks for thousands of positions per file.

export interface SourcePosition {
  line: number
  column: number
}

export class LineIndex {
  /** Offset at which each line starts; `starts[0]` is 0. */
  private readonly starts: number[]
  readonly length: number

  /** `text` must use `\n` line endings (the parser normalises `\r\n` and `\r` first). */
  constructor(text: string) {
    const starts = [0]
    let at = text.indexOf('\n')
    while (at !== -1) {
      starts.push(at + 1)
      at = text.indexOf('\n', at + 1)
    }
    this.starts = starts
    this.length = text.length
  }

  get lineCount(): number {
    return this.starts.length
  }

  /** 1-based line holding `offset`; a newline belongs to the line it ends. */
  line(offset: number): number {
    const starts = this.starts
    let low = 0
    let high = starts.length - 1
    while (low < high) {
      const middle = (low + high + 1) >> 1
      if (starts[middle] <= offset) low = middle
      else high = middle - 1
    }
    return low + 1
  }

  /** Offset of the first character of a 1-based line. */
  lineStart(line: number): number {
    return this.starts[Math.min(Math.max(line, 1), this.starts.length) - 1]
  }

  position(offset: number): SourcePosition {
    const line = this.line(offset)
    return { line, column: offset - this.lineStart(line) + 1 }
  }
}
