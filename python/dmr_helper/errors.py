"""Exceptions as plain data: class, message, SQLSTATE of the database error."""


def sqlstate_of(error):
    for candidate in (error, getattr(error, "__cause__", None)):
        if candidate is None:
            continue
        code = getattr(candidate, "pgcode", None) or getattr(candidate, "sqlstate", None)
        if code:
            return code
        diag = getattr(candidate, "diag", None)
        if diag is not None and getattr(diag, "sqlstate", None):
            return diag.sqlstate
    return None


def describe(error, statement=None, operation_index=None):
    try:
        message = str(error).strip()
    except Exception:  # noqa: BLE001 - an exception whose __str__ fails still has a class
        message = ""
    message = message or type(error).__name__
    # psycopg appends a context block after the first line; the first lines carry the meaning.
    message = "\n".join(line for line in message.splitlines() if line.strip())[:2000]
    return {
        "exception": type(error).__name__,
        "message": message,
        "sqlstate": sqlstate_of(error),
        "statement": statement,
        "operationIndex": operation_index,
    }


class HelperError(Exception):
    """An error the user can act on; `kind` (one of protocol.json's errorKinds)
    tells the bridge which input to name; `details` carry what it needs to say so."""

    def __init__(self, kind, message, **details):
        super().__init__(message)
        from .protocol import PROTOCOL

        if kind not in PROTOCOL["errorKinds"]:
            raise ValueError("unknown error kind %r (add it to protocol.json)" % kind)
        self.kind = kind
        self.details = {key: value for key, value in details.items() if value is not None}

    def as_message(self):
        return dict(self.details, kind=self.kind, message=str(self))
