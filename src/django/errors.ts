// Failures of the user's Python, each naming the input that fixes it.
import type { HelperErrorAnswer, HelperErrorKind } from '../model/helper.js'

export type BridgeErrorKind =
  | 'python-missing'
  | 'django-missing'
  | 'driver-missing'
  | 'settings'
  | 'timeout'
  | 'crashed'
  | 'migrate'
  | 'request'

export class DjangoBridgeError extends Error {
  readonly kind: BridgeErrorKind
  /** The helper's own kind of error, for a failed request. */
  readonly helperKind: HelperErrorKind | undefined
  /** The Python exception class, when the helper named one. */
  readonly exception: string | undefined
  /** For a settings import that failed on a missing module: its name. */
  readonly missingModule: string | undefined
  /** What the helper said, before any advice on which input to set. */
  readonly detail: string
  constructor(kind: BridgeErrorKind, message: string, options: { cause?: unknown; answer?: HelperErrorAnswer } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'DjangoBridgeError'
    this.kind = kind
    this.helperKind = options.answer?.kind
    this.exception = options.answer?.exception
    this.missingModule = options.answer?.missing_module
    this.detail = options.answer?.message ?? message
  }
}

/** A request the helper answered with an error. */
export function requestError(method: string, answer: HelperErrorAnswer): DjangoBridgeError {
  return new DjangoBridgeError(answer.kind === 'migrate' ? 'migrate' : 'request', `${method}: ${answer.message}`, { answer })
}

export function explainStartError(answer: HelperErrorAnswer, python: string): DjangoBridgeError {
  const kind = answer.kind
  const detail = answer.message
  switch (kind) {
    case 'django-missing':
      return new DjangoBridgeError(
        'django-missing',
        `Django is not installed for ${python}: set the python input (--python) to the interpreter of the virtualenv with your project's requirements (${detail})`,
        { answer }
      )
    case 'driver-missing':
      return new DjangoBridgeError(
        'driver-missing',
        `${detail}. Install psycopg or psycopg2 in that environment, or set the python input (--python) to one that has it`,
        { answer }
      )
    case 'settings':
      // A package the settings import and the interpreter lacks: the requirements are not installed there.
      if (answer.missing_module) {
        const top = answer.missing_module.split('.')[0]
        return new DjangoBridgeError(
          'settings',
          `${detail}. ${python} has no module '${top}': install the project's requirements into it (e.g. ${python} -m pip install -r requirements.txt), or set the python input (--python) to the virtualenv that has them`,
          { answer }
        )
      }
      return new DjangoBridgeError('settings', `${detail}. Set the settings input (--settings) to your settings module, and any environment variables it needs`, { answer })
    default:
      return new DjangoBridgeError('crashed', detail, { answer })
  }
}
