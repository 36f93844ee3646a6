"""JSON lines over stdin and a private duplicate of stdout."""
import json
import os
import sys

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "protocol.json"), encoding="utf-8") as _file:
    PROTOCOL = json.load(_file)


class Channel:
    def __init__(self):
        # Keep the real stdout for answers; point fd 1 (and sys.stdout) at
        # stderr, so print() in settings, models or RunPython cannot corrupt it.
        fd = os.dup(1)
        os.dup2(2, 1)
        sys.stdout = sys.stderr
        self._out = os.fdopen(fd, "w", encoding="utf-8", buffering=1)
        self._in = sys.stdin

    def requests(self):
        for line in self._in:
            line = line.strip()
            if line:
                yield json.loads(line)

    def send(self, message):
        # One write per message: many small writes into a pipe are slow.
        self._out.write(json.dumps(message, default=str) + "\n")
        self._out.flush()
