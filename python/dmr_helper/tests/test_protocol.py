"""JSON lines framing, seen from outside the process as the bridge sees it."""
import json
import os
import subprocess
import sys
import unittest

HELPER_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ECHO = """
import decimal
from dmr_helper.protocol import Channel

channel = Channel()
print("user code printing to stdout")
for request in channel.requests():
    if request.get("method") == "shutdown":
        break
    channel.send({"id": request["id"], "result": {"echo": request.get("params"), "amount": decimal.Decimal("1.50")}})
print("after the loop")
"""


class ChannelTest(unittest.TestCase):
    def run_echo(self, stdin):
        env = dict(os.environ, PYTHONPATH=HELPER_ROOT, PYTHONDONTWRITEBYTECODE="1")
        return subprocess.run([sys.executable, "-c", ECHO], input=stdin, capture_output=True, env=env, timeout=60, encoding="utf-8")

    def test_one_answer_per_line_and_prints_go_to_stderr(self):
        big = "é" * 100000
        requests = [
            {"id": 1, "method": "echo", "params": {"text": "naïve ✓"}},
            {"id": 2, "method": "echo", "params": {"text": big}},
            {"id": 3, "method": "shutdown"},
        ]
        stdin = "\n".join(json.dumps(r) for r in requests[:1]) + "\n\n   \n" + "\n".join(json.dumps(r) for r in requests[1:]) + "\n"
        done = self.run_echo(stdin)
        self.assertEqual(done.returncode, 0, done.stderr)
        lines = done.stdout.split("\n")
        self.assertEqual(lines[-1], "", "the last answer ends with a newline")
        answers = [json.loads(line) for line in lines[:-1]]
        self.assertEqual([answer["id"] for answer in answers], [1, 2])
        self.assertEqual(answers[0]["result"], {"echo": {"text": "naïve ✓"}, "amount": "1.50"})
        self.assertEqual(answers[1]["result"]["echo"]["text"], big)
        self.assertIn("user code printing to stdout", done.stderr)
        self.assertIn("after the loop", done.stderr)

    def test_end_of_input_ends_the_loop(self):
        done = self.run_echo('{"id": 7, "method": "echo"}\n')
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(json.loads(done.stdout), {"id": 7, "result": {"echo": None, "amount": "1.50"}})


if __name__ == "__main__":
    unittest.main()
