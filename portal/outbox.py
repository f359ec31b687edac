"""Telling an agent about a new mandate: an outbox interface with a console and a file sink.

A real deployment would put an e-mail or "Berichtenbox" notification behind :class:`Outbox`;
the demo has two sinks, chosen by ``[portal] outbox``:

* :class:`ConsoleOutbox` logs the message. A log is read by operators, so the recipient's BSN
  is masked (last three digits, as on the broker's "on whose behalf" page).
* :class:`FileOutbox` appends one JSON object per message to a file: the delivery queue a
  mailer would read, so it names the recipient in full.

``send`` blocks (file I/O): the portal calls it from a worker thread.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from pathlib import Path
from typing import Protocol

from broker.config import PortalConfig
from broker.flow.representation import masked
from broker.identifiers import PartyId

log = logging.getLogger("toegang.portal.outbox")

__all__ = ["ConsoleOutbox", "FileOutbox", "Outbox", "outbox_from_config"]


class Outbox(Protocol):
    def send(
        self,
        recipient: PartyId,
        subject_nl: str,
        subject_en: str,
        body_nl: str,
        body_en: str,
    ) -> None:
        """Deliver (or queue) one message in Dutch and English to ``recipient``."""


def _label(recipient: PartyId) -> str:
    return masked({"kind": recipient.kind, "value": recipient.value})


class ConsoleOutbox:
    """Logs each message at INFO, the recipient masked."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.log = logger or log

    def send(
        self,
        recipient: PartyId,
        subject_nl: str,
        subject_en: str,
        body_nl: str,
        body_en: str,
    ) -> None:
        self.log.info(
            "outbox: to %s: %s / %s\n%s\n%s",
            _label(recipient),
            subject_nl,
            subject_en,
            body_nl,
            body_en,
        )


class FileOutbox:
    """Appends each message as one JSON line to ``path`` (made, with its folder, when missing)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def send(
        self,
        recipient: PartyId,
        subject_nl: str,
        subject_en: str,
        body_nl: str,
        body_en: str,
    ) -> None:
        line = json.dumps(
            {
                "at": dt.datetime.now(dt.UTC).isoformat(),
                "recipient": {"kind": recipient.kind, "value": recipient.value},
                "subject": {"nl": subject_nl, "en": subject_en},
                "body": {"nl": body_nl, "en": body_en},
            },
            ensure_ascii=False,
        )
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        log.info("outbox: queued a message to %s in %s", _label(recipient), self.path)


def outbox_from_config(config: PortalConfig) -> Outbox:
    if config.outbox == "file":
        return FileOutbox(config.outbox_file)
    return ConsoleOutbox()
