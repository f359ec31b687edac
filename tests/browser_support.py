"""Shared helpers for browser tests: Debian chromium, a live uvicorn server, axe.

Import as ``browser_support`` (``tests`` must be on ``pythonpath``). Browsers are never
downloaded: tests use the system ``/usr/bin/chromium`` and skip when it is missing.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import pytest
import uvicorn
from starlette.types import ASGIApp

CHROMIUM_PATH: Final = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
#: Headless in a container, and quiet: no sync, update or other background network traffic.
CHROMIUM_ARGS: Final = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
#: WCAG 2.1 A and AA rules only (the legal bar via EN 301 549).
AXE_OPTIONS: Final[dict[str, Any]] = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
}
ARTIFACTS: Final = Path(__file__).resolve().parent.parent / "test-artifacts"


def require_chromium() -> str:
    """The chromium path; a missing browser fails the test (scripts/test installs it)."""
    if not os.access(CHROMIUM_PATH, os.X_OK):
        pytest.fail(f"no chromium at {CHROMIUM_PATH}: install Debian's chromium (scripts/test)")
    return CHROMIUM_PATH


def launch_kwargs() -> dict[str, Any]:
    """Keyword arguments for ``playwright.chromium.launch``."""
    return {"executable_path": require_chromium(), "args": list(CHROMIUM_ARGS)}


def artifact_path(name: str) -> Path:
    """A path under the git-ignored ``test-artifacts/`` for screenshots and reports."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


@contextmanager
def serve_app(app: ASGIApp, *, startup_timeout: float = 10.0) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free 127.0.0.1 port in a thread; yields the base URL.

    The socket is bound here (port 0) and handed to uvicorn, so there is no race between
    picking a port and listening on it. The server is asked to stop and joined on exit.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="uvicorn-test", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
