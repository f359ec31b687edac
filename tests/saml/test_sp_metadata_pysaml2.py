"""The broker's SP metadata as a third party reads it: loaded by pysaml2's metadata store (as
an IdP built on pysaml2 would), which must find the entity, its ACS, keys and name formats."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from broker_harness import BrokerFixture, build_broker, make_config
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from saml2 import BINDING_HTTP_ARTIFACT, BINDING_HTTP_POST
from saml2.attribute_converter import ac_factory
from saml2.mdstore import MetadataStore
from saml2.s_utils import UnsupportedBinding
from support import ISSUER

from broker.saml.xml import NS_SAMLP

NAMEID_UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
# means: (ACS binding, the other binding it must not list, NameIDFormats, encryption key)
EXPECTED = {
    "digid": (BINDING_HTTP_ARTIFACT, BINDING_HTTP_POST, [], False),
    "eherkenning": (BINDING_HTTP_ARTIFACT, BINDING_HTTP_POST, [], True),
    "eidas": (BINDING_HTTP_POST, BINDING_HTTP_ARTIFACT, [NAMEID_UNSPECIFIED], False),
}


@pytest.fixture(scope="module")
async def broker(
    tmp_path_factory: pytest.TempPathFactory, key_dir: Path
) -> AsyncIterator[BrokerFixture]:
    """One broker for the module: these tests only read its metadata."""
    fixture = await build_broker(make_config(tmp_path_factory.mktemp("sp-metadata"), key_dir))
    yield fixture
    await fixture.http.aclose()


async def _load(broker: BrokerFixture, means: str) -> tuple[MetadataStore, str]:
    async with broker.browser().client as browser:
        answer = await browser.get(f"/means/{means}/metadata")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/samlmetadata+xml"
    store = MetadataStore(ac_factory(), None)
    store.load("inline", answer.text)
    entity_ids = list(store.keys())
    assert len(entity_ids) == 1
    return store, entity_ids[0]


def _sp_certificate(broker: BrokerFixture) -> str:
    cert = x509.load_pem_x509_certificate(broker.state.keys.saml_cert_pem)
    return base64.b64encode(cert.public_bytes(Encoding.DER)).decode("ascii")


@pytest.mark.parametrize("means", EXPECTED)
async def test_pysaml2_reads_the_sp_metadata(broker: BrokerFixture, means: str) -> None:
    binding, other_binding, name_id_formats, encrypts = EXPECTED[means]
    store, entity_id = await _load(broker, means)
    assert entity_id == broker.state.means[means].settings.sp_entity_id

    services = store.assertion_consumer_service(entity_id, binding)
    assert [(s["location"], s["index"], s["is_default"]) for s in services] == [
        (f"{ISSUER}/means/{means}/acs", "0", "true")
    ]
    with pytest.raises(UnsupportedBinding):
        store.assertion_consumer_service(entity_id, other_binding)

    sp: dict[str, Any] = store[entity_id]["spsso_descriptor"][0]
    assert sp["protocol_support_enumeration"] == NS_SAMLP
    assert (sp["authn_requests_signed"], sp["want_assertions_signed"]) == ("true", "true")
    assert [f["text"] for f in sp.get("name_id_format", [])] == name_id_formats

    certificate = _sp_certificate(broker)
    signing = [cert for _, cert in store.certs(entity_id, "spsso", "signing")]
    encryption = [cert for _, cert in store.certs(entity_id, "spsso", "encryption")]
    assert [c.replace("\n", "") for c in signing] == [certificate]
    assert [c.replace("\n", "") for c in encryption] == ([certificate] if encrypts else [])


async def test_pysaml2_reads_the_eherkenning_service(broker: BrokerFixture) -> None:
    """The HM finds the service the broker asks for through the AttributeConsumingService."""
    store, entity_id = await _load(broker, "eherkenning")
    service = store[entity_id]["spsso_descriptor"][0]["attribute_consuming_service"][0]
    assert {name["lang"] for name in service["service_name"]} == {"nl", "en"}
    requested = store.attribute_requirement(entity_id)
    assert requested["required"] == []
    assert [a["name"] for a in requested["optional"]] == [
        broker.state.means["eherkenning"].settings.service_id
    ]


async def test_pysaml2_reads_the_eidas_sp_type(broker: BrokerFixture) -> None:
    store, entity_id = await _load(broker, "eidas")
    extensions = store[entity_id]["extensions"]["extension_elements"]
    assert [(e["__class__"], e["text"]) for e in extensions] == [
        ("http://eidas.europa.eu/saml-extensions&SPType", "public")
    ]
