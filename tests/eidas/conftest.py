"""Fixtures for the eIDAS tests; the world and helpers live in eidas_world."""

from eidas_world import *  # noqa: F403 - re-exports the fixtures for pytest
