"""Fixtures for the wallet login means (defined in wallet_login_support)."""

from __future__ import annotations

from wallet_login_support import *  # noqa: F403
