"""Construction of the eIDAS means and, when configured, its in-process node simulator."""

from __future__ import annotations

from pathlib import Path

import httpx
from cryptography.x509 import load_pem_x509_certificate
from starlette.routing import BaseRoute, Mount

from broker.errors import ConfigError
from broker.keys import KeyRing
from broker.means.eidas.config import EidasConfig
from broker.means.eidas.means import EidasMeans, EidasSettings
from broker.store import Store

SIMULATOR_PATH = "/sim/eidas"
MEANS_PATH = "/means/eidas"


def build_eidas(
    config: EidasConfig,
    issuer: str,
    keys: KeyRing,
    store: Store,
    http: httpx.AsyncClient,
    keys_dir: Path,
) -> tuple[EidasMeans, list[BaseRoute]]:
    """The eIDAS means; with ``simulator`` also the node simulator, mounted at /sim/eidas.

    ``http`` is unused today (HTTP-POST has no back channel); it is accepted so that fetching
    the node's signed metadata can be added without changing the app's wiring.
    """
    del http
    issuer = issuer.rstrip("/")
    sp_entity_id = config.sp_entity_id or f"{issuer}{MEANS_PATH}/metadata"
    base_url = issuer + MEANS_PATH
    mounts: list[BaseRoute] = []
    if config.simulator:
        from conformance.eidas import EidasNodeSimulator, NodeSettings

        simulator = EidasNodeSimulator(
            NodeSettings.generate(
                issuer + SIMULATOR_PATH,
                keys_dir=keys_dir,
                sp_certificates={sp_entity_id: [keys.saml_cert_pem]},
            )
        )
        mounts.append(Mount(SIMULATOR_PATH, app=simulator.app))
        node_entity_id = simulator.settings.entity_id
        node_sso_url = simulator.settings.sso_url
        certificates = [simulator.settings.cert_pem]
    else:
        assert config.node_certificate is not None  # checked by the config model
        try:
            certificate = config.node_certificate.read_bytes()
            load_pem_x509_certificate(certificate)
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"eidas.node_certificate: cannot read a PEM certificate: {exc}"
            ) from None
        node_entity_id = str(config.node_entity_id)
        node_sso_url = str(config.node_sso_url)
        certificates = [certificate]
    settings = EidasSettings(
        sp_entity_id=sp_entity_id,
        base_url=base_url,
        node_entity_id=node_entity_id,
        node_sso_url=node_sso_url,
        node_certificates=certificates,
        sp_key=keys.saml_key,
        sp_cert_pem=keys.saml_cert_pem,
        clock_skew=config.clock_skew,
    )
    return EidasMeans(settings, store), mounts
