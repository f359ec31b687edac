"""The grant form's service catalogue: only services that allow a voluntary mandate, grouped
by the organisation offering them, narrowed by a plain GET search (works without JavaScript).

A search matches every word typed against the service's Dutch and English name and the
provider's name, ignoring case. The checkbox ids are numbered in display order, so the error
summary can always link to the first one shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from broker.register.snapshots import ServiceInfo

MAX_QUERY = 100


@dataclass(frozen=True, slots=True)
class Choice:
    index: int
    service: ServiceInfo
    max_days: int  # the most calendar days a mandate for it may count


@dataclass(frozen=True, slots=True)
class Provider:
    name: str
    choices: list[Choice]


def max_days(service: ServiceInfo, global_max: int) -> int:
    """The service's own maximum when it has one, else the register's global maximum."""
    own = service.max_mandate_days
    return global_max if own is None else min(own, global_max)


def clean_query(raw: str) -> tuple[str, bool]:
    """The query as shown back (whitespace collapsed) and whether it is too long to use."""
    query = " ".join(raw.split())
    return query, len(query) > MAX_QUERY


def grouped(
    services: Sequence[ServiceInfo],
    providers: Mapping[str, str],
    lang: str,
    global_max: int,
    query: str = "",
) -> list[Provider]:
    """The services matching ``query`` by provider, both sorted by name in ``lang``."""
    words = query.casefold().split()
    groups: dict[str, list[ServiceInfo]] = {}
    for service in services:
        provider = providers.get(service.client_id, service.client_id)
        text = " ".join((service.name_nl, service.name_en, provider)).casefold()
        if all(word in text for word in words):
            groups.setdefault(provider, []).append(service)
    result: list[Provider] = []
    index = 0
    for provider in sorted(groups, key=str.casefold):
        choices = []
        for service in sorted(groups[provider], key=lambda s: s.name(lang).casefold()):
            choices.append(Choice(index, service, max_days(service, global_max)))
            index += 1
        result.append(Provider(provider, choices))
    return result
