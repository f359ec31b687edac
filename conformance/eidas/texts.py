"""Page texts of the eIDAS node simulator in Dutch (default) and English."""

from __future__ import annotations

from typing import Final

from broker.assurance import Level

LEVEL_VALUES: Final[dict[str, Level]] = {
    "low": Level.LOW,
    "substantial": Level.SUBSTANTIAL,
    "high": Level.HIGH,
}
VALUE_OF_LEVEL: Final[dict[Level, str]] = {level: value for value, level in LEVEL_VALUES.items()}

TEXTS: Final[dict[str, dict[str, str]]] = {
    "nl": {
        "skip": "Naar de inhoud",
        "service": "eIDAS-simulator",
        "banner": "Simulator — geen echt eIDAS-knooppunt",
        "banner_body": (
            "Dit is een testomgeving. U logt hier niet echt in met een Europees inlogmiddel. "
            "Vul nooit echte persoonsgegevens in."
        ),
        "title_login": "Inloggen bij de eIDAS-simulator",
        "h1_login": "Europees inloggen (simulator)",
        "intro": "{sp} vraagt u in te loggen. Kies de testpersoon en het niveau dat het "
        "gesimuleerde eIDAS-knooppunt moet teruggeven.",
        "request_details": "Gegevens van het verzoek",
        "sp": "Dienstverlener",
        "sp_type": "Soort dienstverlener (SPType)",
        "requested_level": "Gevraagd niveau",
        "at_least": "minimaal",
        "requested_attributes": "Gevraagde gegevens",
        "person_legend": "Testpersoon",
        "person_hint": "Personen uit verschillende lidstaten, met hun PersonIdentifier.",
        "born": "geboren",
        "level_legend": "Betrouwbaarheidsniveau (LoA)",
        "level_hint": "Een niveau onder het gevraagde wordt ook teruggegeven, zodat u kunt "
        "testen dat de dienstverlener het weigert.",
        "below_minimum": "lager dan gevraagd",
        "level_low": "Laag (low)",
        "level_substantial": "Substantieel (substantial)",
        "level_high": "Hoog (high)",
        "login": "Inloggen",
        "cancel": "Annuleren",
        "error_prefix": "Fout: ",
        "error_summary": "Er is een probleem",
        "error_person": "Kies een testpersoon.",
        "error_level": "Kies een betrouwbaarheidsniveau.",
        "title_post": "Terug naar de dienstverlener",
        "post_explain": "Gaat u niet vanzelf verder? Kies dan Doorgaan.",
        "continue": "Doorgaan",
        "title_error": "Verzoek geweigerd – eIDAS-simulator",
        "h1_error": "Het inlogverzoek is geweigerd",
        "error_intro": "De simulator kan dit verzoek niet verwerken. Reden:",
        "error_next": "Controleer het verzoek van de dienstverlener en probeer het opnieuw.",
        "language": "Taal",
        "footer": "Alleen voor testen. Dit is geen dienst van RvIG, de Europese Commissie of "
        "de overheid.",
    },
    "en": {
        "skip": "Skip to content",
        "service": "eIDAS simulator",
        "banner": "Simulator — not a real eIDAS node",
        "banner_body": (
            "This is a test environment. You are not really logging in with a European "
            "login means. Never enter real personal data."
        ),
        "title_login": "Log in to the eIDAS simulator",
        "h1_login": "European login (simulator)",
        "intro": "{sp} asks you to log in. Choose the test person and the level the simulated "
        "eIDAS node should return.",
        "request_details": "Request details",
        "sp": "Service provider",
        "sp_type": "Kind of service provider (SPType)",
        "requested_level": "Requested level",
        "at_least": "at least",
        "requested_attributes": "Requested data",
        "person_legend": "Test person",
        "person_hint": "People from several member states, with their PersonIdentifier.",
        "born": "born",
        "level_legend": "Level of assurance (LoA)",
        "level_hint": "A level below the requested one is returned as well, so you can test "
        "that the service provider refuses it.",
        "below_minimum": "below the requested level",
        "level_low": "Low",
        "level_substantial": "Substantial",
        "level_high": "High",
        "login": "Log in",
        "cancel": "Cancel",
        "error_prefix": "Error: ",
        "error_summary": "There is a problem",
        "error_person": "Choose a test person.",
        "error_level": "Choose a level of assurance.",
        "title_post": "Back to the service provider",
        "post_explain": "If you are not taken further automatically, choose Continue.",
        "continue": "Continue",
        "title_error": "Request refused – eIDAS simulator",
        "h1_error": "The login request was refused",
        "error_intro": "The simulator cannot process this request. Reason:",
        "error_next": "Check the service provider's request and try again.",
        "language": "Language",
        "footer": "For testing only. This is not a service of RvIG, the European Commission "
        "or the government.",
    },
}


def language_of(value: str | None) -> str:
    """``en`` when asked for, Dutch otherwise."""
    return "en" if value == "en" else "nl"
