"""SAML time values and validity windows with a configurable clock skew.

SAML Core §1.3.3: times are ``xs:dateTime`` in UTC. NotBefore is inclusive, NotOnOrAfter is
exclusive (SAML Core §2.5.1.2, §2.4.1.2). The skew absorbs clock drift between us and the IdP,
within the 60–180 s the attack catalogue (§3.4) allows.
"""

from __future__ import annotations

import datetime as dt
import re
import time

from broker.saml.xml import SamlError

# A protocol message (Response, ArtifactResponse) is answered within seconds of being issued;
# one older than this is stale, whatever the assertion inside it says.
MAX_MESSAGE_AGE = 600


def now() -> float:
    return time.time()


def format_instant(epoch: float | None = None) -> str:
    """``2026-11-28T13:52:39Z``: UTC, whole seconds, as SAML Core §1.3.3 asks."""
    moment = dt.datetime.fromtimestamp(now() if epoch is None else epoch, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# The xs:dateTime lexical form (XML Schema Part 2 §3.2.7.1) with a four-digit year:
# ``YYYY-MM-DDThh:mm:ss[.s+][Z|(+|-)hh:mm]``. Python's ``fromisoformat`` also takes ISO 8601
# forms that are no xs:dateTime (a date alone, week dates, basic format, a space for the T).
_DATE_TIME = re.compile(
    r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?", re.ASCII
)


def parse_instant(value: str | None, what: str) -> float:
    """Epoch seconds from an ``xs:dateTime``; a missing, local or non-UTC time is refused."""
    if not value:
        raise SamlError(f"Tijdstip {what} ontbreekt.", f"{what} is missing")
    match = _DATE_TIME.fullmatch(value.strip())
    if match is None:
        raise SamlError(f"Tijdstip {what} is ongeldig.", f"{what} is not a dateTime")
    whole, fraction, zone = match.groups()
    # Finer than microseconds means nothing here (SAML Core §1.3.3: not finer than milliseconds).
    text = whole + (f".{fraction[:6]:0<6}" if fraction else "") + (
        "+00:00" if zone == "Z" else zone or ""
    )
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise SamlError(f"Tijdstip {what} is ongeldig.", f"{what} is not a dateTime") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)  # SAML Core §1.3.3: no zone component means UTC
    elif moment.utcoffset() != dt.timedelta(0):
        raise SamlError(f"Tijdstip {what} is niet in UTC.", f"{what} is not in UTC")
    return moment.timestamp()


def check_not_before(value: str | None, what: str, *, skew: int, at: float | None = None,
                     required: bool = False) -> None:
    """Refuse when ``value`` lies in the future beyond the skew (inclusive bound)."""
    if value is None:
        if required:
            raise SamlError(f"{what} ontbreekt.", f"{what} is missing")
        return
    if parse_instant(value, what) > (now() if at is None else at) + skew:
        raise SamlError(f"{what} ligt in de toekomst.", f"{what} is in the future")


def check_not_on_or_after(value: str | None, what: str, *, skew: int, at: float | None = None,
                          required: bool = False) -> float | None:
    """Refuse when ``value`` has passed (exclusive bound, skew allowed); return it as epoch."""
    if value is None:
        if required:
            raise SamlError(f"{what} ontbreekt.", f"{what} is missing")
        return None
    limit = parse_instant(value, what)
    if (now() if at is None else at) >= limit + skew:
        raise SamlError(f"{what} is verlopen.", f"{what} has passed")
    return limit


def check_issued(value: str | None, what: str, *, skew: int, at: float | None = None) -> None:
    """A message's ``IssueInstant`` (SAML Core §3.2.2: required): not in the future beyond the
    skew and not older than ``MAX_MESSAGE_AGE``."""
    check_not_before(value, what, skew=skew, at=at, required=True)
    if parse_instant(value, what) + MAX_MESSAGE_AGE + skew < (now() if at is None else at):
        raise SamlError(f"{what} is te oud.", f"{what} is too old")
