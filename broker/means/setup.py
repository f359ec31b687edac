"""Construction of the configured login means (and, in demo mode, their simulators)."""

from __future__ import annotations

import httpx
from cryptography.x509 import load_pem_x509_certificate
from starlette.routing import BaseRoute, Mount

from broker.config import Config
from broker.errors import ConfigError
from broker.keys import KeyRing
from broker.means.digid import DigidMeans, DigidSettings
from broker.store import Store

SIMULATOR_PATH = "/sim/digid"


def build_digid(
    config: Config, keys: KeyRing, store: Store, http: httpx.AsyncClient | None
) -> tuple[DigidMeans, list[BaseRoute]]:
    """The DigiD means; with ``digid.simulator`` also the simulator, mounted in this app."""
    issuer = config.issuer
    digid = config.digid
    sp_entity_id = digid.sp_entity_id or f"{issuer}/means/digid/metadata"
    common = {
        "sp_entity_id": sp_entity_id,
        "acs_url": f"{issuer}/means/digid/acs",
        "sp_key": keys.saml_key,
        "sp_cert_pem": keys.saml_cert_pem,
        "clock_skew": digid.clock_skew,
        "artifact_content_type": digid.artifact_content_type,
    }
    mounts: list[BaseRoute] = []
    if digid.simulator:
        from conformance.digid import DigidSimulator, SimulatorSettings

        simulator = DigidSimulator(
            SimulatorSettings.generate(
                issuer + SIMULATOR_PATH,
                keys_dir=config.keys.directory,
                sp_certificates={sp_entity_id: [keys.saml_cert_pem]},
            )
        )
        mounts.append(Mount(SIMULATOR_PATH, app=simulator.app))
        settings = DigidSettings(
            idp_entity_id=simulator.settings.entity_id,
            idp_sso_url=simulator.settings.sso_url,
            idp_artifact_resolution_url=simulator.settings.artifact_url,
            idp_certificates=[simulator.settings.cert_pem],
            **common,  # type: ignore[arg-type]
        )
        return DigidMeans(settings, store, http), mounts

    assert digid.idp_certificate is not None  # checked by the config model
    try:
        certificate = digid.idp_certificate.read_bytes()
        load_pem_x509_certificate(certificate)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"digid.idp_certificate: cannot read a PEM certificate: {exc}") from None
    settings = DigidSettings(
        idp_entity_id=str(digid.idp_entity_id),
        idp_sso_url=str(digid.idp_sso_url),
        idp_artifact_resolution_url=str(digid.idp_artifact_resolution_url),
        idp_certificates=[certificate],
        tls_client_certificate=str(digid.tls_client_certificate or "") or None,
        tls_client_key=str(digid.tls_client_key or "") or None,
        tls_ca_bundle=str(digid.tls_ca_bundle or "") or None,
        **common,  # type: ignore[arg-type]
    )
    # With a TLS client certificate or CA bundle configured the means makes its own client.
    return DigidMeans(settings, store, http), mounts
