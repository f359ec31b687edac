"""eHerkenning (eTD DV-HM interface) as a login means; see ``means`` for the protocol,
``assertion`` for the scheme rules and ``setup`` for construction from configuration."""

from broker.means.eherkenning.assertion import EherkenningFacts, IdentifierNotAllowed
from broker.means.eherkenning.config import EherkenningConfig
from broker.means.eherkenning.means import EherkenningMeans, EherkenningSettings
from broker.means.eherkenning.setup import build_eherkenning

__all__ = [
    "EherkenningConfig",
    "EherkenningFacts",
    "EherkenningMeans",
    "EherkenningSettings",
    "IdentifierNotAllowed",
    "build_eherkenning",
]
