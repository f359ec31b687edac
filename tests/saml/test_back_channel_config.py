"""A real DigiD or eHerkenning back channel needs https with mutual TLS; only a peer on this
machine (a simulator, a test double) may do without. Refused at start-up with what to set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from broker.config import DigidConfig
from broker.means.eherkenning.config import EherkenningConfig

CERT, KEY = Path("sp-tls.crt"), Path("sp-tls.key")
SECTIONS: dict[str, tuple[type[BaseModel], str, dict[str, Any]]] = {
    "digid": (
        DigidConfig,
        "idp_artifact_resolution_url",
        {
            "idp_entity_id": "https://digid.example/saml/idp/metadata",
            "idp_sso_url": "https://digid.example/saml/idp/request_authentication",
            "idp_certificate": Path("digid.pem"),
        },
    ),
    "eherkenning": (
        EherkenningConfig,
        "hm_artifact_resolution_url",
        {
            "hm_entity_id": "urn:etoegang:HM:00000000000000000000:entities:0001",
            "hm_sso_url": "https://hm.example/sso",
            "hm_certificate": Path("hm.pem"),
            "oin": "00000001234567890000",
        },
    ),
}


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_real_back_channel_needs_https_and_a_client_certificate(section: str) -> None:
    model, url_field, required = SECTIONS[section]

    def build(url: str, **tls: Path) -> None:
        model(simulator=False, **required, **{url_field: url}, **tls)

    with pytest.raises(ValidationError, match=rf"{section}.*must use https"):
        build("http://idp.example/resolve", tls_client_certificate=CERT, tls_client_key=KEY)
    with pytest.raises(ValidationError, match="requires mutual TLS"):
        build("https://idp.example/resolve")
    with pytest.raises(ValidationError, match=r"tls_client_certificate and .*tls_client_key"):
        build("https://idp.example/resolve", tls_client_certificate=CERT)
    build("https://idp.example/resolve", tls_client_certificate=CERT, tls_client_key=KEY)
    # A simulator or test double on this machine may be reached plainly.
    build("http://127.0.0.1:8081/resolve")
    build("http://localhost:8081/resolve")
