"""The SP's SOAP back channel, shared by the artifact-binding means (DigiD, eHerkenning):
a signed ``samlp:ArtifactResolve`` POSTed over SOAP (SAML Bindings §3.6.3, §3.2), the answer
read with a size cap, then opened and checked (``broker.saml.response``).

The call sits on the login hot path, so the static parts (TLS context, headers, the endpoint's
address) are prepared once at start-up, and the means' own client is ``SoapClient``: one
origin, kept-alive HTTP/1.1 connections over asyncio with ``h11`` as the parser. httpx, with its
generic layers, costs several times more CPU per call; it is still used when a client (or a
factory for one) is injected, as tests and the app's shared client do.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import select
import ssl
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import h11
import httpx
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from broker.saml import soap
from broker.saml.artifact import parse_artifact
from broker.saml.messages import artifact_resolve, new_message_id
from broker.saml.response import Expectations, open_artifact_response
from broker.saml.signature import sign_enveloped
from broker.saml.xml import MAX_XML_BYTES, SamlError
from broker.store import Store

RESOLVE_TIMEOUT = 10.0
SOAP_ACTION = "http://www.oasis-open.org/committees/security"  # SAML Bindings §3.2.3.3
ARTIFACT_TTL = 900  # how long a seen artifact is remembered (longer than any artifact lives)
CONTENT_TYPES = ("text/xml", "application/soap+xml")  # SOAP 1.1, or legacy (DigiD §2.1)
MAX_IDLE_CONNECTIONS = 8
_READ_SIZE = 65536

HttpClient = httpx.AsyncClient | Callable[[], httpx.AsyncClient]


def _remember_missing_sniffio() -> None:
    """Make httpcore's per-request ``import sniffio`` fail fast when sniffio is not installed.

    httpcore tries that import several times per request to tell asyncio from trio; a failing
    import is not cached by Python and searches ``sys.path`` on the file system every time. A
    ``None`` entry in ``sys.modules`` gives the same ``ModuleNotFoundError`` at once. Nothing
    changes when sniffio is installed (then this does nothing).
    """
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


_remember_missing_sniffio()


@dataclass(frozen=True)
class TlsSettings:
    """Mutual TLS for the back channel (PKIoverheid certificate in production)."""

    client_certificate: str | None = None
    client_key: str | None = None
    ca_bundle: str | None = None

    def context(self) -> ssl.SSLContext:
        """Server certificate and host name checked against ``ca_bundle`` (else the system
        store); our client certificate presented when configured."""
        context = ssl.create_default_context(cafile=self.ca_bundle)
        if self.client_certificate:
            context.load_cert_chain(self.client_certificate, self.client_key)
        return context


class BackChannelError(Exception):
    """The peer could not be reached or broke the HTTP exchange (the name says how)."""


class _TooLarge(Exception):
    pass


class _Connection:
    """One HTTP/1.1 connection: the stream pair and its ``h11`` state."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.state = h11.Connection(h11.CLIENT)

    def usable(self) -> bool:
        """Idle and, as far as can be known before sending, still open on both ends.

        An idle connection has nothing to read, so a readable socket means the peer closed it
        (or sent something unasked); checked on the socket itself because the event loop may
        not have read the peer's FIN yet when the connection is taken again."""
        if self.state.our_state is not h11.IDLE or self.reader.at_eof() or self.writer.is_closing():
            return False
        poller = select.poll()
        poller.register(self.writer.get_extra_info("socket").fileno(), select.POLLIN)
        return not poller.poll(0)

    async def exchange(
        self, request: h11.Request, body: bytes, max_bytes: int
    ) -> tuple[int, bytes]:
        state = self.state
        self.writer.write(
            state.send(request) + state.send(h11.Data(data=body)) + state.send(h11.EndOfMessage())
        )
        status = 0
        chunks: list[bytes] = []
        size = 0
        while True:
            event = state.next_event()
            if event is h11.NEED_DATA:
                state.receive_data(await self.reader.read(_READ_SIZE))
            elif isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.Data):
                size += len(event.data)
                if size > max_bytes:
                    raise _TooLarge
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                return status, b"".join(chunks)
            elif isinstance(event, h11.ConnectionClosed):
                raise BackChannelError("connection closed before the answer was complete")

    def reuse(self) -> bool:
        """Ready the connection for the next request; False when it must be closed."""
        if self.state.our_state is h11.DONE and self.state.their_state is h11.DONE:
            self.state.start_next_cycle()
            return True
        return False

    def close(self) -> None:
        self.writer.close()


