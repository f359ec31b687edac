"""Page texts in Dutch (default) and English.

Two languages and a few dozen strings do not justify a gettext catalogue; a dict per language
keeps the simulator free of a build step, and a test checks both languages have the same keys.
"""

from __future__ import annotations

from typing import Final

from broker.assurance import Level

LANGUAGES: Final = ("nl", "en")

LEVEL_VALUES: Final[dict[str, Level]] = {
    "basis": Level.BASIC,
    "midden": Level.LOW,
    "substantieel": Level.SUBSTANTIAL,
    "hoog": Level.HIGH,
}
VALUE_OF_LEVEL: Final[dict[Level, str]] = {level: value for value, level in LEVEL_VALUES.items()}

TEXTS: Final[dict[str, dict[str, str]]] = {
    "nl": {
        "skip": "Naar de inhoud",
        "service": "DigiD-simulator",
        "banner": "Simulator — geen echte DigiD",
        "banner_body": (
            "Dit is een testomgeving. U logt hier niet echt in met DigiD. "
            "Vul nooit uw eigen burgerservicenummer of wachtwoord in."
        ),
        "title_login": "Inloggen bij de DigiD-simulator",
        "h1_login": "Inloggen (simulator)",
        "intro": "{sp} vraagt u in te loggen. Kies het burgerservicenummer en het niveau dat de "
        "simulator moet teruggeven.",
        "request_details": "Gegevens van het verzoek",
        "sp": "Dienstverlener",
        "requested_level": "Gevraagd niveau",
        "comparison_minimum": "minimaal",
        "comparison_exact": "precies",
        "force_authn": "Opnieuw inloggen verplicht (ForceAuthn)",
        "yes": "ja",
        "no": "nee",
        "bsn_label": "Burgerservicenummer (BSN)",
        "bsn_hint": "9 cijfers die voldoen aan de elfproef, bijvoorbeeld 999999990.",
        "level_legend": "Betrouwbaarheidsniveau",
        "level_hint": "Een niveau onder het gevraagde wordt ook teruggegeven, zodat u kunt testen "
        "dat de dienstverlener het weigert.",
        "below_minimum": "lager dan gevraagd",
        "level_basis": "Basis (gebruikersnaam en wachtwoord)",
        "level_midden": "Midden (DigiD app of sms-controle)",
        "level_substantieel": "Substantieel (DigiD app met ID-check)",
        "level_hoog": "Hoog (identiteitsbewijs met chip)",
        "login": "Inloggen",
        "cancel": "Annuleren",
        "error_prefix": "Fout: ",
        "error_summary": "Er is een probleem",
        "error_bsn": (
            "Vul een geldig burgerservicenummer in: 9 cijfers die voldoen aan de elfproef."
        ),
        "error_level": "Kies een betrouwbaarheidsniveau.",
        "title_error": "Verzoek geweigerd – DigiD-simulator",
        "h1_error": "Het inlogverzoek is geweigerd",
        "error_intro": "De simulator kan dit verzoek niet verwerken. Reden:",
        "error_next": "Controleer het verzoek van de dienstverlener en probeer het opnieuw.",
        "language": "Taal",
        "footer": "Alleen voor testen. Dit is geen dienst van Logius of de overheid.",
    },
    "en": {
        "skip": "Skip to content",
        "service": "DigiD simulator",
        "banner": "Simulator — not the real DigiD",
        "banner_body": (
            "This is a test environment. You are not really logging in with DigiD. "
            "Never enter your own citizen service number or password."
        ),
        "title_login": "Log in to the DigiD simulator",
        "h1_login": "Log in (simulator)",
        "intro": "{sp} asks you to log in. Choose the citizen service number and the level the "
        "simulator should return.",
        "request_details": "Request details",
        "sp": "Service provider",
        "requested_level": "Requested level",
        "comparison_minimum": "at least",
        "comparison_exact": "exactly",
        "force_authn": "Fresh login required (ForceAuthn)",
        "yes": "yes",
        "no": "no",
        "bsn_label": "Citizen service number (BSN)",
        "bsn_hint": "9 digits that pass the eleven test, for example 999999990.",
        "level_legend": "Level of assurance",
        "level_hint": "A level below the requested one is returned as well, so you can test that "
        "the service provider refuses it.",
        "below_minimum": "below the requested level",
        "level_basis": "Basis (username and password)",
        "level_midden": "Midden (DigiD app or text message check)",
        "level_substantieel": "Substantieel (DigiD app with ID check)",
        "level_hoog": "Hoog (identity document with chip)",
        "login": "Log in",
        "cancel": "Cancel",
        "error_prefix": "Error: ",
        "error_summary": "There is a problem",
        "error_bsn": "Enter a valid citizen service number: 9 digits that pass the eleven test.",
        "error_level": "Choose a level of assurance.",
        "title_error": "Request refused – DigiD simulator",
        "h1_error": "The login request was refused",
        "error_intro": "The simulator cannot process this request. Reason:",
        "error_next": "Check the service provider's request and try again.",
        "language": "Language",
        "footer": "For testing only. This is not a service of Logius or the government.",
    },
}


def language_of(value: str | None) -> str:
    """``en`` when asked for, Dutch otherwise (Dutch is the default, not a fallback guess)."""
    return "en" if value == "en" else "nl"
