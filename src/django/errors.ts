// Failures of the user's Python, each naming the input that fixes it.

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
  constructor(kind: BridgeErrorKind, message: string) {
    super(message)
    this.name = 'DjangoBridgeError'
    this.kind = kind
  }
}

export function explainStartError(kind: string, detail: string, python: string): DjangoBridgeError {
  switch (kind) {
    case 'django-missing':
      return new DjangoBridgeError(
        'django-missing',
        `Django is not installed for ${python}: set the python input (--python) to the interpreter of the virtualenv with your project's requirements (${detail})`
      )
    case 'driver-missing':
      return new DjangoBridgeError(
        'driver-missing',
        `${detail}. Install psycopg or psycopg2 in that environment, or set the python input (--python) to one that has it`
      )
    case 'settings':
      return new DjangoBridgeError('settings', `${detail}. Set the settings input (--settings) to your settings module, and any environment variables it needs`)
    default:
      return new DjangoBridgeError('crashed', detail)
  }
}
