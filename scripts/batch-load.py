#!/usr/bin/env python3
"""Time one batch request against a running `regula serve`: the body is sent on one thread
while the answers are read on another, as a client that streams both ways does.

    scripts/batch-load.py --port 8080 --token TOKEN --policy NAME FILE.jsonl [--as-of DATE]

Prints the decisions per second (answer lines over the wall time from connecting to the
last answer byte), the lines answered, and how many were errors. Loopback only, one
request: a bounded load generator for Docs/service.md.

`curl --data-binary @FILE` is not used for this: it sends a large body and reads a streamed
answer in turns, and on two cores it held a batch at about half the rate this client
measures against the same server.
"""

import argparse
import socket
import sys
import threading
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="JSON Lines: one application per line")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--token", required=True, help="a bearer token with the decide role")
    parser.add_argument("--policy", required=True, help="the policy's name")
    parser.add_argument("--as-of", default=None, help="the as_of query parameter")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before giving up")
    arguments = parser.parse_args()

    with open(arguments.file, "rb") as source:
        body = source.read()
    lines = body.count(b"\n") + (0 if body.endswith(b"\n") or not body else 1)
    path = f"/v1/policies/{arguments.policy}/decisions/batch"
    if arguments.as_of:
        path += f"?as_of={arguments.as_of}"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {arguments.token}\r\n"
        f"Content-Type: application/x-ndjson\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()

    start = time.monotonic()
    connection = socket.create_connection(("127.0.0.1", arguments.port), timeout=arguments.timeout)
    failure: list[BaseException] = []

    def send() -> None:
        try:
            connection.sendall(head)
            connection.sendall(body)
        except OSError as error:  # the server may answer early (an error) and close
            failure.append(error)

    sender = threading.Thread(target=send)
    sender.start()
    received = bytearray()
    buffer = bytearray(8 << 20)
    view = memoryview(buffer)
    while True:
        count = connection.recv_into(view)
        if count == 0:
            break
        received += view[:count]
    elapsed = time.monotonic() - start
    sender.join()
    connection.close()

    header, _, chunked = bytes(received).partition(b"\r\n\r\n")
    status = header.split(b"\r\n", 1)[0].decode(errors="replace")
    if " 200 " not in status + " ":
        print(f"error: the server answered `{status}`", file=sys.stderr)
        return 1
    answers = dechunk(chunked).splitlines()
    errors = sum(1 for answer in answers if answer.startswith(b'{"line":') and b'"error":' in answer)
    rate = len(answers) / elapsed if elapsed > 0 else 0
    print(
        f"{int(rate)} decisions/s: {len(answers)} of {lines} lines answered "
        f"({errors} errors) in {elapsed:.2f} s"
    )
    if failure:
        print(f"warning: sending stopped early: {failure[0]}", file=sys.stderr)
    return 0 if len(answers) == lines else 1


def dechunk(data: bytes) -> bytes:
    """The body of a chunked HTTP/1.1 answer."""
    parts = []
    position = 0
    while True:
        end = data.find(b"\r\n", position)
        if end < 0:
            break
        size = int(data[position:end].split(b";")[0], 16)
        if size == 0:
            break
        parts.append(data[end + 2 : end + 2 + size])
        position = end + 2 + size + 2
    return b"".join(parts)


if __name__ == "__main__":
    sys.exit(main())
