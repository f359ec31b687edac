"""The parent-for-child login once more, on the production stores: PostgreSQL and Redis."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from broker_harness import build_broker, make_config
from representation_support import (
    BRAM,
    JAN,
    REDIS_URL,
    add_rp,
    choose,
    grant,
    login,
    option_for,
    postgres_url,
    redeem,
)

from broker.assurance import Level
from broker.store import RedisStore

pytestmark = pytest.mark.services
__all__ = ["postgres_url"]


async def test_parent_for_child_on_postgresql_and_redis(
    tmp_path: Path, key_dir: Path, postgres_url: str
) -> None:
    prefix = f"test-repr-{secrets.token_hex(6)}:"
    config = make_config(tmp_path, key_dir, TOEGANG__DATABASE__URL=postgres_url)
    broker = await build_broker(config, store=RedisStore(REDIS_URL, prefix))
    try:
        rp = add_rp(broker, bsn_entitled=True)
        browser = broker.browser()
        page, request = await login(browser, rp, JAN)
        back = await choose(browser, page, option_for(page, BRAM))
        claims, _ = await redeem(broker, browser, rp, request, back)
        assert claims["sub"] == JAN
        assert claims["represents"]["sub"] == BRAM
        assert claims["representation"]["kind"] == "parental_authority"
        assert claims["acr"] == Level.SUBSTANTIAL.acr
        # The management API on PostgreSQL: the parent grants a mandate (row locks, audit).
        granted = await grant(browser, "999999990", rp.service_id)
        assert granted.status_code == 201, granted.text
    finally:
        await broker.state.store.close()
        broker.state.engine.dispose()
        await broker.http.aclose()
