"""The timeline's readable details: what an event's recorded ``detail`` says, in Chinese
(to whom a case was dispatched or assigned, the callback result and attempt, …)."""

from __future__ import annotations

import json

from app.domain.i18n import _l
from app.views.case_labels import ACTION_LABELS, CALLBACK_LABELS

_DETAIL_LINES = {
    "branch": _l("Unit: %(value)s"),
    "department": _l("Department: %(value)s"),
    "handler": _l("Assigned to: %(value)s"),
    "requested_due": _l("Requested deadline: %(value)s"),
    "reply_due": _l("Reply by: %(value)s"),
    "attempt": _l("Unreachable attempt %(value)s"),
    "primary_case": _l("主单: %(value)s"),
    "repeat_case": _l("关联单: %(value)s"),
}


def event_action(event) -> str:
    """What the event did, in Chinese; an action without a label is never shown as its code."""
    return str(ACTION_LABELS.get(event.action, _l("Other change")))


def event_summary(event) -> list[str]:
    """Lines to show above the event's note; unknown keys are left out, never shown raw."""
    if not event.detail:
        return []
    try:
        detail = json.loads(event.detail)
    except ValueError:
        return []
    if not isinstance(detail, dict):
        return []
    lines = []
    if "result" in detail and detail["result"] in CALLBACK_LABELS:
        lines.append(
            str(_l("Callback result: %(value)s")) % {"value": CALLBACK_LABELS[detail["result"]]}
        )
    if "approved" in detail:
        lines.append(str(_l("Approved") if detail["approved"] else _l("Rejected")))
    for key, template in _DETAIL_LINES.items():
        value = detail.get(key)
        if value not in (None, ""):
            lines.append(str(template) % {"value": value})
    return lines
