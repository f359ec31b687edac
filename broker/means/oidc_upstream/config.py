"""Configuration of one upstream OpenID Provider (one approved private login means).

Mistakes are refused at start-up with a message naming the field: a wrong ``acr_map`` would
otherwise silently hand out a higher level than the means was approved for.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from broker.assurance import Level, UnknownLevel

NAME_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
# RFC 6749 §3.3: scope-token = 1*NQCHAR (printable ASCII without space, '"' and '\').
SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")
CLAIM_NAME = re.compile(r"[A-Za-z0-9_.:/-]{1,100}")
LOOPBACK_HOSTS = ("localhost",)


def is_loopback(host: str | None) -> bool:
    """Plain http is tolerated only toward this machine (demo, simulator, tests)."""
    if not host:
        return False
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(value: str, what: str) -> str:
    """An absolute https URL (http only on loopback), without query or fragment."""
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"{what} must be an absolute https URL, got {value!r}")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError(f"{what} must use https (http only for 127.0.0.1/localhost): {value!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"{what} must not have a query or fragment: {value!r}")
    return value


# Identifier types other login means and the register use (digid, eidas, eherkenning, wallet,
# KvK/RSIN parties): an upstream whose subjects took one of these would be read as that kind.
OTHER_MEANS_KINDS = frozenset({"eidas", "kvk", "rsin", "eherkenning-pseudo", "eudi-pid"})


class OidcUpstreamConfig(BaseModel):
    """One upstream OP. With ``simulator`` the broker runs its own test OP instead."""

    model_config = ConfigDict(extra="forbid")

    name: str
    label_nl: str
    label_en: str
    issuer: str | None = None
    client_id: str | None = None
    client_auth: Literal["private_key_jwt", "client_secret_basic"] = "private_key_jwt"
    client_secret: str | None = Field(default=None, repr=False)
    # RFC 7523 §3 leaves the assertion audience to the AS; "issuer" follows the 2025 OpenID
    # advice against audience injection, "token_endpoint" OIDC Core §9 as first published.
    client_assertion_audience: Literal["issuer", "token_endpoint"] = "issuer"
    scopes: list[str] = Field(default_factory=lambda: ["openid"])
    acr_map: dict[str, str] = Field(default_factory=dict)
    max_level: str = "substantial"
    subject_claim: str = "sub"
    subject_kind: str | None = None  # default "oidc:<name>"
    bsn_claim: str | None = None
    simulator: bool = False

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME_PATTERN.fullmatch(value):
            raise ValueError(
                f"name {value!r}: use 1-40 lowercase letters, digits and dashes "
                "(it appears in URLs and in the login_means parameter)"
            )
        return value

    @field_validator("label_nl", "label_en")
    @classmethod
    def _label(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("labels must not be empty (they are shown on the chooser)")
        return value.strip()

    @field_validator("issuer")
    @classmethod
    def _issuer(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value, "issuer")

    @field_validator("scopes")
    @classmethod
    def _scopes(cls, value: list[str]) -> list[str]:
        for scope in value:
            if not SCOPE_TOKEN.fullmatch(scope):
                raise ValueError(f"scope {scope!r} is not a valid scope token (RFC 6749 §3.3)")
        if "openid" not in value:
            raise ValueError("scopes must contain 'openid' (NL GOV OIDC profile §1.2)")
        return list(dict.fromkeys(value))

    @field_validator("max_level")
    @classmethod
    def _max_level(cls, value: str) -> str:
        try:
            return Level.from_name(value).label
        except UnknownLevel as exc:
            raise ValueError(f"max_level: {exc}") from None

    @field_validator("subject_claim", "bsn_claim")
    @classmethod
    def _claim(cls, value: str | None) -> str | None:
        if value is not None and not CLAIM_NAME.fullmatch(value):
            raise ValueError(f"claim name {value!r} is not acceptable")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> OidcUpstreamConfig:
        prefix = f"oidc_upstream {self.name}"
        if not self.simulator:
            if self.issuer is None:
                raise ValueError(f"{prefix}: issuer is required (unless simulator = true)")
            if not self.client_id:
                raise ValueError(f"{prefix}: client_id is required (unless simulator = true)")
        if self.client_auth == "client_secret_basic" and not (self.simulator or self.client_secret):
            raise ValueError(f"{prefix}: client_secret_basic needs client_secret")
        if self.client_auth == "private_key_jwt" and self.client_secret:
            raise ValueError(f"{prefix}: client_secret given but client_auth is private_key_jwt")
        maximum = Level.from_name(self.max_level)
        for acr, level_name in self.acr_map.items():
            if not acr.strip():
                raise ValueError(f"{prefix}: acr_map has an empty acr value")
            try:
                level = Level.from_name(level_name)
            except UnknownLevel as exc:
                raise ValueError(f"{prefix}: acr_map[{acr!r}]: {exc}") from None
            if level > maximum:
                raise ValueError(
                    f"{prefix}: acr_map[{acr!r}] = {level.label} is above max_level "
                    f"{maximum.label}; the means is not approved for it"
                )
        if self.bsn_claim is not None and (
            self.subject_claim != "sub" or self.subject_kind is not None
        ):
            raise ValueError(f"{prefix}: bsn_claim excludes subject_claim and subject_kind")
        folded = None if self.subject_kind is None else self.subject_kind.strip().lower()
        if folded is not None and (not folded or folded == "bsn"):
            raise ValueError(
                f"{prefix}: subject_kind must be non-empty and not 'bsn' (use bsn_claim, which "
                "checks the elfproef)"
            )
        if folded in OTHER_MEANS_KINDS:
            raise ValueError(
                f"{prefix}: subject_kind {self.subject_kind!r} is the identifier type of another "
                "login means; an upstream's subjects must stay in their own namespace"
            )
        return self

    # -- derived values --------------------------------------------------------------------
    @property
    def level_cap(self) -> Level:
        return Level.from_name(self.max_level)

    def levels(self) -> dict[str, Level]:
        """The acr map parsed (validated above, so no errors here)."""
        return {acr: Level.from_name(name) for acr, name in self.acr_map.items()}

    @property
    def effective_subject_kind(self) -> str:
        if self.bsn_claim is not None:
            return "bsn"
        return self.subject_kind or f"oidc:{self.name}"
