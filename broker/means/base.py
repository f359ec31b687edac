"""The contract between the flow engine and a login means.

A means knows nothing of OIDC or SAML toward service providers: it is started for a
``Transaction``, sends the browser upstream, and on return hands the flow an ``Authentication``
(or an error). Its own HTTP endpoints (assertion consumer, metadata) come from ``routes()`` and
are mounted under ``/means/<name>``.
"""

from __future__ import annotations

from typing import Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from broker.assurance import Level
from broker.errors import BrokerError
from broker.flow.model import Authentication, Transaction
from broker.store import Store


class FlowControl(Protocol):
    """What the flow offers a login means."""

    store: Store

    async def load(self, request: Request, transaction_id: str) -> Transaction:
        """The transaction, checked to belong to this browser; raises BrokerError otherwise."""

    async def save(self, transaction: Transaction) -> None: ...

    async def complete(
        self, request: Request, transaction: Transaction, authentication: Authentication
    ) -> Response:
        """The means is done: continue the flow (level check, representation, answer)."""

    async def fail(
        self, request: Request, transaction: Transaction, error: BrokerError
    ) -> Response:
        """The means failed or the user cancelled: return to the service provider with an error."""


class LoginMeans(Protocol):
    name: str  # short, stable: "digid"; used in URLs and in the login_means parameter
    labels: dict[str, str]  # display name per language
    max_level: Level

    def routes(self) -> list[BaseRoute]:
        """Endpoints of this means, mounted under /means/<name>."""

    async def start(
        self, request: Request, transaction: Transaction, flow: FlowControl
    ) -> Response:
        """Send the browser to the upstream means for ``transaction`` (usually a redirect)."""


def bound_flow(bound: FlowControl | None, request: Request, means: str) -> FlowControl:
    """The flow a means hands its result to: the one bound at start-up, else the app's (set on
    ``app.state.flow`` or ``app.state.broker.flow`` by whoever built the app)."""
    if bound is not None:
        return bound
    state = request.app.state
    flow: FlowControl | None = getattr(state, "flow", None)
    if flow is None and getattr(state, "broker", None) is not None:
        flow = getattr(state.broker, "flow", None)
    if flow is None:
        raise RuntimeError(f"{means} has no flow: call bind(flow) at start-up")
    return flow
