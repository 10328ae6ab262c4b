"""Who hears about a complaint determination (Art.17): 客服部主管 of a submission and of a
proposed change, the responsible unit's 联络员 and 责任人 of an approval (with the end of its
objection window) and of the final answer to its objection (a unit an approved change names:
with its own window), CSD of an objection and of a send-back. Each notice links to
the determination's page."""

from __future__ import annotations

from collections.abc import Iterable

from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.clock import format_datetime
from app.domain.complaints import (
    DETERMINATION_LABELS,
    GRADE_LABELS,
    Determination,
    Grade,
)
from app.domain.i18n import _l
from app.domain.roles import CSD_HEAD, CSD_ROLE_NAMES, HEAD, LIAISON
from app.models import ComplaintDetermination, SuqiuUser
from app.services.notifications import send


def determination_link(case_id: int) -> str:
    """The determination's page, by its case (app.views.complaints)."""
    return f"/complaints/case/{case_id}"


def _users(session: Session, roles: Iterable[str], branch_id: int | None = None) -> set[int]:
    query = select(SuqiuUser.id).where(
        SuqiuUser.active.is_(True), SuqiuUser.roles.any(Role.name.in_(list(roles)))
    )
    if branch_id is not None:
        query = query.where(SuqiuUser.branch_id == branch_id)
    return set(session.scalars(query))


def _unit(session: Session, branch_id: int | None) -> set[int]:
    if branch_id is None:
        return set()
    return _users(session, {LIAISON.name, HEAD.name}, branch_id)


def _send(session, recipients, found: ComplaintDetermination, category, title, body=None):
    send(
        session,
        sorted(r for r in recipients if r is not None),
        category=category,
        title=f"{found.case.number} {title}",
        body=body,
        link=determination_link(found.case_id),
    )


def result_text(found: ComplaintDetermination) -> str:
    """一般有效投诉 / 重大有效投诉, 有效投诉 not graded yet, or 无效投诉."""
    if found.grade:
        return str(GRADE_LABELS[Grade(found.grade)])
    if found.determination is None:
        return ""
    return str(DETERMINATION_LABELS[Determination(found.determination)])


def submitted(session: Session, found: ComplaintDetermination) -> None:
    heads = _users(session, {CSD_HEAD.name})
    _send(
        session,
        heads,
        found,
        "complaint_submitted",
        str(_l("complaint determination awaiting approval")),
        result_text(found),
    )


def sent_back(session: Session, found: ComplaintDetermination, reason: str) -> None:
    _send(
        session,
        {found.investigated_by_id},
        found,
        "complaint_sent_back",
        str(_l("complaint determination sent back")),
        reason,
    )


def approved(session: Session, found: ComplaintDetermination) -> None:
    body = result_text(found)
    if found.objection_due is not None:
        body += str(
            _l(
                "; an objection may be lodged until %(due)s",
                due=format_datetime(found.objection_due),
            )
        )
    _send(
        session,
        _unit(session, found.branch_id),
        found,
        "complaint_approved",
        str(_l("complaint determination approved")),
        body,
    )
    _send(
        session,
        {found.investigated_by_id},
        found,
        "complaint_approved",
        str(_l("complaint determination approved")),
        body,
    )


def change_submitted(session: Session, found: ComplaintDetermination) -> None:
    """A change proposed after an objection awaits 客服部主管's approval."""
    _send(
        session,
        _users(session, {CSD_HEAD.name}),
        found,
        "complaint_submitted",
        str(_l("change of the complaint determination awaiting approval")),
    )


def change_sent_back(
    session: Session, found: ComplaintDetermination, proposer_id: int | None, reason: str
) -> None:
    _send(
        session,
        {proposer_id},
        found,
        "complaint_sent_back",
        str(_l("change of the complaint determination sent back")),
        reason,
    )


def objected(session: Session, found: ComplaintDetermination, reason: str) -> None:
    csd = _users(session, CSD_ROLE_NAMES) | {found.investigated_by_id}
    _send(
        session,
        csd,
        found,
        "complaint_objected",
        str(_l("objection to the complaint determination")),
        reason,
    )


def answered(
    session: Session, found: ComplaintDetermination, previous: dict, changed: bool, answer: str
) -> None:
    units = _unit(session, previous.get("branch_id")) | _unit(session, found.branch_id)
    title = (
        _l("complaint determination changed after the objection")
        if changed
        else _l("complaint determination upheld after the objection")
    )
    body = f"{result_text(found)}：{answer}" if changed else answer
    if changed and found.branch_id != previous.get("branch_id") and found.objection_due:
        body += str(
            _l(
                "; an objection may be lodged until %(due)s",
                due=format_datetime(found.objection_due),
            )
        )
    _send(session, units, found, "complaint_answered", str(title), body)
