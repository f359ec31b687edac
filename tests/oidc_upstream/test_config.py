"""OidcUpstreamConfig refuses mistakes at start-up, naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from broker.assurance import Level
from broker.means.oidc_upstream import OidcUpstreamConfig

BASE: dict[str, Any] = {
    "name": "mijn-middel",
    "label_nl": "Mijn middel",
    "label_en": "My means",
    "issuer": "https://op.example",
    "client_id": "broker",
}


def test_minimal_config_and_defaults() -> None:
    config = OidcUpstreamConfig(**BASE)
    assert config.client_auth == "private_key_jwt"
    assert config.scopes == ["openid"]
    assert config.level_cap is Level.SUBSTANTIAL
    assert config.effective_subject_kind == "oidc:mijn-middel"
    assert OidcUpstreamConfig(**BASE, bsn_claim="bsn").effective_subject_kind == "bsn"


def test_secret_not_in_repr() -> None:
    config = OidcUpstreamConfig(
        **BASE, client_auth="client_secret_basic", client_secret="very-secret"
    )
    assert "very-secret" not in repr(config)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "Mijn_Middel"}, "lowercase letters"),
        ({"name": "-x"}, "lowercase letters"),
        ({"issuer": "http://op.example"}, "https"),
        ({"issuer": "https://op.example/?x=1"}, "query"),
        ({"issuer": None}, "issuer is required"),
        ({"client_id": None}, "client_id is required"),
        ({"scopes": ["profile"]}, "openid"),
        ({"scopes": ["openid", "a b"]}, "scope token"),
        ({"max_level": "medium"}, "unknown level"),
        ({"acr_map": {"urn:x:2": "middel"}}, "unknown level"),
        ({"acr_map": {"urn:x:4": "high"}}, "above max_level"),
        ({"client_auth": "client_secret_basic"}, "needs client_secret"),
        ({"client_secret": "s"}, "client_auth is private_key_jwt"),
        ({"client_auth": "client_secret_post", "client_secret": "s"}, "client_auth"),
        ({"bsn_claim": "bsn", "subject_claim": "uid"}, "bsn_claim excludes"),
        ({"subject_kind": "bsn"}, "use bsn_claim"),
        ({"subject_kind": "BSN"}, "use bsn_claim"),
        ({"subject_kind": " bsn"}, "use bsn_claim"),
        ({"subject_kind": "eidas"}, "another login means"),
        ({"subject_kind": "kvk"}, "another login means"),
        ({"subject_kind": "rsin"}, "another login means"),
        ({"subject_kind": "eherkenning-pseudo"}, "another login means"),
        ({"subject_kind": "eudi-pid"}, "another login means"),
        ({"label_nl": " "}, "labels"),
        ({"unexpected": 1}, "Extra inputs"),
    ],
)
def test_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        OidcUpstreamConfig(**{**BASE, **changes})


def test_loopback_http_allowed_and_simulator_needs_no_issuer() -> None:
    OidcUpstreamConfig(**{**BASE, "issuer": "http://127.0.0.1:8082/op"})
    OidcUpstreamConfig(name="sim", label_nl="Sim", label_en="Sim", simulator=True)


def test_acr_map_parsed() -> None:
    config = OidcUpstreamConfig(
        **BASE, max_level="high", acr_map={"urn:x:3": "substantial", "urn:x:4": "HIGH"}
    )
    assert config.levels() == {"urn:x:3": Level.SUBSTANTIAL, "urn:x:4": Level.HIGH}
