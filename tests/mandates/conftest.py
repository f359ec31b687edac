"""Fixtures for the mandates tests; they live in mandates_world."""

from mandates_world import *  # noqa: F403 - re-exports the fixtures for pytest
