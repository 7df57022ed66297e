"""Browser tests: the real server in a subprocess, driven through Debian's Chromium.

Every test that takes ``page`` runs twice, with JavaScript on and off, because every core
action must work as a plain HTML form.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.harness.components import component_missing
from tracktwo.kernel.config import Settings
from tracktwo.store.migrate import upgrade
from tracktwo.store.platform import Platform

CHROMIUM = os.environ.get("TRACKTWO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # required when the tests run as root, as in CI
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",  # the machine's network is closed; do not try
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class LiveServer:
    url: str
    platform: Platform
    process: subprocess.Popen[bytes]
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """`tracktwo serve` on a free port with its own SQLite database."""
    port = _free_port()
    env = {
        **os.environ,
        "TRACKTWO_DATA_DIR": str(tmp_path),
        "TRACKTWO_BASE_URL": f"http://127.0.0.1:{port}",
        "TRACKTWO_ANALYSIS_DELAY_SECONDS": "0.2",
    }
    env.pop("TRACKTWO_DATABASE_URL", None)
    platform = Platform(Settings(data_dir=tmp_path, base_url=f"http://127.0.0.1:{port}"))
    upgrade(platform.database)
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tracktwo", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # generous: importing the app is slow on a busy machine
    while True:
        try:
            with urllib.request.urlopen(url + "/health", timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the server did not start:\n" + log.read_text()) from None
            time.sleep(0.1)
    yield LiveServer(url=url, platform=platform, process=process, log=log)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    platform.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        component_missing(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        component_missing("playwright is not installed (pip install 'tracktwo[dev]')")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def page(browser, request: pytest.FixtureRequest) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=request.param, locale="en-GB")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A small, slow-ish phone screen with JavaScript on."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="en-GB"
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()
