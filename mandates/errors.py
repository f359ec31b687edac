"""Typed lifecycle errors: a machine code plus the Dutch and English text from ``reasons``."""

from __future__ import annotations

from broker.errors import BrokerError
from mandates.reasons import texts


class MandateRefused(BrokerError):
    """A lifecycle step the rules forbid; ``code`` is a key of ``mandates.reasons.REASONS``."""

    status = 400

    def __init__(self, code: str) -> None:
        message_nl, message_en = texts(code)
        super().__init__(message_nl, message_en, code=code)


class MandateNotFound(MandateRefused):
    """Unknown id, or an id the caller has no part in: both answer the same (no IDOR oracle)."""

    status = 404

    def __init__(self) -> None:
        super().__init__("unknown_mandate")
