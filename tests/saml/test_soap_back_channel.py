"""The back channel's own client (``broker.saml.backchannel.SoapClient``) over real sockets:
kept-alive connections, the size cap, failures, mutual TLS; and a whole DigiD login whose
ArtifactResolve goes over it to the test IdP served by uvicorn."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from broker.saml.artifact import build_artifact
from broker.saml.backchannel import ArtifactResolver, BackChannelError, SoapClient, TlsSettings
from broker.saml.signature import load_certificates
from broker.saml.xml import SamlError
from broker.store import MemoryStore

HEADERS = (("Content-Type", "text/xml"), ("SOAPAction", "urn:test"))


@dataclass
class Peer:
    """A tiny HTTP/1.1 server that records connections and request heads."""

    answer: bytes = b"<answer/>"
    close_after_answer: bool = False
    silent: bool = False
    unanswered: int = 0  # this request (1-based, over all connections) is read, then hung up on
    connections: int = 0
    heads: list[bytes] = field(default_factory=list)
    client_certificates: list[Any] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.client_certificates.append(writer.get_extra_info("peercert"))
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.heads.append(head)
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                if len(self.heads) == self.unanswered:
                    break
                if self.silent:
                    await asyncio.sleep(5)
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d"
                    b"\r\n\r\n%s" % (len(self.answer), self.answer)
                )
                await writer.drain()
                if self.close_after_answer:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()


Serve = Callable[..., Awaitable[str]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    servers: list[asyncio.Server] = []

    async def start(peer: Peer, context: ssl.SSLContext | None = None) -> str:
        server = await asyncio.start_server(peer.handle, "127.0.0.1", 0, ssl=context)
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        return f"{'https' if context else 'http'}://127.0.0.1:{port}/resolve"

    yield start
    for server in servers:
        server.close()


async def test_connection_is_kept_alive_across_calls(serve: Serve) -> None:
    peer = Peer()
    client = SoapClient(await serve(peer), TlsSettings())
    for _ in range(5):
        assert await client.post(b"<x/>", HEADERS) == (200, b"<answer/>")
    assert peer.connections == 1
    head = peer.heads[0].decode()
    assert head.startswith("POST /resolve HTTP/1.1\r\n")
    for line in (
        "Host: 127.0.0.1:",
        "Content-Type: text/xml",
        "SOAPAction: urn:test",
        "Content-Length: 4",
    ):
        assert f"\r\n{line}".lower() in head.lower()
    await client.aclose()


async def test_peer_closing_between_calls_is_survived(serve: Serve) -> None:
    peer = Peer(close_after_answer=True)
    client = SoapClient(await serve(peer), TlsSettings())
    for _ in range(3):
        assert (await client.post(b"<x/>", HEADERS))[0] == 200
    assert peer.connections == 3


async def test_request_the_peer_may_have_processed_is_not_sent_again(serve: Serve) -> None:
    """ArtifactResolve is one-time at the IdP: when a kept-alive connection breaks after the
    request went out, the call fails instead of sending it again on a new connection."""
    peer = Peer(unanswered=2)
    client = SoapClient(await serve(peer), TlsSettings())
    assert (await client.post(b"<x/>", HEADERS))[0] == 200
    with pytest.raises(BackChannelError):
        await client.post(b"<x/>", HEADERS)
    assert len(peer.heads) == 2 and peer.connections == 1


async def test_oversized_answer_refused(serve: Serve) -> None:
    client = SoapClient(await serve(Peer(answer=b"x" * 2048)), TlsSettings())
    with pytest.raises(SamlError, match="too large"):
        await client.post(b"<x/>", HEADERS, max_bytes=1024)


async def test_unreachable_peer() -> None:
    server = await asyncio.start_server(Peer().handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    client = SoapClient(f"http://127.0.0.1:{port}/resolve", TlsSettings())
    with pytest.raises(BackChannelError):
        await client.post(b"<x/>", HEADERS)


async def test_silent_peer_times_out(serve: Serve) -> None:
    client = SoapClient(await serve(Peer(silent=True)), TlsSettings(), timeout=0.2)
    with pytest.raises(BackChannelError, match="TimeoutError"):
        await client.post(b"<x/>", HEADERS)


def _identity(directory: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate (its own CA) for 127.0.0.1, and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / f"{name}.crt", directory / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _server_context(directory: Path) -> tuple[ssl.SSLContext, TlsSettings]:
    """A server asking for a client certificate, and the client settings that satisfy it."""
    server_cert, server_key = _identity(directory, "idp")
    client_cert, client_key = _identity(directory, "sp")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(client_cert))
    context.load_cert_chain(server_cert, server_key)
    context.verify_mode = ssl.CERT_REQUIRED
    return context, TlsSettings(str(client_cert), str(client_key), str(server_cert))


async def test_mutual_tls(serve: Serve, tmp_path: Path) -> None:
    context, tls = _server_context(tmp_path)
    peer = Peer()
    client = SoapClient(await serve(peer, context), tls)
    assert (await client.post(b"<x/>", HEADERS))[0] == 200
    [presented] = peer.client_certificates
    assert ("commonName", "sp") in presented["subject"][0]
    await client.aclose()


async def test_tls_refuses_unknown_server(serve: Serve, tmp_path: Path) -> None:
    context, tls = _server_context(tmp_path)
    other, _ = _identity(tmp_path, "other")
    client = SoapClient(
        await serve(Peer(), context),
        TlsSettings(tls.client_certificate, tls.client_key, str(other)),
    )
    with pytest.raises(BackChannelError, match="SSLCertVerificationError"):
        await client.post(b"<x/>", HEADERS)


async def test_digid_login_over_own_client(
    world_factory: Any, kit: Any, idp_keys: Any, sp_keys: Any
) -> None:
    idp = kit.DigidIdp(idp_keys, sp_keys)
    server = uvicorn.Server(
        uvicorn.Config(idp.app(), host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    listening = socket.create_server(("127.0.0.1", 0))  # connections queue until it serves
    port = listening.getsockname()[1]
    task = asyncio.create_task(server.serve(sockets=[listening]))
    try:
        world = await world_factory(
            shared_http=False,
            idp_artifact_resolution_url=f"http://127.0.0.1:{port}/saml/idp/resolve_artifact",
        )
        world.idp = idp
        assert world.means._resolver.own_client is not None
        for _ in range(2):
            assert (await world.login()).subject == "999999990"
        assert len(idp.requests) == 2
        await world.means.aclose()
    finally:
        server.should_exit = True
        await task


async def test_configured_ca_bundle_is_used_with_a_shared_client(
    serve: Serve, tmp_path: Path, kit: Any, idp_keys: Any, sp_keys: Any
) -> None:
    # Only the server is authenticated (no client certificate): the configured CA bundle must
    # still decide whom the back channel trusts, not the shared client's default store.
    server_cert, server_key = _identity(tmp_path, "idp")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(server_cert, server_key)
    url = await serve(Peer(), context)
    async with httpx.AsyncClient() as shared:
        resolver = ArtifactResolver(
            peer="DigiD", sp_entity_id=kit.SP, acs_url=kit.ACS, idp_entity_id=kit.IDP, url=url,
            sp_key=sp_keys.key, sp_cert_pem=sp_keys.cert_pem,
            certificates=load_certificates([idp_keys.cert_pem]), store=MemoryStore(),
            tls=TlsSettings(ca_bundle=str(server_cert)), http_client=shared,
        )
        assert resolver.own_client is not None
        _, body = await resolver.resolve(build_artifact(kit.IDP))
        assert body == b"<answer/>"
        await resolver.aclose()


async def test_slowly_dripping_answer_times_out_on_a_shared_client(
    kit: Any, idp_keys: Any, sp_keys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A peer that keeps sending a byte now and then must not hold the login beyond the
    # back-channel timeout (a per-read timeout alone would wait for ever).
    import broker.saml.backchannel as backchannel

    monkeypatch.setattr(backchannel, "RESOLVE_TIMEOUT", 0.5)

    async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100\r\n\r\n")
        try:
            for _ in range(100):
                writer.write(b" ")
                await writer.drain()
                await asyncio.sleep(0.1)
        except ConnectionError:
            pass
        writer.close()

    server = await asyncio.start_server(drip, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient() as shared:
            resolver = ArtifactResolver(
                peer="DigiD", sp_entity_id=kit.SP, acs_url=kit.ACS, idp_entity_id=kit.IDP,
                url=f"http://127.0.0.1:{port}/resolve", sp_key=sp_keys.key,
                sp_cert_pem=sp_keys.cert_pem, certificates=load_certificates([idp_keys.cert_pem]),
                store=MemoryStore(), http_client=shared,
            )
            started = asyncio.get_running_loop().time()
            with pytest.raises(SamlError, match="artifact resolution failed: TimeoutError"):
                await resolver.resolve(build_artifact(kit.IDP))
            assert asyncio.get_running_loop().time() - started < 3
    finally:
        server.close()
