"""The work queues as menu entries with their counts (design §2). Each user sees only the
queues their roles may act on (case_queries.usable_queues); 我的工作台 itself is hidden from those
with none. The counts come from one grouped query over the user's open cases, kept for MENU_TTL
seconds per user so that every page does not pay for it; the 我的工作台 page always counts
afresh."""

from __future__ import annotations

import time

from flask import has_request_context, request

from app.domain.clock import now as clock_now
from app.views.case_labels import QUEUE_LABELS
from app.views.menu_labels import CountedLabel

MENU_TTL = 30
_recent: dict[int, tuple[float, dict[str, int]]] = {}


def current_counts(*, fresh: bool = False) -> dict[str, int]:
    """The signed-in user's queue counts for this request; ``fresh`` ignores the menu cache
    (and refreshes it), so the 我的工作台 page and its menu show the same numbers."""
    if not has_request_context():
        return {}
    cached = None if fresh else request.environ.get("suqiu.queue_counts")
    if cached is None:
        from app.extensions import db
        from app.services.actor import current_actor
        from app.services.case_queries import queue_counts

        actor = current_actor()
        if actor.user is None:
            return {}
        stamp, cached = _recent.get(actor.user_id, (0.0, None))
        if fresh or cached is None or time.monotonic() - stamp > MENU_TTL:
            cached = queue_counts(db.session, actor, clock_now())
            _recent[actor.user_id] = (time.monotonic(), cached)
        request.environ["suqiu.queue_counts"] = cached
    return cached


def current_queues() -> tuple[str, ...]:
    """The signed-in user's queues (none outside a request)."""
    if not has_request_context():
        return ()
    from app.services.actor import current_actor
    from app.services.case_queries import usable_queues

    actor = current_actor()
    return usable_queues(actor) if actor.user is not None else ()


def _shows(name: str):
    """A menu condition (FAB's ``cond``, honoured by our navbar_menu.html)."""
    return lambda: name in current_queues()


def register(appbuilder, queue_view) -> None:
    from app.services.case_queries import QUEUE_NAMES

    for name in QUEUE_NAMES:
        appbuilder.add_link(
            f"Queue_{name}",
            href=f"/queues/{name}",
            icon="fa-angle-right",
            label=CountedLabel(
                ("queue", name), QUEUE_LABELS[name], lambda name=name: current_counts().get(name)
            ),
            category="Cases",
            baseview=queue_view,
            cond=_shows(name),
        )
    # 我的工作台, the view's own entry, goes with its queues: no queue, no entry.
    category = appbuilder.menu.find("Cases")
    for item in category.childs if category is not None else ():
        if item.baseview is queue_view and not item.name.startswith("Queue_"):
            item.cond = lambda: bool(current_queues())
