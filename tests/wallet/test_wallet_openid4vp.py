"""Request object builder, direct_post.jwt decryption and end-to-end VP token checks."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable

import pytest
from cryptography import x509
from wallet_support import *  # noqa: F403 - the shared pytest fixtures
from wallet_support import NOW, RESPONSE_URI, FakeStatusEndpoint

from wallet_adapters import dcql
from wallet_adapters.encoding import b64url_encode
from wallet_adapters.errors import (
    DecryptionError,
    HolderBindingError,
    MalformedInput,
    QueryNotSatisfied,
    StatusError,
)
from wallet_adapters.jws import parse_compact, verify_compact
from wallet_adapters.mdoc.session_transcript import openid4vp_session_transcript
from wallet_adapters.mdoc.verifier import MdocPolicy
from wallet_adapters.openid4vp import (
    AuthorizationRequest,
    EphemeralEncryptionKey,
    RequestContext,
    build_request_object,
    decrypt_response,
    parse_response_payload,
    verify_vp_token,
    x509_hash_client_id,
    x509_san_dns_client_id,
)
from wallet_adapters.sd_jwt_vc import SdJwtVcPolicy
from wallet_adapters.status_list import StatusListClient
from wallet_adapters.testing import TestHolder, TestPerson, TestPidIssuer, TestPki
from wallet_adapters.testing.holder import encrypt_response


def _request(pki: TestPki, query: dict[str, object] | None = None) -> AuthorizationRequest:
    return build_request_object(
        client_id=x509_hash_client_id(pki.verifier_cert), response_uri=RESPONSE_URI,
        dcql_query=query or dcql.build_pid_query("nl"), signing_key=pki.verifier_key,
        certificate_chain=[pki.verifier_cert], now=NOW,
    )


def test_request_object(pki: TestPki) -> None:
    req = _request(pki)
    jws = parse_compact(req.request_object)
    assert jws.header["typ"] == "oauth-authz-req+jwt" and jws.header["alg"] == "ES256"
    leaf = x509.load_der_x509_certificate(base64.b64decode(jws.header["x5c"][0]))
    key = leaf.public_key()
    verify_compact(jws, key)  # type: ignore[arg-type]
    p = jws.payload
    assert p["client_id"].startswith("x509_hash:") and p["client_id"] == req.client_id
    assert p["response_mode"] == "direct_post.jwt" and p["response_uri"] == RESPONSE_URI
    assert p["nonce"] == req.nonce and len(req.nonce) >= 43
    assert p["client_metadata"]["encrypted_response_enc_values_supported"] == [
        "A128GCM", "A256GCM"]
    [jwk] = p["client_metadata"]["jwks"]["keys"]
    assert jwk["crv"] == "P-256" and jwk["alg"] == "ECDH-ES" and "d" not in jwk
    other = _request(pki)
    assert other.nonce != req.nonce and other.state != req.state
    assert other.encryption_key.public_jwk["x"] != jwk["x"]


def test_client_id_prefixes(pki: TestPki) -> None:
    assert x509_san_dns_client_id(pki.verifier_cert, pki.verifier_dns) == (
        "x509_san_dns:" + pki.verifier_dns)
    with pytest.raises(ValueError):
        x509_san_dns_client_id(pki.verifier_cert, "evil.example")
    with pytest.raises(ValueError):
        build_request_object(client_id="plain", response_uri=RESPONSE_URI, dcql_query={},
                             signing_key=pki.verifier_key, certificate_chain=[pki.verifier_cert])


@pytest.mark.parametrize("enc", ["A128GCM", "A256GCM"])
def test_response_round_trip(enc: str) -> None:
    key = EphemeralEncryptionKey.generate()
    jwe = encrypt_response({"vp_token": {"pid": ["x"]}, "state": "s1"}, key.public_jwk, enc)
    payload = decrypt_response(jwe, key)
    resp = parse_response_payload(payload, "s1")
    assert resp.vp_token == {"pid": ["x"]}
    with pytest.raises(MalformedInput):
        parse_response_payload(payload, "other-session-state")


def test_response_refusals() -> None:
    key, other = EphemeralEncryptionKey.generate(), EphemeralEncryptionKey.generate()
    to_other = encrypt_response({"vp_token": {}}, other.public_jwk)
    with pytest.raises(DecryptionError):  # kid of another request's key
        decrypt_response(to_other, key)
    no_kid = {k: v for k, v in other.public_jwk.items() if k != "kid"}
    with pytest.raises(DecryptionError):  # right shape, wrong key
        decrypt_response(encrypt_response({"vp_token": {}}, no_kid), key)
    with pytest.raises(DecryptionError):  # plaintext JWT / form value instead of JWE
        decrypt_response("eyJhbGciOiJub25lIn0.eyJ2cF90b2tlbiI6e319.", key)
    with pytest.raises(DecryptionError):
        decrypt_response(encrypt_response({"a": 1}, key.public_jwk, "A192GCM"), key)


@pytest.mark.parametrize("blob", [
    "", ".", "....", "a.b.c.d.e", "x" * 3_000_000,
    b64url_encode(b'{"alg":"ECDH-ES","enc":"A128GCM"}') + "....",
    b64url_encode(b'{"alg":"ECDH-ES","enc":"A128GCM","epk":{"kty":"EC","crv":"P-256",'
                  b'"x":"AA","y":"AA"}}') + "..AAAA.AAAA.AAAA",
    b64url_encode(b'{"alg":"RSA-OAEP","enc":"A128GCM"}') + ".a.b.c.d",
    b64url_encode(b'{"alg":"ECDH-ES","enc":"A128GCM","zip":"DEF"}') + ".a.b.c.d",
    b64url_encode(b'[1,2]') + ".a.b.c.d",
])
def test_malformed_jwe_typed_error(blob: str) -> None:
    with pytest.raises(DecryptionError):
        decrypt_response(blob, EphemeralEncryptionKey.generate())


# ------------------------------------------------------------------ end to end
class Flow:
    def __init__(self, pki: TestPki, issuer: TestPidIssuer, holder: TestHolder,
                 person: TestPerson) -> None:
        self.pki, self.issuer, self.holder, self.person = pki, issuer, holder, person
        self.request = _request(pki)

    def context(self, request: AuthorizationRequest | None = None) -> RequestContext:
        r = request or self.request
        return RequestContext(r.client_id, r.nonce, r.response_uri, r.encryption_key.thumbprint,
                              r.dcql_query)

    def wallet_response(self, fmt: str, *, status_idx: int | None = 5,
                        for_request: AuthorizationRequest | None = None) -> str:
        r = for_request or self.request
        if fmt == "dc+sd-jwt":
            issued = self.issuer.issue_sd_jwt_vc(self.person, self.holder.public_key, now=NOW,
                                                 status_idx=status_idx)
            vp = self.holder.present_sd_jwt(issued, ["family_name", "given_name", "birthdate",
                                                     "bsn"], nonce=r.nonce,
                                            audience=r.client_id, now=NOW)
            token = {"pid_sd_jwt": [vp]}
        else:
            mdoc = self.issuer.issue_mdoc(self.person, self.holder.public_key, now=NOW,
                                          status_idx=status_idx)
            st = openid4vp_session_transcript(r.client_id, r.nonce, r.encryption_key.thumbprint,
                                              r.response_uri)
            token = {"pid_mdoc": [self.holder.present_mdoc(mdoc, None, session_transcript=st)]}
        return encrypt_response({"vp_token": token, "state": r.state},
                                self.request.encryption_key.public_jwk)


@pytest.fixture
def flow(pki: TestPki, issuer: TestPidIssuer, holder: TestHolder, person: TestPerson,
         status_endpoint: FakeStatusEndpoint) -> Flow:
    status_endpoint.serve_jwt(issuer.status_uri, issuer.status_list_jwt({6: 1, 7: 2}, now=NOW))
    return Flow(pki, issuer, holder, person)


async def _verify(flow: Flow, jwe: str, sd_policy: SdJwtVcPolicy, mdoc_policy: MdocPolicy,
                  status: StatusListClient) -> dict[str, object]:
    payload = decrypt_response(jwe, flow.request.encryption_key)
    resp = parse_response_payload(payload, flow.request.state)
    verified = await verify_vp_token(resp.vp_token, flow.context(), sd_jwt_policy=sd_policy,
                                     mdoc_policy=mdoc_policy, status_client=status, now=NOW)
    [(cid, [cred])] = verified.credentials.items()
    q = next(c for c in flow.request.dcql_query["credentials"] if c["id"] == cid)
    return dcql.requested_claims(q, cred)


@pytest.mark.parametrize("fmt", ["dc+sd-jwt", "mso_mdoc"])
async def test_end_to_end(fmt: str, flow: Flow, sd_policy: SdJwtVcPolicy,
                          mdoc_policy: MdocPolicy,
                          status_client_factory: Callable[..., StatusListClient]) -> None:
    claims = await _verify(flow, flow.wallet_response(fmt), sd_policy, mdoc_policy,
                           status_client_factory())
    key = "bsn" if fmt == "dc+sd-jwt" else "urn:eudi:pid:nl:1/bsn"
    assert claims[key] == "999999990"


@pytest.mark.parametrize("fmt", ["dc+sd-jwt", "mso_mdoc"])
@pytest.mark.parametrize("idx", [6, 7, 5000])
async def test_revoked_suspended_out_of_range(fmt: str, idx: int, flow: Flow,
                                              sd_policy: SdJwtVcPolicy, mdoc_policy: MdocPolicy,
                                              status_client_factory: Callable[
                                                  ..., StatusListClient]) -> None:
    with pytest.raises(StatusError):
        await _verify(flow, flow.wallet_response(fmt, status_idx=idx), sd_policy, mdoc_policy,
                      status_client_factory())


@pytest.mark.parametrize("fmt", ["dc+sd-jwt", "mso_mdoc"])
async def test_replay_across_sessions_refused(fmt: str, flow: Flow, pki: TestPki,
                                              sd_policy: SdJwtVcPolicy, mdoc_policy: MdocPolicy,
                                              status_client_factory: Callable[
                                                  ..., StatusListClient]) -> None:
    # A response bound to session A, re-encrypted by an attacker for session B.
    session_a = _request(pki)
    captured = decrypt_response(flow.wallet_response(fmt, for_request=session_a),
                                flow.request.encryption_key)
    replay = encrypt_response({**captured, "state": flow.request.state},
                              flow.request.encryption_key.public_jwk)
    with pytest.raises(HolderBindingError):
        await _verify(flow, replay, sd_policy, mdoc_policy, status_client_factory())


async def test_mdoc_bound_to_encryption_key(flow: Flow, sd_policy: SdJwtVcPolicy,
                                            mdoc_policy: MdocPolicy,
                                            status_client_factory: Callable[
                                                ..., StatusListClient]) -> None:
    jwe = flow.wallet_response("mso_mdoc")
    payload = decrypt_response(jwe, flow.request.encryption_key)
    other_key = dataclasses.replace(flow.context(), encryption_jwk_thumbprint=None)
    with pytest.raises(HolderBindingError):
        await verify_vp_token(payload["vp_token"], other_key, sd_jwt_policy=sd_policy,
                              mdoc_policy=mdoc_policy, status_client=status_client_factory(),
                              now=NOW)


async def test_unrequested_credential_refused(flow: Flow, sd_policy: SdJwtVcPolicy,
                                              mdoc_policy: MdocPolicy,
                                              status_client_factory: Callable[
                                                  ..., StatusListClient]) -> None:
    only_mdoc = dataclasses.replace(flow.context(),
                                    dcql_query=dcql.build_pid_query("nl", ("mso_mdoc",)))
    payload = decrypt_response(flow.wallet_response("dc+sd-jwt"), flow.request.encryption_key)
    with pytest.raises((MalformedInput, QueryNotSatisfied)):
        await verify_vp_token(payload["vp_token"], only_mdoc, sd_jwt_policy=sd_policy,
                              mdoc_policy=mdoc_policy, status_client=status_client_factory(),
                              now=NOW)
