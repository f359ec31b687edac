"""Configuration of the eHerkenning login means (one ``[eherkenning]`` section).

The lead wires this model into ``broker.config.Config``; it is self-contained so the means can
be built and tested without the rest of the configuration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from broker.means.back_channel_config import check_back_channel

LegalSubjectType = Literal["KvKnr", "RSIN", "BSN"]

# A clearly fake OIN (20 digits) for the simulator; entity index 9000-9999 is the eTD test
# range (nl-login-means.md §3.1).
SIMULATOR_OIN = "00000000000000000000"
TEST_ENTITY_INDEX = 9000


def _default_legal_subject_types() -> list[LegalSubjectType]:
    """A company service's usual ECTA: KvK number and RSIN (§3.2 [SECONDARY])."""
    return ["KvKnr", "RSIN"]


class EherkenningConfig(BaseModel):
    """What the broker and the Herkenningsmakelaar (HM) agreed on (§3.1, §3.2)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    simulator: bool = Field(
        True, description="Run the eHerkenning simulator inside the broker and use it as the HM"
    )
    oin: str | None = Field(
        None, pattern=r"^\d{20}$",
        description="The broker's OIN; gives the default EntityID and ServiceID (§3.1)",
    )
    sp_entity_id: str | None = Field(
        None, description="Defaults to urn:etoegang:DV:<oin>:entities:9000"
    )
    service_id: str | None = Field(
        None, description="ServiceID; defaults to urn:etoegang:DV:<oin>:services:<service_index>"
    )
    service_uuid: str | None = Field(None, description="ServiceUUID from the service catalogue")
    service_index: int = Field(
        1, ge=0, le=65535, description="AttributeConsumingServiceIndex of the service"
    )
    hm_entity_id: str | None = None
    hm_sso_url: str | None = None
    hm_artifact_resolution_url: str | None = None
    hm_certificate: Path | None = Field(None, description="PEM certificate the HM signs with")
    tls_client_certificate: Path | None = None
    tls_client_key: Path | None = None
    tls_ca_bundle: Path | None = None
    artifact_content_type: Literal["text/xml", "application/soap+xml"] = "text/xml"
    clock_skew: int = Field(60, ge=0, le=180)
    allowed_legal_subject_types: list[LegalSubjectType] = Field(
        default_factory=_default_legal_subject_types,
        description="LegalSubjectID types this service may receive (catalogue ECTA, §3.2)",
    )
    request_authn_context: bool = Field(
        True,
        description="Send RequestedAuthnContext (Comparison minimum); whether DVs do is "
        "unverified (§3.1), so it can be switched off",
    )

    @model_validator(mode="after")
    def _real_hm_complete(self) -> EherkenningConfig:
        if self.enabled and not self.simulator:
            missing = [
                name
                for name in (
                    "hm_entity_id",
                    "hm_sso_url",
                    "hm_artifact_resolution_url",
                    "hm_certificate",
                )
                if getattr(self, name) is None
            ]
            if self.oin is None and (self.sp_entity_id is None or self.service_id is None):
                missing.append("oin (or sp_entity_id and service_id)")
            if missing:
                raise ValueError(
                    "eherkenning.simulator is false, so set "
                    + ", ".join(f"eherkenning.{m}" for m in missing)
                )
            check_back_channel(self, "eherkenning", "hm_artifact_resolution_url")
        return self

    def effective_oin(self) -> str:
        return self.oin or SIMULATOR_OIN

    def effective_sp_entity_id(self) -> str:
        """``urn:etoegang:DV:<OIN>:entities:<index>`` (§3.1) unless configured."""
        return self.sp_entity_id or f"urn:etoegang:DV:{self.effective_oin()}:entities:" + str(
            TEST_ENTITY_INDEX
        )

    def effective_service_id(self) -> str:
        """``urn:etoegang:DV:<OIN>:services:<index>`` (§3.1) unless configured."""
        return self.service_id or (
            f"urn:etoegang:DV:{self.effective_oin()}:services:{self.service_index}"
        )
