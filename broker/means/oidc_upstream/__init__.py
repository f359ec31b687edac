"""Approved private login means that speak OpenID Connect, with the broker as relying party.

Profile: NL GOV Assurance profile for OpenID Connect 1.0 (``nl-login-means.md`` §1): authorization
code flow only, PKCE S256, state and nonce, a signed ID token whose ``acr`` gives the level.
Every check on the upstream's answer follows the attack catalogue §2.3/§2.4 and §4.
"""

from __future__ import annotations

from broker.means.oidc_upstream.config import OidcUpstreamConfig
from broker.means.oidc_upstream.means import OidcUpstreamMeans
from broker.means.oidc_upstream.setup import build_oidc_upstream

__all__ = ["OidcUpstreamConfig", "OidcUpstreamMeans", "build_oidc_upstream"]
