// The database URL's password never leaves the run: not in a log line, the
// report (and so the comment, the summary, SARIF), or an error. The code
// never puts it in a message on purpose (describeEndpoint, redactUrl); this is
// the net under that: whatever the project's code or a tool prints (a seed
// command echoing DATABASE_URL, a driver's error) has it replaced by `***`.
import type { Logger } from '../lifecycle/logger.js'
import type { Options } from '../model/options.js'

export const MASK = '***'

/** The secrets of a run's options: the database URL's password (as written, and decoded). */
export function secretsOf(options: Pick<Options, 'databaseUrl'>): string[] {
  if (!options.databaseUrl) return []
  // Parsed here, not with postgres/url.ts: the static path does not load the database code.
  const found = new Set<string>()
  const add = (raw: string | undefined): void => {
    if (!raw) return
    found.add(raw)
    try {
      found.add(decodeURIComponent(raw))
    } catch {
      // not percent-encoded
    }
  }
  add(/^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:([^@]*)@/i.exec(options.databaseUrl)?.[1])
  add(/[?&]password=([^&]*)/i.exec(options.databaseUrl)?.[1])
  // Very short secrets would mask ordinary words; they are still kept out of our own messages.
  return [...found].filter((secret) => secret.length >= 3).sort((a, b) => b.length - a.length)
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(MASK)
  return out
}

/** A logger that masks the secrets in every message. */
export function redactingLogger(logger: Logger, secrets: readonly string[]): Logger {
  if (secrets.length === 0) return logger
  const mask = (message: string): string => redact(message, secrets)
  return {
    info: (message) => logger.info(mask(message)),
    warning: (message) => logger.warning(mask(message)),
    debug: (message) => logger.debug(mask(message)),
    ...(logger.group ? { group: <T>(title: string, work: () => Promise<T>) => logger.group!(mask(title), work) } : {})
  }
}

/** Every string in a plain value (the report) with the secrets masked, in place; returns the value. */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value
  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') return redact(node, secrets)
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) node[i] = visit(node[i])
      return node
    }
    if (node !== null && typeof node === 'object' && !(node instanceof Map) && !(node instanceof Set)) {
      for (const key of Object.keys(node)) (node as Record<string, unknown>)[key] = visit((node as Record<string, unknown>)[key])
    }
    return node
  }
  return visit(value) as T
}

/** An error whose message (and its causes' messages) no longer hold the secrets; the same object. */
export function redactError(error: unknown, secrets: readonly string[]): unknown {
  let current: unknown = error
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    current.message = redact(current.message, secrets)
    if (current.stack) current.stack = redact(current.stack, secrets)
    current = current.cause
  }
  return error
}
