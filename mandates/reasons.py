"""Every refusal the mandate register can give, with its Dutch and English text.

One table, so lifecycle errors and resolution denials speak with one voice and a test can
check that every code has both languages. Codes are stable machine codes for clients and logs;
texts are for people (domain.md: "denied with a reason a person can read").
"""

from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    # lifecycle
    "principal_level_too_low": (
        "U bent ingelogd op een te laag betrouwbaarheidsniveau om deze machtiging te geven.",
        "You are logged in at too low an assurance level to grant this mandate.",
    ),
    "service_not_mandatable": (
        "Voor deze dienst kunt u niemand machtigen.",
        "This service cannot be used on someone else's behalf.",
    ),
    "no_services": (
        "Kies ten minste één dienst.",
        "Choose at least one service.",
    ),
    "self_mandate": (
        "U kunt uzelf niet machtigen.",
        "You cannot grant a mandate to yourself.",
    ),
    "invalid_period": (
        "De einddatum moet na de begindatum liggen en de begindatum mag niet in het verleden "
        "liggen.",
        "The end date must be after the start date and the start date may not be in the past.",
    ),
    "start_too_far_ahead": (
        "De machtiging moet binnen een jaar ingaan.",
        "The mandate must start within a year.",
    ),
    "period_too_long": (
        "De machtiging mag niet zo lang geldig zijn.",
        "The mandate may not be valid for that long.",
    ),
    "period_too_long_for_service": (
        "Voor een van de gekozen diensten mag een machtiging niet zo lang gelden.",
        "For one of the chosen services a mandate may not be valid for that long.",
    ),
    "onward_needs_organisation": (
        "Alleen een organisatie kan een ketenmachtiging krijgen.",
        "Only an organisation can receive a chain mandate.",
    ),
    "chain_loop": (
        "Deze ketenmachtiging zou een kringloop maken.",
        "This chain mandate would create a loop.",
    ),
    "chain_too_deep": (
        "Deze ketenmachtiging zou de keten te lang maken.",
        "This chain mandate would make the chain too long.",
    ),
    "unknown_mandate": (
        "Deze machtiging bestaat niet.",
        "This mandate does not exist.",
    ),
    "not_the_agent": (
        "Alleen de gemachtigde kan deze machtiging accepteren of weigeren.",
        "Only the agent can accept or reject this mandate.",
    ),
    "not_a_party": (
        "Alleen de machtiginggever of de gemachtigde kan deze machtiging intrekken.",
        "Only the principal or the agent can revoke this mandate.",
    ),
    "not_pending": (
        "Deze machtiging wacht niet (meer) op acceptatie.",
        "This mandate is not (or no longer) awaiting acceptance.",
    ),
    "not_revocable": (
        "Deze machtiging is al beëindigd.",
        "This mandate has already ended.",
    ),
    "already_ended": (
        "Deze machtiging is niet meer geldig.",
        "This mandate is no longer valid.",
    ),
    # resolution
    "self": ("U handelt voor uzelf.", "You act for yourself."),
    "self_level_too_low": (
        "Voor deze dienst moet u inloggen op een hoger betrouwbaarheidsniveau.",
        "This service needs you to log in at a higher assurance level.",
    ),
    "service_not_representable": (
        "Deze dienst kunt u niet voor een ander gebruiken.",
        "This service cannot be used on behalf of someone else.",
    ),
    "no_basis": (
        "U mag niet namens deze persoon of organisatie handelen voor deze dienst.",
        "You may not act on behalf of this person or organisation for this service.",
    ),
    "mandate_valid": ("U bent gemachtigd.", "You hold a mandate."),
    "legal_valid": ("U bent wettelijk vertegenwoordiger.", "You are the legal representative."),
    "step_up": (
        "Log in op een hoger betrouwbaarheidsniveau om namens deze persoon of organisatie "
        "deze dienst te gebruiken.",
        "Log in at a higher assurance level to use this service on behalf of this person or "
        "organisation.",
    ),
    "mandate_level_too_low": (
        "De machtiging is gegeven op een te laag betrouwbaarheidsniveau voor deze dienst. "
        "Vraag de machtiginggever om een nieuwe machtiging.",
        "The mandate was granted at too low an assurance level for this service. Ask the "
        "principal for a new mandate.",
    ),
    "source_unavailable": (
        "We kunnen de wettelijke vertegenwoordiging nu niet controleren, omdat een register "
        "niet bereikbaar is. Probeer het later opnieuw.",
        "We cannot check legal representation right now because a register is unavailable. "
        "Please try again later.",
    ),
    "no_automatic_representation": (
        "Uit de Basisregistratie Personen volgt nu geen gezag dat wij automatisch kunnen "
        "gebruiken (tijdelijk geen gezag, niet te bepalen of in onderzoek).",
        "The population register currently shows no authority we can use automatically "
        "(temporarily none, undeterminable or under investigation).",
    ),
    "minor_came_of_age": (
        "Deze persoon is 18 jaar of ouder; het gezag is geëindigd.",
        "This person is 18 or older; parental authority has ended.",
    ),
    "service_not_in_mandate": (
        "Uw machtiging geldt niet voor deze dienst.",
        "Your mandate does not cover this service.",
    ),
    "domain_not_covered": (
        "Uw vertegenwoordiging geldt niet voor het soort zaken van deze dienst.",
        "Your representation does not cover the kind of matters this service deals with.",
    ),
    "options": ("Keuzes getoond.", "Options shown."),
}


def texts(code: str) -> tuple[str, str]:
    """Dutch and English text for ``code``; unknown codes are a programming error."""
    return REASONS[code]
