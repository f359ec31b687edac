"""Fixtures for tests that run the whole broker in-process; helpers live in broker_harness
and browser_support."""

from __future__ import annotations

from broker_harness import broker, key_dir
from browser_support import chromium

__all__ = ["broker", "chromium", "key_dir"]
