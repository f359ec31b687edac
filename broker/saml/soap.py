"""SOAP 1.1 envelopes for the SAML SOAP binding (SAML Bindings §3.2, SOAP 1.1 §4).

The back channel is as hostile as the front channel (catalogue §3.3, last item): the envelope
goes through the same hardened parser, and a Fault or anything but one Body child is refused.
"""

from __future__ import annotations

import re

from lxml import etree

from broker.saml.xml import MAX_XML_BYTES, NS_SOAP11, SamlError, parse_xml, tag, to_bytes

_QNAME = re.compile(r"[A-Za-z_][\w.-]{0,40}(:[A-Za-z_][\w.-]{0,40})?", re.ASCII)


def wrap(message: etree._Element) -> bytes:
    """``<soap:Envelope><soap:Body>message</soap:Body></soap:Envelope>`` as UTF-8 bytes."""
    envelope = etree.Element(tag(NS_SOAP11, "Envelope"), nsmap={"soap": NS_SOAP11})
    body = etree.SubElement(envelope, tag(NS_SOAP11, "Body"))
    body.append(message)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + to_bytes(envelope)


def unwrap(data: bytes, *, max_bytes: int = MAX_XML_BYTES) -> etree._Element:
    """The single element in the SOAP Body of ``data``; the whole parsed tree stays attached."""
    root = parse_xml(data, max_bytes=max_bytes)
    if root.tag != tag(NS_SOAP11, "Envelope"):
        raise SamlError("Geen SOAP-envelop.", "not a SOAP 1.1 Envelope")
    bodies = root.findall(tag(NS_SOAP11, "Body"))
    if len(bodies) != 1:
        raise SamlError("Ongeldige SOAP-envelop.", "SOAP Envelope needs exactly one Body")
    children = [c for c in bodies[0] if isinstance(c.tag, str)]
    if len(children) != 1:
        raise SamlError("Ongeldige SOAP-envelop.", "SOAP Body needs exactly one element")
    if children[0].tag == tag(NS_SOAP11, "Fault"):
        raise SamlError(
            "De SAML-dienst gaf een SOAP-fout.", f"SOAP Fault received{_code(children[0])}"
        )
    return children[0]


def _code(fault: etree._Element) -> str:
    """`` (faultcode)`` for the log (SOAP 1.1 §4.4: a QName, never personal data); else empty."""
    code = (fault.findtext("faultcode") or "").strip()
    return f" ({code})" if _QNAME.fullmatch(code) else ""

