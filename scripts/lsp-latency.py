#!/usr/bin/env python3
"""How long `regula lsp` takes from a change to its diagnostics, on a generated policy.

    scripts/lsp-latency.py [REGULA] [--lines N] [--changes K]

Generates a policy of about N lines (default 1,000: parameters, rules and decisions that cite
their articles and depend on each other), opens it in a real `regula lsp`, then sends K full-text
changes (default 40) that alternately break and fix one name, and prints the median and the
90th percentile of the time from each `didChange` written to its `publishDiagnostics` read.
REGULA defaults to .build/release/regula.
"""
import json
import statistics
import subprocess
import sys
import time


def policy(lines):
    out = [
        'policy latency_demo "Latency demo"',
        "  level national",
        '  source demo "Demo rules" version "1"',
        "  from 2024-01-01",
        "",
        "input application {",
        "  age: Int in 0 to 150",
        "  income: Int in 0 to 100000000",
        "}",
        "",
    ]
    index = 0
    while len(out) < lines:
        previous = f"level_{index - 1}" if index > 0 else "application.income"
        out += [
            f'parameter rate_{index}: Int cite demo "Art. {index}.1" = {index % 97 + 1}',
            f'rule level_{index}: Int cite demo "Art. {index}.2" =',
            f"  if application.age >= {index % 90} then {previous} + rate_{index} else {previous}",
            f'decision check_{index}: Bool cite demo "Art. {index}.3" = level_{index} > rate_{index}',
            "",
        ]
        index += 1
    return "\n".join(out) + "\n"


class Server:
    def __init__(self, binary):
        self.process = subprocess.Popen(
            [binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )

    def send(self, message):
        message["jsonrpc"] = "2.0"
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def read(self):
        length = None
        while True:
            line = self.process.stdout.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(self.process.stdout.read(length))

    def diagnostics(self, uri):
        while True:
            message = self.read()
            if message.get("method") == "textDocument/publishDiagnostics" and (
                message["params"]["uri"] == uri
            ):
                return message["params"]["diagnostics"]


def main():
    arguments = sys.argv[1:]
    binary = ".build/release/regula"
    lines, changes = 1000, 40
    while arguments:
        argument = arguments.pop(0)
        if argument == "--lines":
            lines = int(arguments.pop(0))
        elif argument == "--changes":
            changes = int(arguments.pop(0))
        else:
            binary = argument
    text = policy(lines)
    uri = "file:///tmp/regula-latency-demo.regula"
    server = Server(binary)
    server.send({"id": 1, "method": "initialize", "params": {"capabilities": {}}})
    server.read()
    server.send({"method": "initialized", "params": {}})
    server.send(
        {
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {"uri": uri, "languageId": "regula", "version": 1, "text": text}
            },
        }
    )
    opened = server.diagnostics(uri)
    assert opened == [], opened
    broken = text.replace("level_7 + rate_8", "level_7 + rate_x", 1)
    assert broken != text
    times = []
    for version in range(2, changes + 2):
        changed = broken if version % 2 == 0 else text
        start = time.perf_counter()
        server.send(
            {
                "method": "textDocument/didChange",
                "params": {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [{"text": changed}],
                },
            }
        )
        found = server.diagnostics(uri)
        times.append((time.perf_counter() - start) * 1000)
        assert (len(found) > 0) == (changed is broken), found
    server.send({"id": 2, "method": "shutdown"})
    server.read()
    server.send({"method": "exit"})
    server.process.wait()
    times.sort()
    print(
        f"{text.count(chr(10))} lines, {changes} changes: median {statistics.median(times):.1f} ms, "
        f"p90 {times[int(len(times) * 0.9) - 1]:.1f} ms, max {times[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
