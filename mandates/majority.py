"""When a minor comes of age, in Dutch civil time.

Art. 1:233 BW: a minor is someone who has not reached eighteen; parental authority and
guardianship end at majority (nl-login-means.md §5.1). The birthday counts from 00:00 in
Europe/Amsterdam, whatever the server clock's zone (attack-catalogue §6 "Minor turning 18":
day before / day of at 00:00 local / after).

29 February: the BW has no rule of its own for a birthday that does not exist in a common
year. We follow the reading that a period of years counted from 29 February is complete only
once 28 February of the target year has fully passed, so the person is eighteen from 1 March
00:00 (the same convention as a period ending on a day the month lacks: the next day).
[UNVERIFIED: no statute or case was read for this; it is the broker's documented choice. The
other reading, 28 February, would end parental authority one day earlier. Tests pin the
choice so that changing it is a deliberate act.]
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
AGE_OF_MAJORITY = 18


def birthday_in(birth: dt.date, years: int) -> dt.date:
    """The date ``years`` after ``birth``; 29 February maps to 1 March in a common year."""
    year = birth.year + years
    try:
        return birth.replace(year=year)
    except ValueError:  # 29 February in a common year
        return dt.date(year, 3, 1)


def comes_of_age_at(birth: dt.date) -> dt.datetime:
    """The instant (aware, UTC) of majority: 00:00 Europe/Amsterdam on the 18th birthday."""
    day = birthday_in(birth, AGE_OF_MAJORITY)
    return dt.datetime(day.year, day.month, day.day, tzinfo=AMSTERDAM).astimezone(dt.UTC)


def is_minor(birth: dt.date, now: dt.datetime) -> bool:
    return now < comes_of_age_at(birth)


def parse_gba_date(value: str | None) -> dt.date | None:
    """A BRP ``GbaDatum`` (``YYYYMMDD``; ``00`` for an unknown month or day).

    An unknown part is filled with the earliest possible value (1): the person is then taken
    to come of age at the earliest date they could, so an uncertain date never extends
    parental authority. A wholly unknown year gives None, and resolution refuses.
    """
    if value is None or len(value) != 8 or not value.isdigit():
        return None
    year, month, day = int(value[:4]), int(value[4:6]), int(value[6:])
    if year == 0:
        return None
    try:
        return dt.date(year, month or 1, day or 1)
    except ValueError:
        return None
