"""The repeats routes (重复诉求, issue 11 item 4) for tests/test_route_matrix.py: the look-up of
the caller's earlier cases, and linking / unlinking a case as a 关联单. Every matrix case has
gen_case's customer, received at the same minute, so a side's case in progress repeats that
side's case waiting for sign-for (made first: the lower id is the 主单 on a tie)."""

from __future__ import annotations

from sqlalchemy import func, select, update

from app.models import Case, CaseEvent
from tests.route_specs import Spec, alike

READ = ("can_read", "RepeatRequest")
LINK = ("can_link", "RepeatRequest")


def _primary(ctx, ref) -> int:
    return ctx.refs["case:pending_sign"][ref.label].id


def _set_primary(ctx, ref, primary_id) -> None:
    ctx.session.execute(update(Case).where(Case.id == ref.id).values(primary_case_id=primary_id))
    ctx.session.commit()


def _link(ref, ctx, user):
    """Unlinked before each call, so that each permitted user's link is a new change."""
    _set_primary(ctx, ref, None)
    case = ctx.session.get(Case, ref.id)
    return {"primary_id": _primary(ctx, ref), "version": case.version}


def _unlink(ref, ctx, user):
    """Linked before each call, so that each permitted user's unlink is a new change."""
    _set_primary(ctx, ref, _primary(ctx, ref))
    return {"version": ctx.session.get(Case, ref.id).version}


def _events(action):
    def count(session, ref):
        return session.scalar(
            select(func.count())
            .select_from(CaseEvent)
            .where(CaseEvent.case_id == ref.id, CaseEvent.action == action)
        )

    return count


def repeat_specs() -> list:
    find = "/repeats/candidates?phone=13912345678"
    linking = alike(method="POST", perm=LINK, effect=True)
    return [
        Spec("RepeatRequestView.candidates", f"{find}&address=江岸区黄浦大街1号", perm=READ),
        Spec("RepeatRequestView.candidates", f"{find}&format=json", perm=READ, variant="json"),
        linking(
            "RepeatRequestView.link",
            "/repeats/link/{id}",
            refs=("case:in_progress",),
            data=_link,
            count=_events("link_repeat"),
        ),
        linking(
            "RepeatRequestView.unlink",
            "/repeats/unlink/{id}",
            refs=("case:extension",),
            data=_unlink,
            count=_events("unlink_repeat"),
        ),
    ]
