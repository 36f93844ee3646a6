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
  /** The line number to report for each line, when the text is an excerpt of a longer one. */
  private readonly numbers: readonly number[] | null
  readonly length: number

  /**
   * `text` must use `\n` line endings (the parser normalises `\r\n` and `\r`
   * first). `lineNumbers[i]` is the number to report for the text's line
   * `i + 1`, for a text made by leaving whole lines out of another.
   */
  constructor(text: string, lineNumbers?: readonly number[]) {
    this.numbers = lineNumbers ?? null
    const starts = [0]
    let at = text.indexOf('\n')
    while (at !== -1) {
      starts.push(at + 1)
      at = text.indexOf('\n', at + 1)
    }
    this.starts = starts
    this.length = text.length
  }

  /** 1-based line holding `offset`; a newline belongs to the line it ends. */
  line(offset: number): number {
    return this.reported(this.lineIndex(offset))
  }

  position(offset: number): SourcePosition {
    const index = this.lineIndex(offset)
    return { line: this.reported(index), column: offset - this.starts[index] + 1 }
  }

  private reported(index: number): number {
    const numbers = this.numbers
    if (!numbers || numbers.length === 0) return index + 1
    // Past the mapped lines (the empty line after a final newline): count on from the last one.
    return index < numbers.length ? numbers[index] : numbers[numbers.length - 1] + index - numbers.length + 1
  }

  private lineIndex(offset: number): number {
    const starts = this.starts
    let low = 0
    let high = starts.length - 1
    while (low < high) {
      const middle = (low + high + 1) >> 1
      if (starts[middle] <= offset) low = middle
      else high = middle - 1
    }
    return low
  }
}
