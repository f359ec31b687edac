"""What a real SAML back channel must be configured with.

DigiD and eHerkenning hand out the assertion only over SOAP artifact resolution with mutual
TLS (nl-login-means.md §2.1, §3): the broker proves itself with its PKIoverheid certificate and
the artifact alone is worth nothing to anyone else. Only a peer on this machine (a simulator, a
test double) may be reached over plain HTTP or without a client certificate.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def check_back_channel(config: Any, section: str, url_field: str) -> None:
    """Raise ``ValueError`` naming what to set when ``config`` (a section with
    ``tls_client_certificate``/``tls_client_key``) would resolve artifacts insecurely."""
    certificate, key = config.tls_client_certificate, config.tls_client_key
    url: str | None = getattr(config, url_field)
    problems = []
    if (certificate is None) != (key is None):
        problems.append(f"set both {section}.tls_client_certificate and {section}.tls_client_key")
    parts = urlsplit(url) if url is not None else None
    if parts is not None and parts.hostname not in LOOPBACK_HOSTS:
        if parts.scheme != "https":
            problems.append(f"{section}.{url_field} must use https (mutual TLS)")
        elif certificate is None and key is None:
            problems.append(
                f"{section}.{url_field} requires mutual TLS: set {section}.tls_client_certificate "
                f"and {section}.tls_client_key"
            )
    if problems:
        raise ValueError("; ".join(problems))
