"""The service-provider steps the SAML login means take alike: remember the AuthnRequest in the
transaction, send it by HTTP-Redirect (DigiD, eHerkenning), read what comes back to the
artifact ACS, and accept each assertion only once.

The request ID kept in ``means_state`` is what the answer's InResponseTo must match later;
the transaction id is the RelayState (43 characters, within the 80 bytes of Bindings §3.4.3).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from starlette.requests import Request
from starlette.responses import RedirectResponse

from broker.assurance import Level
from broker.flow.model import Transaction
from broker.means.base import FlowControl
from broker.saml.messages import new_message_id
from broker.saml.redirect import build_redirect_url
from broker.saml.response import VerifiedAssertion
from broker.saml.xml import SamlError, to_bytes
from broker.store import Store


async def remember_request(
    transaction: Transaction, flow: FlowControl, *, means: str, level: Level
) -> str:
    """A new AuthnRequest ID, saved with the requested level in the transaction's state."""
    request_id = new_message_id()
    transaction.means = means
    transaction.means_state[means] = {
        "request_id": request_id,
        "issued": int(time.time()),
        "level": int(level),
    }
    await flow.save(transaction)
    return request_id


def redirect_request(
    sso_url: str,
    message: etree._Element,
    transaction: Transaction,
    sp_key: rsa.RSAPrivateKey,
    headers: Mapping[str, str] | None = None,
) -> RedirectResponse:
    """Send the browser to ``sso_url`` with ``message`` signed in the query (Bindings §3.4)."""
    url = build_redirect_url(sso_url, "SAMLRequest", to_bytes(message), transaction.id, sp_key)
    return RedirectResponse(url, status_code=303, headers=headers)


async def remember_assertion(store: Store, verified: VerifiedAssertion, clock_skew: int) -> None:
    """Accept each assertion once (catalogue §3.4, replay), across all workers: its ID is kept
    until it can no longer be valid anyway."""
    ttl = max(1, int(verified.valid_until - time.time()) + clock_skew)
    if not await store.add(
        "saml-assertion:" + verified.assertion_id, {"at": int(time.time())}, ttl=ttl
    ):
        raise SamlError("Deze assertion is al gebruikt.", "replayed assertion")


def reusable_until(verified: VerifiedAssertion) -> int | None:
    """Until when the login may carry single sign-on: the IdP's SessionNotOnOrAfter (SAML
    Profiles §4.1.4.3: the SP's security context should be discarded after it)."""
    limit = verified.session_not_on_or_after
    return None if limit is None else int(limit)


async def artifact_parameters(request: Request) -> tuple[str | None, str | None]:
    """``SAMLart`` and ``RelayState`` from the query (GET) or form (POST) of an artifact ACS
    call (Bindings §3.6.3); a repeated parameter counts as absent, so it is refused later."""
    if request.method == "POST":
        form = await request.form()
        values = {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in form}
    else:
        values = {k: request.query_params.getlist(k) for k in request.query_params}
    artifact = _single(values, "SAMLart")
    if artifact is not None:
        artifact = artifact.replace(" ", "+")  # an unencoded '+' read as form space
    return artifact, _single(values, "RelayState")


def _single(values: Mapping[str, list[str]], name: str) -> str | None:
    found = values.get(name, [])
    return found[0] if len(found) == 1 else None
