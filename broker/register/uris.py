"""Which URIs a client may register (NL GOV profile §1.1-1.2, OIDC Registration).

Redirect URIs are matched exactly at request time, so registration is where their shape is
checked: absolute, no fragment, ``https`` - plain ``http`` only for a loopback address, where
the traffic never leaves the machine (RFC 8252 §7.3, NL GOV: desktop apps and local demos).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from broker.register.errors import RegisterError

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def check_uri(uri: str, what: str, *, fragment_allowed: bool = False) -> str:
    """Return ``uri`` when it is an absolute https (or loopback http) URI, else refuse it."""
    if not isinstance(uri, str) or not uri or uri != uri.strip() or any(c.isspace() for c in uri):
        raise RegisterError(f"{what} {uri!r} must be a URI without spaces")
    try:
        parts = urlsplit(uri)
        host = parts.hostname
        _ = parts.port  # raises on a malformed port
    except ValueError:
        raise RegisterError(f"{what} {uri!r} is not a valid URI") from None
    if not parts.scheme or not parts.netloc or not host:
        raise RegisterError(f"{what} {uri!r} must be absolute (scheme://host/path)")
    if parts.username is not None or parts.password is not None:
        raise RegisterError(f"{what} {uri!r} must not contain user credentials")
    if not fragment_allowed and (parts.fragment or uri.endswith("#")):
        raise RegisterError(f"{what} {uri!r} must not contain a fragment (#...)")
    if parts.scheme == "https":
        return uri
    if parts.scheme == "http":
        if host in LOOPBACK_HOSTS:
            return uri
        raise RegisterError(
            f"{what} {uri!r} must use https; plain http is allowed only for loopback "
            "(127.0.0.1, [::1], localhost)"
        )
    raise RegisterError(f"{what} {uri!r} must use https (got scheme {parts.scheme!r})")


def check_uris(
    uris: Iterable[str], what: str, *, required: bool = False, fragment_allowed: bool = False
) -> list[str]:
    """Check every URI; drop exact duplicates, keep order; refuse an empty list if required."""
    if isinstance(uris, str):
        uris = [uris]
    checked: list[str] = []
    for uri in uris:
        check_uri(uri, what, fragment_allowed=fragment_allowed)
        if uri not in checked:
            checked.append(uri)
    if required and not checked:
        raise RegisterError(f"at least one {what} is required")
    return checked
