"""Fixtures for the upstream OIDC means: the broker's key ring (made once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest
from oidc_upstream_support import Env, build_env

from broker.keys import KeyRing


@pytest.fixture(scope="session")
def keys(key_dir: Path) -> KeyRing:
    return KeyRing.load(key_dir)


@pytest.fixture
async def env(keys: KeyRing) -> Env:
    return build_env(keys)
