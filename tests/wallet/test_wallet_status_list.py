"""Token Status List checks and caching; attack-catalogue §5.3."""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable

import pytest
from wallet_support import *  # noqa: F403 - the shared pytest fixtures
from wallet_support import NOW, FakeStatusEndpoint

from wallet_adapters.encoding import b64url_encode
from wallet_adapters.errors import (
    MalformedInput,
    PolicyError,
    StatusError,
    UntrustedIssuer,
    ValidityError,
    WalletVerificationError,
)
from wallet_adapters.jws import sign_compact
from wallet_adapters.status_list import (
    CWT_MEDIA_TYPE,
    FetchedToken,
    StatusList,
    StatusListClient,
    StatusReference,
    decode_json_status_list,
    decompress,
)
from wallet_adapters.testing import TestPidIssuer, TestPki
from wallet_adapters.trust import x5c_value

URI = "https://status.toegang.example.nl/pid/1"
STATUSES = {3: 1, 4: 2, 5: 3, 7: 0}


def _ref(idx: int) -> StatusReference:
    return StatusReference(idx, URI)


async def test_valid_revoked_suspended(issuer: TestPidIssuer, status_endpoint: FakeStatusEndpoint,
                                       status_client_factory: Callable[..., StatusListClient]
                                       ) -> None:
    status_endpoint.serve_jwt(URI, issuer.status_list_jwt(STATUSES, now=NOW))
    client = status_client_factory()
    await client.check(_ref(7))
    with pytest.raises(StatusError) as revoked:
        await client.check(_ref(3))
    assert revoked.value.code == "revoked"
    with pytest.raises(StatusError) as suspended:
        await client.check(_ref(4))
    assert suspended.value.code == "suspended"
    with pytest.raises(StatusError):  # application-specific 0x03: fail closed
        await client.check(_ref(5))
    with pytest.raises(StatusError) as out_of_range:
        await client.check(_ref(1024))
    assert out_of_range.value.code == "status_index"
    assert status_endpoint.calls == 1  # cached


async def test_cwt_status_list(issuer: TestPidIssuer, status_endpoint: FakeStatusEndpoint,
                               status_client_factory: Callable[..., StatusListClient]) -> None:
    status_endpoint.tokens[URI] = FetchedToken(CWT_MEDIA_TYPE,
                                               issuer.status_list_cwt(STATUSES, now=NOW))
    client = status_client_factory()
    await client.check(_ref(0))
    with pytest.raises(StatusError):
        await client.check(_ref(3))


async def test_cache_honours_ttl_and_exp(issuer: TestPidIssuer,
                                         status_endpoint: FakeStatusEndpoint,
                                         status_client_factory: Callable[..., StatusListClient]
                                         ) -> None:
    clock = [NOW]
    status_endpoint.serve_jwt(URI, issuer.status_list_jwt({}, now=NOW, ttl=60))
    client = status_client_factory(now=lambda: clock[0])
    await client.check(_ref(3))
    clock[0] = NOW + dt.timedelta(seconds=30)
    await client.check(_ref(3))
    assert status_endpoint.calls == 1
    # The issuer revokes index 3; after ttl the verifier must see it.
    status_endpoint.serve_jwt(URI, issuer.status_list_jwt({3: 1}, now=clock[0], ttl=60))
    clock[0] = NOW + dt.timedelta(seconds=61)
    with pytest.raises(StatusError):
        await client.check(_ref(3))
    assert status_endpoint.calls == 2
    # exp earlier than ttl bounds the cache as well
    clock[0] += dt.timedelta(seconds=200)
    status_endpoint.serve_jwt(URI, issuer.status_list_jwt(
        {}, now=clock[0], ttl=3600, lifetime=dt.timedelta(seconds=10)))
    await client.check(_ref(3))
    assert status_endpoint.calls == 3
    clock[0] += dt.timedelta(seconds=11)
    with pytest.raises(ValidityError):  # the served token is now expired
        await client.check(_ref(3))


