"""Hardened XML parsing for everything SAML that reaches the broker, plus namespace constants.

Every byte of SAML we read comes from the network, so parsing is the first attack surface
(attack catalogue §3.3): no DOCTYPE at all (XXE, billion laughs, parser differentials as in
ruby-saml CVE-2025-25291), no network, no DTD loading, no huge trees, and a size cap.
"""

from __future__ import annotations

import re

from lxml import etree

from broker.errors import BrokerError

NS_SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
NS_SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
NS_MD = "urn:oasis:names:tc:SAML:2.0:metadata"
NS_DS = "http://www.w3.org/2000/09/xmldsig#"
NS_SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
NSMAP = {"saml": NS_SAML, "samlp": NS_SAMLP, "md": NS_MD, "ds": NS_DS, "soap": NS_SOAP11}

MAX_XML_BYTES = 512 * 1024

# SAML Core §3.2.2.2 / §2.7.2: status codes and the constants used across bindings.
STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
STATUS_REQUESTER = "urn:oasis:names:tc:SAML:2.0:status:Requester"
STATUS_RESPONDER = "urn:oasis:names:tc:SAML:2.0:status:Responder"
STATUS_AUTHN_FAILED = "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"
BINDING_HTTP_ARTIFACT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact"
BINDING_HTTP_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
BINDING_SOAP = "urn:oasis:names:tc:SAML:2.0:bindings:SOAP"
CM_BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"

# A DOCTYPE may hide behind whitespace, comments or processing instructions, and in UTF-16 the
# bytes are interleaved with NULs: look for the keyword with NULs removed, case-insensitively.
_DOCTYPE = re.compile(rb"<!\s*DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)


def tag(ns: str, local: str) -> str:
    """Clark notation ``{ns}local`` as lxml uses it."""
    return f"{{{ns}}}{local}"


class SamlError(BrokerError):
    """A SAML message that cannot be trusted or used; the English text is safe to log.

    Messages never contain personal data (no NameID, no BSN): they name the rule that failed.
    """

    code = "access_denied"


def safe_parser() -> etree.XMLParser:
    """The hardened parser settings (catalogue §3.6, lxml section); also handed to signxml."""
    # A new parser per call: lxml parsers are not safe to share across threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=False,
        collect_ids=False,
    )


def parse_xml(data: bytes | str, *, max_bytes: int = MAX_XML_BYTES) -> etree._Element:
    """Parse untrusted XML; raise ``SamlError`` on a DOCTYPE, an entity, oversize or bad XML.

    Comments are kept on purpose: removing them here would merge text nodes differently from what
    the signature covered; readers use the full text content instead (CVE-2017-11427 family).
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise SamlError("Het SAML-bericht is te groot.", "SAML message too large")
    probe = raw.replace(b"\x00", b"")
    if _DOCTYPE.search(probe) or _ENTITY.search(probe):
        raise SamlError(
            "Het SAML-bericht bevat een DOCTYPE.", "SAML message contains a DOCTYPE (refused)"
        )
    try:
        root = etree.fromstring(raw, parser=safe_parser())
    except etree.XMLSyntaxError:
        raise SamlError(
            "Het SAML-bericht is geen geldige XML.", "SAML message is not well-formed XML"
        ) from None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise SamlError(
            "Het SAML-bericht bevat een DOCTYPE.", "SAML message contains a DOCTYPE (refused)"
        )
    for _ in root.iter(etree.Entity):
        raise SamlError("Het SAML-bericht bevat entiteiten.", "SAML message contains entities")
    return root


def to_bytes(element: etree._Element) -> bytes:
    """Serialize without an XML declaration (the form we sign and send)."""
    return etree.tostring(element, encoding="utf-8")


def full_text(element: etree._Element) -> str:
    """All text inside ``element``, comments excluded and text nodes joined.

    Reading only ``.text`` stops at the first comment: ``s00000000:999999990<!---->1`` would read
    as ``s00000000:999999990`` (CVE-2017-11427). Joining every text node reads what was signed.
    """
    return "".join(element.itertext(etree.Element))


def child(element: etree._Element, ns: str, local: str) -> etree._Element | None:
    """The single direct child ``ns:local``; ``SamlError`` when there are several."""
    found = element.findall(tag(ns, local))
    if len(found) > 1:
        raise SamlError(
            f"Het SAML-bericht bevat meer dan één {local}.", f"more than one {local} element"
        )
    return found[0] if found else None


def require_child(element: etree._Element, ns: str, local: str) -> etree._Element:
    """The single direct child ``ns:local``; ``SamlError`` when it is missing or repeated."""
    found = child(element, ns, local)
    if found is None:
        raise SamlError(f"Het SAML-bericht mist {local}.", f"missing {local} element")
    return found
