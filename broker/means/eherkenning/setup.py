"""Construction of the eHerkenning means (and, with ``simulator``, its simulator mounted at
``/sim/eherkenning`` in the same app), in the manner of ``broker.means.setup`` for DigiD."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
from cryptography.x509 import load_pem_x509_certificate
from starlette.routing import BaseRoute, Mount

from broker.errors import ConfigError
from broker.keys import KeyRing
from broker.means.eherkenning.config import EherkenningConfig
from broker.means.eherkenning.means import EherkenningMeans, EherkenningSettings
from broker.saml.backchannel import TlsSettings
from broker.store import Store

SIMULATOR_PATH = "/sim/eherkenning"
MEANS_PATH = "/means/eherkenning"


def build_eherkenning(
    config: EherkenningConfig,
    issuer: str,
    keys: KeyRing,
    store: Store,
    http: httpx.AsyncClient | None,
    keys_dir: Path,
) -> tuple[EherkenningMeans, list[BaseRoute]]:
    """The means; with ``config.simulator`` also the simulator's Mount. The broker's SAML SP key
    signs requests and decrypts EncryptedIDs (its certificate is in the DV metadata twice)."""
    issuer = issuer.rstrip("/")
    sp_entity_id = config.effective_sp_entity_id()
    service_id = config.effective_service_id()
    service_uuid = config.service_uuid
    acs_url = f"{issuer}{MEANS_PATH}/acs"
    mounts: list[BaseRoute] = []
    if config.simulator:
        from conformance.eherkenning import EherkenningSimulator, RegisteredDv, SimulatorSettings

        service_uuid = service_uuid or str(uuid.uuid5(uuid.NAMESPACE_URL, service_id))
        dv = RegisteredDv(
            certificates=[keys.saml_cert_pem],
            encryption_certificate=keys.saml_cert_pem,
            acs_url=acs_url,
            services={config.service_index: (service_id, service_uuid)},
        )
        simulator = EherkenningSimulator(
            SimulatorSettings.generate(issuer + SIMULATOR_PATH, keys_dir=keys_dir,
                                       dvs={sp_entity_id: dv})
        )
        mounts.append(Mount(SIMULATOR_PATH, app=simulator.app))
        hm_entity_id = simulator.settings.entity_id
        hm_sso_url = simulator.settings.sso_url
        hm_artifact_url = simulator.settings.artifact_url
        certificate = simulator.settings.cert_pem
        tls = TlsSettings()
    else:
        assert config.hm_certificate is not None  # checked by the config model
        try:
            certificate = config.hm_certificate.read_bytes()
            load_pem_x509_certificate(certificate)
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"eherkenning.hm_certificate: cannot read a PEM certificate: {exc}"
            ) from None
        hm_entity_id = str(config.hm_entity_id)
        hm_sso_url = str(config.hm_sso_url)
        hm_artifact_url = str(config.hm_artifact_resolution_url)
        tls = TlsSettings(
            client_certificate=str(config.tls_client_certificate or "") or None,
            client_key=str(config.tls_client_key or "") or None,
            ca_bundle=str(config.tls_ca_bundle or "") or None,
        )
    settings = EherkenningSettings(
        sp_entity_id=sp_entity_id,
        acs_url=acs_url,
        service_id=service_id,
        service_index=config.service_index,
        service_uuid=service_uuid,
        hm_entity_id=hm_entity_id,
        hm_sso_url=hm_sso_url,
        hm_artifact_resolution_url=hm_artifact_url,
        hm_certificates=[certificate],
        sp_key=keys.saml_key,
        sp_cert_pem=keys.saml_cert_pem,
        allowed_legal_subject_types=tuple(config.allowed_legal_subject_types),
        request_authn_context=config.request_authn_context,
        clock_skew=config.clock_skew,
        artifact_content_type=config.artifact_content_type,
        tls=tls,
    )
    # With a TLS client certificate or CA bundle configured the means makes its own client.
    return EherkenningMeans(settings, store, http), mounts
