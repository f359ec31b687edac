"""Configuration of the EU Digital Identity wallet means (the ``wallet`` section).

The broker is an OpenID4VP 1.0 verifier profiled by HAIP 1.0 (fact sheet ``eudi-wallet.md``
§1, §2). What must be agreed with the outside world is configured here: which PID providers are
trusted and at which level (§5.2, §5.4), the verifier's access certificate (HAIP §"OpenID4VP via
Redirects": signed request, ``x509_hash``), and which status list hosts may be contacted
(attack catalogue §5.3, SSRF). Mistakes are refused at start-up with a message naming the field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from broker.assurance import Level

Format = Literal["dc+sd-jwt", "mso_mdoc"]
PidVariant = Literal["nl", "eu"]
_ALL_FORMATS: tuple[Format, ...] = ("dc+sd-jwt", "mso_mdoc")
_NL_ONLY: tuple[PidVariant, ...] = ("nl",)
_HOST = re.compile(r"^[A-Za-z0-9.-]{1,253}$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")


class TrustAnchorConfig(BaseModel):
    """One PID provider's trust anchor(s) (ARF §6 trusted list) and the level it earns.

    ``level``: eIDAS 2 Art. 5a(5)(d) puts the notified EUDI wallet PID at *high*; an anchor of a
    wallet or provider not (yet) notified should stay at *substantial* (fact sheet §5.4).
    ``name``: a stable label of the provider; it seeds the derived ``eudi-pid`` subject, so it
    must not change when the provider rotates its keys.
    ``personal_administrative_number_is_bsn``: the provider's EU PID carries the BSN in
    ``personal_administrative_number`` (PID Rulebook: Member State policy, §5.1).
    ``pid_variants``: the PID types this provider issues (``nl``: ``urn:eudi:pid:nl:1``, which
    carries a ``bsn``; ``eu``: ``urn:eudi:pid:1``). A PID of another type signed under this
    anchor is refused. Required when ``wallet.pid_variants`` names more than one variant, so a
    foreign provider trusted for its EU PID cannot issue an NL PID with any BSN; otherwise it
    defaults to ``wallet.pid_variants``.
    """

    model_config = ConfigDict(extra="forbid")

    name: str
    file: Path
    level: Literal["substantial", "high"] = "substantial"
    personal_administrative_number_is_bsn: bool = False
    pid_variants: list[PidVariant] | None = None

    @field_validator("pid_variants")
    @classmethod
    def _variants(cls, value: list[PidVariant] | None) -> list[PidVariant] | None:
        if value is not None and not value:
            raise ValueError("pid_variants must name at least one variant (or be left out)")
        return None if value is None else list(dict.fromkeys(value))

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(f"trust anchor name {value!r}: use lowercase letters, digits, .-_")
        return value

    @property
    def assurance(self) -> Level:
        return Level.from_name(self.level)


class WalletConfig(BaseModel):
    """The ``wallet`` login means. With ``simulator`` a test wallet and test PID issuer run in
    the broker (``/sim/wallet``) and the test issuer's CA is trusted at ``simulator_level``."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    simulator: bool = Field(True, description="Mount the test wallet; trust its test PID issuer")
    simulator_level: Literal["substantial", "high"] = "high"
    trust_anchors: list[TrustAnchorConfig] = Field(default_factory=list)
    access_certificate: Path | None = Field(
        None, description="PEM: verifier access certificate first, then intermediates (no root)"
    )
    access_key: Path | None = Field(None, description="PEM private key (P-256) of the above")
    client_id_scheme: Literal["x509_hash", "x509_san_dns"] = "x509_hash"  # HAIP: x509_hash
    client_id_dns_name: str | None = Field(
        None, description="For x509_san_dns: the certificate's dNSName (default: issuer host)"
    )
    formats: list[Format] = Field(default_factory=lambda: list(_ALL_FORMATS))
    pid_variants: list[PidVariant] = Field(default_factory=lambda: list(_NL_ONLY))
    universal_link: str | None = Field(
        None, description="https base of a wallet's claimed link, e.g. the NL wallet's"
    )
    cross_device: bool = True
    cross_device_for_high: bool = False
    status_list_hosts: list[str] = Field(default_factory=list)
    require_status: bool = False
    request_lifetime: int = Field(600, ge=60, le=1800)

    @field_validator("formats", "pid_variants")
    @classmethod
    def _non_empty_unique(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("must name at least one value")
        return list(dict.fromkeys(value))

    @field_validator("status_list_hosts")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        for host in value:
            if not _HOST.match(host):
                raise ValueError(f"status_list_hosts: {host!r} is not a host name")
        return [h.lower() for h in value]

    @field_validator("universal_link")
    @classmethod
    def _universal_link(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
            raise ValueError("universal_link must be an https URL without query or fragment")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> WalletConfig:
        if not self.enabled:
            return self
        if (self.access_certificate is None) != (self.access_key is None):
            raise ValueError("wallet.access_certificate and wallet.access_key go together")
        if not self.simulator:
            if not self.trust_anchors:
                raise ValueError(
                    "wallet.simulator is false, so list the PID providers in wallet.trust_anchors"
                )
            if self.access_certificate is None:
                raise ValueError(
                    "wallet.simulator is false, so set wallet.access_certificate and "
                    "wallet.access_key (the verifier access certificate, HAIP/ARF RPA_02)"
                )
            if not self.status_list_hosts:
                raise ValueError(
                    "wallet.simulator is false, so list the PID providers' status list hosts in "
                    "wallet.status_list_hosts (an allow-list against SSRF)"
                )
        for anchor in self.trust_anchors:
            if anchor.pid_variants is None:
                if len(self.pid_variants) > 1:
                    raise ValueError(
                        f"wallet.trust_anchors[{anchor.name}].pid_variants: say which PID types "
                        "this provider issues (wallet.pid_variants names more than one)"
                    )
            elif not set(anchor.pid_variants) <= set(self.pid_variants):
                raise ValueError(
                    f"wallet.trust_anchors[{anchor.name}].pid_variants: only variants listed in "
                    "wallet.pid_variants can be trusted"
                )
        names = [a.name for a in self.trust_anchors]
        if len(names) != len(set(names)) or "simulator" in names:
            raise ValueError("wallet.trust_anchors: names must be unique and not 'simulator'")
        return self

    @property
    def simulator_assurance(self) -> Level:
        return Level.from_name(self.simulator_level)


__all__ = ["TrustAnchorConfig", "WalletConfig"]
