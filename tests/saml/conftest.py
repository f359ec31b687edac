"""Fixtures for the SAML tests; the builders and the kit live in saml_kit."""

from saml_kit import *  # noqa: F403 - re-exports the fixtures for pytest
