"""Bulk cases for the benchmarks: inserted in batches with Core ``insert`` (no ORM objects),
spread over every unit, channel and kind, two years of receipt times, about 9.6 % open."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import insert, select

OPEN_SHARE = 0.096
OPEN_STATES = (
    "pending_dispatch",
    "pending_sign",
    "in_progress",
    "pending_review",
    "pending_callback",
)
BATCH = 20_000


def insert_cases(session, count: int, *, now: datetime, seed: int = 7, overdue_share=0.05) -> int:
    """Insert ``count`` cases; about ``overdue_share`` of all cases are open past their
    deadline. First contacts are CSD and the agent, and one case in fifty a branch user."""
    from app.models import Branch, Case, CaseKind, Channel, SuqiuUser

    rng = random.Random(seed)
    branches = list(session.scalars(select(Branch.id).where(Branch.active.is_(True))))
    channels = [(c.id, c.category.code) for c in session.scalars(select(Channel))]
    kinds = list(session.scalars(select(CaseKind.id)))
    users = {u.username: u.id for u in session.scalars(select(SuqiuUser))}
    central = [users["csd"], users["agent"]]
    branch_staff = [users[n] for n in ("liaison_hankou", "handler_hankou", "liaison_wuchang")]
    start = session.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) or 0
    batch: list[dict] = []
    for i in range(count):
        received = now - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        roll = rng.random()
        channel, category = rng.choice(channels)
        status = "closed"
        due = received + timedelta(days=rng.choice((3, 5, 10)))
        if roll < overdue_share:
            status = rng.choice(OPEN_STATES)
            due = now - timedelta(hours=rng.randrange(1, 2000))
        elif roll < OPEN_SHARE:
            status = rng.choice(OPEN_STATES)
            received = now - timedelta(minutes=rng.randrange(0, 10 * 24 * 60))
            due = now + timedelta(hours=rng.randrange(1, 240))
        dispatched = status not in ("pending_dispatch",)
        batch.append(
            {
                "number": f"SQB{start + i:010d}",
                "channel_id": channel,
                "channel_category_code": category,
                "kind_id": rng.choice(kinds),
                "customer_name": "客户",
                "customer_phone": f"139{rng.randrange(10**8):08d}",
                "content": "批量生成",
                "status": status,
                "first_contact_id": (
                    rng.choice(branch_staff) if rng.random() < 0.02 else rng.choice(central)
                ),
                "branch_id": rng.choice(branches) if dispatched else None,
                "received_at": received,
                "sign_due": received + timedelta(days=1),
                "finish_due": due,
                "closed_at": due - timedelta(days=1) if status == "closed" else None,
                "version": 1,
                "urgent": rng.random() < 0.05,
                "media_involved": False,
                "adverse_impact": False,
                "major_interest": False,
                "property_loss": False,
                "casualties": False,
                "due_provisional": False,
                "rehandle_count": 0,
                "return_count": 0,
                "unreachable_attempts": 0,
                "extension_count": 0,
                "sign_overdue": False,
                "finish_overdue": False,
                "due_soon_notified": False,
            }
        )
        if len(batch) == BATCH:
            session.execute(insert(Case), batch)
            batch.clear()
    if batch:
        session.execute(insert(Case), batch)
    session.commit()
    return count
