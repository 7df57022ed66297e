"""`tracktwo serve` as a real process on a free port, for tests that need real servers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["free_port", "serving"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(env: dict[str, str], log: Path, *, port: int | None = None) -> Iterator[str]:
    """A server process with these ``TRACKTWO_*`` settings; yields its URL, stops it after."""
    port = port or free_port()
    full = {**os.environ, "OPENBLAS_NUM_THREADS": "1", **env}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tracktwo", "serve", "--port", str(port)],
            env=full,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # generous: importing the app is slow on a busy machine
    try:
        while True:
            try:
                with urllib.request.urlopen(url + "/health", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start:\n" + log.read_text()) from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
