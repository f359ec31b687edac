"""eIDAS login means: the broker as service provider of the Dutch eIDAS node (``nl-login-means``
§4). Foreign (and Dutch) persons log in with a notified means of their member state; the broker
receives a PersonIdentifier ``CC/NL/…`` and the mandatory natural-person attributes.
"""

from broker.means.eidas.config import EidasConfig
from broker.means.eidas.means import EidasMeans, EidasSettings
from broker.means.eidas.setup import build_eidas

__all__ = ["EidasConfig", "EidasMeans", "EidasSettings", "build_eidas"]
