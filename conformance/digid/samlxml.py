"""Namespaces, safe parsing and small helpers for the SAML messages the simulator reads and writes.

Everything an SP sends is parsed with entity resolution, DTD loading and network access off, and
a document with a DOCTYPE is refused outright: a real IdP is a target for XXE and billion-laughs
payloads, and the simulator should fail such tests the same way a hardened IdP does.
"""

from __future__ import annotations

import datetime as dt
import secrets

from lxml import etree

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
NSMAP = {"samlp": SAMLP, "saml": SAML, "ds": DS}

MAX_XML_BYTES = 256 * 1024


class UnsafeXml(ValueError):
    """The input is not well-formed, too large, or carries a DOCTYPE."""


def q(namespace: str, local: str) -> str:
    """Clark notation ``{ns}local`` for lxml."""
    return f"{{{namespace}}}{local}"


def parse_untrusted(data: bytes) -> etree._Element:
    """Parse XML from a peer; refuse DOCTYPEs (hence entities) and oversized documents."""
    if len(data) > MAX_XML_BYTES:
        raise UnsafeXml("document too large")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise UnsafeXml("DOCTYPE is not allowed")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml(f"not well-formed XML: {exc}") from None
    # A DOCTYPE in another encoding (UTF-16) slips past the byte check; the parsed tree tells.
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeXml("DOCTYPE is not allowed")
    return root


def new_id() -> str:
    """A SAML ID: 160 random bits, prefixed so it is a valid xs:ID (an NCName)."""
    return "_" + secrets.token_hex(20)


def saml_time(moment: dt.datetime) -> str:
    """UTC ``YYYY-MM-DDTHH:MM:SSZ``, the form DigiD and most SAML stacks emit."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def child(parent: etree._Element, namespace: str, local: str) -> etree._Element | None:
    return parent.find(q(namespace, local))


def text_of(parent: etree._Element, namespace: str, local: str) -> str | None:
    element = child(parent, namespace, local)
    if element is None or element.text is None:
        return None
    return element.text.strip()
