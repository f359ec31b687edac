"""The level policy: which level a login needs, and whether what was achieved is enough.

One place for the rule the whole broker relies on (domain.md "Services"): a client may ask for
more than its service's catalogue minimum, never for less, and the answer is refused (step-up)
whenever the achieved level is below what is required. ``acr_values`` lists levels the client
will accept, so the lowest of them is what it asks for (OIDC Core §3.1.2.1).
"""

from __future__ import annotations

from collections.abc import Iterable

from broker.assurance import Level

# A client without a registered service still gets at least eIDAS low.
DEFAULT_MINIMUM = Level.LOW


def required_level(service_minimum: Level | None, requested: Iterable[Level]) -> Level:
    """max(catalogue minimum, lowest level the client accepts)."""
    minimum = DEFAULT_MINIMUM if service_minimum is None else service_minimum
    asked = list(requested)
    return max(minimum, min(asked)) if asked else minimum


def satisfies(achieved: Level, required: Level) -> bool:
    """A login counts only at or above the required level; otherwise the flow offers a step-up."""
    return achieved >= required
