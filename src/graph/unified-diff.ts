// A git-style patch (`git apply` reads it) for whole files whose new text is
// known: renames and content changes, with three lines of context.

export interface FileEdit {
  oldPath: string
  newPath: string
  oldText: string
  newText: string
}

const CONTEXT = 3

export function gitPatch(edits: readonly FileEdit[]): string {
  return edits.map(fileDiff).join('')
}

function fileDiff(edit: FileEdit): string {
  const oldLines = splitLines(edit.oldText)
  const newLines = splitLines(edit.newText)
  const ops = lineOps(oldLines, newLines)
  const same = ops.filter((op) => op.kind === 'same').length
  const similarity = Math.floor((100 * same) / Math.max(oldLines.length, newLines.length, 1))
  let out = `diff --git a/${edit.oldPath} b/${edit.newPath}\n`
  if (edit.oldPath !== edit.newPath) {
    out += `similarity index ${similarity}%\nrename from ${edit.oldPath}\nrename to ${edit.newPath}\n`
  }
  const hunks = buildHunks(ops, !edit.oldText.endsWith('\n') && edit.oldText !== '', !edit.newText.endsWith('\n') && edit.newText !== '')
  if (hunks.length === 0) return out
  out += `--- a/${edit.oldPath}\n+++ b/${edit.newPath}\n`
  for (const hunk of hunks) out += hunk
  return out
}

/** Lines with their terminators removed; a final newline does not make an empty last line. */
function splitLines(text: string): string[] {
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  return lines
}

type LineOp = { kind: 'same' | 'del' | 'add'; text: string }

/** Longest-common-subsequence diff; migration files are small enough for O(n·m). */
function lineOps(a: string[], b: string[]): LineOp[] {
  // Trim the common head and tail first: edits touch a few lines.
  let head = 0
  while (head < a.length && head < b.length && a[head] === b[head]) head++
  let tail = 0
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++
  const midA = a.slice(head, a.length - tail)
  const midB = b.slice(head, b.length - tail)
  const n = midA.length
  const m = midB.length
  const table: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1))
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i]![j] = midA[i] === midB[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!)
    }
  }
  const ops: LineOp[] = a.slice(0, head).map((text) => ({ kind: 'same', text }))
  let i = 0
  let j = 0
  while (i < n || j < m) {
    if (i < n && j < m && midA[i] === midB[j]) {
      ops.push({ kind: 'same', text: midA[i]! })
      i++
      j++
    } else if (i < n && (j === m || table[i + 1]![j]! >= table[i]![j + 1]!)) {
      // Removals before additions, as diff(1) prints them.
      ops.push({ kind: 'del', text: midA[i++]! })
    } else {
      ops.push({ kind: 'add', text: midB[j++]! })
    }
  }
  for (const text of a.slice(a.length - tail)) ops.push({ kind: 'same', text })
  return ops
}

function buildHunks(ops: LineOp[], oldNoEol: boolean, newNoEol: boolean): string[] {
  const lastOld = ops.map((op) => op.kind !== 'add').lastIndexOf(true)
  const lastNew = ops.map((op) => op.kind !== 'del').lastIndexOf(true)
  const NO_EOL = '\\ No newline at end of file\n'
  const changed = ops.map((op, index) => (op.kind === 'same' ? -1 : index)).filter((index) => index >= 0)
  if (changed.length === 0) return []
  // Group changes whose contexts touch into one hunk.
  const groups: Array<[number, number]> = []
  for (const index of changed) {
    const last = groups[groups.length - 1]
    if (last && index - last[1] <= 2 * CONTEXT) last[1] = index
    else groups.push([index, index])
  }
  const hunks: string[] = []
  for (const [first, last] of groups) {
    const start = Math.max(0, first - CONTEXT)
    const end = Math.min(ops.length - 1, last + CONTEXT)
    let oldStart = 1
    let newStart = 1
    for (let k = 0; k < start; k++) {
      if (ops[k]!.kind !== 'add') oldStart++
      if (ops[k]!.kind !== 'del') newStart++
    }
    let oldCount = 0
    let newCount = 0
    let body = ''
    for (let k = start; k <= end; k++) {
      const op = ops[k]!
      if (op.kind !== 'add') oldCount++
      if (op.kind !== 'del') newCount++
      body += `${op.kind === 'same' ? ' ' : op.kind === 'del' ? '-' : '+'}${op.text}\n`
      if ((oldNoEol && k === lastOld && op.kind !== 'add') || (newNoEol && k === lastNew && op.kind === 'add')) body += NO_EOL
    }
    // An empty side's start is the line before it, as diff(1) writes it.
    const oldLabel = oldCount === 0 ? oldStart - 1 : oldStart
    const newLabel = newCount === 0 ? newStart - 1 : newStart
    hunks.push(`@@ -${oldLabel},${oldCount} +${newLabel},${newCount} @@\n${body}`)
  }
  return hunks
}
