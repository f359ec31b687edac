"""Keep personal data and tokens out of the log lines libraries write on the broker's behalf.

The broker's own log lines name no person (BSNs reach the audit only, pseudonymised:
``mandates.audit``). Three libraries would otherwise write them, once an operator turns the
level up:

- ``httpx`` logs every outgoing request's full URL at INFO; a register asked by query string
  (the curatele/bewind register: ``?bsn=…``) puts the BSN in that line;
- ``uvicorn.access`` logs every incoming request with its query string: authorization codes,
  SAML artifacts, wallet response codes, an ``id_token_hint`` (an ID token, with the BSN for
  BSN-entitled clients);
- ``signxml`` logs at DEBUG every canonicalised XML it signs or verifies: whole SAML
  assertions with the BSN in the NameID and the eIDAS name and date of birth.

The URL lines keep method, path and status, the query replaced by ``?…``; signxml's XML dumps
are dropped. Filters sit on those loggers themselves, so they apply whatever handlers and
levels the operator configures.
"""

from __future__ import annotations

import logging
from typing import Final

REDACTED_QUERY: Final = "?…"
# logger name → position of the URL (or path with query) in the record's arguments
_URL_ARGUMENT: Final = {"httpx": 1, "uvicorn.access": 2}
_SIGNXML: Final = "signxml.processor"


def without_query(url: str) -> str:
    """``url`` with its query string (and fragment) replaced by ``?…``."""
    base, question, _ = url.partition("?")
    if question:
        return base + REDACTED_QUERY
    return base.partition("#")[0]


class QueryRedactor(logging.Filter):
    """Replaces the query of the URL argument at ``position`` in each record."""

    def __init__(self, position: int) -> None:
        super().__init__()
        self.position = position

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) > self.position:
            url = str(args[self.position])
            redacted = without_query(url)
            if redacted != url:
                record.args = (*args[: self.position], redacted, *args[self.position + 1 :])
        return True


class SignedXmlDump(logging.Filter):
    """Drops signxml's DEBUG dumps of the XML it canonicalises (whole SAML assertions)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno <= logging.DEBUG and "Canonicalized" in str(record.msg))


def protect_logs() -> None:
    """Install the filters (once per process; calling again adds nothing)."""
    for name, position in _URL_ARGUMENT.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, QueryRedactor) for f in logger.filters):
            logger.addFilter(QueryRedactor(position))
    signxml = logging.getLogger(_SIGNXML)
    if not any(isinstance(f, SignedXmlDump) for f in signxml.filters):
        signxml.addFilter(SignedXmlDump())
