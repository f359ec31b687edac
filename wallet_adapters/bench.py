"""Micro benchmark: CPU time per SD-JWT VC and per mdoc verification.

Scenario (fact-sheet targets: <= 2 ms SD-JWT VC, <= 3 ms mdoc):

* SD-JWT VC: NL PID with x5c chain to the test root, 6 disclosures (family_name,
  given_name, birthdate, bsn, address + address.locality) and a KB-JWT.
* mdoc: NL PID DeviceResponse, 4 disclosed elements, issuerAuth with x5chain,
  deviceSignature over the OpenID4VP SessionTranscript, and a status check against
  an already-cached Status List Token.

The trust list caches successful path builds (see :mod:`wallet_adapters.trust`), as
the broker will in steady state; ``cold_chain=True`` measures without that cache.
Run: ``python -m wallet_adapters.bench``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass

from wallet_adapters.mdoc.session_transcript import openid4vp_session_transcript
from wallet_adapters.mdoc.verifier import MdocPolicy, verify_device_response
from wallet_adapters.openid4vp.client_id import x509_hash_client_id
from wallet_adapters.sd_jwt_vc import SdJwtVcPolicy, verify_sd_jwt_vc, x5c_resolver
from wallet_adapters.status_list import JWT_MEDIA_TYPE, FetchedToken, StatusListClient
from wallet_adapters.testing import TEST_PERSONS, TestHolder, TestPidIssuer, TestPki
from wallet_adapters.trust import TrustList

NL_PID = "urn:eudi:pid:nl:1"


@dataclass(frozen=True)
class BenchResult:
    sd_jwt_vc_ms: float
    mdoc_ms: float
    iterations: int
    cold_chain: bool

    def __str__(self) -> str:
        chain = "cold" if self.cold_chain else "cached"
        return (f"SD-JWT VC (6 disclosures + KB): {self.sd_jwt_vc_ms:.3f} ms CPU; "
                f"mdoc (device auth, status cached): {self.mdoc_ms:.3f} ms CPU "
                f"[{self.iterations} iterations, chain {chain}]")


def run(iterations: int = 200, *, cold_chain: bool = False) -> BenchResult:
    now = dt.datetime.now(dt.UTC)
    pki = TestPki.create(now=now)
    issuer, holder = TestPidIssuer(pki), TestHolder()
    person = TEST_PERSONS["999999990"]
    client_id = x509_hash_client_id(pki.verifier_cert)
    nonce = "bench-nonce-0123456789abcdefghijkl"
    response_uri = "https://toegang.example.nl/wallet/response"

    def trust() -> TrustList:
        return pki.trust_list()

    shared = trust()
    issued = issuer.issue_sd_jwt_vc(person, holder.public_key, now=now)
    presentation = holder.present_sd_jwt(
        issued, ["family_name", "given_name", "birthdate", "bsn", "address", "address.locality"],
        nonce=nonce, audience=client_id, now=now,
    )
    assert presentation.count("~") == 7  # 6 disclosures + KB-JWT

    transcript = openid4vp_session_transcript(client_id, nonce, b"\x01" * 32, response_uri)
    mdoc = issuer.issue_mdoc(person, holder.public_key, now=now, status_idx=3)
    response = holder.present_mdoc(
        mdoc, {NL_PID: ["family_name", "given_name", "birthdate", "bsn"]},
        session_transcript=transcript,
    )
    status_token = issuer.status_list_jwt({}, now=now).encode()

    async def fetch(uri: str) -> FetchedToken:
        return FetchedToken(JWT_MEDIA_TYPE, status_token)

    status = StatusListClient(fetch, shared, clock=lambda: now)
    loop = asyncio.new_event_loop()

    def sd_once() -> None:
        policy = SdJwtVcPolicy(key_resolver=x5c_resolver(trust() if cold_chain else shared),
                               allowed_vcts=frozenset({NL_PID}))
        verify_sd_jwt_vc(presentation, policy, nonce=nonce, audience=client_id, now=now)

    def mdoc_once() -> None:
        policy = MdocPolicy(trust=trust() if cold_chain else shared,
                            allowed_doctypes=frozenset({NL_PID}))
        [doc] = verify_device_response(response, policy, session_transcript=transcript, now=now)
        assert doc.status is not None
        loop.run_until_complete(status.check(doc.status))

    def measure(fn: object) -> float:
        assert callable(fn)
        for _ in range(5):  # warm-up (and fill caches)
            fn()
        start = time.process_time()
        for _ in range(iterations):
            fn()
        return (time.process_time() - start) * 1000 / iterations

    try:
        return BenchResult(measure(sd_once), measure(mdoc_once), iterations, cold_chain)
    finally:
        loop.close()


if __name__ == "__main__":
    print(run())
    print(run(cold_chain=True))
