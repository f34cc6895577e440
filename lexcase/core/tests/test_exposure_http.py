"""T21 probes over real HTTP: gunicorn with production settings, requests written by hand.

The test client (test_request_guard.py) hands Django the path as given; here the bytes go
through gunicorn's parser and WhiteNoise as they would from an attacker's socket, with no
client-side normalisation of `..` or `%2e%2e`.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def raw_request(port: int, method: str, path: str) -> str:
    """The status line of one HTTP/1.1 request sent byte for byte."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        data = b""
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.split(b"\r\n", 1)[0].decode("latin-1")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    var = tmp_path_factory.mktemp("probe-var")
    port = free_port()
    env = {
        **os.environ,
        "LEXCASE_DEBUG": "0",
        "LEXCASE_SECRET_KEY": secrets.token_urlsafe(50),
        "LEXCASE_ALLOWED_HOSTS": "127.0.0.1",
        "LEXCASE_AUDIT_KEY": secrets.token_urlsafe(40),
        "LEXCASE_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "lexcase.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(process.stderr.read().decode()[-2000:]) from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.parametrize(
    "path",
    [
        "/.git/HEAD",
        "/.git/config",
        "/.env",
        "/static/../lexcase/settings.py",
        "/static/../../lexcase/settings.py",
        "/static/%2e%2e/lexcase/settings.py",
        "/static/%2E%2E/%2E%2E/pyproject.toml",
        "/static/..%2flexcase/settings.py",
        "/static/..%5clexcase/settings.py",
        "/static/lexcase/../../settings.py",
        "/static/%252e%252e/lexcase/settings.py",
        "/static/....//settings.py",
        "/../lexcase/settings.py",
        "/api/schema",
        "/__debug__/",
    ],
)
def test_probes_over_http_are_404(server, path):
    assert raw_request(server, "GET", path).split(" ")[1] == "404", path


@pytest.mark.parametrize("method", ["TRACE", "TRACK"])
@pytest.mark.parametrize("path", ["/", "/static/lexcase/app.css"])
def test_trace_over_http_is_405(server, method, path):
    assert raw_request(server, method, path).split(" ")[1] == "405"


def test_a_static_file_is_still_served(server):
    assert raw_request(server, "GET", "/static/lexcase/app.css").split(" ")[1] == "200"
