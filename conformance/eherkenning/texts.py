"""Page texts in Dutch (default) and English; a test checks both have the same keys."""

from __future__ import annotations

from typing import Final

from broker.assurance import Level

# Form value -> eTD assurance class URI (§3.3) and the broker level it maps to.
LEVEL_URIS: Final[dict[str, str]] = {
    value: f"urn:etoegang:core:assurance-class:{value}"
    for value in ("loa2", "loa2plus", "loa3", "loa4")
}
LEVEL_OF: Final[dict[str, Level]] = {
    value: Level.from_eherkenning(uri) for value, uri in LEVEL_URIS.items()
}

TEXTS: Final[dict[str, dict[str, str]]] = {
    "nl": {
        "skip": "Naar de inhoud",
        "service": "eHerkenning-simulator",
        "banner": "Simulator — geen echte eHerkenning",
        "banner_body": (
            "Dit is een testomgeving. U logt hier niet echt in met eHerkenning. "
            "Alle bedrijven en nummers zijn verzonnen."
        ),
        "title_login": "Inloggen bij de eHerkenning-simulator",
        "h1_login": "Inloggen met eHerkenning (simulator)",
        "intro": "{sp} vraagt u in te loggen. Kies het bedrijf, het niveau en eventueel een "
        "intermediair die de simulator moet teruggeven.",
        "request_details": "Gegevens van het verzoek",
        "sp": "Dienstverlener",
        "service_id": "Dienst (ServiceID)",
        "requested_level": "Gevraagd niveau (minimaal)",
        "force_authn": "Opnieuw inloggen verplicht (ForceAuthn)",
        "yes": "ja",
        "no": "nee",
        "company_legend": "Namens welk bedrijf logt u in?",
        "company_hint": "Testbedrijven met een verzonnen KvK-nummer.",
        "kvk": "KvK-nummer",
        "branch": "vestigingsnummer",
        "level_legend": "Betrouwbaarheidsniveau",
        "level_hint": "Een niveau onder het gevraagde wordt ook teruggegeven, zodat u kunt testen "
        "dat de dienstverlener het weigert.",
        "below_minimum": "lager dan gevraagd",
        "level_loa2": "EH2 (eIDAS laag)",
        "level_loa2plus": "EH2+ (eIDAS laag)",
        "level_loa3": "EH3 (eIDAS substantieel)",
        "level_loa4": "EH4 (eIDAS hoog)",
        "intermediary_legend": "Ketenmachtiging",
        "intermediary_hint": "Kies een intermediair als u als medewerker van dat kantoor namens "
        "het bedrijf handelt.",
        "intermediary_none": "Geen intermediair: ik werk zelf bij het bedrijf",
        "login": "Inloggen",
        "cancel": "Annuleren",
        "error_prefix": "Fout: ",
        "error_summary": "Er is een probleem",
        "error_company": "Kies een bedrijf.",
        "error_level": "Kies een betrouwbaarheidsniveau.",
        "error_intermediary": "Kies een intermediair uit de lijst, of geen.",
        "title_error": "Verzoek geweigerd – eHerkenning-simulator",
        "h1_error": "Het inlogverzoek is geweigerd",
        "error_intro": "De simulator kan dit verzoek niet verwerken. Reden:",
        "error_next": "Controleer het verzoek van de dienstverlener en probeer het opnieuw.",
        "language": "Taal",
        "footer": "Alleen voor testen. Dit is geen dienst van eHerkenning of de overheid.",
    },
    "en": {
        "skip": "Skip to content",
        "service": "eHerkenning simulator",
        "banner": "Simulator — not the real eHerkenning",
        "banner_body": (
            "This is a test environment. You are not really logging in with eHerkenning. "
            "All companies and numbers are made up."
        ),
        "title_login": "Log in to the eHerkenning simulator",
        "h1_login": "Log in with eHerkenning (simulator)",
        "intro": "{sp} asks you to log in. Choose the company, the level and, if you like, an "
        "intermediary the simulator should return.",
        "request_details": "Request details",
        "sp": "Service provider",
        "service_id": "Service (ServiceID)",
        "requested_level": "Requested level (at least)",
        "force_authn": "Fresh login required (ForceAuthn)",
        "yes": "yes",
        "no": "no",
        "company_legend": "Which company are you logging in for?",
        "company_hint": "Test companies with a made-up Chamber of Commerce (KvK) number.",
        "kvk": "KvK number",
        "branch": "branch number",
        "level_legend": "Level of assurance",
        "level_hint": "A level below the requested one is returned as well, so you can test that "
        "the service provider refuses it.",
        "below_minimum": "below the requested level",
        "level_loa2": "EH2 (eIDAS low)",
        "level_loa2plus": "EH2+ (eIDAS low)",
        "level_loa3": "EH3 (eIDAS substantial)",
        "level_loa4": "EH4 (eIDAS high)",
        "intermediary_legend": "Chain mandate",
        "intermediary_hint": "Choose an intermediary if you act for the company as an employee "
        "of that firm.",
        "intermediary_none": "No intermediary: I work at the company myself",
        "login": "Log in",
        "cancel": "Cancel",
        "error_prefix": "Error: ",
        "error_summary": "There is a problem",
        "error_company": "Choose a company.",
        "error_level": "Choose a level of assurance.",
        "error_intermediary": "Choose an intermediary from the list, or none.",
        "title_error": "Request refused – eHerkenning simulator",
        "h1_error": "The login request was refused",
        "error_intro": "The simulator cannot process this request. Reason:",
        "error_next": "Check the service provider's request and try again.",
        "language": "Language",
        "footer": "For testing only. This is not a service of eHerkenning or the government.",
    },
}


def language_of(value: str | None) -> str:
    """``en`` when asked for, Dutch otherwise."""
    return "en" if value == "en" else "nl"
