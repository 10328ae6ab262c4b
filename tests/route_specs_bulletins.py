"""The bulletin routes (Art.37/38) for tests/test_route_matrix.py: the list (a unit its own
notices, CSD all), a notice's page, CSD's direct publishing and corrections (FAB's add and edit),
the unit's submission and correction, CSD's publish / send back and the late-notice breach.
Each side's records are notices of its unit (tests/scoping_bulletins.py): one awaiting review,
submitted after the side's cases arrived, and one sent back. Nobody deletes a bulletin."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.domain.clock import now as clock_now
from app.models import Bulletin, BulletinEvent, Case
from app.services.bulletins import early_cases_query
from tests.route_specs import NOBODY, WRITE, Spec, const, crud, form_and_save, route

VIEW = "Bulletin"
READ = ("can_read", VIEW)
EDIT = (WRITE, VIEW)
SUBMIT = ("can_submit", VIEW)
BASE = "/bulletinview"
FAB_TIME = "%Y-%m-%d %H:%M:%S"
FORM_TIME = "%Y-%m-%dT%H:%M"


def _in_branch(session, ref):
    return session.scalar(
        select(func.count()).select_from(Bulletin).where(Bulletin.branch_id == ref.id)
    )


def _state(session, ref):
    bulletin = session.get(Bulletin, ref.id)
    events = session.scalar(
        select(func.count()).select_from(BulletinEvent).where(BulletinEvent.bulletin_id == ref.id)
    )
    return (bulletin.status, bulletin.version, bulletin.violation_entry_id, events)


def _version(ctx, ref) -> int:
    ctx.session.expire_all()
    return ctx.session.get(Bulletin, ref.id).version


def _times(fmt):
    start = clock_now().replace(second=0, microsecond=0) - timedelta(hours=2)
    return start.strftime(fmt), (start + timedelta(hours=6)).strftime(fmt)


def crud_add(ref, ctx, user):
    start, recovery = _times(FAB_TIME)
    return {
        "kind": "emergency",
        "title": f"矩阵直接发布{ref.label}",
        "talking_points": "矩阵口径：抢修停气。",
        "branch": ref.id,
        "area": "矩阵片区",
        "starts_at": start,
        "expected_recovery_at": recovery,
        "active": "y",
    }


def crud_edit(ref, ctx, user):
    start, recovery = _times(FAB_TIME)
    return {
        "kind": "emergency",
        "title": ref.text,
        "talking_points": "矩阵口径：客服部修改。",
        "branch": ref.branch_id,
        "area": "矩阵片区（修改）",
        "starts_at": start,
        "expected_recovery_at": recovery,
        "active": "y",
        "form_version": str(_version(ctx, ref)),
    }


def notice_form(ref, ctx, user):
    """The unit's form, for ``ref``'s unit (a ``branch``) or notice (its unit and version)."""
    start, recovery = _times(FORM_TIME)
    unit = ref.id if ref.kind == "branch" else ref.branch_id
    form = {
        "kind": "emergency",
        "title": f"矩阵提交{ref.label}",
        "branch_id": str(unit),
        "business_category_id": "",
        "area": "矩阵片区",
        "starts_at": start,
        "expected_recovery_at": recovery,
        "ends_at": "",
        "talking_points": "矩阵口径：抢修停气，请致歉。",
    }
    if ref.kind != "branch":
        form.update(title=ref.text, version=str(_version(ctx, ref)), note="已补充。")
    return form


def decision(kind: str):
    def data(ref, ctx, user):
        form = {"decision": kind, "version": str(_version(ctx, ref))}
        form["note" if kind == "publish" else "reason"] = "矩阵审核意见。"
        return form

    return data


def breach(ref, ctx, user):
    bulletin = ctx.session.get(Bulletin, ref.id)
    query = early_cases_query(ctx.session, bulletin)
    case_id = ctx.session.scalar(query.with_only_columns(Case.id).order_by(Case.id).limit(1))
    return {"version": str(_version(ctx, ref)), "case_id": str(case_id), "note": "矩阵迟报。"}


def bulletin_specs() -> list[Spec]:
    refs = ("bulletin", "bulletin_returned")
    specs = [
        s
        for s in crud(
            "BulletinView",
            BASE,
            VIEW,
            "bulletin",
            delete=NOBODY,
            add_kind="branch",
            add_data=crud_add,
            add_count=_in_branch,
            edit_data=crud_edit,
            choices="branch",
            listed=("bulletin_returned",),
        )
        if s.endpoint not in ("BulletinView.show", "BulletinView.list")
    ]
    specs += [
        Spec(
            "BulletinView.list",
            path,
            perm=READ,
            refs=kinds,
            together=True,
            shows=shows,
            variant=variant,
        )
        for path, kinds, shows, variant in (
            (f"{BASE}/list/", refs, True, ""),
            # CSD's 待审核 menu entry: the notices awaiting review, not those sent back.
            (f"{BASE}/list/?_flt_0_status=submitted", ("bulletin",), True, "awaiting-review"),
            (f"{BASE}/list/?_flt_0_status=x&_flt_0_kind=&page_BulletinView=y", refs, False, "bad"),
        )
    ]
    resubmit = route("BulletinView.resubmit", f"{BASE}/resubmit/{{id}}", perm=SUBMIT)
    decide = route(
        "BulletinView.decide",
        f"{BASE}/decide/{{id}}",
        "POST",
        perm=EDIT,
        refs=("bulletin",),
        count=_state,
    )
    specs.append(Spec("BulletinView.show", f"{BASE}/show/{{id}}", perm=READ, refs=refs, shows=True))
    specs += form_and_save(
        "BulletinView.submit", f"{BASE}/submit", SUBMIT, ("branch",), notice_form, _in_branch
    )
    specs += [
        resubmit(refs=("bulletin_returned",), shows=True),
        # A notice awaiting review is not for correcting: back to its page.
        resubmit(refs=("bulletin",), variant="not-returned"),
        resubmit(
            method="POST",
            refs=("bulletin_returned",),
            data=notice_form,
            count=_state,
            effect=True,
            variant="save",
        ),
        decide(data=decision("publish"), effect=True, variant="publish"),
        decide(data=decision("send_back"), effect=True, variant="send-back"),
        decide(data=const(decision="publish", version="x"), variant="bad-version"),
        Spec(
            "BulletinView.breach",
            f"{BASE}/breach/{{id}}",
            "POST",
            perm=EDIT,
            refs=("bulletin",),
            data=breach,
            count=_state,
            effect=True,
        ),
    ]
    return specs