class SoapClient:
    """POSTs to one endpoint over kept-alive connections; TLS as ``TlsSettings`` says.

    No redirects are followed and no proxy is used: the back channel goes to the configured
    address only. Connections open on demand and stay open for the next login.

    A request is never sent twice. ArtifactResolve is one-time at the IdP, and once a request
    went out the IdP may have processed it however the connection failed (RFC 9112 §9.3.1);
    so a kept-alive connection is checked before it is used, not retried after.
    """

    def __init__(self, url: str, tls: TlsSettings, timeout: float = RESOLVE_TIMEOUT) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError(f"not an absolute http(s) URL: {url!r}")
        self._host = parts.hostname
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._ssl = tls.context() if parts.scheme == "https" else None
        self._target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._host_header = parts.netloc
        self._timeout = timeout
        self._idle: list[_Connection] = []

    async def post(
        self, body: bytes, headers: Sequence[tuple[str, str]], *, max_bytes: int = MAX_XML_BYTES
    ) -> tuple[int, bytes]:
        """The status and body of the answer; ``SamlError`` when it exceeds ``max_bytes``,
        ``BackChannelError`` when the exchange fails."""
        request = h11.Request(
            method="POST",
            target=self._target,
            headers=[("Host", self._host_header), *headers, ("Content-Length", str(len(body)))],
        )
        try:
            async with asyncio.timeout(self._timeout):
                connection = self._idle_connection() or await self._connect()
                return await self._exchange(connection, request, body, max_bytes)
        except _TooLarge:
            raise SamlError("Antwoord te groot.", "ArtifactResponse too large") from None
        except (OSError, TimeoutError, h11.ProtocolError) as exc:
            raise BackChannelError(type(exc).__name__) from None

    async def _exchange(
        self, connection: _Connection, request: h11.Request, body: bytes, max_bytes: int
    ) -> tuple[int, bytes]:
        try:
            result = await connection.exchange(request, body, max_bytes)
        except BaseException:
            connection.close()
            raise
        if not _keep(connection, self._idle):
            connection.close()
        return result

    def _idle_connection(self) -> _Connection | None:
        while self._idle:
            connection = self._idle.pop()
            if connection.usable():
                return connection
            connection.close()
        return None

    async def _connect(self) -> _Connection:
        reader, writer = await asyncio.open_connection(
            self._host,
            self._port,
            ssl=self._ssl,
            server_hostname=self._host if self._ssl is not None else None,
        )
        return _Connection(reader, writer)

    async def aclose(self) -> None:
        while self._idle:
            self._idle.pop().close()


def _fault(answer: bytes) -> str:
    """``: SOAP Fault received (code)`` when an error answer is a SOAP fault (SOAP 1.1 §6.2
    sends faults with HTTP 500), so the log says what the peer refused; else empty."""
    if not answer:
        return ""
    try:
        soap.unwrap(answer)
    except SamlError as error:
        if error.message_en.startswith("SOAP Fault received"):
            return ": " + error.message_en
    return ""


def _keep(connection: _Connection, idle: list[_Connection]) -> bool:
    """Return a finished connection to ``idle`` when it can serve another request."""
    if len(idle) < MAX_IDLE_CONNECTIONS and connection.reuse():
        idle.append(connection)
        return True
    return False


