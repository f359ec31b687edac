"""A small in-memory store with expiry for pending login forms and unresolved artifacts.

The simulator is a test tool that runs in one process, so memory is enough; the size cap keeps a
misbehaving test (or a crawler) from growing it without bound.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class TtlStore(Generic[V]):
    """Key → value for ``ttl`` seconds; the oldest entries go first when ``max_items`` is hit."""

    def __init__(
        self, ttl: float, *, max_items: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._max = max_items
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, V]] = OrderedDict()

    def put(self, key: str, value: V) -> None:
        self._purge()
        self._items[key] = (self._clock() + self._ttl, value)
        self._items.move_to_end(key)
        while len(self._items) > self._max:
            self._items.popitem(last=False)

    def get(self, key: str) -> V | None:
        self._purge()
        item = self._items.get(key)
        return None if item is None else item[1]

    def pop(self, key: str) -> V | None:
        """Take the value out: what makes an artifact or a login form usable once."""
        self._purge()
        item = self._items.pop(key, None)
        return None if item is None else item[1]

    def __len__(self) -> int:
        self._purge()
        return len(self._items)

    def _purge(self) -> None:
        now = self._clock()
        expired = [key for key, (deadline, _) in self._items.items() if deadline <= now]
        for key in expired:
            del self._items[key]
