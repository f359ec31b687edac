"""Test wallet page texts in Dutch (default) and English (a dict per language, like the DigiD
simulator: a few dozen strings do not need a gettext catalogue)."""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("nl", "en")

TEXTS: Final[dict[str, dict[str, str]]] = {
    "nl": {
        "skip": "Naar de inhoud",
        "service": "Testwallet",
        "banner": "Testwallet — geen echte wallet",
        "banner_body": (
            "Dit is een testomgeving. De gegevens zijn van testpersonen en de verklaringen "
            "komen van een test-uitgever. Gebruik nooit echte persoonsgegevens."
        ),
        "language": "Taal kiezen",
        "footer": "Testwallet van Stelsel Toegang, alleen voor testen.",
        "title_consent": "Gegevens delen met de testwallet",
        "h1_consent": "Wilt u deze gegevens delen?",
        "verifier": "Wie vraagt het",
        "verifier_id": "Client-ID",
        "response_uri": "Antwoordadres",
        "asked": "Wat er gevraagd wordt",
        "asked_intro": "De verifier vraagt één van deze verklaringen, met precies deze gegevens:",
        "retain": "wil het bewaren",
        "person": "Testpersoon",
        "format": "Formaat van de verklaring",
        "fault": "Fout om te testen",
        "fault_none": "Geen fout (correct antwoord)",
        "share": "Delen",
        "cancel": "Niet delen",
        "title_done": "Klaar",
        "h1_done": "Klaar, ga terug naar uw computer",
        "done_body": "De testwallet heeft uw gegevens gedeeld. Ga verder op het andere apparaat.",
        "cancelled_body": "U heeft niets gedeeld. Ga terug naar het andere apparaat.",
        "title_error": "Fout in de testwallet",
        "h1_error": "Dat ging niet goed",
        "error_intro": "De testwallet kon dit verzoek niet afhandelen:",
        "refused_intro": "De verifier heeft het antwoord geweigerd:",
    },
    "en": {
        "skip": "Skip to content",
        "service": "Test wallet",
        "banner": "Test wallet — not a real wallet",
        "banner_body": (
            "This is a test environment. The data belong to test persons and the attestations "
            "come from a test issuer. Never use real personal data."
        ),
        "language": "Choose language",
        "footer": "Stelsel Toegang test wallet, for testing only.",
        "title_consent": "Share data with the test wallet",
        "h1_consent": "Do you want to share these data?",
        "verifier": "Who is asking",
        "verifier_id": "Client ID",
        "response_uri": "Response address",
        "asked": "What is asked",
        "asked_intro": "The verifier asks for one of these attestations, with exactly these data:",
        "retain": "wants to keep it",
        "person": "Test person",
        "format": "Attestation format",
        "fault": "Fault to test",
        "fault_none": "No fault (correct answer)",
        "share": "Share",
        "cancel": "Do not share",
        "title_done": "Done",
        "h1_done": "Done, go back to your computer",
        "done_body": "The test wallet has shared your data. Continue on the other device.",
        "cancelled_body": "You shared nothing. Go back to the other device.",
        "title_error": "Test wallet error",
        "h1_error": "Something went wrong",
        "error_intro": "The test wallet could not handle this request:",
        "refused_intro": "The verifier refused the answer:",
    },
}


def language_of(value: str | None) -> str:
    return value if value in LANGUAGES else "nl"


__all__ = ["LANGUAGES", "TEXTS", "language_of"]
