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

    # Lines counted before the clock starts; the body is sent from the file (sendfile: no copy
    # through this process) and the answers are counted as they arrive, never kept, so that
    # the client takes as little of the machine's CPU as it can: it shares it with the server.
    lines = 0
    size = 0
    last = b"\n"
    with open(arguments.file, "rb") as source:
        while block := source.read(1 << 20):
            lines += block.count(b"\n")
            size += len(block)
            last = block[-1:]
    if size and last != b"\n":
        lines += 1
    path = f"/v1/policies/{arguments.policy}/decisions/batch"
    if arguments.as_of:
        path += f"?as_of={arguments.as_of}"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {arguments.token}\r\n"
        f"Content-Type: application/x-ndjson\r\nContent-Length: {size}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()

    cpu = time.process_time()
    start = time.monotonic()
    connection = socket.create_connection(("127.0.0.1", arguments.port), timeout=arguments.timeout)
    failure: list[BaseException] = []

    def send() -> None:
        try:
            connection.sendall(head)
            with open(arguments.file, "rb") as body:
                connection.sendfile(body)
        except OSError as error:  # the server may answer early (an error) and close
            failure.append(error)

    sender = threading.Thread(target=send)
    sender.start()
    answers = Answers()
    buffer = bytearray(4 << 20)
    while True:
        count = connection.recv_into(buffer)
        if count == 0:
            break
        answers.feed(buffer, count)
    elapsed = time.monotonic() - start
    sender.join()
    cpu = time.process_time() - cpu
    connection.close()

    if answers.status is None or " 200 " not in answers.status + " ":
        print(f"error: the server answered `{answers.status}`", file=sys.stderr)
        return 1
    if not answers.complete:
        print("error: the answer ended before its last chunk", file=sys.stderr)
        return 1
    rate = answers.lines / elapsed if elapsed > 0 else 0
    print(
        f"{int(rate)} decisions/s: {answers.lines} of {lines} lines answered "
        f"({answers.errors} errors) in {elapsed:.2f} s (client CPU {cpu:.2f} s)"
    )
    if failure:
        print(f"warning: sending stopped early: {failure[0]}", file=sys.stderr)
    return 0 if answers.lines == lines else 1


class Answers:
    """A chunked HTTP/1.1 answer, read as it arrives: its status line, and the answer lines
    and error answers in its body, counted in place (`bytearray.count` with bounds: no copy
    of the body is made or kept)."""

    ERROR = b'"error":'

    def __init__(self) -> None:
        self.status: str | None = None
        self.lines = 0
        self.errors = 0
        self.complete = False
        self.header = b""  # the header until its blank line
        self.size_line = b""  # a chunk-size line split between reads
        self.in_header = True
        self.payload = 0  # payload bytes left in the current chunk
        self.crlf = 0  # bytes of the CRLF after the current chunk's payload left to skip
        self.tail = b""  # the payload's last bytes, for an error key split between reads

    def feed(self, buffer: bytearray, size: int) -> None:
        position = 0
        while position < size and not self.complete:
            if self.in_header:
                self.header += bytes(buffer[position:size])
                end = self.header.find(b"\r\n\r\n")
                if end < 0:
                    return
                self.status = self.header.split(b"\r\n", 1)[0].decode(errors="replace")
                rest = bytearray(self.header[end + 4 :])
                self.in_header = False
                if " 200 " not in self.status + " ":
                    return  # a refusal: its body is not chunked answers
                self.feed(rest, len(rest))
                return
            if self.payload > 0:
                end = min(size, position + self.payload)
                self.count(buffer, position, end)
                self.payload -= end - position
                position = end
                continue
            if self.crlf > 0:
                skipped = min(self.crlf, size - position)
                self.crlf -= skipped
                position += skipped
                continue
            end = buffer.find(b"\n", position, size)
            if end < 0:
                self.size_line += bytes(buffer[position:size])
                return
            line = self.size_line + bytes(buffer[position:end])
            self.size_line = b""
            position = end + 1
            length = int(line.strip().split(b";")[0], 16)
            if length == 0:
                self.complete = True
            self.payload = length
            self.crlf = 2

    def count(self, buffer: bytearray, start: int, end: int) -> None:
        self.lines += buffer.count(b"\n", start, end)
        self.errors += buffer.count(self.ERROR, start, end)
        # An error key split between two reads: found in the seven bytes before and after.
        keep = len(self.ERROR) - 1
        self.errors += (self.tail + bytes(buffer[start : min(end, start + keep)])).count(self.ERROR)
        self.tail = (self.tail + bytes(buffer[max(start, end - keep) : end]))[-keep:]


if __name__ == "__main__":
    sys.exit(main())
