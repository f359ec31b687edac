"""EU Digital Identity wallet login: the broker as an OpenID4VP 1.0 / HAIP 1.0 verifier of the PID.

See ``means.py`` for the protocol flow and the same-/cross-device binding rules, ``mapping.py``
for how a PID becomes an ``Authentication`` and ``config.py`` for what an operator configures.
"""

from __future__ import annotations

from broker.means.wallet.config import TrustAnchorConfig, WalletConfig
from broker.means.wallet.means import WalletMeans, WalletSettings
from broker.means.wallet.setup import MEANS_PATH, SIMULATOR_PATH, build_wallet

__all__ = [
    "MEANS_PATH",
    "SIMULATOR_PATH",
    "TrustAnchorConfig",
    "WalletConfig",
    "WalletMeans",
    "WalletSettings",
    "build_wallet",
]
