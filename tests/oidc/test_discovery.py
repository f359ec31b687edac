"""Discovery and JWKS (NL GOV profile §1.9)."""

from __future__ import annotations

from pathlib import Path

from broker_harness import BrokerFixture, build_broker, make_config
from support import ISSUER


async def test_discovery_is_served_at_both_well_known_paths(broker: BrokerFixture) -> None:
    browser = broker.browser()
    response = await browser.client.get("/.well-known/openid-configuration")
    oidc = response.json()
    oauth = (await browser.client.get("/.well-known/oauth-authorization-server")).json()
    assert oidc == oauth
    assert oidc["issuer"] == ISSUER
    # NL GOV: metadata cacheable for at least a week; keys (JWKS) are re-read sooner.
    assert response.headers["cache-control"] == "public, max-age=604800"
    jwks = await browser.client.get("/jwks")
    assert jwks.headers["cache-control"] == "public, max-age=300"


async def test_discovery_states_the_profile_choices(broker: BrokerFixture) -> None:
    meta = (await broker.browser().client.get("/.well-known/openid-configuration")).json()
    for name in (
        "authorization_endpoint",
        "token_endpoint",
        "jwks_uri",
        "userinfo_endpoint",
        "scopes_supported",
        "subject_types_supported",
        "claims_supported",
        "id_token_signing_alg_values_supported",
        "userinfo_signing_alg_values_supported",
        "request_object_signing_alg_values_supported",
    ):
        assert name in meta, name
    assert meta["response_types_supported"] == ["code"]
    assert meta["grant_types_supported"] == ["authorization_code"]
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert {"RS256", "PS256"} <= set(meta["id_token_signing_alg_values_supported"])
    assert "none" not in meta["id_token_signing_alg_values_supported"]
    assert "pairwise" in meta["subject_types_supported"]
    assert meta["authorization_response_iss_parameter_supported"] is True
    assert "http://eidas.europa.eu/LoA/substantial" in meta["acr_values_supported"]


async def test_jwks_publishes_public_keys_with_kid_only(broker: BrokerFixture) -> None:
    response = await broker.browser().client.get("/jwks")
    keys = response.json()["keys"]
    assert {k["kty"] for k in keys} == {"RSA", "EC"}
    assert all(k["kid"] for k in keys)
    assert not any(private in k for k in keys for private in ("d", "p", "q", "dp", "dq", "qi"))


async def test_health_and_readiness(broker: BrokerFixture) -> None:
    client = broker.browser().client
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = (await client.get("/readyz")).json()
    assert ready["checks"] == {"store": True, "database": True}


async def test_token_endpoint_auth_methods_are_limited_by_the_profile(
    broker: BrokerFixture,
) -> None:
    meta = (await broker.browser().client.get("/.well-known/openid-configuration")).json()
    assert meta["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]  # NL GOV §1.3


async def test_acr_values_supported_follow_the_enabled_means(tmp_path: Path, key_dir: Path) -> None:
    off = {
        f"TOEGANG__{name}__ENABLED": "false" for name in ("DIGID", "EHERKENNING", "EIDAS", "WALLET")
    }
    fixture = await build_broker(make_config(tmp_path, key_dir, **off))
    meta = (await fixture.browser().client.get("/.well-known/openid-configuration")).json()
    # Only the simulated private means is left, and it reaches substantial at most.
    assert meta["acr_values_supported"][-1] == "http://eidas.europa.eu/LoA/substantial"
    assert "http://eidas.europa.eu/LoA/high" not in meta["acr_values_supported"]
    await fixture.http.aclose()
