"""Writing the immutable timeline entry of a case (Art.13, Art.31)."""

from __future__ import annotations

import json
from datetime import datetime

from app.models import Case, CaseEvent
from app.services.actor import Actor


def case_event(
    case: Case,
    action: str,
    actor: Actor,
    at: datetime,
    *,
    note: str | None = None,
    detail: dict | None = None,
    before: str | None = None,
    after: str | None = None,
) -> CaseEvent:
    """An event on ``case``; without ``before``/``after`` the status did not change."""
    return CaseEvent(
        case=case,
        action=str(action),
        actor_id=actor.user_id,
        at=at,
        from_status=before if before is not None else case.status,
        to_status=after if after is not None else case.status,
        note=note,
        detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
    )
