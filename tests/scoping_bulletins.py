"""The route matrix's bulletins (tests/scoping_data.build_matrix): per side an emergency notice
of the unit awaiting review, submitted after the side's cases arrived (so it is late and its
page lists them), and one sent back to the unit, each naming that unit."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.domain.bulletins import NoticeDraft
from app.services import bulletins
from tests.case_helpers import actor


def build(session, put, unit, side: str, name: str, now: datetime) -> None:
    liaison = actor(session, f"liaison_{side}")
    for kind, title in (
        ("bulletin", f"{name}矩阵停气通报"),
        ("bulletin_returned", f"{name}矩阵退回通报"),
    ):
        notice = bulletins.submit_bulletin(
            session,
            liaison,
            NoticeDraft(
                kind="emergency",
                title=title,
                talking_points=f"{name}矩阵口径：抢修停气，请向客户致歉。",
                starts_at=now - timedelta(hours=3),
                expected_recovery_at=now + timedelta(hours=5),
                area=f"{name}矩阵片区",
            ),
            branch_id=unit.id,
            now=now,
        )
        if kind == "bulletin_returned":
            notice = bulletins.send_back_bulletin(
                session,
                actor(session, "csd"),
                notice.id,
                version=notice.version,
                reason="矩阵退回：请补充范围。",
                now=now,
            )
        put(kind, side, notice.id, notice.title, branch_id=unit.id)
