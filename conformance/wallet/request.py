"""The wallet side of request_uri (OpenID4VP 1.0 §5.10): fetch and check the request object.

What a wallet must verify before showing anything (§5.9.3, §5.10, HAIP): ``typ``
``oauth-authz-req+jwt``; the ``x5c`` chain validates to the verifier access CA the wallet trusts;
the signature is by the leaf; the ``client_id`` in the URL equals the one in the object; for
``x509_hash`` it is the hash of that leaf, for ``x509_san_dns`` a SAN of it and the host of
``response_uri``; a POSTed ``wallet_nonce`` is echoed; the object has not expired; and the
response mode is ``direct_post.jwt``. Redirects are not followed (§5.10, §14 "wallets should not
follow 3xx on request_uri").
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from wallet_adapters.encoding import b64url_encode
from wallet_adapters.errors import WalletVerificationError
from wallet_adapters.jws import parse_compact, verify_compact
from wallet_adapters.trust import TrustList, certificate_sha256, certificates_from_x5c

REQUEST_MEDIA_TYPE = "application/oauth-authz-req+jwt"
MAX_REQUEST_OBJECT = 64 * 1024


class RequestRefused(Exception):
    """The request object must not be answered; the message says why (shown to the tester)."""


def _check_client_id(client_id: str, leaf: x509.Certificate, response_uri: str) -> None:
    prefix, _, value = client_id.partition(":")
    if prefix == "x509_hash":
        if value != b64url_encode(certificate_sha256(leaf)):
            raise RequestRefused("x509_hash client_id is not the hash of the signing certificate")
    elif prefix == "x509_san_dns":
        try:
            sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound:
            raise RequestRefused("signing certificate has no subjectAltName") from None
        if value not in sans.get_values_for_type(x509.DNSName):
            raise RequestRefused("x509_san_dns client_id is not a SAN of the certificate")
        if urlsplit(response_uri).hostname != value:
            raise RequestRefused("response_uri host differs from the x509_san_dns client_id")
    else:
        raise RequestRefused(f"client_id prefix {prefix!r} not supported by this wallet")


async def fetch_request(
    http: httpx.AsyncClient,
    client_id: str,
    request_uri: str,
    *,
    method: str,
    access_trust: TrustList | None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Fetch, verify and return the request object's claims."""
    now = now or dt.datetime.now(dt.UTC)
    if urlsplit(request_uri).scheme not in ("https", "http"):
        raise RequestRefused("request_uri must be an http(s) URL")
    wallet_nonce = secrets.token_urlsafe(16) if method == "post" else None
    headers = {"Accept": REQUEST_MEDIA_TYPE}
    try:
        if wallet_nonce is not None:
            response = await http.post(
                request_uri,
                data={"wallet_nonce": wallet_nonce},
                headers=headers,
                follow_redirects=False,
            )
        else:
            response = await http.get(request_uri, headers=headers, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise RequestRefused(f"request_uri not reachable: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise RequestRefused(f"request_uri answered HTTP {response.status_code}")
    if response.headers.get("content-type", "").split(";")[0].strip() != REQUEST_MEDIA_TYPE:
        raise RequestRefused("request_uri did not answer application/oauth-authz-req+jwt")
    if len(response.content) > MAX_REQUEST_OBJECT:
        raise RequestRefused("request object too large")
    try:
        jws = parse_compact(response.text.strip())
        if jws.header.get("typ") != "oauth-authz-req+jwt":
            raise RequestRefused("request object typ is not oauth-authz-req+jwt")
        chain = certificates_from_x5c(jws.header.get("x5c"))
        if access_trust is not None:
            access_trust.validate(chain, now)
        key = chain[0].public_key()
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise RequestRefused("request object signing key is not EC")
        verify_compact(jws, key)
    except WalletVerificationError as exc:
        raise RequestRefused(f"request object refused: {exc}") from None
    claims = jws.payload
    if claims.get("client_id") != client_id:
        raise RequestRefused("client_id in the request object differs from the link")
    response_uri = claims.get("response_uri")
    if not isinstance(response_uri, str) or urlsplit(response_uri).scheme not in ("https", "http"):
        raise RequestRefused("response_uri missing")
    _check_client_id(client_id, chain[0], response_uri)
    if wallet_nonce is not None and claims.get("wallet_nonce") != wallet_nonce:
        raise RequestRefused("wallet_nonce not echoed")
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp < now.timestamp():
        raise RequestRefused("request object expired")
    if claims.get("response_mode") != "direct_post.jwt" or claims.get("response_type") != (
        "vp_token"
    ):
        raise RequestRefused("only response_type vp_token with direct_post.jwt is supported")
    for name in ("nonce", "state"):
        if not isinstance(claims.get(name), str):
            raise RequestRefused(f"{name} missing")
    if not isinstance(claims.get("dcql_query"), dict):
        raise RequestRefused("dcql_query missing")
    claims["_verifier_name"] = _common_name(chain[0])
    return claims


def _common_name(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


__all__ = ["RequestRefused", "fetch_request"]
