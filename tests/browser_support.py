"""Shared helpers for browser tests: Debian chromium, a live uvicorn server, the demo broker
served on it, axe.

Import as ``browser_support`` (``tests`` must be on ``pythonpath``); the ``chromium`` fixture
reaches every test through ``tests/conftest.py``. Browsers are never downloaded: tests use the
system ``/usr/bin/chromium`` and fail when it is missing.
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
from urllib.parse import urlsplit

import pytest
import uvicorn
from broker_harness import make_config
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from broker.app import create_app
from broker.store import MemoryStore

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
#: The broker's own pages: WCAG 2.1 A and AA rules only (the legal bar via EN 301 549).
AXE_OPTIONS: Final[dict[str, Any]] = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
}
#: The portal promises WCAG 2.2 AA (its accessibility statement): axe runs every A/AA rule up
#: to 2.2, not only the 2.1 set the broker's own pages are held to.
PORTAL_AXE_OPTIONS: Final[dict[str, Any]] = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    }
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


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """One headless chromium for a test module; fails when ``/usr/bin/chromium`` is missing."""
    kwargs = launch_kwargs()
    with sync_playwright() as p:
        browser = p.chromium.launch(**kwargs)
        yield browser
        browser.close()


def dutch_context(browser: Browser) -> BrowserContext:
    """A 1024×768 context in Dutch: headless Chromium otherwise sends Accept-Language en-US."""
    return browser.new_context(viewport={"width": 1024, "height": 768}, locale="nl-NL")


def axe_check(page: Page, name: str, options: dict[str, Any] = AXE_OPTIONS) -> None:
    """Screenshot ``page`` to ``test-artifacts/<name>.png`` once its fonts are loaded, then
    fail on any axe violation of ``options`` (:data:`AXE_OPTIONS` or
    :data:`PORTAL_AXE_OPTIONS`)."""
    from axe_playwright_python.sync_playwright import Axe

    page.evaluate("document.fonts.ready.then(() => true)")
    page.screenshot(path=artifact_path(f"{name}.png"), full_page=True)
    results = Axe().run(page, options=options)
    assert results.violations_count == 0, results.generate_report()


class LateApp:
    """An ASGI app whose real app is set once the live server's port is known.

    The issuer must be the URL the browser uses, and ``serve_app`` picks the port: so the
    server starts with this placeholder and the app is built for that port before any request
    is sent.
    """

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.app is None:
            raise RuntimeError("the app is not built yet")
        await self.app(scope, receive, send)


@contextmanager
def served_demo(directory: Path, key_dir: Path, **env: str) -> Iterator[tuple[str, Starlette]]:
    """The whole broker as ``toegang demo`` runs it (demo SP, simulators) on a live port whose
    URL is the issuer; yields that URL and the app. ``env`` adds configuration variables."""
    late = LateApp()
    with serve_app(late) as url:
        port = urlsplit(url).port
        assert port is not None
        config = make_config(directory, key_dir, TOEGANG__SERVER__PORT=str(port), **env)
        assert config.issuer == url  # the issuer is exactly what the browser sees
        app = create_app(config, store=MemoryStore(), demo=True)
        late.app = app
        yield url, app


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
