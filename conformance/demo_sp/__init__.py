"""An example service provider (relying party) for the demo and for end-to-end tests.

It does what a real integrator must do, no less: PKCE S256, state and nonce, `iss` check on the
callback (RFC 9207), private_key_jwt at the token endpoint, and full ID token validation against
the broker's JWKS. It then shows the claims it received.
"""

from conformance.demo_sp.app import DemoServiceProvider

__all__ = ["DemoServiceProvider"]