class ArtifactResolver:
    """Sends signed ArtifactResolve messages to one IdP and opens its answers.

    Which client carries the call: an injected factory makes one per call (trusted to apply
    TLS itself); an injected client is used as given unless TLS settings are configured (a
    client certificate or a CA bundle), because mutual TLS or the pinned CA must not silently
    fall away; otherwise the resolver's own ``SoapClient``, built here, at start-up.
    """

    def __init__(
        self,
        *,
        peer: str,
        sp_entity_id: str,
        acs_url: str,
        idp_entity_id: str,
        url: str,
        sp_key: rsa.RSAPrivateKey,
        sp_cert_pem: bytes,
        certificates: Sequence[x509.Certificate],
        store: Store,
        content_type: str = "text/xml",
        tls: TlsSettings | None = None,
        http_client: HttpClient | None = None,
        clock_skew: int = 60,
    ) -> None:
        if content_type not in CONTENT_TYPES:
            raise ValueError("artifact_content_type must be text/xml or application/soap+xml")
        tls = tls or TlsSettings()
        self._peer = peer
        self._entity_id = sp_entity_id
        self._acs_url = acs_url
        self._idp_entity_id = idp_entity_id
        self._url = url
        self._key = sp_key
        self._cert = sp_cert_pem
        self._certificates = certificates
        self._store = store
        self._clock_skew = clock_skew
        headers = [("Content-Type", content_type)]
        if content_type == "text/xml":
            headers.append(("SOAPAction", SOAP_ACTION))
        self._headers = tuple(headers)
        given = http_client
        if isinstance(given, httpx.AsyncClient) and (tls.client_certificate or tls.ca_bundle):
            given = None
        self._given = given
        self._own = SoapClient(url, tls) if given is None else None

    @property
    def own_client(self) -> SoapClient | None:
        """The resolver's own client, when it carries the calls (see the class docstring)."""
        return self._own

    async def open(self, artifact: str) -> etree._Element:
        """The message behind ``artifact``: checked to come from the IdP (SourceID, before any
        network call), used once (SAML Bindings §3.6.5, across all workers), resolved, and the
        signed ArtifactResponse opened. An empty answer (unknown artifact) is refused."""
        parse_artifact(artifact, self._idp_entity_id)
        digest = hashlib.sha256(artifact.encode("ascii")).hexdigest()
        if not await self._store.add(
            "saml-artifact:" + digest, {"at": int(time.time())}, ttl=ARTIFACT_TTL
        ):
            raise SamlError("Dit artefact is al gebruikt.", "replayed artifact")
        resolve_id, body = await self.resolve(artifact)
        message = open_artifact_response(
            body,
            resolve_id=resolve_id,
            idp_entity_id=self._idp_entity_id,
            certificates=self._certificates,
            clock_skew=self._clock_skew,
        )
        if message is None:
            raise SamlError(f"{self._peer} kende het artefact niet.", "empty ArtifactResponse")
        return message

    def expectations(self, authn_request_id: str) -> Expectations:
        """What the message behind an artifact must satisfy (``broker.saml.response``)."""
        return Expectations(
            idp_entity_id=self._idp_entity_id,
            sp_entity_id=self._entity_id,
            acs_url=self._acs_url,
            authn_request_id=authn_request_id,
            certificates=self._certificates,
            clock_skew=self._clock_skew,
        )

    async def resolve(self, artifact: str) -> tuple[str, bytes]:
        """POST a signed ArtifactResolve for ``artifact``; return its ID and the SOAP answer."""
        resolve_id = new_message_id()
        message = artifact_resolve(
            resolve_id=resolve_id,
            issuer=self._entity_id,
            destination=self._url,
            artifact=artifact,
        )
        body = soap.wrap(sign_enveloped(message, self._key, self._cert))
        try:
            if self._own is not None:
                status, answer = await self._own.post(body, self._headers)
            else:
                status, answer = await self._post_httpx(body)
        except (BackChannelError, httpx.HTTPError) as exc:
            reason = str(exc) if isinstance(exc, BackChannelError) else type(exc).__name__
            raise SamlError(
                f"{self._peer} is niet bereikbaar.", f"artifact resolution failed: {reason}"
            ) from None
        if status != 200:
            raise SamlError(
                f"{self._peer} gaf een fout.",
                f"artifact resolution HTTP status {status}{_fault(answer)}",
            )
        return resolve_id, answer

    async def _post_httpx(self, body: bytes) -> tuple[int, bytes]:
        """POST with httpx; ``RESOLVE_TIMEOUT`` bounds the whole exchange, as in ``SoapClient``
        (httpx's own timeout applies to each read, so a dripping peer would never time out)."""
        try:
            async with asyncio.timeout(RESOLVE_TIMEOUT):
                return await self._post_httpx_unbounded(body)
        except TimeoutError:
            raise BackChannelError("TimeoutError") from None

    async def _post_httpx_unbounded(self, body: bytes) -> tuple[int, bytes]:
        given = self._given
        client = given() if callable(given) and not isinstance(given, httpx.AsyncClient) else given
        assert isinstance(client, httpx.AsyncClient)
        try:
            async with client.stream(
                "POST",
                self._url,
                content=body,
                headers=list(self._headers),
                timeout=RESOLVE_TIMEOUT,
            ) as response:
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > MAX_XML_BYTES:
                        raise SamlError("Antwoord te groot.", "ArtifactResponse too large")
                    chunks.append(chunk)
                return response.status_code, b"".join(chunks)
        finally:
            if client is not given:
                await client.aclose()

    async def aclose(self) -> None:
        """Close the client this resolver built itself (not an injected one)."""
        if self._own is not None:
            await self._own.aclose()
