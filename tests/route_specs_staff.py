"""The staff-accountability routes (Art.23/42) for tests/test_route_matrix.py: the list of
personal breaches, a breach's page, the unit's handling opinion, CSD's recording form, the
ratings. Each side's breach concerns its in-progress case and that unit's matrix employee, so
whoever sees the case's unit sees the breach (the case's first contact is CSD, who sees all)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import func, select

from app.domain.clock import now as clock_now
from app.models import Case, PersonalBreach, PersonalBreachEvent, SuqiuUser
from tests.route_specs import (
    SHOWN_TOGETHER,
    WRITE,
    Spec,
    _in_branch,
    const,
    form_and_save,
    route,
)

REFS = ("case:in_progress",)
READ = ("can_read", "StaffAccountability")
OPINION = ("can_opinion", "StaffAccountability")
RECORD = (WRITE, "Violation")  # CSD's capability edit.violations


def _breach_of(session, ref) -> PersonalBreach:
    """The breach of a side's in-progress case, made on first use with the case's id (the demo's
    breaches are numbered far below the matrix's cases): its unit is the case's, its employee
    the unit's matrix account."""
    breach = session.get(PersonalBreach, ref.id)
    if breach is None:
        stamp = clock_now().replace(microsecond=0)
        case = session.get(Case, ref.case_id)
        employee = session.scalar(
            select(SuqiuUser.id).where(SuqiuUser.username == f"matrix_{ref.label}")
        )
        breach = PersonalBreach(
            id=ref.id,
            branch_id=case.branch_id,
            employee_id=employee,
            article="art27",
            case_id=case.id,
            occurred_on=stamp.date(),
            description="矩阵人员违规经过",
            recorded_at=stamp,
            opinion_due=stamp + timedelta(days=7),
            status="open",
        )
        session.add(breach)
        session.add(
            PersonalBreachEvent(
                breach=breach, branch_id=case.branch_id, action="recorded", at=stamp
            )
        )
        session.commit()
    return breach


def breaches(ref, ctx, user):
    """A GET sends no body: this makes each side's breach before the page is asked for."""
    for side in ctx.refs["case:in_progress"].values():
        _breach_of(ctx.session, side)


def _state(session, ref):
    breach = _breach_of(session, ref)
    events = session.scalar(
        select(func.count())
        .select_from(PersonalBreachEvent)
        .where(PersonalBreachEvent.breach_id == breach.id)
    )
    return (breach.status, breach.version, breach.opinion, events)


def _opinion(ref, ctx, user):
    breach = _breach_of(ctx.session, ref)
    return {"version": breach.version, "opinion": "矩阵处理意见：诫勉谈话。"}


def _record(ref, ctx, user):
    employee = ctx.refs["user"][ref.label].id
    return {
        "branch_id": ref.id,
        "employee_id": employee,
        "article": "art28",
        "occurred_on": clock_now().date().isoformat(),
        "description": "矩阵登记：对不熟悉的业务作出承诺。",
        "case_number": "",
        "submission_key": secrets.token_hex(16),  # the form's one-time key, fresh each time
    }


def staff_specs() -> list[Spec]:
    """人员违规处理: a unit reads its own breaches and enters their handling opinion; CSD,
    leaders and the committee read all, CSD records them (the violation register's write).
    A page number, a status or a version that is no number, and a period that is no month or
    quarter, must not give a 500."""
    index = route(
        "StaffAccountabilityView.index",
        "/staff/",
        perm=READ,
        refs=REFS,
        **SHOWN_TOGETHER,
        data=breaches,
    )
    opinion = route(
        "StaffAccountabilityView.opinion",
        "/staff/breach/{id}/opinion",
        "POST",
        perm=OPINION,
        refs=REFS,
        count=_state,
    )
    ratings = route("StaffAccountabilityView.ratings", "/staff/ratings", perm=READ)
    return [
        index(),
        index(path="/staff/?status=open", variant="open"),
        index(path="/staff/?status=x&page=-3", variant="bad-filter"),
        Spec(
            "StaffAccountabilityView.show",
            "/staff/breach/{id}",
            perm=READ,
            refs=REFS,
            shows=True,
            data=breaches,
        ),
        opinion(data=_opinion, effect=True),
        opinion(data=const(version="x", opinion="矩阵"), variant="bad-version"),
        opinion(data=const(version="1", opinion="  "), variant="empty"),
        ratings(shows=True),
        ratings(path="/staff/ratings?period=quarter&year=2026&number=9", variant="bad-period"),
        *form_and_save(
            "PersonalBreachRecordView.record",
            "/staff/record/",
            RECORD,
            ("branch",),
            _record,
            _in_branch(PersonalBreach),
        ),
    ]
