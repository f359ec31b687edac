"""One typed configuration: defaults that run the demo, a TOML file, then environment overrides.

Environment variables ``TOEGANG__<SECTION>__<KEY>`` override the file, e.g.
``TOEGANG__STORE__BACKEND=redis``. Startup refuses an invalid configuration with a message that
names the setting and what to change.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from broker.errors import ConfigError
from broker.means.back_channel_config import check_back_channel
from broker.means.eherkenning.config import EherkenningConfig
from broker.means.eidas.config import EidasConfig
from broker.means.oidc_upstream.config import OidcUpstreamConfig
from broker.means.wallet.config import WalletConfig

__all__ = ["Config", "ConfigError", "load_config"]

ENV_PREFIX = "TOEGANG__"
CONFIG_ENV = "TOEGANG_CONFIG"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServerConfig(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    issuer: str | None = Field(
        None, description="Public issuer URL; defaults to http://<host>:<port>"
    )
    workers: int = Field(1, ge=1, le=64)

    @property
    def issuer_url(self) -> str:
        return (self.issuer or f"http://{self.host}:{self.port}").rstrip("/")

    @model_validator(mode="after")
    def _issuer_is_url(self) -> ServerConfig:
        parts = urlsplit(self.issuer_url)
        if (
            parts.scheme not in ("https", "http")
            or not parts.netloc
            or parts.query
            or parts.fragment
        ):
            raise ValueError("server.issuer must be an absolute http(s) URL without query/fragment")
        if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("server.issuer must use https except on loopback (127.0.0.1)")
        return self


class StoreConfig(_Section):
    backend: Literal["memory", "redis"] = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"
    key_prefix: str = "toegang:"

    @model_validator(mode="after")
    def _redis_url(self) -> StoreConfig:
        parts = urlsplit(self.redis_url)
        if parts.scheme not in ("redis", "rediss") or not parts.hostname or parts.query:
            raise ValueError(
                "store.redis_url must be redis://[[user]:password@]host[:port][/db] "
                "(or rediss:// for TLS), without query options"
            )
        return self


class DatabaseConfig(_Section):
    url: str = "sqlite:///toegang.db"


class KeysConfig(_Section):
    directory: Path = Path("keys")


class TokenConfig(_Section):
    id_token_lifetime: int = Field(300, ge=30, le=300, description="NL GOV: at most 5 minutes")
    access_token_lifetime: int = Field(900, ge=30, le=3600)
    code_lifetime: int = Field(60, ge=10, le=600)
    transaction_lifetime: int = Field(900, ge=60, le=3600)


class SessionConfig(_Section):
    idle_timeout: int = Field(900, ge=60, le=900, description="DigiD: at most 15 minutes idle")
    cookie_name: str = "toegang_session"


class DigidConfig(_Section):
    enabled: bool = True
    simulator: bool = Field(
        True, description="Run the DigiD simulator inside the broker and point DigiD at it"
    )
    sp_entity_id: str | None = Field(None, description="Defaults to <issuer>/saml/digid/metadata")
    idp_entity_id: str | None = None
    idp_sso_url: str | None = None
    idp_artifact_resolution_url: str | None = None
    idp_certificate: Path | None = Field(None, description="PEM certificate DigiD signs with")
    tls_client_certificate: Path | None = None
    tls_client_key: Path | None = None
    tls_ca_bundle: Path | None = None
    artifact_content_type: Literal["text/xml", "application/soap+xml"] = "text/xml"
    redirect_signature_algorithm: Literal["rsa-sha256"] = "rsa-sha256"
    clock_skew: int = Field(60, ge=0, le=180)

    @model_validator(mode="after")
    def _real_digid_complete(self) -> DigidConfig:
        if self.enabled and not self.simulator:
            missing = [
                name
                for name in (
                    "idp_entity_id",
                    "idp_sso_url",
                    "idp_artifact_resolution_url",
                    "idp_certificate",
                )
                if getattr(self, name) is None
            ]
            if missing:
                raise ValueError(
                    "digid.simulator is false, so set " + ", ".join(f"digid.{m}" for m in missing)
                )
            check_back_channel(self, "digid", "idp_artifact_resolution_url")
        return self


class MandatesConfig(_Section):
    """Acting on behalf of others: where the legal-representation registers are, how long
    their answers count, and the audit pseudonym key (domain.md "Kinds of representation")."""

    enabled: bool = Field(True, description="Offer representation in the login flow")
    simulator: bool = Field(
        True,
        description="Mount the BRP API Gezag and CCBR simulators at /sim/brp-gezag and /sim/ccbr "
        "and use them as the registers",
    )
    brp_gezag_url: str | None = Field(None, description="Base URL of the BRP API Gezag (v2)")
    ccbr_url: str | None = Field(None, description="Base URL of the curatele/bewind register")
    timeout: float = Field(5.0, gt=0, le=30, description="Seconds per register call")
    cache_max_age: int = Field(
        900, ge=0, le=86_400, description="Seconds a register answer is used without asking again"
    )
    max_chain_depth: int = Field(2, ge=1, le=5, description="Mandate links in a chain, at most")
    audit_key_file: str = Field(
        "audit-pseudonym.key",
        description="File in the keys directory with the audit pseudonym key (made when missing)",
    )

    @model_validator(mode="after")
    def _registers_named(self) -> MandatesConfig:
        if self.enabled and not self.simulator:
            missing = [n for n in ("brp_gezag_url", "ccbr_url") if getattr(self, n) is None]
            if missing:
                raise ValueError(
                    "mandates.simulator is false, so set "
                    + ", ".join(f"mandates.{m}" for m in missing)
                )
        for name in ("brp_gezag_url", "ccbr_url"):
            value = getattr(self, name)
            if value is not None and urlsplit(value).scheme not in ("https", "http"):
                raise ValueError(f"mandates.{name} must be an http(s) URL")
        if "/" in self.audit_key_file or self.audit_key_file.startswith("."):
            raise ValueError("mandates.audit_key_file is a plain file name in the keys directory")
        return self


class PortalConfig(_Section):
    """The self-service portal "Mijn machtigingen" at /mijn and how it tells an agent about a
    new mandate."""

    enabled: bool = Field(True, description="Mount the portal at /mijn (needs mandates.enabled)")
    outbox: Literal["console", "file"] = Field(
        "console", description="Where notifications go: the log, or a JSON-lines file"
    )
    outbox_file: Path = Field(
        Path("portal-outbox.jsonl"), description='The JSON-lines file when outbox is "file"'
    )


def _demo_private_means() -> list[OidcUpstreamConfig]:
    return [
        OidcUpstreamConfig(
            name="voorbeeld-id",
            label_nl="Voorbeeld-ID (privaat inlogmiddel, simulator)",
            label_en="Example ID (private login means, simulator)",
            simulator=True,
            max_level="substantial",
        )
    ]


class Config(_Section):
    server: ServerConfig = ServerConfig()
    store: StoreConfig = StoreConfig()
    database: DatabaseConfig = DatabaseConfig()
    keys: KeysConfig = KeysConfig()
    tokens: TokenConfig = TokenConfig()
    session: SessionConfig = SessionConfig()
    digid: DigidConfig = DigidConfig()
    eherkenning: EherkenningConfig = EherkenningConfig()
    eidas: EidasConfig = EidasConfig()
    wallet: WalletConfig = WalletConfig()
    mandates: MandatesConfig = MandatesConfig()
    portal: PortalConfig = PortalConfig()
    # Approved private login means over OpenID Connect; the default is one simulated means.
    oidc_means: list[OidcUpstreamConfig] = Field(default_factory=_demo_private_means)

    @model_validator(mode="after")
    def _unique_means_names(self) -> Config:
        names = ["digid", "eherkenning", "eidas", "wallet", *(m.name for m in self.oidc_means)]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"oidc_means: names must be unique and not {', '.join(duplicates)}")
        return self

    @property
    def issuer(self) -> str:
        return self.server.issuer_url


def _apply_env(data: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        path = [p.lower() for p in name[len(ENV_PREFIX) :].split("__") if p]
        if not path:
            continue
        node = data
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"{name}: {'.'.join(path[:-1])} is not a section")
        node[path[-1]] = value
    return data


def load_config(path: str | Path | None = None, environ: dict[str, str] | None = None) -> Config:
    """Read the TOML file (``path``, else ``$TOEGANG_CONFIG``, else defaults), then the env."""
    environ = dict(os.environ if environ is None else environ)
    path = path or environ.get(CONFIG_ENV)
    data: dict[str, Any] = {}
    if path:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"configuration file {path} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"configuration file {path} is not valid TOML: {exc}") from None
    data = _apply_env(data, environ)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            lines.append(f"  {where}: {err['msg']}")
        raise ConfigError("invalid configuration:\n" + "\n".join(lines)) from None
