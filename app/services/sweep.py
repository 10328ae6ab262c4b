"""The overdue sweep (Art.30): flags cases past their sign-for or finish deadline and tells
the unit, once. Set-based UPDATEs whose WHERE re-checks the flag make it safe when several
instances run it at the same moment: each case is flagged, and notified, exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain.clock import now as clock_now
from app.domain.deadlines import FINISH_OPEN, SIGN_OPEN
from app.domain.i18n import _l
from app.domain.roles import LIAISON
from app.models import Case, SuqiuUser
from app.services.notifications import case_link, send
from app.services.uow import transaction

DUE_SOON = timedelta(hours=24)


def _flag(session: Session, flag, *where):
    """Set ``flag`` on the matching cases that do not have it yet; return those rows. The WHERE
    re-checks the flag after any row lock, so a concurrent sweep cannot flag a case twice."""
    return session.execute(
        update(Case)
        .where(*where, flag.is_(False))
        .values({flag: True})
        .returning(Case.id, Case.number, Case.branch_id)
        .execution_options(synchronize_session=False)
    ).all()


@transaction()
def sweep_overdue(session: Session, now: datetime | None = None) -> dict[str, int]:
    now = now or clock_now()
    soon = _flag(
        session,
        Case.due_soon_notified,
        Case.status.in_(FINISH_OPEN),
        Case.finish_due >= now,
        Case.finish_due < now + DUE_SOON,
    )
    sign = _flag(session, Case.sign_overdue, Case.status.in_(SIGN_OPEN), Case.sign_due < now)
    finish = _flag(
        session, Case.finish_overdue, Case.status.in_(FINISH_OPEN), Case.finish_due < now
    )
    liaisons: dict[int, list[int]] = {}
    for _, _, branch_id in finish + soon:
        if branch_id is not None and branch_id not in liaisons:
            liaisons[branch_id] = list(
                session.scalars(
                    select(SuqiuUser.id).where(
                        SuqiuUser.branch_id == branch_id,
                        SuqiuUser.roles.any(Role.name == LIAISON.name),
                    )
                )
            )
    for rows, category, title in (
        (finish, "overdue", str(_l("overdue (Art.30)"))),
        (soon, "due_soon", str(_l("due within 24 hours"))),
    ):
        for case_id, number, branch_id in rows:
            send(
                session,
                liaisons.get(branch_id, []),
                category=category,
                title=f"{number} {title}",
                link=case_link(case_id),
            )
    return {"sign_overdue": len(sign), "finish_overdue": len(finish), "due_soon": len(soon)}