async def test_fetch_failure_fails_closed(status_endpoint: FakeStatusEndpoint,
                                          status_client_factory: Callable[..., StatusListClient]
                                          ) -> None:
    status_endpoint.fail = True
    with pytest.raises(StatusError):
        await status_client_factory().check(_ref(0))


async def test_ssrf_guards(status_client_factory: Callable[..., StatusListClient]) -> None:
    client = status_client_factory(allowed_hosts=frozenset({"status.toegang.example.nl"}))
    for uri in ("http://status.toegang.example.nl/pid/1", "https://169.254.169.254/latest",
                "file:///etc/passwd"):
        with pytest.raises(StatusError):
            await client.check(StatusReference(0, uri))


@pytest.mark.parametrize("mutation", ["typ", "sub", "expired", "bad_sig", "untrusted", "bits",
                                      "media_type", "no_iat"])
async def test_bad_status_tokens_refused(mutation: str, issuer: TestPidIssuer, pki: TestPki,
                                         rogue_pki: TestPki,
                                         status_endpoint: FakeStatusEndpoint,
                                         status_client_factory: Callable[..., StatusListClient]
                                         ) -> None:
    token = issuer.status_list_jwt({}, now=NOW)
    if mutation == "typ":
        token = issuer.status_list_jwt({}, now=NOW, typ="JWT")
    elif mutation == "sub":
        token = issuer.status_list_jwt({}, now=NOW, uri="https://status.toegang.example.nl/pid/2")
    elif mutation == "expired":
        token = issuer.status_list_jwt({}, now=NOW - dt.timedelta(hours=2))
    elif mutation == "bad_sig":
        token = issuer.status_list_jwt({}, now=NOW, signing_key=rogue_pki.status_key)
    elif mutation == "untrusted":
        token = TestPidIssuer(rogue_pki).status_list_jwt({}, now=NOW)
    elif mutation in ("bits", "no_iat"):
        sl = {"bits": 3, "lst": b64url_encode(zlib.compress(b"\x00" * 8))}
        payload: dict[str, object] = {"sub": URI, "iat": int(NOW.timestamp()), "status_list": sl}
        if mutation == "no_iat":
            sl["bits"] = 1
            del payload["iat"]
        token = sign_compact({"typ": "statuslist+jwt", "x5c": x5c_value([pki.status_cert])},
                             payload, pki.status_key)
    status_endpoint.serve_jwt(URI, token)
    if mutation == "media_type":
        status_endpoint.tokens[URI] = FetchedToken("text/html", token.encode())
    with pytest.raises((StatusError, PolicyError, ValidityError, UntrustedIssuer,
                        MalformedInput, WalletVerificationError)):
        await status_client_factory().check(_ref(0))


async def test_status_signer_must_share_issuer_anchor(issuer: TestPidIssuer, pki: TestPki,
                                                      rogue_pki: TestPki,
                                                      status_endpoint: FakeStatusEndpoint,
                                                      status_client_factory: Callable[
                                                          ..., StatusListClient]) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    status_endpoint.serve_jwt(URI, issuer.status_list_jwt({}, now=NOW))
    client = status_client_factory()
    await client.check(_ref(0), issuer_anchor=pki.root.public_bytes(Encoding.DER))
    with pytest.raises(StatusError):
        await client.check(_ref(0), issuer_anchor=rogue_pki.root.public_bytes(Encoding.DER))


def test_deflate_bomb_capped() -> None:
    bomb = zlib.compress(b"\x00" * (64 * 1024 * 1024), 9)
    assert len(bomb) < 100_000
    with pytest.raises(MalformedInput):
        decompress(1, bomb)
    with pytest.raises(MalformedInput):
        decompress(1, b"not zlib")
    with pytest.raises(MalformedInput):
        decompress(1, zlib.compress(b"\x00" * 100)[:-3])  # truncated


def test_bit_packing() -> None:
    sl = StatusList(2, bytes([0b11100100]))
    assert [sl.get(i) for i in range(4)] == [0, 1, 2, 3]
    assert decode_json_status_list({"bits": 1, "lst": "eNrbuRgAAhcBXQ"}).data == b"\xb9\xa3"
