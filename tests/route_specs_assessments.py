"""The annual assessment's routes (年终考核, Art.41) for tests/test_route_matrix.py: the years,
a year's ranked units (the live draft), one unit's deductions, the print and the .xlsx export;
CSD's deadline and answers, a unit's objection, the committee's finalise and reopen. Each side's
unit has a confirmed entry of last year (besides the register's proposed one) and a pending
objection to it, both numbered after the side's branch record, so whoever may see the unit sees
them and nobody else; the year is open for objections until ten days from now."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from app.domain.clock import now as clock_now
from app.models import Assessment, AssessmentEvent, AssessmentObjection, ViolationEntry
from tests.route_specs import (
    SHOWN_TOGETHER,
    _violation_of,
    alike,
    const,
    route,
    violation_entries,
)

READ = ("can_read", "AnnualAssessment")
PREPARE = ("can_prepare", "AnnualAssessment")
OBJECT = ("can_object", "AnnualAssessment")
FINALISE = ("can_finalise", "AnnualAssessment")
REFS = ("branch",)
ENTRY_OFFSET = 900_000  # the confirmed entries' ids: far above the register's own
YEAR = clock_now().year - 1  # last year: over, so it may be opened and finalised (Art.41)


def _assessment(session) -> Assessment:
    """Last year's assessment, open for objections (made on first use)."""
    found = session.scalar(select(Assessment).where(Assessment.year == YEAR))
    if found is None:
        stamp = clock_now().replace(microsecond=0)
        found = Assessment(
            year=YEAR,
            version=1,
            status="open",
            objection_deadline=stamp.date() + timedelta(days=10),
            opened_at=stamp,
            created_at=stamp,
        )
        session.add(found)
        session.commit()
    return found


def _entry_of(session, ref) -> ViolationEntry:
    """The side's confirmed entry of last year (an Art.37 breach of its unit)."""
    entry = session.get(ViolationEntry, ENTRY_OFFSET + ref.id)
    if entry is None:
        stamp = clock_now().replace(microsecond=0)
        entry = ViolationEntry(
            id=ENTRY_OFFSET + ref.id,
            cause="art37",
            branch_id=ref.branch_id,
            status="confirmed",
            deduction_bp=100,
            occurred_on=date(YEAR, 12, 1),
            evidence="矩阵考核扣分证据",
            created_at=stamp,
            decided_at=stamp,
        )
        session.add(entry)
        session.commit()
    return entry


def _objection_of(session, ref) -> AssessmentObjection:
    found = session.get(AssessmentObjection, ref.id)
    if found is None:
        assessment = _assessment(session)
        entry = _entry_of(session, ref)
        found = AssessmentObjection(
            id=ref.id,
            assessment_id=assessment.id,
            entry_id=entry.id,
            branch_id=entry.branch_id,
            reason="矩阵异议理由",
            lodged_at=clock_now().replace(microsecond=0),
            status="pending",
        )
        session.add(found)
        session.commit()
    return found


def _setup(ref, ctx, user):
    """A GET sends no body: this makes the records before the page is asked for."""
    violation_entries(ref, ctx, user)
    for side in ctx.refs["branch"].values():
        _violation_of(ctx.session, side)
        _entry_of(ctx.session, side)
        _objection_of(ctx.session, side)


def _state(session, ref=None):
    _assessment(session)  # made before the first snapshot: the data functions find it there
    rows = session.execute(
        select(
            Assessment.version, Assessment.status, Assessment.lock_version, Assessment.reopen_reason
        ).order_by(Assessment.version)
    ).all()
    events = session.scalar(select(func.count()).select_from(AssessmentEvent))
    return (tuple(tuple(r) for r in rows), events)


def _objections(session, ref):
    entry = _entry_of(session, ref)
    return session.scalar(
        select(func.count())
        .select_from(AssessmentObjection)
        .where(AssessmentObjection.entry_id == entry.id)
    )


def _objection_state(session, ref):
    found = _objection_of(session, ref)
    entry = session.get(ViolationEntry, found.entry_id)
    return (found.status, found.version, found.answer, entry.status, entry.version)


def _lock(session) -> int:
    found = session.scalar(
        select(Assessment).where(Assessment.year == YEAR).order_by(Assessment.version.desc())
    )
    return found.lock_version if found is not None else 0


def _open(ref, ctx, user):
    deadline = clock_now().date() + timedelta(days=12)
    return {"deadline": deadline.isoformat(), "lock_version": _lock(ctx.session)}


def _object(ref, ctx, user):
    _assessment(ctx.session)
    entry = _entry_of(ctx.session, ref)
    return {
        "entry_id": entry.id,
        "branch_id": ref.branch_id,
        "reason": "矩阵：该扣分有误。",
        "evidence": "矩阵证据",
    }


def _answer(ref, ctx, user):
    found = _objection_of(ctx.session, ref)
    return {"decision": "reject", "answer": "矩阵答复：维持扣分。", "version": found.version}


def _finalise(ref, ctx, user):
    _setup(ref, ctx, user)
    return {"lock_version": _lock(ctx.session)}


def _reopen(ref, ctx, user):
    _setup(ref, ctx, user)
    return {"reason": "矩阵重新打开理由", "lock_version": _lock(ctx.session)}


def assessment_specs() -> list:
    """年终考核: everybody with the capability reads (a unit its own units only); a year or a
    version, unit or objection that does not exist gives 404, never a 500."""
    base = f"/assessments/{YEAR}"
    page = alike(perm=READ, data=_setup)  # a GET: the records are made before it
    units = {"refs": REFS, **SHOWN_TOGETHER}
    opening = route("AssessmentView.open", base + "/open", "POST", perm=PREPARE, count=_state)
    objecting = route(
        "AssessmentView.object", base + "/object", "POST", perm=OBJECT, refs=REFS, count=_objections
    )
    answering = route(
        "AssessmentView.answer",
        "/assessments/objection/{id}/answer",
        "POST",
        perm=PREPARE,
        refs=REFS,
        count=_objection_state,
    )
    deciding = alike(method="POST", perm=FINALISE, count=_state)
    return [
        page("AssessmentView.index", "/assessments/"),
        page("AssessmentView.year", base, **units),
        page("AssessmentView.year", base + "?version=x", **units, variant="bad-version"),
        page("AssessmentView.year", "/assessments/1", absent_ok=True, variant="no-year"),
        page("AssessmentView.unit", base + "/unit/{id}", refs=REFS, shows=True),
        page("AssessmentView.print_year", base + "/print", **units),
        page("AssessmentView.export", base + "/export.xlsx", **units),
        opening(data=_open, effect=True),
        opening(data=const(deadline="x", lock_version="y"), variant="bad-input"),
        objecting(data=_object, effect=True),
        objecting(data=const(entry_id="x", reason=""), variant="bad-input"),
        answering(data=_answer, effect=True),
        answering(data=const(decision="maybe", answer="", version="x"), variant="bad-input"),
        # Refused for everybody here (proposed violations of the year, the window still open):
        # what is checked is that nobody else may try and that nothing breaks.
        deciding("AssessmentView.finalise", base + "/finalise", data=_finalise),
        deciding("AssessmentView.reopen", base + "/reopen", data=_reopen),
    ]
