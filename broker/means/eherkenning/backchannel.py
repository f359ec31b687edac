"""ArtifactResolve over SOAP toward the Herkenningsmakelaar (SAML Bindings §3.6.3, §3.2;
``nl-login-means.md`` §3.1: DV-HM responses always travel by artifact).

The HM's answer is read with a size cap; transport failures become ``SamlError`` so the person
sees one "could not be verified" message and the log names the cause.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from broker.saml import soap
from broker.saml.messages import artifact_resolve, new_message_id
from broker.saml.signature import sign_enveloped
from broker.saml.xml import MAX_XML_BYTES, SamlError

RESOLVE_TIMEOUT = 10.0
SOAP_ACTION = "http://www.oasis-open.org/committees/security"  # SAML Bindings §3.2.3.3

HttpClient = httpx.AsyncClient | Callable[[], httpx.AsyncClient]


@dataclass(frozen=True)
class TlsSettings:
    """Mutual TLS for the back channel (PKIoverheid certificate in production)."""

    client_certificate: str | None = None
    client_key: str | None = None
    ca_bundle: str | None = None


def mutual_tls_client(tls: TlsSettings) -> httpx.AsyncClient:
    context = ssl.create_default_context(cafile=tls.ca_bundle)
    if tls.client_certificate:
        context.load_cert_chain(tls.client_certificate, tls.client_key)
    return httpx.AsyncClient(verify=context, timeout=RESOLVE_TIMEOUT, follow_redirects=False)


class ArtifactResolver:
    """Sends signed ArtifactResolve messages. A shared client is used as given unless a TLS
    client certificate is configured: then mutual TLS must not silently fall away, so the
    resolver builds its own client (as the DigiD means does)."""

    def __init__(
        self,
        *,
        sp_entity_id: str,
        url: str,
        sp_key: rsa.RSAPrivateKey,
        sp_cert_pem: bytes,
        content_type: str,
        tls: TlsSettings,
        http_client: HttpClient | None,
    ) -> None:
        if content_type not in ("text/xml", "application/soap+xml"):
            raise ValueError("artifact_content_type must be text/xml or application/soap+xml")
        self._entity_id = sp_entity_id
        self._url = url
        self._key = sp_key
        self._cert = sp_cert_pem
        self._content_type = content_type
        self._tls = tls
        self._given = http_client
        self._own: httpx.AsyncClient | None = None

    async def resolve(self, artifact: str) -> tuple[str, bytes]:
        """POST a signed ArtifactResolve for ``artifact``; return its ID and the SOAP answer."""
        resolve_id = new_message_id()
        message = artifact_resolve(
            resolve_id=resolve_id, issuer=self._entity_id, destination=self._url,
            artifact=artifact,
        )
        body = soap.wrap(sign_enveloped(message, self._key, self._cert))
        headers = {"Content-Type": self._content_type}
        if self._content_type == "text/xml":
            headers["SOAPAction"] = SOAP_ACTION
        client, close_after = self._client()
        try:
            return resolve_id, await _post(client, self._url, body, headers)
        except httpx.HTTPError as exc:
            raise SamlError(
                "eHerkenning is niet bereikbaar.",
                f"artifact resolution failed: {type(exc).__name__}",
            ) from None
        finally:
            if close_after:
                await client.aclose()

    def _client(self) -> tuple[httpx.AsyncClient, bool]:
        given = self._given
        if given is not None and not isinstance(given, httpx.AsyncClient):
            return given(), True
        if given is not None and not self._tls.client_certificate:
            return given, False
        if self._own is None:
            self._own = mutual_tls_client(self._tls)
        return self._own, False

    async def aclose(self) -> None:
        if self._own is not None:
            await self._own.aclose()
            self._own = None


async def _post(
    client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str]
) -> bytes:
    async with client.stream(
        "POST", url, content=body, headers=headers, timeout=RESOLVE_TIMEOUT
    ) as response:
        if response.status_code != 200:
            raise SamlError(
                "eHerkenning gaf een fout.",
                f"artifact resolution HTTP status {response.status_code}",
            )
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_XML_BYTES:
                raise SamlError("Antwoord van eHerkenning te groot.", "ArtifactResponse too large")
            chunks.append(chunk)
    return b"".join(chunks)
