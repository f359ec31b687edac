"""Audit records for every mandate change and every resolution (domain.md "Resolution":
every decision, allowed or denied, is recorded), with Logboek Dataverwerkingen fields
(nl-login-means.md §6.1).

The data subject is written as a keyed pseudonym, never as the raw identifier: §6.1 requires
``dpl.core.data_subject_id`` to be encrypted and the Logboek ADRs forbid identifying data
about users in records. HMAC-SHA256 with a broker secret gives a stable reference (so the
represented person's own overview can be found) that cannot be reversed or recomputed without
the key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from broker.identifiers import PartyId
from mandates.models import AuditRecord

DEFAULT_PROCESSING_ACTIVITY = "urn:stelsel-toegang:verwerking:vertegenwoordiging"
_ID_TYPES = {"bsn": "BSN", "kvk": "KvK", "rsin": "RSIN", "eidas": "eIDAS"}


@dataclass(frozen=True, slots=True)
class AuditSettings:
    """The pseudonym key (secret, ≥ 32 bytes) and the processing-activity URI (AVG art. 30
    register entry the Logboek record points at)."""

    pseudonym_key: bytes
    processing_activity_id: str = DEFAULT_PROCESSING_ACTIVITY

    def __post_init__(self) -> None:
        if len(self.pseudonym_key) < 32:
            raise ValueError("the audit pseudonym key must be at least 32 bytes")


@dataclass(frozen=True, slots=True)
class TraceContext:
    """W3C Trace Context ids of the login flow this step belongs to (Logboek §6.2: start a trace
    when none exists). ``span_id`` is fresh per record; ``parent_span_id`` is the caller's."""

    trace_id: str = field(default_factory=lambda: secrets.token_hex(16))
    parent_span_id: str | None = None


def pseudonym(settings: AuditSettings, party: PartyId) -> str:
    """Keyed HMAC pseudonym of a namespaced identifier (kind is part of the input, so a BSN
    and a KvK number with equal digits never collide)."""
    message = f"{party.kind}:{party.value}".encode()
    return hmac.new(settings.pseudonym_key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditEntry:
    action: str
    decision: str
    reason: str
    actor_id: int | None = None
    subject: PartyId | None = None
    subject_id: int | None = None
    service_id: str | None = None
    basis_kind: str | None = None
    basis_id: str | None = None
    effective_level: int | None = None
    status: str = "Ok"


def audit_values(
    settings: AuditSettings,
    entry: AuditEntry,
    at: dt.datetime,
    trace: TraceContext | None = None,
) -> dict[str, Any]:
    """The column values of the record for ``entry`` (for a plain Core INSERT)."""
    trace = trace or TraceContext()
    return {
        "at": at.astimezone(dt.UTC),
        "action": entry.action,
        "actor_id": entry.actor_id,
        "subject_id": entry.subject_id,
        "data_subject_ref": pseudonym(settings, entry.subject) if entry.subject else None,
        "data_subject_id_type": _ID_TYPES.get(entry.subject.kind) if entry.subject else None,
        "service_id": entry.service_id,
        "decision": entry.decision,
        "reason": entry.reason,
        "basis_kind": entry.basis_kind,
        "basis_id": entry.basis_id,
        "effective_level": entry.effective_level,
        "trace_id": trace.trace_id,
        "span_id": secrets.token_hex(8),
        "parent_span_id": trace.parent_span_id,
        "processing_activity_id": settings.processing_activity_id,
        "status": entry.status,
    }


def write_audit(
    session: Session,
    settings: AuditSettings,
    entry: AuditEntry,
    at: dt.datetime,
    trace: TraceContext | None = None,
) -> AuditRecord:
    """Add the record to ``session`` (same transaction as the change it describes)."""
    record = AuditRecord(**audit_values(settings, entry, at, trace))
    session.add(record)
    return record
