// Text from a repository made safe for a terminal or a log: control
// characters (escape sequences included) shown as `\xNN`, so a file name
// (a newline too) cannot move the cursor, clear the screen or start a line of
// its own.
export function visible(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`)
}
