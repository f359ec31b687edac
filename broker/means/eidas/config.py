"""Configuration of the eIDAS login means (the ``eidas`` section, wired in by the app).

The broker is a service provider of the Dutch eIDAS node (eIDAS-koppelpunt, run by RvIG since
2022, ``nl-login-means.md`` §4). Node values come from the metadata exchange with RvIG; without
them only the built-in simulator can be used.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator


class EidasConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    simulator: bool = Field(
        True, description="Run the eIDAS node simulator inside the broker and point eIDAS at it"
    )
    sp_entity_id: str | None = Field(None, description="Defaults to <issuer>/means/eidas/metadata")
    node_entity_id: str | None = None
    node_sso_url: str | None = Field(None, description="The node's HTTP-POST SSO endpoint")
    node_certificate: Path | None = Field(None, description="PEM certificate the node signs with")
    clock_skew: int = Field(60, ge=0, le=180)

    @model_validator(mode="after")
    def _real_node_complete(self) -> EidasConfig:
        if self.enabled and not self.simulator:
            missing = [
                name
                for name in ("node_entity_id", "node_sso_url", "node_certificate")
                if getattr(self, name) is None
            ]
            if missing:
                raise ValueError(
                    "eidas.simulator is false, so set " + ", ".join(f"eidas.{m}" for m in missing)
                )
            if not str(self.node_sso_url).startswith("https://"):
                raise ValueError("eidas.node_sso_url must be an https URL")
        return self
