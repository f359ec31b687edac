"""Page texts in Dutch (default) and English; a test checks both have the same keys."""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("nl", "en")

TEXTS: Final[dict[str, dict[str, str]]] = {
    "nl": {
        "skip": "Naar de inhoud",
        "service": "Simulator inlogmiddel (OpenID Connect)",
        "banner": "Simulator — geen echt inlogmiddel",
        "banner_body": (
            "Dit is een testomgeving die een erkend privaat inlogmiddel nabootst. U logt hier "
            "niet echt in. Vul nooit uw eigen gegevens in."
        ),
        "title_login": "Inloggen bij de simulator",
        "h1_login": "Inloggen (simulator)",
        "intro": "{client} vraagt u in te loggen. Kies een testpersoon en het niveau dat de "
        "simulator moet teruggeven.",
        "request_details": "Gegevens van het verzoek",
        "client": "Afnemer (client_id)",
        "requested_acr": "Gevraagde niveaus (acr_values)",
        "prompt_login": "Opnieuw inloggen verplicht (prompt=login)",
        "max_age": "Maximale leeftijd van de inlog (max_age)",
        "none": "geen",
        "yes": "ja",
        "no": "nee",
        "user_legend": "Testpersoon",
        "user_hint": "Fictieve personen met een test-BSN.",
        "level_legend": "Betrouwbaarheidsniveau",
        "level_hint": "Een niveau onder het gevraagde wordt ook teruggegeven, zodat u kunt testen "
        "dat de afnemer het weigert.",
        "below_requested": "lager dan gevraagd",
        "level_low": "Laag",
        "level_substantial": "Substantieel",
        "level_high": "Hoog",
        "login": "Inloggen",
        "cancel": "Annuleren",
        "error_prefix": "Fout: ",
        "error_summary": "Er is een probleem",
        "error_user": "Kies een testpersoon.",
        "error_level": "Kies een betrouwbaarheidsniveau.",
        "title_error": "Verzoek geweigerd – simulator",
        "h1_error": "Het inlogverzoek is geweigerd",
        "error_intro": "De simulator kan dit verzoek niet verwerken. Reden:",
        "error_next": "Controleer het verzoek van de afnemer en probeer het opnieuw.",
        "language": "Taal",
        "footer": "Alleen voor testen. Dit is geen dienst van de overheid.",
    },
    "en": {
        "skip": "Skip to content",
        "service": "Login means simulator (OpenID Connect)",
        "banner": "Simulator — not a real login means",
        "banner_body": (
            "This is a test environment imitating an approved private login means. You are not "
            "really logging in. Never enter your own details."
        ),
        "title_login": "Log in to the simulator",
        "h1_login": "Log in (simulator)",
        "intro": "{client} asks you to log in. Choose a test person and the level the simulator "
        "should return.",
        "request_details": "Request details",
        "client": "Relying party (client_id)",
        "requested_acr": "Requested levels (acr_values)",
        "prompt_login": "Fresh login required (prompt=login)",
        "max_age": "Maximum age of the login (max_age)",
        "none": "none",
        "yes": "yes",
        "no": "no",
        "user_legend": "Test person",
        "user_hint": "Fictitious people with a test BSN.",
        "level_legend": "Level of assurance",
        "level_hint": "A level below the requested one is returned as well, so you can test that "
        "the relying party refuses it.",
        "below_requested": "below the requested level",
        "level_low": "Low",
        "level_substantial": "Substantial",
        "level_high": "High",
        "login": "Log in",
        "cancel": "Cancel",
        "error_prefix": "Error: ",
        "error_summary": "There is a problem",
        "error_user": "Choose a test person.",
        "error_level": "Choose a level of assurance.",
        "title_error": "Request refused – simulator",
        "h1_error": "The login request was refused",
        "error_intro": "The simulator cannot process this request. Reason:",
        "error_next": "Check the relying party's request and try again.",
        "language": "Language",
        "footer": "For testing only. This is not a government service.",
    },
}


def language_of(value: str | None) -> str:
    """``en`` when asked for (also the first of ``ui_locales``), Dutch otherwise."""
    if value and value.split()[0].lower().startswith("en"):
        return "en"
    return "nl"
