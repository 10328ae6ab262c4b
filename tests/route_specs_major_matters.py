"""The major-matter routes (Art.22/33/34) for tests/test_route_matrix.py: the list, a review's
page, the unit's plan and progress (report), the 批示 (comment), CSD's note and close (write).
Each side's review belongs to its in-progress case, so whoever sees the case's unit sees the
review (风险管理部 only casualty and property-loss cases: the matrix's cases have no flag)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.domain.clock import now as clock_now
from app.models import Case, MajorMatter, MajorMatterEntry
from tests.route_specs import Spec, const, route

REFS = ("case:in_progress",)
READ = ("can_read", "MajorMatter")


def _matter_of(session, ref) -> MajorMatter:
    """The review of a side's in-progress case, made on first use with the case's id (no other
    review of the matrix is numbered so high): its unit is the case's."""
    matter = session.get(MajorMatter, ref.id)
    if matter is None:
        stamp = clock_now().replace(microsecond=0)
        case = session.get(Case, ref.case_id)
        matter = MajorMatter(
            id=ref.id,
            case_id=case.id,
            branch_id=case.branch_id,
            triggers="adverse_impact",
            status="open",
            opened_at=stamp,
            updated_at=stamp,
        )
        session.add(matter)
        session.add(MajorMatterEntry(matter=matter, kind="opened", at=stamp))
        session.commit()
    return matter


def matters(ref, ctx, user):
    """A GET sends no body: this makes each side's review before the page is asked for."""
    for side in ctx.refs["case:in_progress"].values():
        _matter_of(ctx.session, side)


def _state(session, ref):
    matter = _matter_of(session, ref)
    entries = session.scalar(
        select(func.count())
        .select_from(MajorMatterEntry)
        .where(MajorMatterEntry.matter_id == matter.id)
    )
    return (matter.status, matter.version, entries)


def _close(ref, ctx, user):
    matter = _matter_of(ctx.session, ref)
    return {"action": "close", "version": matter.version, "text": "矩阵审核结论。"}


def major_matter_specs() -> list[Spec]:
    index = route(
        "MajorMatterView.index",
        "/major-matters/",
        perm=READ,
        refs=REFS,
        together=True,
        data=matters,
    )
    post = {"method": "POST", "refs": REFS, "count": _state}
    report = route(
        "MajorMatterView.report",
        "/major-matters/report/{id}",
        perm=("can_report", "MajorMatter"),
        **post,
    )
    write = route(
        "MajorMatterView.write",
        "/major-matters/write/{id}",
        perm=("can_write", "MajorMatter"),
        **post,
    )
    return [
        index(shows=True),
        index(path="/major-matters/?status=closed&page=x", variant="bad-page"),
        Spec(
            "MajorMatterView.show",
            "/major-matters/show/{id}",
            perm=READ,
            refs=REFS,
            shows=True,
            data=matters,
        ),
        report(data=const(kind="plan", text="矩阵处置方案。"), effect=True),
        report(data=const(kind="other", text="矩阵"), variant="bad-kind"),
        Spec(
            "MajorMatterView.comment",
            "/major-matters/comment/{id}",
            perm=("can_comment", "MajorMatter"),
            data=const(text="矩阵批示。"),
            effect=True,
            **post,
        ),
        write(data=const(action="note", text="矩阵客服部意见。"), effect=True),
        write(data=_close, effect=True, variant="close"),
        write(data=const(action="close", version="x", text="矩阵"), variant="bad-version"),
    ]
