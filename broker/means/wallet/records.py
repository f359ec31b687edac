"""The verifier-side state of one wallet request, kept in the broker store.

OpenID4VP 1.0 §13.3 (reference design for ``direct_post``): the verifier keeps the request
server-side, finds it again by ``state`` when the wallet posts to the response URI, and releases
the result to the browser only with a fresh ``response_code`` (same device). The record lives
under an unguessable request id (256 bits, attack catalogue §5.1 "request_uri enumeration"),
with index entries by ``state`` (consumed atomically: single use), by the encryption key's
``kid`` (to pick the decryption key before ``state`` can be read) and, when cross-device use is
allowed, by a second id that only the QR code carries.

The ephemeral encryption private key is stored with the record (PEM): it must survive until the
wallet answers, possibly on another worker; it is per request and expires with the record.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from broker.store import Store
from wallet_adapters.openid4vp import EphemeralEncryptionKey

REQUEST = "wallet-req:"
BY_STATE = "wallet-state:"
BY_KID = "wallet-kid:"
BY_CROSS_ID = "wallet-xid:"
USED_NONCE = "wallet-nonce:"

Mode = Literal["same", "cross"]
Status = Literal["pending", "done", "failed"]


@dataclass
class WalletRequest:
    id: str
    transaction: str
    cross_id: str | None  # request id for the QR code; None = cross-device not allowed
    client_id: str
    nonce: str
    state: str
    response_uri: str
    dcql_query: dict[str, Any]
    payload: dict[str, Any]  # request object claims, re-signed on every fetch
    enc_key_pem: str
    enc_kid: str
    csrf: str
    created: int
    mode: Mode | None = None  # set by the first request_uri fetch
    status: Status = "pending"
    response_code: str | None = None
    authentication: dict[str, Any] | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WalletRequest:
        return cls(**data)

    @property
    def encryption_key(self) -> EphemeralEncryptionKey:
        key = serialization.load_pem_private_key(self.enc_key_pem.encode(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return EphemeralEncryptionKey(key, self.enc_kid)


def key_pem(key: EphemeralEncryptionKey) -> str:
    return key.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


class WalletRequests:
    """Store access for ``WalletRequest`` records and their indexes."""

    def __init__(self, store: Store, ttl: int) -> None:
        self.store = store
        self.ttl = ttl

    async def create(self, record: WalletRequest) -> None:
        ref = {"id": record.id}
        puts = [
            (REQUEST + record.id, record.to_json(), self.ttl),
            (BY_STATE + record.state, ref, self.ttl),
            (BY_KID + record.enc_kid, ref, self.ttl),
        ]
        if record.cross_id is not None:
            puts.append((BY_CROSS_ID + record.cross_id, ref, self.ttl))
        await self.store.write_many(puts=puts)

    async def get(self, request_id: str) -> WalletRequest | None:
        data = await self.store.get(REQUEST + request_id) if request_id else None
        return None if data is None else WalletRequest.from_json(data)

    async def save(self, record: WalletRequest) -> None:
        await self.store.put(REQUEST + record.id, record.to_json(), self.ttl)

    async def take(self, request_id: str) -> WalletRequest | None:
        """Remove and return: the browser side can use a result once."""
        data = await self.store.take(REQUEST + request_id)
        return None if data is None else WalletRequest.from_json(data)

    async def id_by(self, prefix: str, value: str) -> str | None:
        ref = await self.store.get(prefix + value) if value else None
        return None if ref is None else str(ref["id"])

    async def consume_state(self, state: str) -> str | None:
        """The request id for ``state``, at most once (replay of a response finds nothing)."""
        ref = await self.store.take(BY_STATE + state) if state else None
        return None if ref is None else str(ref["id"])

    async def first_use_of_nonce(self, nonce: str) -> bool:
        return await self.store.add(USED_NONCE + nonce, {"used": True}, self.ttl)


__all__ = ["WalletRequest", "WalletRequests", "key_pem"]
