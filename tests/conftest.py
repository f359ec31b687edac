"""Fixtures for tests that run the whole broker in-process; helpers live in broker_harness."""

from __future__ import annotations

from broker_harness import broker, key_dir

__all__ = ["broker", "key_dir"]
