"""The complaint-determination routes (Art.8/9/32) for tests/test_route_matrix.py: the list and
its queues, a 投诉 case's determination page, CSD's investigation (save), 客服部主管's approval,
the unit's objection, CSD's answer (a change then goes to 客服部主管: approve-change /
send-back-change) and the evidence download. Each side's records are 投诉 cases
of its unit in the state the route acts on (tests/scoping_complaints.py), their determinations
naming that unit: whoever sees the case's unit sees them (a unit once approved; before, the page
shows the case only)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.models import Case, ComplaintDetermination, ComplaintDeterminationEvent, ComplaintObjection
from tests.route_specs import WRITE, Spec, const, route

VIEW = "ComplaintDetermination"
READ = ("can_read", VIEW)
EDIT = (WRITE, VIEW)
APPROVE = ("can_approve", VIEW)
OBJECT = ("can_object", VIEW)
BASE = "/complaints"


def _determination(session, ref) -> ComplaintDetermination | None:
    query = select(ComplaintDetermination).where(ComplaintDetermination.case_id == ref.case_id)
    return session.scalar(query)


def _state(session, ref):
    found = _determination(session, ref)
    if found is None:
        return None
    events = session.scalar(
        select(func.count())
        .select_from(ComplaintDeterminationEvent)
        .where(ComplaintDeterminationEvent.determination_id == found.id)
    )
    objections = session.scalar(
        select(func.count())
        .select_from(ComplaintObjection)
        .where(ComplaintObjection.determination_id == found.id)
    )
    return (found.status, found.version, found.findings, events, objections)


def _version(session, ref) -> str:
    found = _determination(session, ref)
    return "" if found is None else str(found.version)


def _save(ref, ctx, user):
    """A draft naming the case's unit (a new one, or the pending one: refused, not editable)."""
    case = ctx.session.get(Case, ref.case_id)
    return {
        "version": _version(ctx.session, ref),
        "determination": "valid",
        "findings": "矩阵调查：属实。",
        "breach_category": "quality",
        "grade": "general",
        "branch_id": str(case.branch_id),
        "responsibility": "unit",
        "submit": "0",
    }


def _approve(ref, ctx, user):
    return {"version": _version(ctx.session, ref), "decision": "approve", "reason": "矩阵同意。"}


def _send_back(ref, ctx, user):
    return {"version": _version(ctx.session, ref), "decision": "send_back", "reason": "矩阵退回"}


def _object(ref, ctx, user):
    return {"version": _version(ctx.session, ref), "reason": "矩阵异议：情况不属实。"}


def _uphold(ref, ctx, user):
    return {"version": _version(ctx.session, ref), "outcome": "uphold", "answer": "矩阵维持。"}


def _change(ref, ctx, user):
    found = _determination(ctx.session, ref)
    return {
        "version": _version(ctx.session, ref),
        "outcome": "change",
        "answer": "矩阵变更。",
        "determination": "invalid",
        "findings": "矩阵复核：不属实。",
        "invalid_reason": "not_true",
        "branch_id": str(found.branch_id if found else ""),
    }


def complaint_specs() -> list[Spec]:
    post = {"method": "POST", "count": _state}
    specs = [
        Spec(
            "ComplaintDeterminationView.index",
            f"{BASE}/",
            perm=READ,
            refs=("case:complaint_approved",),
            together=True,
            shows=True,
        ),
        Spec(
            "ComplaintDeterminationView.index",
            f"{BASE}/?queue=all&page=x",
            perm=READ,
            refs=("case:complaint_objected",),
            together=True,
            shows=True,
            variant="bad-page",
        ),
    ]
    for queue, state in (
        ("to_determine", "complaint_new"),
        ("pending_approval", "complaint_pending"),
        ("objected", "complaint_objected"),
        ("open_to_objection", "complaint_approved"),
        ("nonsense", "complaint_approved"),
    ):
        specs.append(
            Spec(
                "ComplaintDeterminationView.index",
                f"{BASE}/?queue={queue}",
                perm=READ,
                refs=(f"case:{state}",),
                together=True,
                absent_ok=True,  # a queue the role does not work in: 404
                variant=queue,
            )
        )
    specs += [
        Spec(
            "ComplaintDeterminationView.case",
            f"{BASE}/case/{{id}}",
            perm=READ,
            refs=(f"case:{state}",),
            shows=True,
            variant=state,
        )
        for state in (
            "complaint_new",
            "complaint_pending",
            "complaint_approved",
            "complaint_change_pending",
        )
    ]
    save = route("ComplaintDeterminationView.save", f"{BASE}/case/{{id}}/save", perm=EDIT, **post)
    approve = route(
        "ComplaintDeterminationView.approve", f"{BASE}/case/{{id}}/approve", perm=APPROVE, **post
    )
    objecting = route(
        "ComplaintDeterminationView.object", f"{BASE}/case/{{id}}/object", perm=OBJECT, **post
    )
    answer = route(
        "ComplaintDeterminationView.answer", f"{BASE}/case/{{id}}/answer", perm=EDIT, **post
    )
    new, pending = ("case:complaint_new",), ("case:complaint_pending",)
    change_pending = ("case:complaint_change_pending",)  # the change proposed by csd
    objected = ("case:complaint_objected",)
    specs += [
        Spec(
            "ComplaintDeterminationView.case",
            f"{BASE}/case/{{id}}",
            perm=READ,
            refs=("case:in_progress",),  # not a 投诉 case: 404 for everyone
            absent_ok=True,
            variant="not-a-complaint",
        ),
        Spec(
            "ComplaintDeterminationView.evidence",
            f"{BASE}/evidence/{{id}}",
            perm=READ,
            refs=("complaint_evidence",),
            shows=True,
        ),
        save(refs=new, data=_save, effect=True),
        save(refs=pending, data=_save, variant="not-editable"),
        save(
            refs=new,
            data=const(version="x", determination="nonsense", findings="矩阵"),
            variant="bad-input",
        ),
        approve(refs=pending, data=_approve, effect=True),
        approve(refs=pending, data=_send_back, effect=True, variant="send-back"),
        approve(refs=change_pending, data=_approve, effect=True, variant="approve-change"),
        approve(refs=change_pending, data=_send_back, effect=True, variant="send-back-change"),
        # Awaiting approval: refused, unchanged.
        answer(refs=change_pending, data=_uphold, variant="change-pending"),
        # Nothing to approve: 404.
        approve(
            refs=new,
            data=const(version="1", decision="approve"),
            absent_ok=True,
            variant="none-yet",
        ),
        objecting(refs=("case:complaint_approved",), data=_object, effect=True),
        # Not approved: the unit may not see it.
        objecting(refs=pending, data=_object, absent_ok=True, variant="not-approved"),
        answer(refs=objected, data=_uphold, effect=True),
        answer(refs=objected, data=_change, effect=True, variant="change"),
    ]
    return specs
