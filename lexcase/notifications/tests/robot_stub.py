"""A local stand-in for the chat platforms' incoming webhooks: an http.server on 127.0.0.1
in a thread that records what each request carried and answers as the platform would."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Received:
    path: str  # with its query string
    content_type: str
    body: Any


@dataclass
class Stub:
    base: str
    received: list[Received] = field(default_factory=list)
    # path (without query) -> list of (status, JSON answer), used in turn; the last repeats
    answers: dict[str, list[tuple[int, Any]]] = field(default_factory=dict)

    def of(self, path: str) -> list[Received]:
        return [r for r in self.received if urlsplit(r.path).path == path]


@contextmanager
def robot_stub() -> Iterator[Stub]:
    stub = Stub(base="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            path = urlsplit(self.path).path
            with lock:
                stub.received.append(
                    Received(self.path, self.headers.get("Content-Type", ""), json.loads(raw))
                )
                queue = stub.answers.get(path) or [(200, {"errcode": 0, "errmsg": "ok"})]
                status, answer = queue.pop(0) if len(queue) > 1 else queue[0]
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
