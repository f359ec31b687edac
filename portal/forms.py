"""The grant form: parse and check what the principal typed, field by field.

Only the shape is checked here (the agent a BSN passing the elfproef or a KvK number of 8
digits, real dates, at least one service offered by the catalogue, a period within the chosen
services' maximum, so the person gets the error on the field); every rule of the domain (level,
period length, self-mandate, chains) is ``mandates.rules.check_grant``'s, reached through
``MandateLifecycle.grant``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from broker.identifiers import InvalidIdentifier, PartyId, elfproef
from mandates.party_ids import checked
from mandates.rules import counted_days

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
FIELDS = ("services", "agent", "valid_from", "valid_until")
#: What the form asks for and what a date input sends: yyyy-mm-dd in ASCII digits (not the
#: other ISO 8601 forms ``date.fromisoformat`` also takes, such as week dates).
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def today(now: dt.datetime) -> dt.date:
    return now.astimezone(AMSTERDAM).date()


def default_until(start: dt.date) -> dt.date:
    """One year from ``start`` (29 February falls back to 28 February)."""
    try:
        return start.replace(year=start.year + 1)
    except ValueError:
        return start.replace(year=start.year + 1, day=28)


@dataclass
class GrantForm:
    """The form's values as typed (strings, re-shown on error) and the errors per field."""

    services: list[str] = field(default_factory=list)
    agent: str = ""
    valid_from: str = ""
    valid_until: str = ""
    # The end date the form proposed: left as it was, it is shortened to the chosen services'
    # maximum instead of refused (the confirmation page then shows the real period).
    proposed_until: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    max_days: int | None = None  # set when the period was longer than the services allow
    last_allowed: str = ""  # the last day it could count then (dd-mm-yyyy)

    @classmethod
    def blank(cls, now: dt.datetime, max_days: int) -> GrantForm:
        """Today up to one year from today, shortened to ``max_days`` when that is less."""
        start = today(now)
        until = min(default_until(start), start + dt.timedelta(days=max_days - 1)).isoformat()
        return cls(valid_from=start.isoformat(), valid_until=until, proposed_until=until)

    @classmethod
    def parse(
        cls,
        form: Mapping[str, str],
        services: Sequence[str],
        offered: Mapping[str, int],
        now: dt.datetime,
    ) -> GrantForm:
        """``services`` are the checked boxes; ``offered`` maps the ids the catalogue allows to
        the most calendar days a mandate for each may count."""
        parsed = cls(
            services=[s for s in dict.fromkeys(services) if isinstance(s, str)],
            agent="".join(str(form.get("agent", "")).split()),
            valid_from=str(form.get("valid_from", "")).strip(),
            valid_until=str(form.get("valid_until", "")).strip(),
            proposed_until=str(form.get("proposed_until", "")).strip(),
        )
        if not parsed.services:
            parsed.errors["services"] = "portal.error.services"
        elif not set(parsed.services) <= offered.keys():
            parsed.errors["services"] = "portal.error.services_unknown"
        if not parsed.agent:
            parsed.errors["agent"] = "portal.error.agent_missing"
        elif len(parsed.agent) == 9 and not elfproef(parsed.agent):
            parsed.errors["agent"] = "portal.error.agent_invalid"
        elif parsed.agent_party() is None:
            parsed.errors["agent"] = "portal.error.agent_format"
        start, end = parsed.dates()
        if start is None:
            parsed.errors["valid_from"] = "portal.error.date"
        if end is None:
            parsed.errors["valid_until"] = "portal.error.date"
        elif end < today(now):
            # A period that ended before today: said on the field, not after confirming.
            parsed.errors["valid_until"] = "portal.error.until_past"
        elif start is not None and end < start:
            parsed.errors["valid_until"] = "portal.error.until_before_from"
        elif start is not None and "services" not in parsed.errors:
            limit = min(offered[s] for s in parsed.services)
            valid_from, valid_until = parsed.period(now)
            if counted_days(valid_from, valid_until) > limit:
                first = valid_from.astimezone(AMSTERDAM).date()
                last = first + dt.timedelta(days=limit - 1)
                parsed.max_days = limit
                if parsed.valid_until == parsed.proposed_until:
                    parsed.valid_until = parsed.proposed_until = last.isoformat()
                else:
                    parsed.errors["valid_until"] = "portal.error.too_long"
                    parsed.last_allowed = last.strftime("%d-%m-%Y")
        return parsed

    def agent_party(self) -> PartyId | None:
        """The agent by the length of the number: 9 digits a person (BSN), 8 digits an
        organisation (KvK number), whose own employees then act (a chain mandate)."""
        kind = {9: "bsn", 8: "kvk"}.get(len(self.agent))
        if kind is None:
            return None
        try:
            return checked(PartyId(kind, self.agent))
        except InvalidIdentifier:
            return None

    def dates(self) -> tuple[dt.date | None, dt.date | None]:
        return _date(self.valid_from), _date(self.valid_until)

    def period(self, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """The mandate's instants: from the start of the first day (or now, for today) to
        the end of the last day, in Dutch time."""
        start, end = self.dates()
        assert start is not None and end is not None
        valid_from = (
            now
            if start <= today(now)
            else dt.datetime.combine(start, dt.time(), AMSTERDAM).astimezone(dt.UTC)
        )
        until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), AMSTERDAM)
        return valid_from, until.astimezone(dt.UTC)


def _date(value: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(value) if _ISO_DAY.fullmatch(value) else None
    except ValueError:
        return None
    # A period ends at the start of the day after its last day: that day must exist.
    return None if day == dt.date.max else day
